package expect

// `check --update`: rewrite expected output in the markdown with what
// really printed, as `cram -i` and `scrut update` do. Only the lines of
// expected output change: prompts, commands, prose, fences and every other
// byte stay as they were (CRLF files stay CRLF). Expected lines that still
// match — literal, `...`, `(re)`, `(glob)`, `(esc)` — are kept as written,
// so an author's patterns survive an update.
//
// This lives beside the matcher rather than in course because it must keep
// exactly the lines the matcher would accept; the alignment that decides
// "still matches" is the one CompareOutput uses.

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/internal/lazyre"
	"github.com/coursectl/coursectl/result"
)

// actual is a result.Actual with its step looked up in the module.
type actual struct {
	result.Actual
	Step *course.Step
	mod  *course.Module
}

// UpdateSource returns src, the module file's bytes as on disk, with the
// expected output of each actual replaced by what really printed. file
// names the module in errors. An actual whose output already matches
// leaves its lines untouched, so updating a passing module changes nothing.
func UpdateSource(file string, src []byte, mod *course.Module, actuals []result.Actual) ([]byte, error) {
	lines := splitLinesKeepEOL(src)
	var edits []regionEdit
	for _, ra := range actuals {
		if ra.Step < 1 || ra.Step > len(mod.Steps) {
			return nil, &course.PosError{File: file, Err: fmt.Errorf("no step %d to update — run check --update again", ra.Step)}
		}
		a := actual{Actual: ra, Step: mod.Steps[ra.Step-1], mod: mod}
		r, err := expectedRegion(file, lines, a)
		if err != nil {
			return nil, err
		}
		repl, changed, err := r.rewrite(file, lines, a)
		if err != nil {
			return nil, err
		}
		if changed {
			edits = append(edits, regionEdit{start: r.start, end: r.end, lines: repl})
		}
	}
	// Apply from the bottom up so earlier line numbers stay valid.
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for k := 1; k < len(edits); k++ {
		if edits[k].end > edits[k-1].start {
			return nil, &course.PosError{File: file, Line: edits[k].start + 1,
				Err: fmt.Errorf("two expected outputs overlap — this is a coursectl bug, please report it")}
		}
	}
	for _, e := range edits {
		tail := append([]string(nil), lines[e.end:]...)
		lines = append(append(lines[:e.start], e.lines...), tail...)
	}
	return []byte(strings.Join(lines, "")), nil
}

// UpdateDiff is the unified diff of an update, for `check --update --diff`;
// empty when nothing changed.
func UpdateDiff(file string, old, new []byte) string {
	return string(diff.Diff("a/"+file, old, "b/"+file, new))
}

type regionEdit struct {
	start, end int // 0-based line indexes, end exclusive
	lines      []string
}

// region is the lines of one expected output in the file: [start, end)
// as 0-based line indexes, the prefix each line carries (indentation of a
// list item, `> ` of a block quote), the line ending the file uses there,
// and whether it is a transcript (where `$ ` and `> ` lines mean commands).
type region struct {
	start, end int
	prefix     string
	eol        string
	transcript bool
}

func expectedRegion(file string, lines []string, a actual) (region, error) {
	s := a.Step
	bad := func(line int, format string, args ...any) (region, error) {
		return region{}, &course.PosError{File: file, Line: line, Err: fmt.Errorf(format, args...)}
	}
	var r region
	if a.Command < 0 {
		e := s.Expected
		if e == nil || e.FenceLine == 0 || e.FenceEnd <= e.FenceLine {
			return bad(s.Line, "step %s has no output fence to update", s.ID)
		}
		if e.FenceEnd > len(lines) {
			return bad(e.FenceLine, "the output fence runs past the end of the file")
		}
		r.start, r.end = e.FenceLine, e.FenceEnd-1 // the lines between the fences
		r.prefix = containerPrefix(trimEOL(lines[e.FenceLine-1]), strings.IndexAny(lines[e.FenceLine-1], "`~"))
		r.eol = eolOf(lines[e.FenceLine-1])
		return r, nil
	}
	if a.Command >= len(s.Commands) {
		return bad(s.Line, "step %s has no command %d", s.ID, a.Command+1)
	}
	c := s.Commands[a.Command]
	if c.Line < 1 || c.Line > len(lines) {
		return bad(s.Line, "command line %d is outside the file", c.Line)
	}
	cmdLine := trimEOL(lines[c.Line-1])
	dollar := strings.Index(cmdLine, "$")
	if dollar < 0 || strings.TrimLeft(cmdLine[:dollar], " \t>") != "" {
		return bad(c.Line, "line does not start with a `$ ` prompt; cannot update its output")
	}
	r.transcript = true
	r.prefix = cmdLine[:dollar]
	r.eol = eolOf(lines[c.Line-1])
	r.start = c.Line - 1 + strings.Count(c.Text, "\n") + 1
	// The output runs to the next command or the closing fence.
	r.end = s.EndLine - 1
	if s.Unterminated {
		r.end = s.EndLine
	}
	if a.Command+1 < len(s.Commands) {
		r.end = s.Commands[a.Command+1].Line - 1
	}
	// An empty `$` prompt between two commands runs nothing but still ends
	// the output before it.
	for k := r.start; k < r.end && k < len(lines); k++ {
		t := strings.TrimRight(stripPrefix(trimEOL(lines[k]), r.prefix), " \t")
		if t == "$" {
			r.end = k
			break
		}
	}
	if r.end < r.start || r.end > len(lines) {
		return bad(c.Line, "cannot find where the output of this command ends")
	}
	return r, nil
}

// containerPrefix is what each content line of a fence opened at column
// col of line carries: block quote markers kept, list markers turned into
// the spaces that indent the item's content.
func containerPrefix(line string, col int) string {
	if col <= 0 {
		return ""
	}
	b := []byte(line[:col])
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '>' {
			b[i] = ' '
		}
	}
	return string(b)
}

var exitLine = lazyre.New(`^\[(\d+)\]$`)

// rewrite computes the new lines of r for a. changed is false when what
// printed still matches what is written.
func (r region) rewrite(file string, lines []string, a actual) (repl []string, changed bool, err error) {
	old := lines[r.start:r.end]
	// Trailing blank lines are layout, not output: they stay.
	body := len(old)
	for body > 0 && strings.TrimSpace(strings.TrimPrefix(trimEOL(old[body-1]), strings.TrimRight(r.prefix, " \t"))) == "" {
		body--
	}
	content := make([]string, body)
	for i := range content {
		content[i] = stripPrefix(trimEOL(old[i]), r.prefix)
	}
	// A last `[N]` line is the expected exit status, not output.
	oldExit := -1
	if body > 0 {
		if m := exitLine().FindStringSubmatch(strings.TrimRight(content[body-1], " \t")); m != nil {
			oldExit, _ = strconv.Atoi(m[1])
			content = content[:body-1]
		}
	}
	// Lines are matched as check compared them (compare, normalize), so a
	// step that passed is left as written.
	cmp, err := NewComparison(a.Step.Compare(), a.Step.Normalize(), a.Vars)
	if err != nil {
		return nil, false, &course.PosError{File: file, Line: a.Step.Line, Err: err}
	}
	if cmp.none() {
		return nil, false, nil
	}
	pats := make([]*linePattern, len(content))
	for i, l := range content {
		if pats[i], err = compileLine(cmp.rewrite(l)); err != nil {
			return nil, false, &course.PosError{File: file, Line: r.start + i + 1, Err: err}
		}
	}
	match, got := cmp.gotLines(OutputLines(a.Output))

	newExit := -1
	attrs := a.Step.Attrs
	switch {
	case oldExit >= 0 && a.Exit != 0:
		newExit = a.Exit
	case oldExit < 0 && a.Exit != 0 && attrs.Exit == nil && !attrs.ExitAny:
		newExit = a.Exit // cram adds the status of a failing command
	}

	var ops []alignOp
	if !cmp.words() || !cmp.sameWords(content, match) {
		// Under words, lines whose words all match are kept as written,
		// whatever their layout; else the lines are updated as printed.
		ops = align(pats, match)
	}
	if ops == nil && newExit == oldExit {
		return nil, false, nil
	}
	if ops == nil {
		for i := range pats {
			ops = append(ops, alignOp{kind: opEqual, i: i})
		}
	}
	for _, op := range ops {
		switch op.kind {
		case opEqual, opEllipsis:
			repl = append(repl, old[op.i])
		case opInsert:
			repl = append(repl, r.line(escapeOutputLine(got[op.j], r.transcript)))
		}
	}
	if newExit >= 0 {
		if newExit == oldExit {
			repl = append(repl, old[body-1])
		} else {
			repl = append(repl, r.line(fmt.Sprintf("[%d]", newExit)))
		}
	}
	repl = append(repl, old[body:]...)
	return repl, true, nil
}

// line is one new line of the region, with its prefix and line ending.
func (r region) line(text string) string {
	if text == "" {
		return strings.TrimRight(r.prefix, " \t") + r.eol
	}
	return r.prefix + text + r.eol
}

// escapeOutputLine writes a real output line so that reading it back as an
// expected line matches exactly that line and nothing else, and so that it
// cannot change the markdown around it (close the fence, start a command).
func escapeOutputLine(line string, transcript bool) string {
	needsEsc := !utf8.ValidString(line) || strings.IndexFunc(line, func(r rune) bool {
		return r != '\t' && unicode.IsControl(r)
	}) >= 0
	switch {
	case needsEsc || exitLine().MatchString(line) || isFenceLike(line):
		return escLine(line)
	case line == "...":
		return `\.\.\. (re)`
	case transcript && (line == "$" || line == ">" || strings.HasPrefix(line, "$ ") || strings.HasPrefix(line, "> ")):
		return `\` + line[:1] + regexp.QuoteMeta(line[1:]) + " (re)"
	}
	for _, s := range patternSuffixes {
		if strings.HasSuffix(line, s.suffix) {
			return escLine(line)
		}
	}
	return line
}

// escLine is line as a cram `(esc)` line: Go escapes, read back exactly.
func escLine(line string) string {
	q := strconv.Quote(line)
	q = q[1 : len(q)-1]
	q = strings.ReplaceAll(q, `\"`, `"`)
	return q + " (esc)"
}

// isFenceLike reports whether line could open or close a code fence.
func isFenceLike(line string) bool {
	t := strings.TrimLeft(line, " ")
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

func stripPrefix(line, prefix string) string {
	if rest, ok := strings.CutPrefix(line, prefix); ok {
		return rest
	}
	// A blank line inside an indented block may carry less indentation.
	return strings.TrimLeft(line, " \t>")
}

// splitLinesKeepEOL splits src after each `\n`, so joining the parts gives
// src back byte for byte (no empty part after a final newline).
func splitLinesKeepEOL(src []byte) []string {
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func trimEOL(line string) string {
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
}

func eolOf(line string) string {
	switch {
	case strings.HasSuffix(line, "\r\n"):
		return "\r\n"
	default:
		return "\n"
	}
}
