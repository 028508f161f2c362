package shellsyntax

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// wrapper is a program that starts the program named after its options:
// taking it off leaves the program that really runs.
type wrapper struct {
	// valued are its options that take the next word as their value
	// (`sudo -u USER`), short or long; a long one may also use `=`.
	valued []string
	// assigns: VAR=value words may come before the program (sudo, env).
	assigns bool
	// none are options after which there is no program to run: the
	// wrapper itself is the call (`command -v nano` looks nano up).
	none []string
}

var wrappers = map[string]wrapper{
	"sudo": {valued: []string{"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U",
		"--user", "--group", "--close-from", "--chdir", "--host", "--prompt", "--role", "--type", "--command-timeout", "--other-user"},
		assigns: true, none: []string{"-e", "--edit", "-l", "--list", "-v", "--validate", "-k", "-K", "--reset-timestamp", "--remove-timestamp", "-V", "--version", "--help"}},
	"doas":    {valued: []string{"-u", "-C"}, assigns: true},
	"env":     {valued: []string{"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}, assigns: true},
	"command": {none: []string{"-v", "-V"}},
	"exec":    {valued: []string{"-a"}},
	"time":    {valued: []string{"-f", "-o", "--format", "--output"}},
	"nohup":   {},
	"builtin": {},
	"nice":    {valued: []string{"-n", "--adjustment"}},
}

// unwrap takes the wrappers off a command's words. A wrapper with no
// program after it (`sudo -s`, `exec >log`, `env`) is itself the call.
func unwrap(words []Word) (rest []Word, outer []string) {
	for len(words) > 0 {
		name := path.Base(words[0].Text) // /usr/bin/time too
		w, ok := wrappers[name]
		if !ok || !words[0].Static {
			return words, outer
		}
		i := 1
	options:
		for i < len(words) {
			a := words[i].Text
			switch {
			case a == "--":
				i++
				break options
			case w.assigns && isAssignment(a):
				i++
			case len(a) > 1 && a[0] == '-':
				for _, n := range w.none {
					if a == n {
						return words, outer
					}
				}
				i++
				for _, v := range w.valued {
					if a == v {
						i++
						break
					}
				}
			default:
				break options
			}
		}
		if i >= len(words) {
			return words, outer
		}
		outer = append(outer, name)
		words = words[i:]
	}
	return words, outer
}

// isAssignment reports whether a word is NAME=value or NAME+=value.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	name = strings.TrimSuffix(name, "+")
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// HasFlag reports whether args hold one of the flags before a `--`: as
// given, as --long=value, or as a short flag with its value attached
// (-mmsg, -m"msg").
func HasFlag(args []string, flags ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		for _, f := range flags {
			if a == f || (strings.HasPrefix(f, "--") && strings.HasPrefix(a, f+"=")) {
				return true
			}
			if len(f) == 2 && f[0] == '-' && strings.HasPrefix(a, f) && !strings.HasPrefix(a, "--") {
				return true
			}
		}
	}
	return false
}

// ShortFlags reports which of the letters appear in short options (-it,
// -ti, -i -t, -dit).
func ShortFlags(args []string, letters string) map[byte]bool {
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

// Positional returns the words that are not options, skipping the value of
// each short option listed in withValue.
func Positional(args []string, withValue string) []string {
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

// keyboardRule says when a program waits for a person at the keyboard.
// The fields narrow it; a rule with none of them always applies.
type keyboardRule struct {
	names string // the programs, space-separated
	sub   string // its first argument is one of these (space-separated)
	// unless: any of these flags (after the subcommand) means it does not
	// wait; unlessShort: nor any of these letters in a short option
	// cluster (-am).
	unless      string
	unlessShort string
	only        string // it waits only with one of these flags
	noArgs      bool   // it waits only when given no argument (a REPL, a shell)
	terminal    bool   // it waits only when its input is the terminal
	// test decides what the flags cannot say.
	test func(c Call, args []string) bool
	// why is the message: %s is the program (with its subcommand). say
	// makes it where it depends on the arguments.
	why string
	say func(c Call, args []string) string
}

// keyboardRules are the programs that wait for keys, in order: the first
// that matches says why.
var keyboardRules = []keyboardRule{
	{names: "nano vim vi nvim pico joe micro ed mcedit", why: "%s is an editor that waits for keystrokes"},
	{names: "emacs", unless: "--batch -batch --script", why: "%s is an editor that waits for keystrokes"},
	{names: "less more most", why: "%s is a pager that waits for keystrokes"},
	{names: "man", why: "%s opens a pager that waits for keystrokes"},
	{names: "top htop btop atop nmon", unless: "-b -n", why: "%s runs until someone presses q"},
	{names: "read", unless: "-t -u", terminal: true, why: "%s waits for a line typed at the keyboard"},
	{names: "select", terminal: true, why: "%s waits for a choice typed at the keyboard"},
	{names: "passwd", why: "%s asks for a password"},
	{names: "sudo doas", only: "-s -i --shell --login", why: "sudo -s/-i opens a shell that waits for commands"},
	{names: "su", unless: "-c --command", why: "%s opens a shell and asks for a password"},
	{names: "docker podman nerdctl", test: containerAttached, say: func(c Call, args []string) string {
		if args[0] == "attach" {
			return c.Name + " attach connects the keyboard to a container"
		}
		return c.Name + " " + args[0] + " -it attaches the keyboard to the container"
	}},
	{names: "kubectl", sub: "exec run attach", test: func(c Call, args []string) bool {
		f := ShortFlags(args, "it")
		return (f['i'] || HasFlag(args, "--stdin")) && (f['t'] || HasFlag(args, "--tty"))
	}, why: "%s -it attaches the keyboard"},
	{names: "git", sub: "commit", unlessShort: "mFC", unless: "--message --file --no-edit --reuse-message --fixup",
		why: "git commit without -m opens an editor for the message"},
	{names: "git", sub: "rebase", only: "-i --interactive", why: "git rebase -i opens an editor"},
	{names: "git", sub: "add checkout reset stash", only: "-p --patch -i --interactive", why: "%s -p asks about every hunk"},
	{names: "git", sub: "mergetool", why: "%s opens an interactive tool"},
	{names: "git", sub: "config", only: "-e --edit", why: "git config --edit opens an editor"},
	{names: "aws", sub: "configure", test: func(c Call, args []string) bool {
		return len(args) == 0 || strings.HasPrefix(args[0], "-")
	}, why: "aws configure asks for keys at the keyboard"},
	{names: "ssh", test: func(c Call, args []string) bool {
		return len(Positional(args, "bcDEeFIiJLlmOopQRSWw")) == 1 && !c.Redirected
	}, why: "ssh with no command opens a remote shell"},
	{names: "python python3 ipython node irb ghci R julia lua php scala sqlite3 redis-cli mongo mongosh", noArgs: true, terminal: true,
		why: "%s with no script starts an interactive prompt"},
	{names: "bash sh zsh fish", noArgs: true, terminal: true, why: "%s with no script starts a new interactive shell"},
	{names: "mysql", only: "-p", unless: "-e --execute", terminal: true, why: "mysql -p asks for a password and opens a prompt"},
	{names: "mysql psql", unless: "-e --execute -c --command -f --file", terminal: true, why: "%s without a query opens an interactive prompt"},
}

// containerAttached: `docker run/exec -it` (not -d), `docker start -i`,
// `docker attach` connect the keyboard to a container.
func containerAttached(c Call, args []string) bool {
	if len(args) == 0 {
		return false
	}
	sub := args[0]
	if sub == "container" && len(args) > 1 && (args[1] == "run" || args[1] == "exec") {
		sub = "run"
	}
	switch sub {
	case "attach":
		return true
	case "run", "exec", "start":
	default:
		return false
	}
	f := ShortFlags(args, "itd")
	i := f['i'] || HasFlag(args, "--interactive")
	t := f['t'] || HasFlag(args, "--tty")
	if sub == "start" {
		i = HasFlag(args, "-i", "--interactive", "-a", "--attach")
		t = i
	}
	return i && t && !f['d'] && !HasFlag(args, "--detach") && !c.Piped && !c.Redirected
}

// keyboardByName indexes keyboardRules by program, with their flag lists
// split once.
var keyboardByName = func() map[string][]compiledRule {
	m := map[string][]compiledRule{}
	for _, r := range keyboardRules {
		c := compiledRule{keyboardRule: r, sub: strings.Fields(r.sub), unless: strings.Fields(r.unless), only: strings.Fields(r.only)}
		for _, n := range strings.Fields(r.names) {
			m[n] = append(m[n], c)
		}
	}
	return m
}()

type compiledRule struct {
	keyboardRule
	sub, unless, only []string
}

// WaitsForKeys says why a call waits for a person at the keyboard — an
// editor, a pager, a full-screen program, a prompt for a password or a
// line, a REPL — or "" when it does not.
func WaitsForKeys(c Call) string {
	rules := keyboardByName[c.Name]
	if len(rules) == 0 {
		return ""
	}
	args := c.ArgTexts()
	for _, r := range rules {
		rest, what := args, c.Name
		if len(r.sub) > 0 {
			if len(args) == 0 || !slices.Contains(r.sub, args[0]) {
				continue
			}
			rest, what = args[1:], c.Name+" "+args[0]
		}
		if r.terminal && (c.Piped || c.Redirected) ||
			r.noArgs && len(args) > 0 ||
			len(r.unless) > 0 && HasFlag(rest, r.unless...) ||
			r.unlessShort != "" && len(ShortFlags(rest, r.unlessShort)) > 0 ||
			len(r.only) > 0 && !HasFlag(rest, r.only...) ||
			r.test != nil && !r.test(c, rest) {
			continue
		}
		if r.say != nil {
			return r.say(c, args)
		}
		if strings.Contains(r.why, "%s") {
			return fmt.Sprintf(r.why, what)
		}
		return r.why
	}
	return ""
}

// editorValued are each editor's options that take the next word as their
// value, so that it is not taken for the file.
var editorValued = map[string][]string{}

var editorOptions = map[string]string{
	"nano":  "-T -Y -r -s -o -Q -X -f -J --tabsize --syntax --fill --speller --operatingdir --quotestr --wordchars --rcfile --guidestripe",
	"pico":  "-T -Y -r -s -o -Q -X -f -J",
	"vi":    "-c -S -u -U -i -w -W -T -t -q --cmd",
	"vim":   "-c -S -u -U -i -w -W -T -t -q --cmd",
	"nvim":  "-c -S -u -i -w -W -t -q --cmd --listen",
	"emacs": "-l -f -L -u --eval --load --funcall --directory --user --chdir --file --insert",
	"code":  "--user-data-dir --extensions-dir --profile --locale --log --sync -a --add",
	"gedit": "--encoding",
}

// editorNot are options with which the program opens no editor window to
// type in.
var editorNot = strings.Fields("--version --help -h --batch -batch --script --install-extension --uninstall-extension --list-extensions --status")

func init() {
	for name, opts := range editorOptions {
		editorValued[name] = strings.Fields(opts)
	}
}

// EditorTarget says whether a call opens an editor on a file (docs/spec.md §7's
// editor steps): nano, pico, vi, vim, nvim, emacs, code, gedit, or the
// learner's own ($EDITOR, ${EDITOR}, $VISUAL). It returns the editor (the
// program's name, or the variable as written) and its one file argument,
// options (`nano -w`, `vim +10`) skipped. With no file, or several, ok is
// false and editor is still given: the call opens an editor, with nothing
// to write. A call that is no editor, or that only asks an editor
// something (`vim --version`), gives "".
func EditorTarget(c Call) (editor string, file Word, ok bool) {
	valued, known := editorValued[c.Name]
	switch {
	case known:
		editor = c.Name
	case isEditorVariable(c.Prog.Text):
		editor = c.Prog.Text
	default:
		return "", Word{}, false
	}
	var files []Word
	args := c.Args
	for i := 0; i < len(args); i++ {
		a := args[i].Text
		if a == "--" {
			files = append(files, args[i+1:]...)
			break
		}
		if slices.Contains(editorNot, a) {
			return "", Word{}, false
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 || strings.HasPrefix(a, "+") {
			if slices.Contains(valued, a) {
				i++
			}
			continue
		}
		files = append(files, args[i])
	}
	if len(files) != 1 {
		return editor, Word{}, false
	}
	if f := files[0].Text; f == "." || f == ".." || strings.HasSuffix(f, "/") {
		return editor, Word{}, false // a directory: a file browser, nothing to write
	}
	return editor, files[0], true
}

// MayOpenEditor is a quick no before any parsing: false when text names
// none of EditorTarget's editors as a word, nor $EDITOR or $VISUAL, so no
// call in it can open one. True says nothing yet: ask EditorTarget.
func MayOpenEditor(text string) bool {
	if strings.Contains(text, "EDITOR") || strings.Contains(text, "VISUAL") {
		return true
	}
	for name := range editorValued {
		for i := 0; ; {
			j := strings.Index(text[i:], name)
			if j < 0 {
				break
			}
			at, end := i+j, i+j+len(name)
			if (at == 0 || strings.IndexByte(" \t\n;|&(/\"'`", text[at-1]) >= 0) &&
				(end == len(text) || strings.IndexByte(" \t\n;|&)\"'`", text[end]) >= 0) {
				return true
			}
			i = end
		}
	}
	return false
}

// isEditorVariable: $EDITOR, ${EDITOR}, ${EDITOR:-nano} and the same of
// $VISUAL name the learner's editor.
func isEditorVariable(t string) bool {
	for _, v := range []string{"EDITOR", "VISUAL"} {
		if t == "$"+v || t == "${"+v+"}" ||
			strings.HasPrefix(t, "${"+v+":-") || strings.HasPrefix(t, "${"+v+"-") {
			return true
		}
	}
	return false
}
