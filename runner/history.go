package runner

import (
	"strings"

	"github.com/coursectl/coursectl/course"
)

// What a step adds to the shell's history is what a learner's bash would
// add: one entry per command. An interactive bash (cmdhist, on by
// default) stores a command typed over several lines as one entry, the
// lines joined with "; " or, where a semicolon cannot go (after `do`,
// `then`, `|`, `&&`, `{`...), with a space; a backslash-newline joins
// without either, and a comment line inside is left out. So `history |
// tail -n 5` shows `for f in a b; do     echo $f; done`, as on the page
// (shell-novice 05-loop), not the loop's four lines. Where bash keeps a
// newline (inside quotes, after a comment, a heredoc) the entry keeps it.

// histNewline stands for a newline inside one entry in the list the
// wrapper reads line by line (prelude.bash turns it back).
const histNewline = "\x1e"

// historyEntries is the history of cmds, one entry per line.
func historyEntries(cmds []course.Command) string {
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString(strings.ReplaceAll(historyEntry(c.Text), "\n", histNewline))
		b.WriteByte('\n')
	}
	return b.String()
}

// historyEntry joins a command's lines as bash's cmdhist does.
func historyEntry(text string) string {
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		return text
	}
	if strings.Contains(text, "<<") {
		// A heredoc's lines stay lines, and bash ends the entry with one.
		return text + "\n"
	}
	entry, prev, dropped := lines[0], lines[0], false
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		switch {
		case openQuote(entry):
			entry += "\n" + l
		case oddBackslash(prev):
			entry = entry[:len(entry)-1] + l
		case strings.HasPrefix(t, "#"):
			dropped = true
			continue
		case dropped || trailingComment(prev):
			entry += "\n" + l
		case noSemicolonAfter(entry):
			entry += " " + l
		default:
			entry += "; " + l
		}
		prev, dropped = l, false
	}
	return entry
}

// noSemicolonAfter reports whether a semicolon after s would be a syntax
// error (or change its meaning), so bash joins the next line with a space.
func noSemicolonAfter(s string) bool {
	t := strings.TrimRight(s, " \t")
	for _, end := range []string{";", "|", "&", "(", "{"} {
		if strings.HasSuffix(t, end) {
			return true
		}
	}
	f := strings.Fields(t)
	if len(f) == 0 {
		return true
	}
	switch f[len(f)-1] {
	case "do", "then", "else", "elif", "!":
		return true
	case "in":
		return f[0] == "case"
	}
	return false
}

func oddBackslash(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// openQuote reports whether s leaves a ' or " quote open.
func openQuote(s string) bool {
	q, _ := scanQuotes(s)
	return q != 0
}

// trailingComment reports whether line ends in a comment (` # ...` outside
// quotes): bash keeps the newline after it.
func trailingComment(line string) bool {
	_, comment := scanQuotes(line)
	return comment
}

// scanQuotes reads s as bash quotes it: the quote left open at its end (0
// for none), and whether a comment started outside quotes.
func scanQuotes(s string) (open byte, comment bool) {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		case q == c:
			q = 0
		case c == '\\' && q != '\'':
			i++
		case q == 0 && c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return 0, true
		}
	}
	return q, false
}
