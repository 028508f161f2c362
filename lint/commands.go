package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/coursectl/coursectl/course"
)

// simpleCommand is one program invocation in a command line: its words
// (quotes removed) and what surrounds it.
type simpleCommand struct {
	words      []string
	piped      bool // reads from a pipe (after |)
	redirected bool // has an input redirection or here-doc/string
	background bool // ends with &
}

// splitCommands cuts a command line into simple commands at ; & | && ||
// newlines and parentheses. Enough for recognising programs, not a parser.
func splitCommands(text string) []simpleCommand {
	var out []simpleCommand
	var cur simpleCommand
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			cur.words = append(cur.words, word.String())
			word.Reset()
			inWord = false
		}
	}
	end := func(next simpleCommand) {
		endWord()
		if len(cur.words) > 0 {
			out = append(out, cur)
		}
		cur = next
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '\'':
			j := strings.IndexByte(text[i+1:], '\'')
			if j < 0 {
				j = len(text) - i - 1
			}
			word.WriteString(text[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case '"':
			i++
			for i < len(text) && text[i] != '"' {
				if text[i] == '\\' && i+1 < len(text) {
					i++
				}
				word.WriteByte(text[i])
				i++
			}
			inWord = true
		case '\\':
			if i+1 < len(text) && text[i+1] != '\n' {
				word.WriteByte(text[i+1])
				inWord = true
			}
			i++
		case ' ', '\t':
			endWord()
		case '\n', ';', '(', ')', '`':
			end(simpleCommand{})
		case '&':
			if i+1 < len(text) && text[i+1] == '&' {
				i++
				end(simpleCommand{})
			} else if i > 0 && (text[i-1] == '>' || text[i-1] == '<') || i+1 < len(text) && text[i+1] == '>' {
				word.WriteByte(c) // 2>&1, &>file
				inWord = true
			} else {
				cur.background = true
				end(simpleCommand{})
			}
		case '|':
			if i+1 < len(text) && text[i+1] == '|' {
				i++
				end(simpleCommand{})
			} else {
				end(simpleCommand{piped: true})
			}
		case '<':
			// <container-id> in docs is a placeholder, not a redirection.
			if rest := text[i+1:]; !inWord && len(rest) > 0 && rest[0] != ' ' && rest[0] != '<' && rest[0] != '(' {
				if end := strings.IndexAny(rest, " \t\n>"); end > 0 && rest[end] == '>' {
					word.WriteString(text[i : i+end+2])
					inWord = true
					i += end + 1
					continue
				}
			}
			cur.redirected = true
			word.WriteByte(c)
			inWord = true
		case '#':
			if !inWord {
				j := strings.IndexByte(text[i:], '\n')
				if j < 0 {
					i = len(text)
				} else {
					i += j - 1
				}
				continue
			}
			word.WriteByte(c)
		case '$':
			if i+1 < len(text) && text[i+1] == '(' {
				endWord()
				end(simpleCommand{})
				i++
				continue
			}
			word.WriteByte(c)
			inWord = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end(simpleCommand{})
	return out
}

// program strips what runs another program (sudo, env, time...) and
// VAR=value prefixes, returning the real program's name and arguments, and
// whether sudo was on the way.
func program(words []string) (name string, args []string, sudo bool) {
	for len(words) > 0 {
		w := words[0]
		switch {
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "="):
			words = words[1:]
		case w == "sudo" || w == "doas":
			sudo = true
			words = words[1:]
			for len(words) > 0 && strings.HasPrefix(words[0], "-") {
				opt := words[0]
				words = words[1:]
				if (opt == "-u" || opt == "-g" || opt == "-C" || opt == "-D") && len(words) > 0 {
					words = words[1:]
				}
				if opt == "-s" || opt == "-i" || opt == "--shell" || opt == "--login" {
					return "sudo-shell", words, true
				}
			}
		case w == "env" || w == "time" || w == "exec" || w == "command" || w == "nohup" || w == "builtin" || w == "!":
			words = words[1:]
		default:
			return path.Base(w), words[1:], sudo
		}
	}
	return "", nil, sudo
}

func hasFlag(args []string, flags ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		for _, f := range flags {
			if a == f || (strings.HasPrefix(f, "--") && strings.HasPrefix(a, f+"=")) {
				return true
			}
			// -m"msg" and -mmsg forms of short flags
			if len(f) == 2 && f[0] == '-' && strings.HasPrefix(a, f) && !strings.HasPrefix(a, "--") {
				return true
			}
		}
	}
	return false
}

// shortFlags reports which of the letters appear in short options
// (-it, -ti, -i -t, -dit).
func shortFlags(args []string, letters string) map[byte]bool {
	got := map[byte]bool{}
	for _, a := range args {
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") {
			for i := 1; i < len(a); i++ {
				if strings.IndexByte(letters, a[i]) >= 0 {
					got[a[i]] = true
				}
			}
		}
	}
	return got
}

// positional returns the non-option words, skipping the values of the
// options listed in withValue.
func positional(args []string, withValue string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			if len(a) == 2 && strings.IndexByte(withValue, a[1]) >= 0 {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// interactiveReason says why a simple command needs a person at the
// keyboard, or "" when it does not.
func interactiveReason(sc simpleCommand) string {
	name, args, _ := program(sc.words)
	switch name {
	case "nano", "vim", "vi", "nvim", "pico", "joe", "micro", "ed", "mcedit":
		return name + " is an editor that waits for keystrokes"
	case "emacs":
		if !hasFlag(args, "--batch", "-batch", "--script") {
			return "emacs is an editor that waits for keystrokes"
		}
	case "less", "more", "most":
		return name + " is a pager that waits for keystrokes"
	case "man":
		return "man opens a pager that waits for keystrokes"
	case "top", "htop", "btop", "atop", "nmon":
		if !hasFlag(args, "-b", "-n") {
			return name + " runs until someone presses q"
		}
	case "read":
		if !sc.piped && !sc.redirected && !hasFlag(args, "-t") {
			return "read waits for a line typed at the keyboard"
		}
	case "passwd":
		return "passwd asks for a password"
	case "sudo-shell":
		return "sudo -s/-i opens a shell that waits for commands"
	case "su":
		if !hasFlag(args, "-c", "--command") {
			return "su opens a shell and asks for a password"
		}
	case "docker", "podman", "nerdctl":
		if len(args) > 0 && (args[0] == "run" || args[0] == "exec" || args[0] == "start" || args[0] == "attach" ||
			(args[0] == "container" && len(args) > 1 && (args[1] == "run" || args[1] == "exec"))) {
			if args[0] == "attach" {
				return name + " attach connects the keyboard to a container"
			}
			f := shortFlags(args, "itd")
			i := f['i'] || hasFlag(args, "--interactive")
			t := f['t'] || hasFlag(args, "--tty")
			if args[0] == "start" {
				i = hasFlag(args, "-i", "--interactive", "-a", "--attach")
				t = i
			}
			if i && t && !f['d'] && !hasFlag(args, "--detach") && !sc.piped && !sc.redirected {
				return name + " " + args[0] + " -it attaches the keyboard to the container"
			}
		}
	case "kubectl":
		if len(args) > 0 && (args[0] == "exec" || args[0] == "run" || args[0] == "attach") {
			f := shortFlags(args, "it")
			if (f['i'] || hasFlag(args, "--stdin")) && (f['t'] || hasFlag(args, "--tty")) {
				return "kubectl " + args[0] + " -it attaches the keyboard"
			}
		}
	case "git":
		if len(args) > 0 {
			switch args[0] {
			case "commit":
				f := shortFlags(args[1:], "mFC") // -m, -am, -F file, -C commit
				if !f['m'] && !f['F'] && !f['C'] && !hasFlag(args[1:], "--message", "--file", "--no-edit", "--reuse-message", "--fixup") {
					return "git commit without -m opens an editor for the message"
				}
			case "rebase":
				if hasFlag(args[1:], "-i", "--interactive") {
					return "git rebase -i opens an editor"
				}
			case "add", "checkout", "reset", "stash":
				if hasFlag(args[1:], "-p", "--patch", "-i", "--interactive") {
					return "git " + args[0] + " -p asks about every hunk"
				}
			case "mergetool":
				return "git mergetool opens an interactive tool"
			}
		}
	case "aws":
		if len(args) > 0 && args[0] == "configure" && (len(args) == 1 || strings.HasPrefix(args[1], "-")) {
			return "aws configure asks for keys at the keyboard"
		}
	case "ssh":
		if pos := positional(args, "bcDEeFIiJLlmOopQRSWw"); len(pos) == 1 && !sc.redirected {
			return "ssh with no command opens a remote shell"
		}
	case "python", "python3", "ipython", "node", "irb", "ghci", "R", "julia", "lua", "php", "scala", "sqlite3", "redis-cli", "mongo", "mongosh":
		if len(args) == 0 && !sc.piped && !sc.redirected {
			return name + " with no script starts an interactive prompt"
		}
	case "bash", "sh", "zsh", "fish":
		if len(args) == 0 && !sc.piped && !sc.redirected {
			return name + " with no script starts a new interactive shell"
		}
	case "mysql", "psql":
		if hasFlag(args, "-p") && name == "mysql" && !hasFlag(args, "-e", "--execute") && !sc.redirected && !sc.piped {
			return "mysql -p asks for a password and opens a prompt"
		}
		if !hasFlag(args, "-e", "--execute", "-c", "--command", "-f", "--file") && !sc.redirected && !sc.piped {
			return name + " without a query opens an interactive prompt"
		}
	}
	return ""
}

// confirmReason is for commands that stop to ask "continue? [Y/n]".
func confirmReason(sc simpleCommand) string {
	name, args, _ := program(sc.words)
	switch name {
	case "apt", "apt-get", "dnf", "yum", "zypper":
		if len(args) > 0 && (args[0] == "install" || args[0] == "remove" || args[0] == "upgrade" || args[0] == "purge" || args[0] == "dist-upgrade" || args[0] == "autoremove") &&
			!hasFlag(args, "-y", "--yes", "--assume-yes", "-qq") {
			return name + " " + args[0] + " asks to confirm"
		}
	case "conda":
		if len(args) > 0 && (args[0] == "install" || args[0] == "create" || args[0] == "remove" || args[0] == "update") && !hasFlag(args, "-y", "--yes") {
			return "conda " + args[0] + " asks to confirm"
		}
	case "npm":
		if len(args) > 0 && args[0] == "init" && !hasFlag(args, "-y", "--yes") {
			return "npm init asks questions"
		}
	}
	return ""
}

// serverReason says why a command runs until stopped.
func serverReason(sc simpleCommand) string {
	if sc.background {
		return ""
	}
	name, args, _ := program(sc.words)
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
		if sub == "port-forward" || (sub == "logs" && hasFlag(args, "-f", "--follow")) {
			return "kubectl " + sub + " runs until stopped"
		}
	case "docker", "podman":
		if sub == "compose" && len(args) > 1 && args[1] == "up" && !hasFlag(args, "-d", "--detach") {
			return name + " compose up without -d runs until stopped"
		}
		if (sub == "logs" || sub == "events" || sub == "stats") && (sub != "logs" || hasFlag(args, "-f", "--follow")) {
			return name + " " + sub + " runs until stopped"
		}
		if sub == "run" && !shortFlags(args, "d")['d'] && !hasFlag(args, "--detach") && (hasFlag(args, "-p", "--publish") || shortFlags(args, "P")['P']) {
			return "docker run publishing a port without -d keeps serving in the foreground"
		}
	case "docker-compose":
		if sub == "up" && !hasFlag(args, "-d", "--detach") {
			return "docker-compose up without -d runs until stopped"
		}
	case "php":
		if hasFlag(args, "-S") {
			return "php -S serves until stopped"
		}
	case "nc", "ncat":
		if shortFlags(args, "l")['l'] {
			return name + " -l listens until stopped"
		}
	case "tail":
		if hasFlag(args, "-f", "-F", "--follow") {
			return "tail -f follows forever"
		}
	case "ping":
		if !hasFlag(args, "-c") {
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
		for _, sc := range splitCommands(c.Text) {
			name, _, sudo := program(sc.words)
			if _, faked := fakes[name]; faked {
				continue
			}
			if sudo && !sudoSeen {
				if _, faked := fakes["sudo"]; !faked {
					sudoSeen = true
					l.add(c.Line, Warning, CheckSudo, fmt.Sprintf("step %s uses sudo, which may ask for a password and needs root in check", s.ID),
						`fake it for check in coursectl.yaml (fakes: {sudo: '"$@"'}), or mark the step skip`)
				}
			}
			if attended {
				continue
			}
			if why := interactiveReason(sc); why != "" {
				l.add(c.Line, Error, CheckInteractive, fmt.Sprintf("step %s: %s", s.ID, why),
					"add {interactive} (check skips it with a note) or an interact: list that answers it, or a fake")
			} else if why := confirmReason(sc); why != "" {
				l.add(c.Line, Warning, CheckInteractive, fmt.Sprintf("step %s: %s", s.ID, why),
					"add -y, or mark the step {interactive}")
			}
			if !s.Attrs.Background {
				if why := serverReason(sc); why != "" {
					l.add(c.Line, Warning, CheckServer, fmt.Sprintf("step %s: %s", s.ID, why),
						"mark it {background ready=\"text it prints when up\"} so the run goes on, or end it with &")
				}
			}
		}
	}
}
