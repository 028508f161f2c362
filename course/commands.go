package course

import (
	"strconv"
	"strings"
)

// bodyLine is one line of a block body with its markdown line number.
type bodyLine struct {
	text string // without the line ending
	line int
}

// promptText returns the command after a `$ ` prompt (indentation allowed)
// and whether the line has one. A lone `$` is an empty prompt.
func promptText(s string) (string, bool) {
	t := strings.TrimLeft(s, " \t")
	if t == "$" {
		return "", true
	}
	if strings.HasPrefix(t, "$ ") || strings.HasPrefix(t, "$\t") {
		return t[2:], true
	}
	return "", false
}

// isPrompted reports whether any line of a script body starts with `$ `.
func isPrompted(lines []bodyLine) bool {
	for _, l := range lines {
		if _, ok := promptText(l.text); ok {
			return true
		}
	}
	return false
}

// ps2Text strips a `> ` continuation prompt, as a terminal shows it.
func ps2Text(s string) (string, bool) {
	t := strings.TrimLeft(s, " \t")
	if t == ">" {
		return "", true
	}
	if strings.HasPrefix(t, "> ") {
		return t[2:], true
	}
	return s, false
}

// plainCommands splits an unprompted script body into whole commands:
// a command runs until bash would stop asking for more. Blank and
// comment-only lines between commands are dropped.
func plainCommands(lines []bodyLine) []Command {
	var cmds []Command
	var cur []string
	var st shellState
	start := 0
	for _, l := range lines {
		if len(cur) == 0 {
			t := strings.TrimSpace(l.text)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			start = l.line
		}
		cur = append(cur, l.text)
		st.feed(l.text)
		if st.complete() {
			cmds = append(cmds, Command{Text: strings.Join(cur, "\n"), Line: start})
			cur, st = nil, shellState{}
		}
	}
	if len(cur) > 0 {
		cmds = append(cmds, Command{Text: strings.Join(cur, "\n"), Line: start})
	}
	return cmds
}

// promptedCommands reads the `$ ` commands of a prompted body (script or
// transcript). Each command takes its continuation lines: `> ` PS2 lines,
// and whatever bash would still be reading (a trailing \, an open quote, a
// heredoc body). Other lines are output: with want set they become each
// command's expected output.
func promptedCommands(lines []bodyLine, want bool) (cmds []Command, stray []bodyLine) {
	var st shellState
	var cur *Command
	var out []string
	outLine := 0
	flush := func() {
		if cur == nil {
			return
		}
		if want {
			cur.Want = expectedFrom(out, outLine)
		}
		cmds = append(cmds, *cur)
		cur, out = nil, nil
	}
	continuing := false // the previous line was part of the current command
	for _, l := range lines {
		if continuing {
			text, ps2 := ps2Text(l.text)
			if ps2 || !st.complete() {
				if !ps2 && st.inBody {
					text = l.text
				}
				cur.Text += "\n" + text
				st.feed(text)
				continue
			}
		}
		if text, ok := promptText(l.text); ok {
			flush()
			continuing = true
			st = shellState{}
			if strings.TrimSpace(text) == "" {
				// An empty prompt runs nothing; its output (if any)
				// belongs to no command.
				continuing = false
				continue
			}
			cur = &Command{Text: text, Line: l.line}
			st.feed(text)
			continue
		}
		continuing = false
		if cur == nil {
			if strings.TrimSpace(l.text) != "" {
				stray = append(stray, l)
			}
			continue
		}
		if len(out) == 0 {
			outLine = l.line
		}
		out = append(out, l.text)
	}
	flush()
	return cmds, stray
}

// expectedFrom turns output lines into an Expected: trailing blank lines
// dropped, a final `[N]` line taken as the exit status. Nil when empty.
func expectedFrom(lines []string, line int) *Expected {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	e := &Expected{Line: line, Lines: lines}
	if n := len(lines); n > 0 {
		last := strings.TrimSpace(lines[n-1])
		if len(last) > 2 && last[0] == '[' && last[len(last)-1] == ']' {
			if code, err := strconv.Atoi(last[1 : len(last)-1]); err == nil {
				e.Exit = &code
				e.Lines = lines[:n-1]
			}
		}
	}
	if len(e.Lines) == 0 && e.Exit == nil {
		return nil
	}
	if e.Lines == nil {
		e.Lines = []string{}
	}
	return e
}
