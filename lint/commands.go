package lint

import (
	"fmt"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/shellsyntax"
)

// splitCommands is every simple command in a step's command text, as the
// shell would run it (shellsyntax.Calls).
func splitCommands(text string) []shellsyntax.Call {
	return shellsyntax.Calls(text)
}

// interactiveReason says why a command needs a person at the keyboard, or
// "" when it does not.
func interactiveReason(c shellsyntax.Call) string {
	return shellsyntax.WaitsForKeys(c)
}

// confirmReason is for commands that stop to ask "continue? [Y/n]".
func confirmReason(c shellsyntax.Call) string {
	name, args := c.Name, c.ArgTexts()
	switch name {
	case "apt", "apt-get", "dnf", "yum", "zypper":
		if len(args) > 0 && (args[0] == "install" || args[0] == "remove" || args[0] == "upgrade" || args[0] == "purge" || args[0] == "dist-upgrade" || args[0] == "autoremove") &&
			!shellsyntax.HasFlag(args, "-y", "--yes", "--assume-yes", "-qq") {
			return name + " " + args[0] + " asks to confirm"
		}
	case "conda":
		if len(args) > 0 && (args[0] == "install" || args[0] == "create" || args[0] == "remove" || args[0] == "update") && !shellsyntax.HasFlag(args, "-y", "--yes") {
			return "conda " + args[0] + " asks to confirm"
		}
	case "npm":
		if len(args) > 0 && args[0] == "init" && !shellsyntax.HasFlag(args, "-y", "--yes") {
			return "npm init asks questions"
		}
	}
	return ""
}

// serverReason says why a command runs until stopped.
func serverReason(c shellsyntax.Call) string {
	if c.Background {
		return ""
	}
	name, args := c.Name, c.ArgTexts()
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch name {
	case "python", "python3":
		if len(args) > 1 && args[0] == "-m" && (args[1] == "http.server" || args[1] == "SimpleHTTPServer" || args[1] == "flask" && len(args) > 2 && args[2] == "run") {
			return "python -m " + args[1] + " serves until stopped"
		}
		if len(args) > 1 && args[1] == "runserver" {
			return "runserver serves until stopped"
		}
	case "flask", "rails":
		if sub == "run" || sub == "s" || sub == "server" {
			return name + " " + sub + " serves until stopped"
		}
	case "uvicorn", "gunicorn", "http-server", "serve", "tensorboard", "streamlit":
		return name + " serves until stopped"
	case "npm", "yarn", "pnpm":
		if sub == "start" || sub == "dev" || sub == "serve" || (sub == "run" && len(args) > 1 && (args[1] == "dev" || args[1] == "start" || args[1] == "serve")) {
			return name + " " + strings.Join(args[:min(2, len(args))], " ") + " serves until stopped"
		}
	case "jupyter":
		if sub == "notebook" || sub == "lab" || sub == "server" {
			return "jupyter " + sub + " serves until stopped"
		}
	case "mlflow":
		if sub == "ui" || sub == "server" {
			return "mlflow " + sub + " serves until stopped"
		}
	case "hugo", "ng", "mkdocs", "jekyll":
		if sub == "server" || sub == "serve" {
			return name + " " + sub + " serves until stopped"
		}
	case "airflow":
		if sub == "webserver" || sub == "scheduler" || sub == "standalone" {
			return "airflow " + sub + " runs until stopped"
		}
	case "kubectl":
		if sub == "port-forward" || (sub == "logs" && shellsyntax.HasFlag(args, "-f", "--follow")) {
			return "kubectl " + sub + " runs until stopped"
		}
	case "docker", "podman":
		if sub == "compose" && len(args) > 1 && args[1] == "up" && !shellsyntax.HasFlag(args, "-d", "--detach") {
			return name + " compose up without -d runs until stopped"
		}
		if (sub == "logs" || sub == "events" || sub == "stats") && (sub != "logs" || shellsyntax.HasFlag(args, "-f", "--follow")) {
			return name + " " + sub + " runs until stopped"
		}
		if sub == "run" && !shellsyntax.ShortFlags(args, "d")['d'] && !shellsyntax.HasFlag(args, "--detach") && (shellsyntax.HasFlag(args, "-p", "--publish") || shellsyntax.ShortFlags(args, "P")['P']) {
			return "docker run publishing a port without -d keeps serving in the foreground"
		}
	case "docker-compose":
		if sub == "up" && !shellsyntax.HasFlag(args, "-d", "--detach") {
			return "docker-compose up without -d runs until stopped"
		}
	case "php":
		if shellsyntax.HasFlag(args, "-S") {
			return "php -S serves until stopped"
		}
	case "nc", "ncat":
		if shellsyntax.ShortFlags(args, "l")['l'] {
			return name + " -l listens until stopped"
		}
	case "tail":
		if shellsyntax.HasFlag(args, "-f", "-F", "--follow") {
			return "tail -f follows forever"
		}
	case "ping":
		if !shellsyntax.HasFlag(args, "-c") {
			return "ping without -c runs until stopped"
		}
	case "watch":
		return "watch runs until stopped"
	}
	return ""
}

// commands checks what each runnable step's commands will do unattended.
func (l *linter) commands(s *course.Step) {
	if s.Attrs.Skip || s.Kind == course.File {
		return
	}
	fakes := l.m.Settings.Fakes
	attended := s.Attrs.Interactive || len(s.Attrs.Interact) > 0
	sudoSeen := false
	for ci, c := range s.Commands {
		if e := s.Edit; e != nil && ci == e.Command {
			// An editor step: check writes the content the page shows.
			if _, ok := s.EditContent(); !ok && !attended {
				l.add(c.Line, Warning, CheckInteractive,
					fmt.Sprintf("step %s: %s opens an editor on %s and the page shows no content for it, so check skips the step", s.ID, e.Editor, course.Unquote(e.File)),
					fmt.Sprintf("put a fence with the file's content right after the step, or give it in coursectl.yaml (steps: {%s: {content: ...}})", s.ID))
			}
			continue
		}
		for _, call := range splitCommands(c.Text) {
			if _, faked := fakes[call.Name]; faked {
				continue
			}
			// The line of the call itself: a command's lines are the
			// markdown's, one for one.
			line := c.Line + call.Line - 1
			if call.Sudo() && !sudoSeen && !l.m.InContainer() {
				if _, faked := fakes["sudo"]; !faked {
					sudoSeen = true
					l.add(line, Warning, CheckSudo, fmt.Sprintf("step %s uses sudo, which may ask for a password and needs root in check", s.ID),
						`fake it for check in coursectl.yaml (fakes: {sudo: '"$@"'}), or mark the step skip`)
				}
			}
			if attended {
				continue
			}
			if why := interactiveReason(call); why != "" && !pagerSetAside(call, l.m.Settings.Env) {
				l.add(line, Error, CheckInteractive, fmt.Sprintf("step %s: %s", s.ID, why),
					"add {interactive} (check skips it with a note) or an interact: list that answers it, or a fake")
			} else if why := confirmReason(call); why != "" {
				l.add(line, Warning, CheckInteractive, fmt.Sprintf("step %s: %s", s.ID, why),
					"add -y, or mark the step {interactive}")
			}
			if !s.Attrs.Background {
				if why := serverReason(call); why != "" {
					l.add(line, Warning, CheckServer, fmt.Sprintf("step %s: %s", s.ID, why),
						"mark it {background ready=\"text it prints when up\"} so the run goes on, or end it with &")
				}
			}
		}
	}
}

// pagerSetAside says whether the module's env: makes a program that would
// page its output print it whole instead (`env: {MANPAGER: cat}`: man then
// waits for nobody, as check's run shows).
func pagerSetAside(c shellsyntax.Call, env map[string]string) bool {
	if c.Name != "man" {
		return false
	}
	pager, ok := env["MANPAGER"]
	if !ok {
		pager, ok = env["PAGER"]
	}
	switch strings.TrimSpace(pager) {
	case "cat", "/bin/cat", "/usr/bin/cat", "tee":
		return ok
	}
	return false
}
