package course

import (
	"strconv"
	"strings"

	"github.com/coursectl/coursectl/shellsyntax"
)

// bodyLine is one line of a block body with its markdown line number.
type bodyLine struct {
	text string // without the line ending
	line int
}

// isPrompted reports whether any line of a script body starts with `$ `.
func isPrompted(lines []bodyLine) bool {
	for _, l := range lines {
		if _, ok := shellsyntax.PromptText(l.text); ok {
			return true
		}
	}
	return false
}

func texts(lines []bodyLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.text
	}
	return out
}

// plainCommands splits an unprompted script body into whole commands:
// a command runs until bash would stop asking for more. Blank and
// comment-only lines between commands are dropped.
func plainCommands(lines []bodyLine) []Command {
	split := shellsyntax.SplitScript(texts(lines))
	cmds := make([]Command, len(split))
	for i, c := range split {
		cmds[i] = Command{Text: c.Text, Line: lines[c.First].line}
	}
	return cmds
}

// promptedCommands reads the `$ ` commands of a prompted body (script or
// transcript). Each command takes its continuation lines: `> ` PS2 lines,
// and whatever bash would still be reading (a trailing \, an open quote, a
// heredoc body). Other lines are output: with want set, the lines after a
// command up to the next prompt are its expected output.
func promptedCommands(lines []bodyLine, want bool) []Command {
	split := shellsyntax.SplitTranscript(texts(lines))
	cmds := make([]Command, len(split))
	for i, c := range split {
		cmds[i] = Command{Text: c.Text, Line: lines[c.First].line}
		if !want {
			continue
		}
		end := c.Last + 1
		for end < len(lines) {
			if _, ok := shellsyntax.PromptText(lines[end].text); ok {
				break
			}
			end++
		}
		if out := lines[c.Last+1 : end]; len(out) > 0 {
			cmds[i].Want = expectedFrom(texts(out), out[0].line)
		}
	}
	return cmds
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
