package render

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/coursectl/coursectl/internal/gfm"
	"github.com/coursectl/coursectl/internal/lazyre"

	"github.com/coursectl/coursectl/sgr"
)

// Prose for the terminal is drawn straight from goldmark's tree
// (docs/render.md, "Terminal"): one parse of the chunk, one walk over its
// blocks, words laid out to the width. Each block renders to lines without
// the margin; a container (a quote, a list item) puts its own prefix before
// its children's lines.

// proseParser is GitHub's markdown (tables, strikethrough, task lists, bare
// URLs) plus definition lists, as the pages on GitHub read.
var proseParser = goldmark.New(
	goldmark.WithExtensions(gfm.GFM, gfm.DefinitionList),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(imageAttrs{}, 100)), divFencesOption),
)

// Styles of prose, from the 16-colour palette only (see style.go).
var (
	styleH1       = []string{sgr.Bold, sgr.Underline, sgr.Magenta}
	styleH2       = []string{sgr.Bold, sgr.Blue}
	styleH3       = []string{sgr.Bold, sgr.Cyan}
	styleHeading  = []string{sgr.Bold}
	styleCode     = []string{sgr.Red}
	styleLinkText = []string{sgr.Bold}
	styleURL      = []string{sgr.Blue, sgr.Underline}
	styleImage    = []string{sgr.Gray}
	styleRule     = []string{sgr.Gray}
	styleQuote    = []string{sgr.Italic}
	styleDiv      = []string{sgr.Yellow}
	styleDivTitle = []string{sgr.Bold}
)

// proseWriter renders one chunk of prose.
type proseWriter struct {
	t    Terminal
	src  []byte
	base []string // the style of every inline in the block (a quote's italic)
}

// markdown renders a chunk of prose to lines at the margin, "" when
// nothing in it shows (only annotation comments, blank lines).
// number, when not nil, gives the number the page has for an ordered
// list's item starting on a line of src (0-based).
func (t Terminal) markdown(src []byte, number func(line int) (int, bool)) string {
	doc := proseParser.Parser().Parse(text.NewReader(src))
	for c := doc.FirstChild(); c != nil && number != nil; c = c.NextSibling() {
		if list, ok := c.(*ast.List); ok && list.IsOrdered() {
			if off := firstOffset(list.FirstChild()); off >= 0 {
				if n, ok := number(bytes.Count(src[:off], []byte("\n"))); ok {
					list.Start = n
				}
			}
		}
	}
	w := proseWriter{t: t, src: src}
	lines := w.blocks(doc, t.width()-2*proseMargin)
	if len(lines) == 0 {
		return ""
	}
	margin := strings.Repeat(" ", proseMargin)
	var b strings.Builder
	for _, l := range lines {
		if l = strings.TrimRight(l, " "); l != "" {
			b.WriteString(margin + l)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// blocks renders the block children of n to lines of at most room
// columns (a word or a code line longer than that stays whole), one blank
// line between blocks.
func (w proseWriter) blocks(n ast.Node, room int) []string {
	var out []string
	tight := false
	if l, ok := n.(*ast.ListItem); ok {
		if list, ok := l.Parent().(*ast.List); ok {
			tight = list.IsTight
		}
	}
	// The divs open here (divs.go): their blocks hang on a bar.
	var open []string
	bar := ""
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if f, ok := c.(*divFence); ok {
			switch {
			case f.Class == "":
				if len(open) > 0 {
					open = open[:len(open)-1]
				}
			case f.Class == "instructor" && divCloses(f):
				// Notes for the instructor: a learner's view of a
				// lesson leaves them out, as the lesson's site does.
				c = divEnd(f)
				continue
			default:
				// A solution's own "## Solution" heading is its label.
				if !w.headedAs(f.NextSibling(), divTitle(f.Class)) {
					if len(out) > 0 {
						out = append(out, bar)
					}
					out = append(out, bar+w.block(c, room)[0])
				}
				open = append(open, f.Class)
			}
			bar = strings.Repeat(w.paint("▌", styleDiv...)+" ", len(open))
			continue
		}
		lines := w.block(c, room-2*len(open))
		if len(lines) == 0 {
			continue
		}
		// A tight definition hangs under its term, as in a browser.
		dd, _ := c.(*east.DefinitionDescription)
		if len(out) > 0 && !tight && (dd == nil || !dd.IsTight) {
			out = append(out, bar)
		}
		for _, l := range lines {
			out = append(out, bar+l)
		}
	}
	return out
}

// headedAs says whether n is a heading that reads title.
func (w proseWriter) headedAs(n ast.Node, title string) bool {
	h, ok := n.(*ast.Heading)
	return ok && strings.EqualFold(strings.TrimSpace(plainText(w.inlines(h, nil))), title)
}

func (w proseWriter) block(n ast.Node, room int) []string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return w.wrap(w.inlines(n, nil), room)
	case *ast.Heading:
		style := styleHeading
		switch n.Level {
		case 1:
			style = styleH1
		case 2:
			style = styleH2
		case 3:
			style = styleH3
		}
		return w.wrap(w.inlines(n, style), room)
	case *ast.ThematicBreak:
		return []string{w.paint("────────", styleRule...)}
	case *divFence:
		if n.Class == "" {
			return nil
		}
		return []string{w.paint("▌", styleDiv...) + " " + w.paint(divTitle(n.Class), styleDivTitle...)}
	case *ast.Blockquote:
		bar := w.paint("│", sgr.Gray) + " "
		quoted := w
		quoted.base = with(w.base, styleQuote...)
		lines := quoted.blocks(n, room-2)
		for i, l := range lines {
			lines[i] = bar + l
		}
		return lines
	case *ast.List:
		return w.list(n, room)
	case *ast.FencedCodeBlock:
		lang := ""
		if l := n.Language(w.src); l != nil {
			lang = string(l)
		}
		return w.code(lang, blockText(w.src, n))
	case *ast.CodeBlock:
		return w.code("", blockText(w.src, n))
	case *ast.HTMLBlock:
		return w.htmlBlock(n, room)
	case *east.Table:
		return w.table(n, room)
	case *east.DefinitionList:
		return w.blocks(n, room)
	case *east.DefinitionTerm:
		return w.wrap(w.inlines(n, []string{sgr.Bold}), room)
	case *east.DefinitionDescription:
		return indent(w.blocks(n, room-2), "  ", "  ")
	}
	if n.Type() == ast.TypeInline || n.HasChildren() && n.FirstChild().Type() == ast.TypeInline {
		return w.wrap(w.inlines(n, nil), room)
	}
	return w.blocks(n, room)
}

// code shows a code block that is not a step: indented, highlighted, its
// lines as written (a wrapped command cannot be copied and run).
func (w proseWriter) code(lang, body string) []string {
	lines := w.t.codeLines(blockTokens(lang, body))
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return lines
}

// list renders a list's items, each child line after its marker's width.
func (w proseWriter) list(n *ast.List, room int) []string {
	var out []string
	num := n.Start // an ordered list's first number, 0 included
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "• "
		if n.IsOrdered() {
			marker = strconv.Itoa(num) + string(n.Marker) + " "
			num++
		}
		width := xansi.StringWidth(marker)
		lines := w.blocks(item, room-width)
		if len(lines) == 0 {
			lines = []string{""}
		}
		if len(out) > 0 && !n.IsTight {
			out = append(out, "")
		}
		out = append(out, indent(lines, marker, strings.Repeat(" ", width))...)
	}
	return out
}

// indent puts first before the first line and rest before the others,
// leaving blank lines blank.
func indent(lines []string, first, rest string) []string {
	for i, l := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" && i > 0 {
			continue
		}
		lines[i] = p + l
	}
	return lines
}

// htmlBlock drops comments (coursectl annotations, hidden steps, mdrip
// labels: invisible on GitHub, so invisible here) and shows any other HTML
// block by its text, without the tags.
func (w proseWriter) htmlBlock(n *ast.HTMLBlock, room int) []string {
	if n.HTMLBlockType == ast.HTMLBlockType2 {
		return nil
	}
	var b strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.Write(seg.Value(w.src))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(w.src))
	}
	s := htmlHidden().ReplaceAllString(b.String(), " ")
	if preBlock().MatchString(s) {
		// Preformatted: its lines as written, like a code block.
		var lines []string
		for _, l := range strings.Split(strings.Trim(htmlTag().ReplaceAllString(s, ""), "\n"), "\n") {
			lines = append(lines, "  "+resolveText([]byte(l)))
		}
		return lines
	}
	// The text without the tags; an image (a README's centred logo) reads
	// as a markdown image does.
	var spans []span
	text := func(t string) {
		if t = strings.TrimSpace(htmlTag().ReplaceAllString(t, " ")); t != "" {
			spans = append(spans, span{text: resolveText([]byte(t))}, span{text: " "})
		}
	}
	at := 0
	for _, m := range htmlImg().FindAllStringIndex(s, -1) {
		text(s[at:m[0]])
		tag := s[m[0]:m[1]]
		if src := attrValue(tag, "src"); src != "" {
			spans = append(spans, imageSpans(attrValue(tag, "alt"), src)...)
			spans = append(spans, span{text: " "})
		}
		at = m[1]
	}
	text(s[at:])
	if len(spans) == 0 {
		return nil
	}
	return w.wrap(spans, room)
}

var htmlImg = lazyre.New(`(?i)<img\b[^>]*>`)

var htmlTag = lazyre.New(`<[^>]*>`)

var preBlock = lazyre.New(`(?i)^\s*<pre[\s>]`)

// htmlHidden is what a browser (and GitHub) never shows of an HTML block:
// comments, which may hold a '>', and scripts and style sheets, contents
// and all.
var htmlHidden = lazyre.New(`(?is)<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>`)

// span is a run of inline text in one style; link, when set, is the URL
// the run opens (OSC 8), and whole keeps the run on one line.
type span struct {
	text  string
	style []string
	link  string
	whole bool
	brk   bool // a hard line break
}

// inlines flattens n's inline children to spans, each in the block's
// style, style, and its own.
func (w proseWriter) inlines(n ast.Node, style []string) []span {
	return w.inlinesIn(n, with(w.base, style...))
}

func (w proseWriter) inlinesIn(n ast.Node, style []string) []span {
	var out []span
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		out = append(out, w.inline(c, style)...)
	}
	return out
}

// image is "Image: ALT → TARGET" ("Image: TARGET" with no alt text).
func (w proseWriter) image(n *ast.Image) []span {
	return imageSpans(strings.TrimSpace(plainText(w.inlinesIn(n, nil))), string(n.Destination))
}

func imageSpans(alt, dest string) []span {
	label := "Image:"
	if alt != "" {
		label = "Image: " + alt + " →"
	}
	return []span{
		{text: label, style: styleImage},
		{text: " "},
		{text: dest, style: styleURL, link: dest, whole: true},
	}
}

func with(style []string, more ...string) []string {
	return append(append([]string(nil), style...), more...)
}

func (w proseWriter) inline(n ast.Node, style []string) []span {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Value(w.src)
		s := string(v)
		if !n.IsRaw() {
			s = resolveText(v)
		}
		out := []span{{text: s, style: style}}
		switch {
		case n.HardLineBreak():
			out = append(out, span{brk: true})
		case n.SoftLineBreak():
			out = append(out, span{text: " "})
		}
		return out
	case *ast.String:
		return []span{{text: string(n.Value), style: style}}
	case *ast.CodeSpan:
		var b strings.Builder
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				b.Write(t.Value(w.src))
			} else if s, ok := c.(*ast.String); ok {
				b.Write(s.Value)
			}
		}
		// Whole, blanks and all: `$ ` keeps its blank, and a command in
		// backticks is never cut in two. A line break inside the span is
		// a blank (CommonMark), not a new line.
		return []span{{text: strings.ReplaceAll(b.String(), "\n", " "), style: with(style, styleCode...), whole: true}}
	case *ast.Emphasis:
		if n.Level >= 2 {
			return w.inlinesIn(n, with(style, sgr.Bold))
		}
		return w.inlinesIn(n, with(style, sgr.Italic))
	case *east.Strikethrough:
		return w.inlinesIn(n, with(style, sgr.CrossedOut))
	case *ast.Link:
		out := w.inlinesIn(n, with(style, styleLinkText...))
		dest := string(n.Destination)
		// A same-page anchor has nowhere to go in a terminal; a link whose
		// text is its target says it once.
		if dest == "" || strings.HasPrefix(dest, "#") || plainText(out) == dest {
			return linked(out, dest)
		}
		return append(out, span{text: " "}, span{text: dest, style: styleURL, link: dest, whole: true})
	case *ast.AutoLink:
		url, label := string(n.URL(w.src)), string(n.Label(w.src))
		return []span{{text: label, style: styleURL, link: url, whole: true}}
	case *ast.Image:
		return w.image(n)
	case *ast.RawHTML:
		// Inline tags (<kbd>, <br>, <span>) are markup, not text; the text
		// between them is its own node and stays.
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			if strings.HasPrefix(strings.ToLower(string(seg.Value(w.src))), "<br") {
				return []span{{brk: true}}
			}
		}
		return nil
	case *east.TaskCheckBox:
		box := "[ ] "
		if n.IsChecked {
			box = "[x] "
			if w.t.Color {
				box = "[✓] "
			}
		}
		return []span{{text: box, style: style}}
	}
	return w.inlinesIn(n, style)
}

// linked makes spans open dest, when it is a URL.
func linked(spans []span, dest string) []span {
	for i := range spans {
		spans[i].link = dest
	}
	return spans
}

func plainText(spans []span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.text)
	}
	return b.String()
}

// resolveText turns markdown's escapes and entities into the characters
// they stand for, as a browser shows them; a control character written as
// a reference (&#27;) is shown, never sent, as a literal one is (Prose).
func resolveText(v []byte) string {
	return sgr.Printable(string(util.UnescapePunctuations(util.ResolveNumericReferences(util.ResolveEntityNames(v)))))
}

// piece is a part of a word in one span's style.
type piece struct {
	text string
	sp   *span
}

// wrap lays spans out in lines of at most room columns, breaking at blanks
// only. A word wider than the room (a URL, a path) stays whole on its own
// line: the terminal shows it on two rows, but it copies and clicks whole.
func (w proseWriter) wrap(spans []span, room int) []string {
	type word struct {
		pieces []piece
		width  int
		brk    bool
		glued  bool // no blank before it: it follows a wide character
	}
	var words []word
	cur := word{}
	flush := func() {
		if len(cur.pieces) > 0 {
			words = append(words, cur)
		}
		cur = word{}
	}
	for i := range spans {
		s := &spans[i]
		if s.brk {
			flush()
			words = append(words, word{brk: true})
			continue
		}
		if s.whole {
			cur.pieces = append(cur.pieces, piece{s.text, s})
			cur.width += xansi.StringWidth(s.text)
			continue
		}
		// A tab is a blank between words, as a browser shows it; kept, it
		// glued its words into one too wide to wrap, and the terminal's
		// tab stops widened it further.
		for j, f := range strings.Split(blanks.Replace(s.text), " ") {
			if j > 0 {
				flush()
			}
			// Chinese and Japanese put no blanks between words: a line
			// may break before or after any wide character.
			for f != "" {
				k := wideBreak(f)
				if k == 0 {
					cur.pieces = append(cur.pieces, piece{f, s})
					cur.width += xansi.StringWidth(f)
					break
				}
				cur.pieces = append(cur.pieces, piece{f[:k], s})
				cur.width += xansi.StringWidth(f[:k])
				flush()
				cur.glued = true
				f = f[k:]
			}
		}
	}
	flush()

	var lines []string
	var line []piece
	col := 0
	end := func() {
		lines = append(lines, w.line(line))
		line, col = nil, 0
	}
	for _, wd := range words {
		if wd.brk {
			end()
			continue
		}
		blank := 1
		if wd.glued {
			blank = 0
		}
		if col > 0 && col+blank+wd.width > room {
			end()
		}
		if col > 0 && !wd.glued {
			// The blank between two words takes their style when they
			// share it, so a styled phrase is one run of escapes.
			prev, next := line[len(line)-1].sp, wd.pieces[0].sp
			blank := &span{}
			if sameRun(prev, next) {
				blank = prev
			}
			line = append(line, piece{" ", blank})
			col++
		}
		line = append(line, wd.pieces...)
		col += wd.width
	}
	if col > 0 {
		end()
	}
	// Text that is all blanks shows nothing.
	for len(lines) > 0 && strings.TrimSpace(xansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// blanks are the characters prose breaks at, as a space.
var blanks = strings.NewReplacer("\n", " ", "\t", " ")

// wideBreak is where s may first break for a wide character: just after
// the first wide character, or just before it when something precedes it;
// 0 when s has none (or only at its end). A line never starts with closing
// punctuation (。、」): it stays with the character before it.
func wideBreak(s string) int {
	for i, r := range s {
		if r < 0x1100 || xansi.StringWidth(string(r)) < 2 {
			continue
		}
		if i > 0 {
			if strings.ContainsRune(noLineStart, r) {
				continue
			}
			return i
		}
		n := i + utf8.RuneLen(r)
		for n < len(s) {
			next, size := utf8.DecodeRuneInString(s[n:])
			if !strings.ContainsRune(noLineStart, next) {
				break
			}
			n += size
		}
		if n < len(s) {
			return n
		}
		return 0
	}
	return 0
}

// noLineStart is the closing punctuation of Chinese and Japanese, which
// does not begin a line.
const noLineStart = "、。，．！？：；）」』】〕〉》〙〛｝］ー々ゝゞヽヾぁぃぅぇぉっゃゅょァィゥェォッャュョ…"

// sameRun says whether two spans paint alike and open the same link.
func sameRun(a, b *span) bool {
	return a.link == b.link && slices.Equal(a.style, b.style)
}

// line paints a laid-out line, one escape run for each stretch of pieces
// in the same style.
func (w proseWriter) line(pieces []piece) string {
	var b strings.Builder
	for i := 0; i < len(pieces); {
		j := i + 1
		var run strings.Builder
		run.WriteString(pieces[i].text)
		for j < len(pieces) && sameRun(pieces[i].sp, pieces[j].sp) {
			run.WriteString(pieces[j].text)
			j++
		}
		sp := pieces[i].sp
		s := w.paint(run.String(), sp.style...)
		if w.t.Color && w.t.Hyperlinks && isAbsoluteURL(sp.link) {
			s = xansi.SetHyperlink(sp.link) + s + xansi.ResetHyperlink()
		}
		b.WriteString(s)
		i = j
	}
	return b.String()
}

func (w proseWriter) paint(s string, style ...string) string { return w.t.paint(s, style...) }

var schemeRE = lazyre.New(`^(https?|ftp|mailto|file):`)

func isAbsoluteURL(u string) bool { return schemeRE().MatchString(u) }

// table lays a GFM table out with columns as wide as their cells, a rule
// under the header; when that is wider than the room the widest columns
// give way and their cells wrap at words.
func (w proseWriter) table(n *east.Table, room int) []string {
	var rows [][][]span
	var aligns []east.Alignment
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		var cells [][]span
		var style []string
		if _, ok := r.(*east.TableHeader); ok {
			style = []string{sgr.Bold}
		}
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, w.inlines(c, style))
			if cell, ok := c.(*east.TableCell); ok && len(aligns) < len(cells) {
				aligns = append(aligns, cell.Alignment)
			}
		}
		rows = append(rows, cells)
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return nil
	}
	// widths are the cells' widths on one line; least, each column's
	// widest word (a URL, a code span), which no wrap cuts.
	widths, least := make([]int, cols), make([]int, cols)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], xansi.StringWidth(plainText(c)))
			for _, l := range w.wrap(c, 1) {
				least[i] = max(least[i], xansi.StringWidth(l))
			}
		}
	}
	// Each column takes its width plus a blank each side, and a bar
	// between columns.
	avail := room - 3*cols + 1
	for total(widths) > avail {
		widest := 0
		for i := range widths {
			if widths[i] > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= 8 {
			break
		}
		widths[widest]--
	}
	// A column holding a word wider than its share takes the word's
	// width: the table is wider than the line by that much, as the word
	// alone would be, but every row's bars stay in line.
	for i := range widths {
		widths[i] = max(widths[i], least[i])
	}
	bar := w.paint("│", sgr.Gray)
	var out []string
	for ri, r := range rows {
		cellLines := make([][]string, cols)
		height := 1
		for i := range cols {
			if i < len(r) {
				cellLines[i] = w.wrap(r[i], widths[i])
			}
			height = max(height, len(cellLines[i]))
		}
		for k := range height {
			var b strings.Builder
			for i := range cols {
				if i > 0 {
					b.WriteString(" " + bar)
				}
				cell := ""
				if k < len(cellLines[i]) {
					cell = cellLines[i][k]
				}
				// Aligned as the delimiter row says (|--:| right, |:-:| centre).
				pad := max(widths[i]-xansi.StringWidth(cell), 0)
				left := 0
				if i < len(aligns) {
					switch aligns[i] {
					case east.AlignRight:
						left = pad
					case east.AlignCenter:
						left = pad / 2
					}
				}
				b.WriteString(" " + strings.Repeat(" ", left) + cell + strings.Repeat(" ", pad-left))
			}
			out = append(out, b.String())
		}
		if ri == 0 && n.FirstChild() != nil {
			if _, ok := n.FirstChild().(*east.TableHeader); ok {
				parts := make([]string, cols)
				for i := range cols {
					parts[i] = strings.Repeat("─", widths[i]+2)
				}
				out = append(out, w.paint(strings.Join(parts, "┼"), sgr.Gray))
			}
		}
	}
	return out
}

func total(ws []int) int {
	n := 0
	for _, w := range ws {
		n += w
	}
	return n
}
