package course

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/coursectl/coursectl/internal/gfm"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmparser "github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Markdown returns the goldmark configuration coursectl reads modules with
// (CommonMark + GFM tables).
func Markdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(gfm.Table))
}

// moduleParser is Markdown's parser for reading a module's steps: the
// same blocks, with the inline content of paragraphs that hold no link
// left unparsed (plainpara.go).
func moduleParser() gmparser.Parser {
	p := Markdown().Parser()
	p.AddOptions(gmparser.WithParagraphTransformers(util.Prioritized(plainParagraphs{}, plainParagraphPriority)))
	return p
}

// newModuleParser is moduleParser; a test swaps in goldmark's own to show
// the two read every page alike.
var newModuleParser = moduleParser

var bom = []byte("\xef\xbb\xbf")

// parser holds the state of one Parse.
type parser struct {
	m        *Module
	src      []byte // what goldmark parsed: Source with front matter blanked
	nl       []int  // offsets of every '\n' in src, for line numbers
	headings []headingEntry
	pending  []*pendingStep
	used     map[ast.Node]bool // annotation comments that found their fence
	notes    []*ast.HTMLBlock  // every annotation comment, to report unused ones
	prev     *Step             // the last visible step, for verify comments
	// editing is an editor step whose content fence may still come: the
	// next fence decides, unless a heading comes first.
	editing   *Step
	titleSlug string // of the front matter title, for steps before any heading
	// baseRules is how many of the sections: and divs: rules are the
	// course's, not this module's own.
	baseRules [2]int
	// pathCache is headingPath() until the next heading.
	pathCache []string
	// divs are the classes of the fenced divs open here; divCache is
	// divPath() until the next div fence.
	divs     []string
	divCache []string
}

type headingEntry struct {
	level int
	node  *ast.Heading
	done  bool // text and slug are set
	text  string
	slug  string
}

// pendingStep is a step before ids are handed out (they need every
// explicit name first).
type pendingStep struct {
	step     *Step
	base     string
	explicit bool
}

func parse(path string, src []byte, side *Settings) (*Module, error) {
	return parseLayered(path, src, nil, side)
}

// parseLayered parses a module whose settings are, nearest last: the
// course's (base), the module's front matter, its coursectl.yaml entry
// (side). Either may be nil.
func parseLayered(path string, src []byte, base, side *Settings) (*Module, error) {
	src = bytes.TrimPrefix(src, bom)
	if err := checkText(path, src); err != nil {
		return nil, err
	}
	src = LineFeeds(src)
	m := &Module{Path: path, Source: src}
	p := &parser{m: m, src: src, used: map[ast.Node]bool{}}

	if yml, end, ok := frontMatter(src); ok {
		s, title, err := frontMatterSettings(yml, path)
		if err != nil {
			return nil, err
		}
		m.Settings = s
		p.titleSlug = Slug(title)
		// Jekyll and Carpentries pages show the front matter's title as
		// the page's heading; their first # heading is a section's.
		m.Title = strings.TrimSpace(title)
		// goldmark would read front matter as a rule and a heading: blank
		// it in a copy, keeping every offset and line as they are.
		p.src = bytes.Clone(src)
		for i := 0; i < end; i++ {
			if p.src[i] != '\n' {
				p.src[i] = ' '
			}
		}
	}
	if base != nil {
		m.Settings = mergeSettings(*base, m.Settings)
		// The course's rules come first; they may rightly miss this module.
		p.baseRules = [2]int{len(base.Sections), len(base.Divs)}
	}
	if side != nil {
		m.Settings = mergeSettings(m.Settings, *side)
	}
	m.Problems = append(m.Problems, m.Settings.Problems...)
	p.nl = make([]int, 0, bytes.Count(p.src, []byte{'\n'}))
	for off := 0; ; {
		i := bytes.IndexByte(p.src[off:], '\n')
		if i < 0 {
			break
		}
		p.nl = append(p.nl, off+i)
		off += i + 1
	}

	doc := newModuleParser().Parse(text.NewReader(p.src))
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *plainParagraph:
			p.divLines(n)
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock:
			p.divLines(n)
			// Only links are wanted from inline content: a block with
			// no '[' in its text has none, so skip its inline nodes.
			if !p.mayHoldLink(n) {
				return ast.WalkSkipChildren, nil
			}
		case *ast.Heading:
			if text, ok := p.setextDivs(n); !ok {
				p.heading(n, "", false)
			} else if text != "" {
				p.heading(n, text, true)
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock:
			p.fence(n)
		case *ast.CodeBlock:
			p.indented(n)
		case *ast.HTMLBlock:
			p.html(n)
		case *ast.Link:
			p.link(n, string(n.Destination), false)
		case *ast.Image:
			p.link(n, string(n.Destination), true)
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, &PosError{File: path, Err: err}
	}
	p.assignIDs()
	p.applySettings()
	p.cascade()
	p.unusedRules()
	p.stepSetups()
	p.yamlSetup()
	p.unusedAnnotations()
	sort.SliceStable(m.Problems, func(i, j int) bool { return m.Problems[i].Line < m.Problems[j].Line })
	return m, nil
}

// LineFeeds turns every carriage return not followed by a line feed into a
// line feed. CommonMark counts a lone CR as a line ending (old Mac files,
// some exports) but goldmark and our line numbers count only LF, which
// would read such a file as one paragraph with no steps. Byte for byte,
// so every offset stays where it was. src is not changed: a copy is made
// when there is something to replace.
func LineFeeds(src []byte) []byte {
	i := bytes.IndexByte(src, '\r')
	for i >= 0 && i+1 < len(src) && src[i+1] == '\n' {
		j := bytes.IndexByte(src[i+1:], '\r')
		if j < 0 {
			return src
		}
		i += 1 + j
	}
	if i < 0 {
		return src
	}
	out := bytes.Clone(src)
	for ; i < len(out); i++ {
		if out[i] == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// lineOf is the 1-based line holding byte offset off.
func (p *parser) lineOf(off int) int {
	return sort.SearchInts(p.nl, off) + 1
}

func (p *parser) lineCount() int {
	n := len(p.nl)
	if len(p.src) > 0 && p.src[len(p.src)-1] != '\n' {
		n++
	}
	return n
}

// lineText is line n (1-based) of the source, without its line ending.
func (p *parser) lineText(n int) string {
	return string(p.lineBytes(n))
}

// lineBytes is line n (1-based) of the source, without its line ending.
func (p *parser) lineBytes(n int) []byte {
	start := 0
	if n > 1 {
		start = p.nl[n-2] + 1
	}
	end := len(p.src)
	if n-1 < len(p.nl) {
		end = p.nl[n-1]
	}
	return bytes.TrimSuffix(p.src[start:end], []byte("\r"))
}

func (p *parser) problem(line int, code, format string, a ...any) {
	p.m.Problems = append(p.m.Problems, Problem{Line: line, Code: code, Message: fmt.Sprintf(format, a...)})
}

// heading enters a heading; text, when given (known), is its text instead
// of its inline content's.
func (p *parser) heading(n *ast.Heading, text string, known bool) {
	for len(p.headings) > 0 && p.headings[len(p.headings)-1].level >= n.Level {
		p.headings = p.headings[:len(p.headings)-1]
	}
	// Text and slug are worked out only when a step needs them: most
	// headings of a long page have no step under them.
	h := headingEntry{level: n.Level, node: n}
	if known {
		h.text, h.slug, h.done = text, Slug(text), true
	}
	p.headings = append(p.headings, h)
	p.pathCache = nil
	p.editing = nil
	if p.m.Title == "" {
		p.m.Title = p.headingText(len(p.headings) - 1)
	}
}

// setextDivs reads the fenced-div markers among a setext heading's lines.
// Pandoc reads a `:::` line as a div's fence; goldmark, which has no divs,
// as heading text when `===` or `---` follows (`:::` closing a div, then a
// rule): the div would never close, and its settings would reach the steps
// after it. ok is false when the heading has no such line; else the
// markers are applied and text is the plain text of the other lines (""
// when none is left: then it is no heading).
func (p *parser) setextDivs(n *ast.Heading) (title string, ok bool) {
	lines := n.Lines()
	if lines.Len() == 0 {
		return "", false
	}
	// An ATX heading's line has its '#' before the text; `# ::: x` is text.
	first := lines.At(0)
	if bytes.IndexByte(p.src[bytes.LastIndexByte(p.src[:first.Start], '\n')+1:first.Start], '#') >= 0 {
		return "", false
	}
	var rest [][]byte
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if _, fence := DivFence(p.src[seg.Start:seg.Stop]); fence {
			ok = true
		} else {
			rest = append(rest, bytes.TrimSpace(p.src[seg.Start:seg.Stop]))
		}
	}
	if !ok {
		return "", false
	}
	p.divLines(n)
	if len(rest) == 0 {
		return "", true
	}
	src := bytes.Join(rest, []byte("\n"))
	doc := Markdown().Parser().Parse(text.NewReader(src))
	if para := doc.FirstChild(); para != nil {
		return strings.TrimSpace(inlineText(para, src)), true
	}
	return "", true
}

func (p *parser) headingText(i int) string {
	h := &p.headings[i]
	if !h.done {
		h.text = strings.TrimSpace(inlineText(h.node, p.src))
		h.slug = Slug(h.text)
		h.done = true
	}
	return h.text
}

// inlineText is the plain text of a node's inline children.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSuffix(b.String(), "\r")
}

// headingPath is the path of headings above the current place. Steps
// under one heading share the slice (nobody appends to it).
func (p *parser) headingPath() []string {
	if p.pathCache != nil {
		return p.pathCache
	}
	out := make([]string, len(p.headings))
	for i := range p.headings {
		out[i] = p.headingText(i)
	}
	p.pathCache = out[:len(out):len(out)]
	return p.pathCache
}

// headingSlug is the base of an id for a step here: the nearest heading's
// slug; before any heading, the front matter title's (Jekyll and
// Carpentries pages show it as the page's first heading); else "".
func (p *parser) headingSlug() string {
	if len(p.headings) == 0 {
		return p.titleSlug
	}
	last := len(p.headings) - 1
	p.headingText(last)
	return p.headings[last].slug
}

// segLines turns a block's line segments into lines with line numbers,
// line endings (LF or CRLF) removed.
func (p *parser) segLines(lines *text.Segments) []bodyLine {
	body, first, _ := p.blockBody(lines)
	return bodyLines(body, first)
}

// blockBody joins a block's line segments into its body (\n line endings,
// no \r anywhere: a stray CR would reach bash inside a command), with the
// line number of its first line and how many lines it has. Each segment is
// one source line, so line numbers count up from the first.
func (p *parser) blockBody(lines *text.Segments) (body string, first, n int) {
	n = lines.Len()
	if n == 0 {
		return "", 0, 0
	}
	size := 0
	for i := 0; i < n; i++ {
		seg := lines.At(i)
		size += seg.Len() + 1
	}
	var buf strings.Builder // String() does not copy
	buf.Grow(size)
	for i := 0; i < n; i++ {
		seg := lines.At(i)
		for k := 0; k < seg.Padding; k++ {
			buf.WriteByte(' ')
		}
		v := p.src[seg.Start:seg.Stop]
		v = bytes.TrimSuffix(v, []byte("\n"))
		v = bytes.TrimSuffix(v, []byte("\r"))
		if bytes.IndexByte(v, '\r') >= 0 {
			v = bytes.ReplaceAll(v, []byte("\r"), nil)
		}
		buf.Write(v)
		buf.WriteByte('\n')
	}
	return buf.String(), p.lineOf(lines.At(0).Start), n
}

// bodyLines splits a body into lines that share its memory, numbered from
// first. Only steps need them: prose blocks keep just the body.
func bodyLines(body string, first int) []bodyLine {
	if body == "" {
		return nil
	}
	out := make([]bodyLine, 0, strings.Count(body, "\n"))
	for body != "" {
		line, rest, _ := strings.Cut(body, "\n")
		out = append(out, bodyLine{text: line, line: first + len(out)})
		body = rest
	}
	return out
}

func joinBody(lines []bodyLine) string {
	if len(lines) == 0 {
		return ""
	}
	n := 0
	for _, l := range lines {
		n += len(l.text) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// fenceEnd finds the closing fence: the line right after the body that is
// the fence character repeated at least as often as the opener. When it is
// not there the fence ran to the end of the file or of its container.
func (p *parser) fenceEnd(open int, last int) (end int, closed bool) {
	c := p.src[open]
	n := 0
	for open+n < len(p.src) && p.src[open+n] == c {
		n++
	}
	cand := last + 1
	if cand > p.lineCount() {
		return last, false
	}
	t := p.lineBytes(cand)
	// Container markers (block quotes, list indentation) come first.
	t = bytes.TrimLeft(t, " \t>")
	k := 0
	for k < len(t) && t[k] == c {
		k++
	}
	if k >= n && len(bytes.TrimSpace(t[k:])) == 0 {
		return cand, true
	}
	return last, false
}

func (p *parser) fence(n *ast.FencedCodeBlock) {
	open := n.Pos()
	line := p.lineOf(open)
	info := ""
	if n.Info != nil {
		info = strings.TrimSpace(string(n.Info.Segment.Value(p.src)))
	}
	body, first, nlines := p.blockBody(n.Lines())
	last := line
	if nlines > 0 {
		last = first + nlines - 1
	}
	end, closed := p.fenceEnd(open, last)
	lang, attrText, braces := splitInfo(info)
	blk := &Block{Line: line, EndLine: end, Info: info, Lang: lang, Body: body, Fenced: true, Unterminated: !closed}
	p.m.Blocks = append(p.m.Blocks, blk)
	if !closed {
		p.problem(line, ProblemUnterminated, "unterminated fence: the block runs to the end of its section — close it with a matching fence")
	}

	var attrs Attrs
	p.annotations(n, &attrs)
	if braces {
		p.m.Problems = append(p.m.Problems, parseAttrText(&attrs, attrText, line)...)
	}
	if ed := p.editing; ed != nil {
		// The first fence after an editor step shows the file's content
		// when its language fits the file; it is never a step then.
		p.editing = nil
		if attrs.File == "" && IsContentFence(lang, ed.Edit.File) {
			ed.Edit.Content, ed.Edit.FenceLine, ed.Edit.FenceEnd = body, line, end
			blk.Content = ed
			return
		}
	}

	var kind Kind
	switch strings.ToLower(lang) {
	case "sh", "bash", "shell":
		kind = Script
	case "console", "shell-session", "terminal":
		kind = Transcript
	}
	if attrs.File != "" {
		kind = File
	}
	if kind == "" {
		return
	}
	lines := bodyLines(body, first)
	st := &Step{
		Line: line, EndLine: end, Kind: kind, Lang: lang, Info: info,
		Heading: p.headingPath(), Attrs: attrs, Body: blk.Body,
		BodyLine: line + 1, Unterminated: !closed,
	}
	if len(lines) > 0 {
		st.BodyLine = lines[0].line
	}
	switch kind {
	case Script:
		if isPrompted(lines) {
			st.Prompted = true
			st.Commands = promptedCommands(lines, false)
		} else if hl := hostPromptLine(lines); hl > 0 {
			// Prompts naming machines (`host-A $ ...`) describe several
			// shells; coursectl has one, so the block is shown, not run.
			p.problem(hl, ProblemHostPrompt, "prompt names another machine (%q): the block is treated as prose — rewrite with `$ ` prompts, or tag it console {skip}", strings.TrimSpace(p.lineText(hl)))
			return
		} else if len(attrs.Raw) == 0 && treeDrawing(lines) {
			// `.` and `├── name` lines (shell-novice's Sam's directory):
			// a picture of files, which bash would only fail to run.
			p.problem(line, ProblemTreeDrawing, "%s block draws a directory tree: it is shown, not run — tag it text or output", lang)
			return
		} else {
			st.Commands = plainCommands(lines)
		}
		for i, c := range st.Commands {
			if ed, file, ok := EditorTarget(c.Text); ok {
				st.Edit = &Edit{Command: i, Editor: ed, File: file}
			}
		}
		if st.Edit != nil {
			// The fence after it is the file's content, not output.
			p.editing = st
			break
		}
		// `output` and `error` fences, right after the step, in either order.
		for next := n.NextSibling(); next != nil; next = next.NextSibling() {
			if st.Expected == nil {
				if e := p.resultFence(next, "output"); e != nil {
					st.Expected = e
					continue
				}
			}
			if st.Error == nil {
				if e := p.resultFence(next, "error"); e != nil {
					st.Error = e
					continue
				}
			}
			break
		}
	case Transcript:
		// Lines before the first prompt belong to no command: shown only.
		st.Commands = promptedCommands(lines, true)
		if len(st.Commands) == 0 {
			p.problem(line, ProblemNoCommands, "%s block has no `$ ` command lines: it is shown, not run — add `$ ` prompts or tag it text", lang)
			return
		}
		st.Prompted = true
	}
	blk.Step = st
	p.addStep(st, attrs.Name)
}

// resultFence reads n as a Carpentries fence tagged lang (`output` or
// `error`) right after a step, nil when it is not one. A fence holding
// only a lone `$` (a prompt with nothing before it) means "prints nothing".
func (p *parser) resultFence(n ast.Node, lang string) *Expected {
	next, ok := n.(*ast.FencedCodeBlock)
	if !ok || next.Info == nil || !strings.EqualFold(string(next.Language(p.src)), lang) {
		return nil
	}
	ol := p.segLines(next.Lines())
	texts := make([]string, len(ol))
	for i, l := range ol {
		texts[i] = l.text
	}
	fl := p.lineOf(next.Pos())
	e := expectedFrom(texts, fl+1)
	if e != nil && len(e.Lines) == 1 && e.Exit == nil && strings.TrimSpace(e.Lines[0]) == "$" {
		e = nil
	}
	if e == nil {
		e = &Expected{Line: fl + 1, Lines: []string{}}
	}
	e.FenceLine = fl
	e.FenceEnd, _ = p.fenceEnd(next.Pos(), max(fl, lastLine(ol, fl)))
	return e
}

func lastLine(ls []bodyLine, def int) int {
	if len(ls) == 0 {
		return def
	}
	return ls[len(ls)-1].line
}

func (p *parser) addStep(st *Step, name string) {
	st.Module, st.File, st.Divs = p.m, p.m.Path, p.divPath()
	p.m.Steps = append(p.m.Steps, st)
	st.Index = len(p.m.Steps)
	ps := &pendingStep{step: st, base: name, explicit: name != ""}
	if name == "" {
		ps.base = p.headingSlug()
		if st.Kind == Setup {
			ps.base = strings.TrimSuffix("setup-"+ps.base, "-")
		}
	}
	p.pending = append(p.pending, ps)
	if !st.Hidden {
		p.prev = st
	}
}

// mayHoldLink reports whether a block's raw lines contain a '[' (every
// link and image has one; reference links too).
func (p *parser) mayHoldLink(n ast.Node) bool {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if bytes.IndexByte(p.src[seg.Start:seg.Stop], '[') >= 0 {
			return true
		}
	}
	return false
}

// link records a link's destination with its line: the link's own
// position when goldmark has one, else its paragraph's first line.
func (p *parser) link(n ast.Node, dest string, image bool) {
	line := 0
	if pos := n.Pos(); pos >= 0 {
		line = p.lineOf(pos)
	} else {
		for b := n.Parent(); b != nil; b = b.Parent() {
			if b.Type() == ast.TypeBlock && b.Lines().Len() > 0 {
				line = p.lineOf(b.Lines().At(0).Start)
				break
			}
		}
	}
	p.m.Links = append(p.m.Links, Link{Line: line, Dest: dest, Image: image})
}

func (p *parser) indented(n *ast.CodeBlock) {
	body, first, nlines := p.blockBody(n.Lines())
	if nlines == 0 {
		return
	}
	p.m.Blocks = append(p.m.Blocks, &Block{
		Line: first, EndLine: first + nlines - 1, Body: body,
	})
}

// treeDrawing reports whether a block's lines draw a directory tree as
// `tree` prints it: an optional root line of one word (`.`, `2016-05-20/`),
// then branch lines (`├── a`, `│   └── b`, or ASCII `|-- a`, "`-- b").
func treeDrawing(lines []bodyLine) bool {
	branches, seen := 0, 0
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		if t == "" {
			continue
		}
		seen++
		switch {
		case strings.HasPrefix(t, "├") || strings.HasPrefix(t, "└") || strings.HasPrefix(t, "│") ||
			strings.HasPrefix(t, "|-- ") || strings.HasPrefix(t, "`-- ") || strings.HasPrefix(t, "|   "):
			branches++
		case seen == 1 && !strings.ContainsAny(t, " \t"):
			// The root.
		default:
			return false
		}
	}
	return branches > 0
}

// hostPromptLine finds a line whose prompt names a host or user
// (`host-A $ cmd`, `user@box:~$ cmd`, `[root@box ~]# cmd`); 0 when none.
func hostPromptLine(lines []bodyLine) int {
	for _, l := range lines {
		if isHostPrompt(l.text) {
			return l.line
		}
	}
	return 0
}

func isHostPrompt(s string) bool {
	t := strings.TrimSpace(s)
	// A prompt with no command after it (`nelle@localhost $`), as lessons
	// show the shell waiting: the same rule, with an empty command.
	if strings.HasSuffix(t, " $") || strings.HasSuffix(t, " #") {
		t += " x"
	}
	for _, pr := range []string{"$ ", "# "} {
		i := strings.Index(t, pr)
		if i <= 0 {
			continue
		}
		head := strings.TrimRight(t[:i], " ")
		if head == "" || strings.ContainsAny(head, "=\"'`$|;&(){}") {
			continue
		}
		bracketed := strings.HasPrefix(head, "[") && strings.HasSuffix(head, "]")
		if strings.ContainsAny(head, " \t") && !bracketed {
			continue
		}
		if pr == "# " && !strings.ContainsAny(head, "@]") {
			continue // `cmd # comment`
		}
		ok := true
		for _, r := range head {
			if !(r == '-' || r == '_' || r == '.' || r == '@' || r == ':' || r == '~' || r == '/' ||
				r == '[' || r == ']' || r == ' ' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// fileFromSettings makes s, given `file:` in coursectl.yaml's steps:, a
// file step: the page shows a script's body in a ```bash fence and says
// in prose which file it goes in (shell-novice's `script.sh`), and the
// markdown cannot be tagged. Only a plain script fence can be one: `$ `
// lines, an editor command or a transcript are commands, not a file.
func (p *parser) fileFromSettings(s *Step) {
	if s.Kind == Script && !s.Prompted && s.Edit == nil {
		s.Kind, s.Commands, s.Expected, s.Error = File, nil, nil, nil
		return
	}
	at := p.m.Settings.StepKeys[s.ID]
	why := "it has `$ ` command lines"
	switch {
	case s.Kind == File:
		why = "it is a file step already (its fence has file=)"
	case s.Kind != Script:
		why = "it is a " + string(s.Kind) + " block"
	case s.Edit != nil:
		why = "it opens an editor"
	}
	p.m.Problems = append(p.m.Problems, Problem{File: at.File, Line: at.Line, Code: ProblemBadAttr,
		Message: fmt.Sprintf("steps: %s: file makes a fence of plain shell a file step, and %s — drop file", s.ID, why)})
}

// assignIDs gives every step its id once all explicit names are known.
func (p *parser) assignIDs() {
	ids := newIDAllocator()
	seen := map[string]int{}
	for _, ps := range p.pending {
		if ps.explicit {
			if l, dup := seen[ps.base]; dup {
				p.problem(ps.step.Line, ProblemDuplicateName, "duplicate step name %q (first at line %d) — names must be unique", ps.base, l)
				continue
			}
			seen[ps.base] = ps.step.Line
			ids.reserve(ps.base)
		}
	}
	for _, ps := range p.pending {
		ps.step.ID = ids.next(ps.base, ps.explicit)
	}
}

// applySettings gives steps the attributes settings assign by id.
func (p *parser) applySettings() {
	ids := make([]string, 0, len(p.m.Settings.Steps))
	for id := range p.m.Settings.Steps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if p.m.Step(id) == nil {
			at := p.m.Settings.StepKeys[id]
			p.m.Problems = append(p.m.Problems, Problem{File: at.File, Line: at.Line, Code: ProblemUnknownStep,
				Message: fmt.Sprintf("steps: %q is not a step of this module — run coursectl list for the ids", id)})
		}
	}
	for _, s := range p.m.Steps {
		if a, ok := p.m.Settings.Steps[s.ID]; ok {
			s.Attrs.merge(a)
			if a.File != "" {
				p.fileFromSettings(s)
			}
			if a.Content != nil && s.Edit == nil {
				at := p.m.Settings.StepKeys[s.ID]
				if a.ContentAt.Line > 0 {
					at = a.ContentAt
				}
				p.m.Problems = append(p.m.Problems, Problem{File: at.File, Line: at.Line, Code: ProblemBadAttr,
					Message: fmt.Sprintf("steps: %s: content is for a step that opens an editor on a file (nano FILE), and step %s does not — drop content, or give it to the editor step", s.ID, s.ID)})
			}
		}
	}
}
