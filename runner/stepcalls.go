package runner

import (
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/expect"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/shellsyntax"
)

// Which line of a step did something — waits for input, ended the shell —
// is read from the step's script with shellsyntax, the parser course and
// lint use: a program is found wherever bash would run it (in a loop, after
// sudo), never in a string, a comment or a heredoc body.

// calls are the simple commands of the step's script, parsed on first use
// (only a failure needs them).
func (p *plan) calls() []shellsyntax.Call {
	if !p.parsed {
		p.parsed = true
		p.scriptCalls = shellsyntax.Calls(p.script)
	}
	return p.scriptCalls
}

// callsWhere are the calls that match, on the course's own lines (those
// with a markdown line: not the runner's wrapping), in order.
func (p *plan) callsWhere(match func(shellsyntax.Call) bool) []shellsyntax.Call {
	var out []shellsyntax.Call
	for _, c := range p.calls() {
		if c.Line < len(p.lineMap) && p.lineMap[c.Line] > 0 && match(c) {
			out = append(out, c)
		}
	}
	return out
}

// lineCalling is the script line (1-based) of the only line with a
// matching call, 0 when none or several lines have one.
func (p *plan) lineCalling(match func(shellsyntax.Call) bool) int {
	line := 0
	for _, c := range p.callsWhere(match) {
		if line != 0 && c.Line != line {
			return 0
		}
		line = c.Line
	}
	return line
}

// waitingCommand names what waits for input, and its markdown line: the
// program (the step's line that runs it), or for a shell builtin (the
// waiting process is the shell: read, select, mapfile) the step's line that
// calls it — when several do, the one whose `-p` prompt was printed last.
func (s *Session) waitingCommand(step *course.Step, p *plan, pid int, cmdline string, out *tail) (string, int) {
	if pid != s.sh.inner && cmdline != "" {
		argv := strings.Fields(cmdline)
		prog := filepath.Base(argv[0])
		runs := func(c shellsyntax.Call) bool { return c.Name == prog }
		if i := p.lineCalling(runs); i > 0 {
			return cmdline, p.lineMap[i]
		}
		// Several lines run the program: the one whose arguments are the
		// process's (`git config --global --edit` among git lines).
		args := strings.Join(argv[1:], " ")
		if i := p.lineCalling(func(c shellsyntax.Call) bool {
			return runs(c) && strings.Join(c.ArgTexts(), " ") == args
		}); i > 0 {
			return cmdline, p.lineMap[i]
		}
		return cmdline, 0
	}
	cands := p.callsWhere(readsTerminal)
	if len(cands) > 0 {
		pick := cands[0].Line
		if len(cands) > 1 && out != nil {
			var pt expect.Plain
			pt.WriteString(out.String())
			last := lastLines(pt.Take(), 1)
			for _, c := range cands {
				if prompt := strings.TrimSpace(readPrompt(c)); prompt != "" && strings.Contains(last, prompt) {
					pick = c.Line
				}
			}
		}
		return strings.TrimSpace(p.scriptLine(pick)), p.lineMap[pick]
	}
	if len(step.Commands) > 0 {
		return firstLine(step.Commands[0].Text), 0
	}
	return "read", 0
}

// readsTerminal: the builtins that make the shell itself wait for a line,
// when their input is the terminal.
func readsTerminal(c shellsyntax.Call) bool {
	switch c.Name {
	case "read", "select", "mapfile", "readarray":
		return !c.Piped && !c.Redirected
	}
	return false
}

// readPrompt is the prompt a read prints (`-p 'Name? '`, `-rp "x"`), "" when
// it has none.
func readPrompt(c shellsyntax.Call) string {
	args := c.ArgTexts()
	for i, a := range args {
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' || a[1] == '-' {
			continue
		}
		if k := strings.IndexByte(a, 'p'); k > 0 {
			if k < len(a)-1 {
				return a[k+1:]
			}
			if i+1 < len(args) {
				return args[i+1]
			}
		}
	}
	return ""
}

// endsShell matches the calls that could have ended the shell the way died
// says.
func endsShell(died *result.Stop) func(shellsyntax.Call) bool {
	execs := func(c shellsyntax.Call) bool {
		return len(c.Wrappers) > 0 && c.Wrappers[0] == "exec"
	}
	switch died.Kind {
	case result.StopExited:
		// An exec'd program that has already exited ended it too.
		return func(c shellsyntax.Call) bool { return c.Name == "exit" || c.Name == "logout" || execs(c) }
	case result.StopExec:
		return execs
	case result.StopInputClosed:
		return func(c shellsyntax.Call) bool { return (c.Name == "exec" || execs(c)) && c.Redirected }
	case result.StopSignalled:
		return func(c shellsyntax.Call) bool {
			if c.Name != "kill" {
				return false
			}
			for _, a := range c.Args {
				if strings.Contains(a.Text, "$$") || strings.Contains(a.Text, "$BASHPID") || strings.Contains(a.Text, "${BASHPID}") {
					return true
				}
			}
			return false
		}
	}
	return func(shellsyntax.Call) bool { return false }
}
