package render

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/chroma/v2"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/sgr"
)

// Terminal renders for a terminal of Width columns. With Color false the
// output has no escape sequences at all; Hyperlinks (OSC 8) needs Color.
type Terminal struct {
	Width      int
	Color      bool
	Hyperlinks bool
}

// DefaultWidth is used when the width is unknown (not a terminal).
const DefaultWidth = 80

// MinWidth keeps the frame drawable in a very narrow window: a narrower
// one is drawn at this width.
const MinWidth = 30

func (t Terminal) width() int {
	switch {
	case t.Width <= 0:
		return DefaultWidth
	case t.Width < MinWidth:
		return MinWidth
	}
	return t.Width
}

// Prose renders the markdown between step i-1 and step i (i == 0: the start
// of the document; i == len(mod.Steps): its tail). Annotation comments and
// hidden steps are left out; code blocks that are not steps are shown
// highlighted and never wrapped (a wrapped command cannot be copied). It
// returns "" when there is nothing to show.
func (t Terminal) Prose(mod *course.Module, i int) string {
	if i < 0 || i > len(mod.Steps) {
		return ""
	}
	if mod.Modules != nil {
		return t.courseProse(mod, i)
	}
	// The document's own control characters are shown, never sent: an
	// OSC in a heading would retitle the terminal (sgr.Printable). A CR
	// ending a line is a line ending (CommonMark), not one of them: shown,
	// it would make no blank line blank and lose the page's structure.
	chunk, first := proseChunk(mod, i)
	src := strings.ReplaceAll(string(chunk), "\r\n", "\n")
	indent := 0
	if i > 0 {
		indent = fenceIndent(mod, mod.Steps[i-1])
	}
	// A list the chunk starts in the middle of numbers on as the page
	// does: cut at a step inside one of its items, `1. … step … 1. next`
	// would count from 1 again.
	items := pageItems(mod.Source)
	var out []string
	for _, p := range nestedParts(src, indent) {
		number := func(line int) (int, bool) {
			n, ok := items[first+p.line+line]
			return n, ok
		}
		tp := t
		tp.Width = t.width() - p.indent
		r := tp.markdown([]byte(sgr.Printable(p.text)), number)
		if r == "" {
			continue
		}
		if p.indent > 0 {
			r = indentText(r, strings.Repeat(" ", p.indent))
		}
		out = append(out, r)
	}
	return strings.Join(out, "\n")
}

// part is a run of a prose chunk at one depth of the lists it continues:
// its text with that indent taken off, the indent, and its first line in
// the chunk (0-based).
type part struct {
	text   string
	indent int
	line   int
}

// nestedParts cuts a chunk that starts inside a list item — after a step
// nested indent columns deep — into runs by the depth each continues: the
// rest of the step's item, then (a line indented less ends a depth) the
// rest of each item around it, then the page at the margin. Cut at the
// step, the item's rest would otherwise start the chunk indented, by four
// columns or more an indented code block, and an outer item's next bullet
// would lose its nesting. Each run is drawn indented as deep as it is.
func nestedParts(src string, indent int) []part {
	if indent == 0 {
		return []part{{text: src}}
	}
	lines := strings.SplitAfter(src, "\n")
	var parts []part
	cur, from := indent, 0
	flush := func(to int) {
		var b strings.Builder
		for _, l := range lines[from:to] {
			if len(l)-len(strings.TrimLeft(l, " ")) >= cur {
				l = l[cur:]
			} else {
				l = strings.TrimLeft(l, " ")
			}
			b.WriteString(l)
		}
		parts = append(parts, part{text: b.String(), indent: cur, line: from})
		from = to
	}
	for k, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ind := len(l) - len(strings.TrimLeft(l, " "))
		if ind >= cur {
			continue
		}
		flush(k)
		cur = ind
		if cur == 0 {
			break
		}
	}
	if cur == 0 {
		parts = append(parts, part{text: strings.Join(lines[from:], ""), line: from})
	} else {
		flush(len(lines))
	}
	return parts
}

// indentText puts prefix before every line of s that is not blank.
func indentText(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for k, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[k] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// pageItems are the numbers of the page's ordered list items, by the
// page's line (1-based) each item's text starts on. They are kept with the
// page's line index (linesOf): a page's prose is rendered chunk by chunk,
// and one parse serves them all.
func pageItems(src []byte) map[int]int {
	idx := linesOf(src)
	idx.itemsOnce.Do(func() { idx.items = orderedItems(src, idx.starts) })
	return idx.items
}

func orderedItems(src []byte, starts []int) map[int]int {
	items := map[int]int{}
	doc := proseParser.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		list, ok := n.(*ast.List)
		if !entering || !ok || !list.IsOrdered() {
			return ast.WalkContinue, nil
		}
		k := 0
		for c := list.FirstChild(); c != nil; c = c.NextSibling() {
			if from := firstOffset(c); from >= 0 {
				items[lineAt(starts, from)] = list.Start + k
			}
			k++
		}
		return ast.WalkContinue, nil
	})
	return items
}

// firstOffset is where the first line a block's descendants hold starts,
// -1 when they hold none.
func firstOffset(n ast.Node) int {
	from := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if from >= 0 {
			return ast.WalkStop, nil
		}
		if entering && c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
			from = c.Lines().At(0).Start
		}
		return ast.WalkContinue, nil
	})
	return from
}

// lineAt is the 1-based line of offset off, for a line index's starts.
func lineAt(starts []int, off int) int {
	return sort.Search(len(starts), func(k int) bool { return starts[k] > off })
}

// fenceIndent is how far a step's opening fence is indented: inside a
// list item, the item's content indent.
func fenceIndent(mod *course.Module, s *course.Step) int {
	idx := linesOf(mod.Source)
	if s.Line < 1 || s.Line >= len(idx.starts) {
		return 0
	}
	line := mod.Source[idx.starts[s.Line-1]:idx.starts[s.Line]]
	return len(line) - len(bytes.TrimLeft(line, " "))
}

// fenceRange is the byte range of a fenced block, fences included.
func fenceRange(src []byte, n *ast.FencedCodeBlock) (from, to int) {
	lines := n.Lines()
	switch {
	case n.Info != nil:
		from = lineStart(src, n.Info.Segment.Start)
	case lines.Len() > 0:
		from = lineStart(src, lineStart(src, lines.At(0).Start)-1)
	default:
		return 0, 0
	}
	// The opening fence line ends the range when the block is empty.
	to = lineEnd(src, from)
	if lines.Len() > 0 {
		to = lines.At(lines.Len() - 1).Stop
	}
	// The closing fence, when there is one, is the next line.
	if next := lineEnd(src, to); to < len(src) {
		if f := strings.TrimSpace(string(src[to:next])); strings.HasPrefix(f, "```") || strings.HasPrefix(f, "~~~") {
			to = next
		}
	}
	return from, to
}

func blockText(src []byte, n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.WriteString(strings.Repeat(" ", seg.Padding))
		b.Write(seg.Value(src))
	}
	return b.String()
}

// lineEnd is the offset just past the line holding at.
func lineEnd(src []byte, at int) int {
	for at < len(src) && src[at] != '\n' {
		at++
	}
	if at < len(src) {
		at++
	}
	return at
}

func lineStart(src []byte, at int) int {
	for at > 0 && src[at-1] != '\n' {
		at--
	}
	return at
}

// lineSpan is where a step is in its file: the lines from its opening fence
// to its closing one. A span, so that a failure's line (the failing
// command's, module1.md:22) reads as a line inside the frame's "lines
// 21–23", not as a second number for the same thing.
func lineSpan(s *course.Step) string {
	if s.EndLine > s.Line {
		return fmt.Sprintf("lines %d–%d", s.Line, s.EndLine)
	}
	return fmt.Sprintf("line %d", s.Line)
}

// paint applies SGR attributes when colour is on.
func (t Terminal) paint(s string, attrs ...string) string { return sgr.Paint(t.Color, s, attrs...) }

// Header is the walkthrough's top line for step i: the module title and
// "Step 3/9 · Install Docker", over a progress bar of the width.
func (t Terminal) Header(mod *course.Module, i int) string {
	w := t.width()
	_, total := mod.Number(nil)
	title := sgr.Printable(strings.TrimSpace(mod.Title))
	if title == "" {
		title = sgr.Printable(mod.Path)
	}
	label, stepName, pos := "", "", 0
	if i >= 0 && i < len(mod.Steps) && !mod.Steps[i].Hidden {
		s := mod.Steps[i]
		pos, _ = mod.Number(s)
		label = fmt.Sprintf("Step %d/%d", pos, total)
		if mod.Modules != nil {
			// A course: which module, and the step of the course.
			_, n := mod.ModuleOf(s)
			label = fmt.Sprintf("Module %d/%d · %s", n+1, len(mod.Modules), label)
		}
		stepName = sgr.Printable(s.Title())
	}
	inner := w - 2 // one space each side
	title, right := headerFit(title, label, stepName, inner-headerGap)
	gap := inner - xansi.StringWidth(title) - xansi.StringWidth(right)
	if gap < 1 {
		gap = 1
	}
	line := " " + t.paint(title, sgr.Bold) + strings.Repeat(" ", gap) + t.paint(right, sgr.Bold) + "\n"

	// The bar shows the steps before this one as done.
	done := 0
	if total > 0 && pos > 0 {
		done = inner * (pos - 1) / total
	}
	bar := " " + t.paint(strings.Repeat("━", done), sgr.Green) + t.paint(strings.Repeat("─", inner-done), sgr.Gray) + "\n"
	return line + bar
}

// headerGap is the least space between the module title and the step.
const headerGap = 3

// headerMinStepName is the narrowest cut step title worth showing; below
// it "Step 3/9" stands alone.
const headerMinStepName = 6

// headerFit cuts the module title and "label · stepName" to fit room
// columns together. Both are worth reading: the module title keeps at
// least headerTitleShare of the room (all of it when shorter), the step
// title is cut first and may go entirely, and the label ("Step 3/9") is
// always kept. Room one side does not use goes to the other.
func headerFit(title, label, stepName string, room int) (string, string) {
	if label == "" {
		return xansi.Truncate(title, max(room, 0), "…"), ""
	}
	right := label + " · " + stepName
	tw, rw := xansi.StringWidth(title), xansi.StringWidth(right)
	if tw+rw <= room {
		return title, right
	}
	share := min(tw, room*headerTitleShare/100)
	rightRoom := max(room-share, xansi.StringWidth(label))
	switch {
	case rw <= rightRoom:
	case rightRoom-xansi.StringWidth(label+" · ") >= headerMinStepName:
		right = xansi.Truncate(right, rightRoom, "…")
	default:
		right = label
	}
	return xansi.Truncate(title, max(room-xansi.StringWidth(right), 0), "…"), right
}

// headerTitleShare is the percentage of the header the module title keeps
// when both titles are long: the step title changes from step to step and
// is also the frame's, but the module title says which course this is.
const headerTitleShare = 40

// Step renders a step's code framed and highlighted, numbered, with its
// flags. Hidden steps render as "".
func (t Terminal) Step(mod *course.Module, s *course.Step) string {
	return t.StepResult(mod, s, nil)
}

// StepResult is Step with the step's outcome under the frame: the status
// badge and time, and for a failure what went wrong and the output's tail.
func (t Terminal) StepResult(mod *course.Module, s *course.Step, r *result.Step) string {
	if s == nil || s.Hidden {
		return ""
	}
	w := t.width()
	n, total := mod.Number(s)
	margin := strings.Repeat(" ", proseMargin)
	var b strings.Builder

	// Top rule: ┌─ Step 3/9 · Install Docker ──────── skip · sh · lines 31–33 ─
	label := fmt.Sprintf("Step %d/%d", n, total)
	title := sgr.Printable(s.Title())
	flags := flagWords(s)
	where := []string{langOf(s.Lang, s.Kind), lineSpan(s)}
	// What does not fit: the title is cut first (down to a readable
	// stub), then the place goes, then the title.
	rightWidth := func() int {
		meta := append(append([]string{}, flags...), where...)
		if len(meta) == 0 {
			return 0
		}
		return xansi.StringWidth(" " + strings.Join(meta, " · ") + " ─")
	}
	fixed := func() int { return proseMargin + 3 + xansi.StringWidth(label) + 1 + rightWidth() }
	const minTitle = 20
	room := w - fixed() - 3 - 2 // " · " before the title, " ─" at least after
	if room < xansi.StringWidth(title) && room < minTitle {
		where = nil
		room = w - fixed() - 3 - 2
	}
	switch {
	case room >= xansi.StringWidth(title):
	case room >= 8:
		title = xansi.Truncate(title, room, "…")
	default:
		title = ""
	}
	head := t.paint("┌─ ", sgr.Gray) + t.paint(label, sgr.Bold)
	used := proseMargin + 3 + xansi.StringWidth(label)
	if title != "" {
		head += t.paint(" · ", sgr.Gray) + t.paint(title, sgr.Bold)
		used += 3 + xansi.StringWidth(title)
	}
	fill := w - used - 1 - rightWidth()
	if fill < 1 && len(flags) > 0 {
		// Still too wide with the title and the place gone: the flags are
		// cut, the first ones kept (skip, interactive).
		room := xansi.StringWidth(strings.Join(flags, " · ")) + fill - 1
		flags = []string{xansi.Truncate(strings.Join(flags, " · "), max(room, 1), "…")}
		fill = w - used - 1 - rightWidth()
	}
	if fill < 1 {
		fill = 1
	}
	b.WriteString(margin + head + " " + t.paint(strings.Repeat("─", fill), sgr.Gray))
	if len(flags) > 0 {
		b.WriteString(" " + t.paint(strings.Join(flags, " · "), sgr.Magenta))
		if len(where) > 0 {
			b.WriteString(t.paint(" · ", sgr.Gray))
		} else {
			b.WriteString(t.paint(" ─", sgr.Gray))
		}
	} else if len(where) > 0 {
		b.WriteString(" ")
	}
	if len(where) > 0 {
		b.WriteString(t.paint(strings.Join(where, " · ")+" ─", sgr.Gray))
	}
	b.WriteString("\n")

	// Body, one framed line per code line; a line wider than the frame
	// wraps inside it, each further line marked (wrapCode).
	bar := margin + t.paint("│", sgr.Gray) + " "
	for _, l := range t.codeLines(stepTokens(s)) {
		for _, piece := range wrapCode(l, w-proseMargin-2) {
			b.WriteString(strings.TrimRight(bar+piece, " ") + "\n")
		}
	}

	// Bottom rule, with the outcome when there is one.
	b.WriteString(margin + t.paint("└─", sgr.Gray))
	if r != nil {
		b.WriteString(" " + t.Status(r))
	}
	b.WriteString("\n")
	if r != nil {
		b.WriteString(t.failure(r))
	}
	return b.String()
}

// Status is a one-line badge: "✓ passed · 0.4s", "✗ failed (exit 1) · 2.1s".
func (t Terminal) Status(r *result.Step) string {
	badge := statusMark(r.Status) + " " + r.Outcome()
	switch r.Status {
	case result.Passed:
		badge = t.paint(badge, sgr.Bold, sgr.Green)
	case result.Failed, result.Timeout:
		badge = t.paint(badge, sgr.Bold, sgr.Red)
	default:
		badge = t.paint(badge, sgr.Gray)
	}
	if d := formatDuration(r.Duration); d != "" && !r.FromCheckpoint {
		badge += t.paint(" · "+d, sgr.Gray)
	}
	if r.Note != "" {
		badge += t.paint(" · "+sgr.Printable(r.Note), sgr.Gray)
	}
	return badge
}

// failureTailLines is how much output a failure shows in the terminal (the
// HTML page shows all that was kept).
const failureTailLines = 10

func (t Terminal) failure(r *result.Step) string {
	if r.Status != result.Failed && r.Status != result.Timeout {
		return ""
	}
	pad := strings.Repeat(" ", proseMargin+3)
	var b strings.Builder
	if r.Error != "" {
		for _, l := range strings.Split(wrapWords(sgr.Printable(r.Error), t.width(), pad), "\n") {
			b.WriteString(pad + t.paint(strings.TrimLeft(l, " "), sgr.Red) + "\n")
		}
	}
	// The runner's error usually quotes the command already.
	if r.FailCommand != "" && !strings.Contains(r.Error, r.FailCommand) {
		at := ""
		if r.FailLine > 0 {
			at = fmt.Sprintf("line %d: ", r.FailLine)
		}
		cmd := sgr.Printable(strings.SplitN(r.FailCommand, "\n", 2)[0])
		b.WriteString(pad + t.paint(at, sgr.Gray) + cmd + "\n")
	}
	detail := r.Diff
	if detail == "" && r.Verify != "" {
		detail = r.Verify
	}
	dropped := 0
	if detail == "" {
		detail, dropped = outputTail(plainOutput(r.Output), failureTailLines)
	}
	if dropped > 0 {
		b.WriteString(pad + t.paint(fmt.Sprintf("… %d earlier lines", dropped), sgr.Gray) + "\n")
	}
	for _, l := range strings.Split(sgr.Printable(strings.TrimRight(detail, "\n")), "\n") {
		if l == "" && detail == "" {
			continue
		}
		b.WriteString(strings.TrimRight(pad+t.paint("│ ", sgr.Gray)+t.paint(l, sgr.Dim), " ") + "\n")
	}
	return b.String()
}

// plainOutput makes captured output safe to print inside our layout: the
// escapes a step printed (cursor moves, colours, titles) are dropped and a
// carriage-return redraw (a progress bar) keeps only its last state.
func plainOutput(out string) string {
	lines := strings.Split(xansi.Strip(out), "\n")
	for i, l := range lines {
		if j := strings.LastIndexByte(strings.TrimRight(l, "\r"), '\r'); j >= 0 {
			l = l[j+1:]
		}
		lines[i] = strings.TrimRight(l, "\r")
	}
	return strings.Join(lines, "\n")
}

// codeLines formats tokens for the terminal, one string per line.
func (t Terminal) codeLines(toks []chroma.Token) []string {
	var b strings.Builder
	for _, tok := range toks {
		v := sgr.Printable(tok.Value) // tabs and newlines stay
		if !t.Color {
			b.WriteString(v)
			continue
		}
		// Painted line by line, so no escape spans a line break: each
		// line stands alone when the frame or a wrap cuts it.
		style := tokenStyle(tok.Type)
		for j, l := range strings.Split(v, "\n") {
			if j > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(sgr.Paint(true, l, style...))
		}
	}
	text := strings.ReplaceAll(b.String(), "\t", "    ")
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}

// Module renders the whole document: the prose and every shown step in
// order, each step with its status from rec when rec is not nil (matched
// by id), and a summary of the run on top.
func (t Terminal) Module(mod *course.Module, rec *result.Module) string {
	var b strings.Builder
	if rec != nil {
		b.WriteString(t.Summary(rec) + "\n")
	}
	res := resultsByID(rec)
	for i := 0; i <= len(mod.Steps); i++ {
		if p := t.Prose(mod, i); p != "" {
			b.WriteString(p + "\n")
		}
		if i == len(mod.Steps) {
			break
		}
		s := mod.Steps[i]
		if s.Hidden {
			// A failed setup step explains why the steps after it did not
			// run, so it is shown when it failed.
			if r := res[s.ID]; r != nil && (r.Status == result.Failed || r.Status == result.Timeout) {
				b.WriteString(t.hiddenFailure(s, r) + "\n")
			}
			continue
		}
		b.WriteString(t.StepResult(mod, s, res[s.ID]) + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func (t Terminal) hiddenFailure(s *course.Step, r *result.Step) string {
	margin := strings.Repeat(" ", proseMargin)
	return margin + t.paint(fmt.Sprintf("setup (hidden, line %d) ", s.Line), sgr.Gray) + t.Status(r) + "\n" + t.failure(r)
}

// Summary is the run record in one line: when, how long, and the counts.
func (t Terminal) Summary(rec *result.Module) string {
	passed, failed, skipped := rec.Counts()
	parts := []string{t.paint(fmt.Sprintf("✓ %d passed", passed), sgr.Green)}
	if failed > 0 {
		parts = append(parts, t.paint(fmt.Sprintf("✗ %d failed", failed), sgr.Bold, sgr.Red))
	} else {
		parts = append(parts, fmt.Sprintf("✗ %d failed", failed))
	}
	parts = append(parts, t.paint(fmt.Sprintf("%d skipped", skipped), sgr.Gray))
	head := "Last run"
	if !rec.Started.IsZero() {
		head += " " + rec.Started.Format("Jan 2 15:04 MST")
	}
	if d := formatDuration(rec.Duration); d != "" {
		head += " (" + d + ")"
	}
	if rec.Interrupted {
		head += ", interrupted"
	}
	return strings.Repeat(" ", proseMargin) + t.paint(head, sgr.Bold) + t.paint(" · ", sgr.Gray) + strings.Join(parts, t.paint(" · ", sgr.Gray)) + "\n"
}

// courseProse is Prose for a course's run (course.Course.Flatten): the
// prose before step i in its own module (ModuleEnd has the end of the
// module before it).
func (t Terminal) courseProse(run *course.Module, i int) string {
	if cur := originAt(run, i); cur != nil {
		return t.Prose(cur.Module, cur.Index-1)
	}
	if prev := originAt(run, i-1); prev != nil && i == len(run.Steps) {
		return t.Prose(prev.Module, len(prev.Module.Steps))
	}
	return ""
}

// ModuleEnd is, when step i of a course's run is the first of a module,
// the end of the module before it: the prose after its last step (a
// lesson's summary). "" otherwise, and for a module.
func (t Terminal) ModuleEnd(run *course.Module, i int) string {
	if run.Modules == nil {
		return ""
	}
	prev, cur := originAt(run, i-1), originAt(run, i)
	if prev == nil || (cur != nil && cur.Module == prev.Module) {
		return ""
	}
	return t.Prose(prev.Module, len(prev.Module.Steps))
}

// originAt is the module's own step behind step k of a course's run, nil
// for none (out of range, the course's own setup).
func originAt(run *course.Module, k int) *course.Step {
	if k >= 0 && k < len(run.Steps) {
		return run.Steps[k].Origin
	}
	return nil
}
