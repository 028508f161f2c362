package expect

// Expected output, as cram and scrut compare it: the real output is turned
// into the text a reader sees (escapes stripped, carriage returns applied,
// trailing blanks gone) and matched line by line against the expected
// lines, where `...` stands for any number of lines and a line ending
// ` (re)`, ` (glob)` or ` (esc)` is a pattern for one line. A mismatch is
// shown as a unified diff whose `-` side carries the markdown's line
// numbers, so an author can go straight to the line to fix.

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coursectl/coursectl/course"
)

// linePattern is one expected line.
type linePattern struct {
	text     string         // as matched: written, then rewritten by the comparison (trailing blanks dropped)
	shown    string         // as written, for the diff ("" when it is text)
	ellipsis bool           // `...`: any number of lines
	re       *regexp.Regexp // ` (re)` and ` (glob)`
	esc      string         // ` (esc)`: the line with escapes decoded
	isEsc    bool
}

// written is the line as the markdown has it.
func (p *linePattern) written() string {
	if p.shown != "" {
		return p.shown
	}
	return p.text
}

func (p *linePattern) match(line string) bool {
	switch {
	case p.ellipsis:
		return true
	case line == p.text:
		return true // cram: a literal match wins even for a pattern line
	case p.re != nil:
		return p.re.MatchString(line)
	case p.isEsc:
		return line == p.esc
	}
	return false
}

// Suffixes that make an expected line a pattern. `(regex)` and `(escaped)`
// are scrut's spellings of cram's `(re)` and `(esc)`.
var patternSuffixes = []struct {
	suffix string
	kind   string
}{
	{" (re)", "re"}, {" (regex)", "re"},
	{" (glob)", "glob"},
	{" (esc)", "esc"}, {" (escaped)", "esc"},
}

// compileLine turns one expected line into a pattern; a bad regexp or
// escape is an error naming what is wrong with it.
func compileLine(line string) (*linePattern, error) {
	line = strings.TrimRight(line, " \t\r")
	p := &linePattern{text: line}
	if isEllipsis(line) {
		p.ellipsis = true
		return p, nil
	}
	for _, s := range patternSuffixes {
		body, ok := strings.CutSuffix(line, s.suffix)
		if !ok {
			continue
		}
		switch s.kind {
		case "re":
			re, err := regexp.Compile(`^(?:` + body + `)$`)
			if err != nil {
				return nil, fmt.Errorf("bad (re) line %q: %v — write a Go regexp (https://pkg.go.dev/regexp/syntax)", line, err)
			}
			p.re = re
		case "glob":
			p.re = regexp.MustCompile(globRegexp(body))
		case "esc":
			dec, err := strconv.Unquote(`"` + strings.ReplaceAll(body, `"`, `\"`) + `"`)
			if err != nil {
				return nil, fmt.Errorf("bad (esc) line %q — use Go escapes such as \\t, \\x1b, \\u00e9", line)
			}
			p.esc, p.isEsc = dec, true
		}
		return p, nil
	}
	return p, nil
}

// isEllipsis: a line `...`, or only `...` words (`... ...`, `...  ...
// ...`: Carpentries pages elide columns of output that way).
func isEllipsis(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	for _, w := range f {
		if w != "..." {
			return false
		}
	}
	return true
}

// globRegexp translates a cram glob: `*` any run of characters, `?` one
// character, a backslash makes the next character literal.
func globRegexp(glob string) string {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); {
		r, size := utf8.DecodeRuneInString(glob[i:])
		i += size
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\\':
			if i < len(glob) {
				r, size = utf8.DecodeRuneInString(glob[i:])
				i += size
			}
			b.WriteString(regexp.QuoteMeta(string(r)))
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String()
}

// expectation is course.Expected compiled, with the `[N]` status appended
// as one more line so a wrong exit status shows in the same diff.
type expectation struct {
	lines    []*linePattern
	firstMD  int // markdown line of lines[0]
	hasExit  bool
	wantExit int
}

// compileExpected compiles want for file, each line rewritten as c says;
// errors are *course.PosError at the offending line.
func (c *Comparison) compileExpected(file string, want *course.Expected) (*expectation, error) {
	e := &expectation{firstMD: want.Line}
	lines := want.Lines
	for len(lines) > 0 && strings.TrimRight(lines[len(lines)-1], " \t\r") == "" {
		lines = lines[:len(lines)-1]
	}
	if c.blanks() {
		// Blank lines at either end do not count.
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
			e.firstMD++
		}
	}
	for i, l := range lines {
		p, err := compileLine(c.rewrite(l))
		if err != nil {
			return nil, &course.PosError{File: file, Line: e.firstMD + i, Err: err}
		}
		if shown := strings.TrimRight(l, " \t\r"); shown != p.text {
			p.shown = shown
		}
		e.lines = append(e.lines, p)
	}
	if want.Exit != nil {
		e.hasExit, e.wantExit = true, *want.Exit
		e.lines = append(e.lines, &linePattern{text: fmt.Sprintf("[%d]", *want.Exit)})
	}
	return e, nil
}

// got returns the real lines to match: the output lines, plus `[N]` when
// the expectation names an exit status or the status is not 0 — as in
// cram, a failing command with no `[N]` written shows as an extra line.
func (e *expectation) got(output []string, exit int) []string {
	if !e.hasExit && exit == 0 {
		return output
	}
	return append(output[:len(output):len(output)], fmt.Sprintf("[%d]", exit))
}

// OutputMatch is the result of comparing a step's real output with its
// expected output.
type OutputMatch struct {
	OK bool
	// Diff is a unified diff, want (markdown lines) against got (output
	// lines); empty when OK.
	Diff string
}

// CompareOutput compares raw terminal output and exit status with want,
// an expected-output block of file, exactly (§1's rules). exit is compared
// with want's `[N]` line, or with 0 when it has none. A malformed pattern
// is a *course.PosError.
func CompareOutput(file string, want *course.Expected, raw string, exit int) (OutputMatch, error) {
	return (*Comparison)(nil).Compare(file, want, raw, exit)
}

// Compare is CompareOutput the way c compares: lines rewritten by its
// normalize pairs and, under blanks, with blanks folded; under words only
// the words count; under none everything matches.
func (c *Comparison) Compare(file string, want *course.Expected, raw string, exit int) (OutputMatch, error) {
	if c.none() {
		return OutputMatch{OK: true}, nil
	}
	if c.words() {
		return c.compareWords(file, want, raw, exit), nil
	}
	e, err := c.compileExpected(file, want)
	if err != nil {
		return OutputMatch{}, err
	}
	match, shown := c.gotLines(OutputLines(raw))
	match = e.got(match, exit)
	shown = e.got(shown, exit)
	ops := align(e.lines, match)
	if ops == nil {
		return OutputMatch{OK: true}, nil
	}
	return OutputMatch{Diff: formatDiff(file, e, shown, ops)}, nil
}

// An alignment op says what happened to one want line and/or got line.
type opKind byte

const (
	opEqual    opKind = ' ' // want[i] matches got[j]
	opDelete   opKind = '-' // want[i] has no counterpart
	opInsert   opKind = '+' // got[j] has no counterpart
	opEllipsis opKind = '.' // `...` want[i] stands for got[j:j+n]
)

type alignOp struct {
	kind opKind
	i, j int // want and got indexes (the start, for an ellipsis)
	n    int // got lines an ellipsis covers
}

// maxAlignCells bounds the alignment table (want × got lines after the
// common head and tail are set aside), so a step that printed a huge
// output cannot make the diff itself expensive.
const maxAlignCells = 4 << 20

// align matches want against got. It returns nil when they match, else
// the edit script with the fewest inserted and deleted lines, which is
// what a reader wants to see. Lines that match a pattern count as equal;
// `...` absorbs lines for free; a changed line counts as one edit.
func align(want []*linePattern, got []string) []alignOp {
	// The common head and tail are equal in some shortest edit script
	// (an exchange argument, as in every line diff), so only the middle
	// needs the quadratic table.
	head := 0
	for head < len(want) && head < len(got) && !want[head].ellipsis && want[head].match(got[head]) {
		head++
	}
	tail := 0
	for tail < len(want)-head && tail < len(got)-head {
		w := want[len(want)-1-tail]
		if w.ellipsis || !w.match(got[len(got)-1-tail]) {
			break
		}
		tail++
	}
	mw, mg := want[head:len(want)-tail], got[head:len(got)-tail]

	var mid []alignOp
	if len(mw) == 0 && len(mg) == 0 {
		return nil
	}
	if (len(mw)+1)*(len(mg)+1) > maxAlignCells {
		// Too big to align line by line: show it as replaced wholesale.
		for i := range mw {
			mid = append(mid, alignOp{kind: opDelete, i: i})
		}
		for j := range mg {
			mid = append(mid, alignOp{kind: opInsert, j: j})
		}
	} else {
		mid = alignTable(mw, mg)
		if mid == nil {
			return nil
		}
	}
	ops := make([]alignOp, 0, head+len(mid)+tail)
	for k := 0; k < head; k++ {
		ops = append(ops, alignOp{kind: opEqual, i: k, j: k})
	}
	for _, op := range mid {
		op.i += head
		op.j += head
		ops = append(ops, op)
	}
	for k := tail; k > 0; k-- {
		ops = append(ops, alignOp{kind: opEqual, i: len(want) - k, j: len(got) - k})
	}
	return ops
}

// alignTable is the dynamic programme behind align: cost[i][j] is the
// fewest edits that align want[i:] with got[j:]. It returns nil when the
// cost is zero (a match).
func alignTable(want []*linePattern, got []string) []alignOp {
	n, m := len(want), len(got)
	w := m + 1
	cost := make([]int32, (n+1)*w)
	at := func(i, j int) int32 { return cost[i*w+j] }
	for j := m; j >= 0; j-- {
		cost[n*w+j] = int32(m - j)
	}
	for i := n - 1; i >= 0; i-- {
		p := want[i]
		if p.ellipsis {
			cost[i*w+m] = at(i+1, m)
		} else {
			cost[i*w+m] = at(i+1, m) + 1
		}
		for j := m - 1; j >= 0; j-- {
			var c int32
			if p.ellipsis {
				c = min(at(i+1, j), at(i, j+1))
			} else {
				// A changed line costs one edit, like a lone missing or
				// extra line, so a changed line next to an ellipsis reads as
				// `-old +new` rather than vanishing into the `...`.
				c = min(at(i+1, j), at(i, j+1), at(i+1, j+1)) + 1
				if p.match(got[j]) {
					c = min(c, at(i+1, j+1))
				}
			}
			cost[i*w+j] = c
		}
	}
	if at(0, 0) == 0 {
		return nil
	}
	// Walk the cheapest path from the start, preferring to keep lines
	// (equal), to end an ellipsis early, then a changed line, then
	// deletions before insertions, so changes read as `-old` above `+new`.
	var ops []alignOp
	i, j := 0, 0
	for i < n || j < m {
		c := at(i, j)
		switch {
		case i < n && want[i].ellipsis:
			start := j
			for j < m && at(i+1, j) != c {
				j++
			}
			ops = append(ops, alignOp{kind: opEllipsis, i: i, j: start, n: j - start})
			i++
		case i < n && j < m && want[i].match(got[j]) && at(i+1, j+1) == c:
			ops = append(ops, alignOp{kind: opEqual, i: i, j: j})
			i, j = i+1, j+1
		case i < n && j < m && at(i+1, j+1)+1 == c:
			ops = append(ops, alignOp{kind: opDelete, i: i, j: j}, alignOp{kind: opInsert, i: i + 1, j: j})
			i, j = i+1, j+1
		case i < n && at(i+1, j)+1 == c:
			ops = append(ops, alignOp{kind: opDelete, i: i, j: j})
			i++
		default:
			ops = append(ops, alignOp{kind: opInsert, i: i, j: j})
			j++
		}
	}
	return ops
}

// diffContext is how many unchanged lines surround a change, as in diff -u.
const diffContext = 3

// formatDiff renders ops as a unified diff: `---` is the expected output
// with markdown line numbers, `+++` the real output numbered from 1.
func formatDiff(file string, e *expectation, got []string, ops []alignOp) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- want %s:%d\n+++ got (output)\n", file, e.firstMD)
	changed := func(op alignOp) bool { return op.kind == opDelete || op.kind == opInsert }
	for k := 0; k < len(ops); {
		if !changed(ops[k]) {
			k++
			continue
		}
		start := max(0, k-diffContext)
		end := k // exclusive; extend while changes are close together
		for end < len(ops) {
			if changed(ops[end]) {
				end++
				continue
			}
			next := end
			for next < len(ops) && !changed(ops[next]) && next-end < 2*diffContext {
				next++
			}
			if next < len(ops) && changed(ops[next]) {
				end = next
				continue
			}
			end = min(len(ops), end+diffContext)
			break
		}
		writeHunk(&b, e, got, ops[start:end])
		k = end
	}
	return b.String()
}

func writeHunk(b *strings.Builder, e *expectation, got []string, ops []alignOp) {
	first := ops[0]
	var nw, ng int
	for _, op := range ops {
		switch op.kind {
		case opEqual:
			nw++
			ng++
		case opDelete:
			nw++
		case opInsert:
			ng++
		case opEllipsis:
			nw++
			ng += op.n
		}
	}
	wantStart := e.firstMD + first.i
	gotStart := first.j + 1
	if nw == 0 {
		wantStart-- // diff -u names the line before an empty range
	}
	if ng == 0 {
		gotStart--
	}
	fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@\n", wantStart, nw, gotStart, ng)
	for _, op := range ops {
		switch op.kind {
		case opEqual, opEllipsis:
			fmt.Fprintf(b, " %s\n", e.lines[op.i].written())
		case opDelete:
			fmt.Fprintf(b, "-%s\n", e.lines[op.i].written())
		case opInsert:
			fmt.Fprintf(b, "+%s\n", got[op.j])
		}
	}
}

// ErrOutputMismatch is wrapped by step errors for a transcript or output
// mismatch, so callers can tell it from a failing command.
var ErrOutputMismatch = errors.New("output differs from the expected output")
