package render

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/charmbracelet/glamour/ansi"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

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

// minWidth keeps the frame drawable in a very narrow window.
const minWidth = 30

func (t Terminal) width() int {
	switch {
	case t.Width <= 0:
		return DefaultWidth
	case t.Width < minWidth:
		return minWidth
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
	// OSC in a heading would retitle the terminal (sgr.Printable).
	parts, links := splitProse([]byte(sgr.Printable(string(proseSource(mod, i)))))
	var out []string
	for _, p := range parts {
		if p.code {
			out = append(out, t.codeBlock(p.lang, p.text))
			continue
		}
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		r, rel, err := t.markdown(p.text)
		if err != nil {
			// glamour fails only on a broken style or template; the reader
			// is better served by the markdown as written than by nothing.
			r = indentLines(p.text, strings.Repeat(" ", proseMargin))
		}
		urls := append([]string(nil), links...)
		for _, d := range rel {
			urls = append(urls, relMark+d)
		}
		out = append(out, unmarkRelative(keepURLsWhole(tidyLines(r), urls, t.width()), rel))
	}
	if len(out) == 0 {
		return ""
	}
	s := strings.Join(out, "\n")
	if t.Color && t.Hyperlinks {
		s = hyperlink(s, links)
	}
	return s
}

// codeBlock shows a code block that is not a step: indented under the
// prose, highlighted, lines as written.
func (t Terminal) codeBlock(lang, body string) string {
	pad := strings.Repeat(" ", proseMargin+2)
	var b strings.Builder
	for _, l := range t.codeLines(blockTokens(lang, body)) {
		b.WriteString(strings.TrimRight(pad+l, " ") + "\n")
	}
	return b.String()
}

// markdown renders prose with glamour's ANSI renderer. It is glamour's
// own pipeline (glamour.NewTermRenderer builds the same goldmark) plus one
// AST transformer, markRelative, which glamour has no option for. It also
// returns the relative link targets that were marked.
func (t Terminal) markdown(src string) (string, []string, error) {
	style, profile := plainStyle(), termenv.Ascii
	if t.Color {
		style, profile = colorStyle(), termenv.ANSI
	}
	rel := &markRelative{}
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.DefinitionList),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(rel, 0)),
		),
	)
	// Set after New, as glamour does: New lets the extensions add their
	// HTML renderers, which the ANSI renderer replaces.
	md.SetRenderer(renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(ansi.NewRenderer(ansi.Options{
			WordWrap:        t.width(),
			ColorProfile:    profile,
			Styles:          style,
			ChromaFormatter: "terminal16",
		}), 1000),
	)))
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "", nil, err
	}
	return buf.String(), rel.dests, nil
}

// relMark makes a relative link target absolute for glamour, which would
// otherwise "resolve" it against an empty base URL: docs/x.md printed as
// /docs/x.md, ../x.md as /x.md. A target with a scheme is printed as
// written; unmarkRelative takes the mark out again. It is short, so
// wrapping is at most two columns early, and has no hyphen, so glamour
// never breaks a line inside it.
const relMark = "r:"

// markRelative is a goldmark AST transformer that puts relMark before the
// target of every relative link and image, and remembers the targets.
type markRelative struct{ dests []string }

func (m *markRelative) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	rewriteTargets(doc, m.mark)
}

// rewriteTargets replaces the target of every link and image in doc with
// what rewrite makes of it. Both renderers move relative targets, each its
// own way: HTML to the page's directory, the terminal out of glamour's way.
func rewriteTargets(doc ast.Node, rewrite func(dest []byte) []byte) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = rewrite(n.Destination)
		case *ast.Image:
			n.Destination = rewrite(n.Destination)
		}
		return ast.WalkContinue, nil
	})
}

func (m *markRelative) mark(dest []byte) []byte {
	d := string(dest)
	// glamour prints no target for an anchor in the same page.
	if d == "" || strings.HasPrefix(d, "#") || strings.HasPrefix(d, "//") {
		return dest
	}
	u, err := url.Parse(d)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return dest
	}
	m.dests = append(m.dests, d)
	return []byte(relMark + d)
}

// unmarkRelative takes relMark out of the rendered text, also where
// glamour wrapped a target at one of its hyphens.
func unmarkRelative(s string, dests []string) string {
	if len(dests) == 0 {
		return s
	}
	marked := make([]string, len(dests))
	for i, d := range dests {
		marked[i] = relMark + d
	}
	return wrappedURLs(marked).ReplaceAllStringFunc(s, func(m string) string {
		return strings.TrimPrefix(m, relMark)
	})
}

// wrapBreak is what glamour puts where it wraps a line inside a link
// target: the style closed, the newline, the indent (with a quote's bar)
// and the style opened again.
const wrapBreak = `(?:\x1b\[[0-9;]*m)*\n(?:[ │]|\x1b\[[0-9;]*m)*`

var wrapBreakRE = regexp.MustCompile(wrapBreak)

// wrappedURLs matches any of urls as printed, which may be wrapped after
// any of its hyphens (glamour's word wrap breaks there). Longer URLs come
// first, so one that extends another is matched whole.
func wrappedURLs(urls []string) *regexp.Regexp {
	urls = append([]string(nil), urls...)
	sort.Slice(urls, func(i, j int) bool { return len(urls[i]) > len(urls[j]) })
	alts := make([]string, 0, len(urls))
	for _, u := range urls {
		pieces := strings.SplitAfter(u, "-")
		for i, p := range pieces {
			pieces[i] = regexp.QuoteMeta(p)
		}
		alts = append(alts, strings.Join(pieces, "(?:"+wrapBreak+")?"))
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}

// proseParser finds what glamour must not see (annotation comments, code
// blocks we draw ourselves) and the links to make clickable. It matches
// glamour's own GFM setup.
var proseParser = goldmark.New(goldmark.WithExtensions(extension.GFM))

// prosePart is a run of markdown, or a code block drawn by us.
type prosePart struct {
	text string
	code bool
	lang string
}

// splitProse cuts a prose chunk into markdown and code blocks, dropping
// HTML comment blocks (coursectl annotations, hidden setup/verify steps,
// mdrip labels: invisible on GitHub, so invisible here), and returns the
// absolute URLs of its links and images.
func splitProse(src []byte) ([]prosePart, []string) {
	doc := proseParser.Parser().Parse(text.NewReader(src))
	type cut struct {
		from, to int
		code     *prosePart
	}
	var cuts []cut
	var links []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock:
			if n.HTMLBlockType == ast.HTMLBlockType2 && n.Lines().Len() > 0 {
				from := lineStart(src, n.Lines().At(0).Start)
				to := n.Lines().At(n.Lines().Len() - 1).Stop
				if n.HasClosure() {
					to = n.ClosureLine.Stop
				}
				cuts = append(cuts, cut{from: from, to: to})
			}
		case *ast.FencedCodeBlock:
			from, to := fenceRange(src, n)
			lang := ""
			if l := n.Language(src); l != nil {
				lang = string(l)
			}
			cuts = append(cuts, cut{from, to, &prosePart{code: true, lang: lang, text: blockText(src, n)}})
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			if n.Lines().Len() > 0 {
				from := lineStart(src, n.Lines().At(0).Start)
				to := n.Lines().At(n.Lines().Len() - 1).Stop
				cuts = append(cuts, cut{from, to, &prosePart{code: true, text: blockText(src, n)}})
			}
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			links = append(links, string(n.Destination))
		case *ast.Image:
			links = append(links, string(n.Destination))
		case *ast.AutoLink:
			links = append(links, string(n.URL(src)))
		}
		return ast.WalkContinue, nil
	})
	var parts []prosePart
	at := 0
	for _, c := range cuts {
		if c.from < at {
			continue
		}
		parts = append(parts, prosePart{text: string(src[at:c.from])})
		if c.code != nil {
			parts = append(parts, *c.code)
		}
		at = c.to
	}
	parts = append(parts, prosePart{text: string(src[at:])})
	return parts, links
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

// hyperlink makes each absolute URL glamour printed clickable (OSC 8).
// glamour prints a link's target after its text; we wrap that target
// rather than re-implement its link rendering, so wrapping and styles stay
// glamour's. The escape has no width, so line lengths are unchanged. A
// target glamour wrapped over several lines is linked on each line, each
// piece to the whole URL, so clicking any of them opens the right page.
func hyperlink(s string, links []string) string {
	seen := map[string]bool{}
	var abs []string
	for _, u := range links {
		if seen[u] || !isAbsoluteURL(u) {
			continue
		}
		seen[u] = true
		abs = append(abs, u)
	}
	if len(abs) == 0 {
		return s
	}
	return wrappedURLs(abs).ReplaceAllStringFunc(s, func(m string) string {
		u := wrapBreakRE.ReplaceAllString(m, "")
		open, end := xansi.SetHyperlink(u), xansi.ResetHyperlink()
		return open + wrapBreakRE.ReplaceAllStringFunc(m, func(br string) string {
			return end + br + open
		}) + end
	})
}

var schemeRE = regexp.MustCompile(`^(https?|ftp|mailto|file):`)

func isAbsoluteURL(u string) bool { return schemeRE.MatchString(u) }

// tidyLines drops the spaces glamour pads every line with (they make
// copied text and diffs ugly) and collapses runs of blank lines.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = dropNoopSGR(trimRightVisible(l))
		if xansi.Strip(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n") + "\n"
}

// noopSGR is a run of attributes switched on and straight off again, at
// the start of a line or after a reset: glamour writes these for empty
// margins and they change nothing on screen.
var noopSGR = regexp.MustCompile(`(^|\x1b\[0m)(?:\x1b\[[0-9;]*m)+\x1b\[0m`)

func dropNoopSGR(l string) string {
	for {
		n := noopSGR.ReplaceAllString(l, "$1")
		n = strings.TrimPrefix(n, "\x1b[0m")
		if n == l {
			return l
		}
		l = n
	}
}

// sgrRE matches one SGR escape (colour/attribute) sequence.
var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// trimRightVisible removes trailing spaces, also those wrapped in SGR
// sequences, keeping the sequences themselves so attributes still reset.
func trimRightVisible(l string) string {
	var tailSeqs string
	for {
		t := strings.TrimRight(l, " ")
		loc := sgrRE.FindAllStringIndex(t, -1)
		if len(loc) > 0 && loc[len(loc)-1][1] == len(t) {
			last := loc[len(loc)-1]
			tailSeqs = t[last[0]:] + tailSeqs
			l = t[:last[0]]
			continue
		}
		l = t
		break
	}
	if tailSeqs == "" {
		return l
	}
	// Only a reset matters once no visible text follows.
	if strings.Contains(tailSeqs, "\x1b[0m") || strings.Contains(tailSeqs, "\x1b[m") {
		if sgrRE.MatchString(l) {
			return l + "\x1b[0m"
		}
	}
	return l
}

func indentLines(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
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
	for i := range toks {
		toks[i].Value = sgr.Printable(toks[i].Value) // tabs and newlines stay
	}
	var text string
	if t.Color {
		var b strings.Builder
		if err := formatters.TTY16.Format(&b, codeStyle, chroma.Literator(toks...)); err == nil {
			text = b.String()
		}
	}
	if text == "" {
		var b strings.Builder
		for _, tok := range toks {
			b.WriteString(tok.Value)
		}
		text = b.String()
	}
	text = strings.ReplaceAll(text, "\t", "    ")
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
