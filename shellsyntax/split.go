package shellsyntax

import (
	"io"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Command is one command line as bash reads it: the lines from the one that
// starts it to the one that completes it (a trailing \, an open quote or
// bracket, a heredoc body, `|`, `&&` or a compound command all make bash read
// on).
type Command struct {
	// Text is its lines joined with \n; in a transcript, without the `$ `
	// and `> ` prompts.
	Text string
	// First and Last are the indices of its first and last line in the
	// lines given.
	First, Last int
	// Open is set by SplitScript when the input ended while bash would
	// still be reading (an unclosed quote or heredoc): the command is the
	// rest of the input. (In a transcript the `> ` lines say it instead.)
	Open bool
}

// SplitScript splits the lines of a script into the commands bash would read
// from them, one at a time. Blank lines and comment lines between commands
// belong to none; inside a command (a loop's body, a heredoc) they are its
// own. A syntax error ends the command at the line where bash would report
// it, and reading starts afresh on the next line, as in a terminal.
func SplitScript(lines []string) []Command {
	var cmds []Command
	for at := 0; at < len(lines); {
		switch l := lines[at]; {
		case blankOrComment(l):
			at++
		case plainCommand(l):
			cmds = append(cmds, Command{Text: l, First: at, Last: at})
			at++
		default:
			at = splitFrom(lines, at, &cmds)
		}
	}
	return cmds
}

// Complete reports whether src is whole commands: false when bash, having
// read it, would print its continuation prompt (PS2) and wait for more.
func Complete(src string) bool {
	cmds := SplitScript(strings.Split(strings.TrimSuffix(src, "\n"), "\n"))
	return len(cmds) == 0 || !cmds[len(cmds)-1].Open
}

// splitFrom reads commands with the parser from lines[at:] until a syntax
// error or the end, and returns where to go on reading.
func splitFrom(lines []string, at int, cmds *[]Command) int {
	emit := func(first, last int, open bool) {
		*cmds = append(*cmds, Command{Text: strings.Join(lines[first:last+1], "\n"), First: first, Last: last, Open: open})
	}
	served := at // the next line to read
	start := -1  // the first line of the command being read; -1 between commands
	// Between commands, blank and comment lines and lines that are plainly
	// one simple command each are taken here: the parser only reads the
	// lines that need it.
	plain := func() {
		for start < 0 && served < len(lines) {
			l := lines[served]
			if !blankOrComment(l) {
				if !plainCommand(l) {
					return
				}
				emit(served, served, false)
			}
			served++
		}
	}
	resume := len(lines)
	p := getParser()
	defer putParser(p)
	readLines(p, func() (string, bool) {
		if plain(); served == len(lines) {
			return "", false
		}
		served++
		return lines[served-1], true
	}, func(stmts []*syntax.Stmt, v verdict) bool {
		line := served - 1
		switch v {
		case incomplete:
			if start < 0 {
				start = line
			}
		case broken:
			if start < 0 {
				start = line
			}
			emit(start, line, false)
			start, resume = -1, line+1
			return false
		case complete:
			if len(stmts) > 0 || start >= 0 {
				if start < 0 {
					start = line
				}
				emit(start, line, false)
				start = -1
			}
		}
		return true
	})
	if start >= 0 {
		emit(start, len(lines)-1, true)
	}
	return resume
}

// SplitTranscript reads the commands of a terminal transcript: a command
// starts at a `$ ` line and takes the lines bash would still be reading (a
// trailing \, an open quote, a heredoc body...) and every `> ` line right
// after it, as a terminal shows a continuation. Other lines (output, text)
// and empty prompts belong to no command.
func SplitTranscript(lines []string) []Command {
	return splitTranscript(lines, true)
}

// splitTranscript is SplitTranscript; with fast false, every command goes
// to the parser (the fuzz target compares the two).
func splitTranscript(lines []string, fast bool) []Command {
	var cmds []Command
	for i := 0; i < len(lines); {
		text, ok := PromptText(lines[i])
		if !ok || strings.TrimSpace(text) == "" {
			i++
			continue
		}
		if fast && plainCommand(text) && (i+1 == len(lines) || !isPS2(lines[i+1])) {
			cmds = append(cmds, Command{First: i, Last: i, Text: text})
			i++
			continue
		}
		// `> ` lines running to the end (a Carpentries loop, its output in
		// a fence of its own): the command takes them all, whatever the
		// parser would say, and nothing is left that it could take too.
		j := i + 1
		for j < len(lines) && isPS2(lines[j]) {
			j++
		}
		if fast && j == len(lines) && j > i+1 {
			texts := make([]string, 0, j-i)
			texts = append(texts, text)
			for _, l := range lines[i+1 : j] {
				t, _ := PS2Text(l)
				texts = append(texts, t)
			}
			cmds = append(cmds, Command{First: i, Last: j - 1, Text: strings.Join(texts, "\n")})
			i = j
			continue
		}
		c := readPrompted(lines, i, text)
		cmds = append(cmds, c)
		i = c.Last + 1
	}
	return cmds
}

// readPrompted reads the command at the prompt on lines[first] with the
// parser.
func readPrompted(lines []string, first int, text string) Command {
	c := Command{First: first, Last: first}
	texts := []string{text}
	i := first + 1
	served := false // the prompt line went to the parser
	for {
		v := complete
		p := getParser()
		readLines(p, func() (string, bool) {
			if !served {
				served = true
				return texts[len(texts)-1], true
			}
			if i == len(lines) {
				return "", false
			}
			t, ps2 := PS2Text(lines[i])
			if !ps2 && v != incomplete {
				return "", false
			}
			texts = append(texts, t)
			c.Last = i
			i++
			return t, true
		}, func(_ []*syntax.Stmt, got verdict) bool {
			v = got
			return true
		})
		putParser(p)
		// After a syntax error bash starts afresh: a `> ` line still
		// shows that the terminal took it as part of this command.
		if v != broken || i == len(lines) || !isPS2(lines[i]) {
			break
		}
		t, _ := PS2Text(lines[i])
		texts = append(texts, t)
		c.Last = i
		i++
		served = false
	}
	c.Text = strings.Join(texts, "\n")
	return c
}

// PromptText returns the command after a `$ ` prompt (indentation allowed)
// and whether the line has one. A lone `$` is an empty prompt.
func PromptText(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	if t == "$" {
		return "", true
	}
	if strings.HasPrefix(t, "$ ") || strings.HasPrefix(t, "$\t") {
		return t[2:], true
	}
	return "", false
}

// PS2Text strips a `> ` continuation prompt, as a terminal shows it; a line
// without one is returned as it is.
func PS2Text(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	if t == ">" {
		return "", true
	}
	if strings.HasPrefix(t, "> ") {
		return t[2:], true
	}
	return line, false
}

func isPS2(line string) bool {
	_, ok := PS2Text(line)
	return ok
}

func blankOrComment(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return t == "" || t[0] == '#'
}

// plainByte marks the bytes of plain words: none starts a quote, an escape,
// an operator, a group, a substitution or a redirection from a file (which
// could be a heredoc). `>` (to a file) and `$NAME` are plain: neither can
// make bash read on.
var plainByte = func() (t [256]bool) {
	for _, c := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t-_./:=,@%+~^*?[]#$>" {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// plainCommand reports whether line, read where a command starts, is
// plainly whole: simple commands of plain words, quoted strings closed on
// the line (`git commit -m "Add notes"`) and single pipes (`wc -l *.txt |
// sort -n`), so the parser could only say it is complete. Most lines of a
// course are; this keeps the parser's cost for the lines that need it (see
// docs/benchmarks.md). The fuzz target holds it to the parser's verdict.
func plainCommand(line string) bool {
	if strings.Contains(line, "$[") {
		return false // bash's old arithmetic, $[ 1 + 2 ], runs to its ]
	}
	words := 0        // in this pipeline member
	atCommand := true // the next word is in a command's first place
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '|':
			if words == 0 || i+1 < len(line) && (line[i+1] == '|' || line[i+1] == '&') {
				return false
			}
			words, atCommand = 0, true
			i++
		case c == '#' && words > 0:
			// A comment to the end of the line. (One ending in a
			// backslash is the parser's to read: it takes that for a
			// continuation.)
			for ; i < len(line); i++ {
				if !plainByte[line[i]] {
					return false
				}
			}
			return true
		default:
			end, ok := plainWord(line, i)
			if !ok {
				return false
			}
			if atCommand {
				// `name[` is where the parser reads an array assignment;
				// a redirection first leaves the command's word to come.
				w := line[i:end]
				if syntax.IsKeyword(w) || declBuiltin[w] || strings.ContainsAny(w, "[>") || w[0] == '#' {
					return false
				}
				// After NAME=value the next word is still in first place.
				atCommand = isAssignment(w)
			}
			words++
			i = end
		}
	}
	return words > 0
}

// plainWord reads the word at line[i:]: plain bytes, strings in single
// quotes, and strings in double quotes with nothing to expand or escape.
func plainWord(line string, i int) (end int, ok bool) {
	for i < len(line) {
		switch c := line[i]; {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return 0, false
			}
			i += j + 2
		case c == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if !plainByte[line[j]] || line[j] == '$' {
					return 0, false
				}
				j++
			}
			if j == len(line) {
				return 0, false
			}
			i = j + 1
		case c == ' ' || c == '\t' || c == '|':
			return i, true
		case plainByte[c]:
			i++
		default:
			return 0, false
		}
	}
	return i, true
}

// declBuiltin are the builtins the parser reads as their own clauses
// (their arguments are assignments or arithmetic, not words).
var declBuiltin = map[string]bool{"declare": true, "local": true, "export": true, "readonly": true, "typeset": true, "nameref": true, "let": true}

// verdict is bash's state after reading a line.
type verdict int

const (
	complete   verdict = iota // whole commands so far (or none: a blank or comment line)
	incomplete                // bash would print PS2 and read on
	broken                    // a syntax error: bash reports it and drops the command
)

// readLines hands the parser one line at a time from next (false: the
// input ends) and calls after once per line read, with the statements that
// line completed and the parser's verdict, until after returns false, the
// input ends, or a syntax error. The parser's interactive mode makes the
// call before it asks for the next line, so next may depend on the verdict.
func readLines(p *syntax.Parser, next func() (string, bool), after func([]*syntax.Stmt, verdict) bool) {
	stopped := false
	r := lineReader{next: func() (string, bool) {
		if stopped {
			return "", false
		}
		return next()
	}}
	// The loop never breaks: after a syntax error mvdan.cc/sh v3.14.1's
	// StmtsSeq yields its error once more even when the loop body has
	// returned false, which Go's range-over-func turns into a panic.
	// Stopping is the reader's end of input instead, and what the parser
	// still yields is not looked at.
	for stmts, err := range p.InteractiveSeq(&r) {
		if stopped {
			continue
		}
		v := complete
		switch {
		case err != nil && syntax.IsIncomplete(err):
			v = incomplete
		case err != nil:
			v = broken
		case p.Incomplete():
			v = incomplete
		}
		if !after(stmts, v) || err != nil {
			stopped = true
		}
	}
}

// lineReader gives the parser one line (and its newline) per read, so that
// the parser's per-line callback comes between lines.
type lineReader struct {
	next func() (string, bool)
	cur  string // what is left of the current line
	nl   bool   // its newline is still to give
}

func (r *lineReader) Read(b []byte) (int, error) {
	if r.cur == "" && !r.nl {
		line, ok := r.next()
		if !ok {
			return 0, io.EOF
		}
		r.cur, r.nl = line, true
	}
	n := copy(b, r.cur)
	r.cur = r.cur[n:]
	if r.cur == "" && r.nl && n < len(b) {
		b[n] = '\n'
		n++
		r.nl = false
	}
	return n, nil
}

// A parser holds 2 KB of buffers: reuse them.
var parsers = sync.Pool{New: func() any { return syntax.NewParser(syntax.Variant(syntax.LangBash)) }}

func getParser() *syntax.Parser  { return parsers.Get().(*syntax.Parser) }
func putParser(p *syntax.Parser) { parsers.Put(p) }
