package render

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/coursectl/coursectl/internal/gfm"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/render/highlight"
	"github.com/coursectl/coursectl/result"
)

//go:embed page.css
var pageCSS string

// The page's code colours: chroma's GitHub pair (package highlight
// embeds them), the look most course authors know from reading their
// docs on GitHub.
const (
	lightCodeStyle = "github"
	darkCodeStyle  = "github-dark"
)

// codeCSS is computed once: highlight's styles are shared and never
// changed.
var codeCSS = sync.OnceValue(func() string {
	f := codeFormatter(0)
	var light, dark bytes.Buffer
	_ = f.WriteCSS(&light, highlight.Style(lightCodeStyle))
	_ = f.WriteCSS(&dark, highlight.Style(darkCodeStyle))
	// Each set applies only in its own scheme: the dark style does not
	// restate every class the light one colours, and a light rule left
	// standing paints dark text on the dark background.
	return "@media not all and (prefers-color-scheme: dark) {\n" + light.String() + "}\n" +
		"@media (prefers-color-scheme: dark) {\n" + dark.String() + "}\n"
})

// codeFormatter numbers lines with the markdown's own line numbers, so an
// author can go from the page to the file; the numbers and the `$`
// prompts are not selectable (see page.css), so copying a block gives
// commands that paste and run.
func codeFormatter(firstLine int) *chromahtml.Formatter {
	opts := []chromahtml.Option{chromahtml.WithClasses(true), chromahtml.TabWidth(4)}
	if firstLine > 0 {
		opts = append(opts, chromahtml.WithLineNumbers(true), chromahtml.BaseLineNumber(firstLine),
			chromahtml.WithLinkableLineNumbers(true, "L"))
	}
	return chromahtml.New(opts...)
}

// HTML renders mod as one standalone page (inline CSS, no scripts, no
// remote fonts or images of ours): the prose, each step highlighted and
// numbered, and when rec is not nil each step's status, time and output,
// failures open, with a summary on top.
//
// Relative link and image targets are left as written, which is right for
// a page beside the module; HTMLAt is for a page written elsewhere.
func HTML(mod *course.Module, rec *result.Module) ([]byte, error) {
	return HTMLAt(mod, rec, "")
}

// HTMLAt is HTML for a page that will be opened from directory pageDir:
// relative link and image targets, written relative to the module's
// file, are rewritten relative to pageDir, so the author's images and
// links to sibling documents still work (and keep working if the tree is
// moved or checked out elsewhere as a whole). An empty pageDir leaves
// them as written.
func HTMLAt(mod *course.Module, rec *result.Module, pageDir string) ([]byte, error) {
	src := blankFrontMatter(mod.Source)
	p := &htmlPage{mod: mod, rec: rec, results: resultsByID(rec), byLine: map[int]*course.Step{}, written: map[string]bool{}}
	for _, s := range mod.Steps {
		if onPage(mod, s) { // a yaml setup's line is the yaml's
			p.byLine[s.Line] = s
		}
	}
	parserOpts := []parser.Option{parser.WithAutoHeadingID(), parser.WithASTTransformers(util.Prioritized(imageAttrs{}, 100)), divFencesOption}
	if rl := newRelink(filepath.Dir(mod.Path), pageDir); rl != nil {
		parserOpts = append(parserOpts, parser.WithASTTransformers(util.Prioritized(rl, 0)))
	}
	md := goldmark.New(
		goldmark.WithExtensions(gfm.GFM),
		goldmark.WithParserOptions(parserOpts...),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(p, 100))),
	)
	var body bytes.Buffer
	if err := md.Convert(src, &body); err != nil {
		return nil, &course.PosError{File: mod.Path, Err: fmt.Errorf("rendering HTML: %w", err)}
	}

	var b bytes.Buffer
	title := mod.Title
	if title == "" {
		title = mod.Path
	}
	writeHead(&b, title, pageCSS+"\n"+codeCSS())
	p.writeSummary(&b)
	p.writeElsewhere(&b)
	b.WriteString(`<article class="prose">` + "\n")
	b.Write(body.Bytes())
	b.WriteString("</article>\n")
	fmt.Fprintf(&b, "<footer>%s · rendered by coursectl</footer>\n</main>\n</body>\n</html>\n", html.EscapeString(mod.Path))
	return b.Bytes(), nil
}

// writeHead starts a standalone page (a module's, or check's index of
// them): everything up to the open <main>, with the style inline so the
// page is one file a CI job can upload.
func writeHead(b *bytes.Buffer, title, css string) {
	fmt.Fprintf(b, `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="coursectl">
<title>%s</title>
<style>
%s</style>
</head>
<body>
<main>
`, html.EscapeString(title), css)
}

// relink is a goldmark AST transformer that rewrites relative link and
// image targets from the module's directory to the page's.
type relink struct{ from, to string } // absolute directories

// newRelink returns nil when nothing needs rewriting: no page directory
// given, or the page sits beside the module.
func newRelink(moduleDir, pageDir string) *relink {
	if pageDir == "" {
		return nil
	}
	from, err1 := filepath.Abs(moduleDir)
	to, err2 := filepath.Abs(pageDir)
	if err1 != nil || err2 != nil || from == to {
		return nil
	}
	return &relink{from: from, to: to}
}

func (r *relink) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	rewriteTargets(doc, r.rewrite)
}

// rewrite moves one target. Same-page anchors, URLs with a scheme or
// host, and site-absolute paths ("/img.png", which on GitHub means the
// repository root) are not file paths relative to the module: they stay.
func (r *relink) rewrite(dest []byte) []byte {
	d := string(util.UnescapePunctuations(dest))
	if d == "" || strings.HasPrefix(d, "#") || strings.HasPrefix(d, "/") {
		return dest
	}
	if u, err := url.Parse(d); err != nil || u.Scheme != "" || u.Host != "" {
		return dest
	}
	// The path is rewritten; ?query and #fragment are kept as written.
	p, rest := d, ""
	if i := strings.IndexAny(d, "?#"); i >= 0 {
		p, rest = d[:i], d[i:]
	}
	file, err := url.PathUnescape(p)
	if err != nil || file == "" {
		return dest
	}
	target := filepath.Join(r.from, filepath.FromSlash(file))
	rel, err := filepath.Rel(r.to, target)
	if err != nil {
		// No relative way there (another volume): a file URL still opens.
		return []byte((&url.URL{Scheme: "file", Path: filepath.ToSlash(target)}).String() + rest)
	}
	rel = filepath.ToSlash(rel)
	if strings.HasSuffix(file, "/") && !strings.HasSuffix(rel, "/") {
		rel += "/"
	}
	out := (&url.URL{Path: rel}).EscapedPath()
	if first, _, _ := strings.Cut(out, "/"); strings.Contains(first, ":") {
		out = "./" + out // "a:b.png" would read as a URL with scheme "a"
	}
	return []byte(out + rest)
}

// blankFrontMatter replaces YAML front matter with empty lines: it is not
// for readers, and line numbers stay those of the file.
func blankFrontMatter(src []byte) []byte {
	lines := splitLinesKeep(src)
	end := frontMatterEnd(lines)
	if end == 0 {
		return src
	}
	out := bytes.Repeat([]byte("\n"), end)
	return append(out, bytes.Join(lines[end:], nil)...)
}

// htmlPage is a goldmark node renderer for the nodes that become steps;
// everything else is goldmark's HTML, raw HTML omitted (an author's
// <script> must not run in a CI artifact).
type htmlPage struct {
	mod     *course.Module
	rec     *result.Module
	results map[string]*result.Step
	byLine  map[int]*course.Step
	written map[string]bool // the steps the page shows in place
	divs    []string        // the closing tags of the divs open (divs.go)
}

func (p *htmlPage) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, p.renderFenced)
	reg.Register(ast.KindCodeBlock, p.renderIndented)
	reg.Register(ast.KindHTMLBlock, p.renderHTMLBlock)
	reg.Register(kindDivFence, p.renderDivFence)
	reg.Register(ast.KindDocument, p.renderDocument)
}

// renderDivFence opens a div as the lesson's site shows it — a solution or
// an instructor's note folded (<details>), the others a box with their
// name — and closes it at its closing fence.
func (p *htmlPage) renderDivFence(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	f := node.(*divFence)
	if f.Class == "" {
		if n := len(p.divs); n > 0 {
			_, _ = w.WriteString(p.divs[n-1])
			p.divs = p.divs[:n-1]
		}
		return ast.WalkContinue, nil
	}
	class := html.EscapeString(f.Class)
	title := html.EscapeString(divTitle(f.Class))
	switch f.Class {
	case "solution", "instructor", "spoiler":
		fmt.Fprintf(w, `<details class="div div-%s"><summary>%s</summary>`+"\n", class, title)
		p.divs = append(p.divs, "</details>\n")
	default:
		fmt.Fprintf(w, `<div class="div div-%s"><p class="div-title">%s</p>`+"\n", class, title)
		p.divs = append(p.divs, "</div>\n")
	}
	return ast.WalkContinue, nil
}

// renderDocument closes the divs a page leaves open.
func (p *htmlPage) renderDocument(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		for i := len(p.divs) - 1; i >= 0; i-- {
			_, _ = w.WriteString(p.divs[i])
		}
		p.divs = nil
	}
	return ast.WalkContinue, nil
}

func (p *htmlPage) renderFenced(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.FencedCodeBlock)
	from, _ := fenceRange(src, n)
	line := lineOf(src, from)
	if s := p.byLine[line]; s != nil && !s.Hidden {
		p.writeStep(w, s)
		return ast.WalkSkipChildren, nil
	}
	lang := ""
	if l := n.Language(src); l != nil {
		lang = string(l)
	}
	writeCode(w, blockTokens(lang, blockText(src, n)), line+1, "")
	return ast.WalkSkipChildren, nil
}

func (p *htmlPage) renderIndented(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	first := 0
	if node.Lines().Len() > 0 {
		first = lineOf(src, node.Lines().At(0).Start)
	}
	writeCode(w, blockTokens("", blockText(src, node)), first, "")
	return ast.WalkSkipChildren, nil
}

// renderHTMLBlock omits raw HTML, as goldmark does by default, except a
// hidden setup step that failed: the steps after it did not run because
// of it, so the reader must see it.
func (p *htmlPage) renderHTMLBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering || node.Lines().Len() == 0 {
		return ast.WalkSkipChildren, nil
	}
	line := lineOf(src, node.Lines().At(0).Start)
	if s := p.byLine[line]; s != nil && s.Hidden {
		if r := p.results[s.ID]; r != nil && failed(r) {
			p.writeStep(w, s)
		}
	}
	return ast.WalkSkipChildren, nil
}

func failed(r *result.Step) bool {
	return r.Status == result.Failed || r.Status == result.Timeout
}

// lineOf is the 1-based line holding byte offset at.
func lineOf(src []byte, at int) int {
	if at > len(src) {
		at = len(src)
	}
	return bytes.Count(src[:at], []byte("\n")) + 1
}

func writeCode(w util.BufWriter, toks []chroma.Token, firstLine int, class string) {
	var buf bytes.Buffer
	if err := codeFormatter(firstLine).Format(&buf, highlight.Style(lightCodeStyle), chroma.Literator(toks...)); err != nil {
		buf.Reset()
		for _, t := range toks {
			buf.WriteString(t.Value)
		}
		fmt.Fprintf(w, "<pre><code>%s</code></pre>\n", html.EscapeString(buf.String()))
		return
	}
	if class != "" {
		fmt.Fprintf(w, `<div class="%s">`, class)
	}
	w.Write(buf.Bytes())
	if class != "" {
		w.WriteString("</div>")
	}
	w.WriteString("\n")
}

// statusClass is the CSS class of a status.
func statusClass(r *result.Step) string {
	if r == nil {
		return "none"
	}
	switch r.Status {
	case result.Timeout:
		return "failed"
	case result.NotRun:
		return "notrun"
	}
	return string(r.Status)
}

func (p *htmlPage) writeStep(w util.BufWriter, s *course.Step) {
	r := p.results[s.ID]
	p.written[s.ID] = true
	fmt.Fprintf(w, `<section class="step %s" id="step-%s">`+"\n", statusClass(r), html.EscapeString(s.ID))
	w.WriteString(`<div class="step-head">`)
	if s.Hidden {
		w.WriteString(`<span class="step-num">Setup</span><span class="step-title">hidden setup step</span>`)
	} else {
		n, total := p.mod.Number(s)
		fmt.Fprintf(w, `<span class="step-num">Step %d/%d</span><span class="step-title">%s</span>`,
			n, total, html.EscapeString(s.Title()))
	}
	for _, f := range flagWords(s) {
		fmt.Fprintf(w, `<span class="flag">%s</span>`, html.EscapeString(f))
	}
	w.WriteString(`<span class="spacer"></span>`)
	if r != nil {
		fmt.Fprintf(w, `<span class="badge %s">%s %s</span>`, statusClass(r), statusMark(r.Status), html.EscapeString(r.Outcome()))
		if d := formatDuration(r.Duration); d != "" && !r.FromCheckpoint {
			fmt.Fprintf(w, `<span class="dur">%s</span>`, d)
		}
	}
	fmt.Fprintf(w, `<a class="where" href="#L%d" title="%s, %s">%s · %s</a>`,
		s.BodyLine, html.EscapeString(p.mod.Path), lineSpan(s), html.EscapeString(langOf(s.Lang, s.Kind)), lineSpan(s))
	w.WriteString("</div>\n")
	body := s.BodyLine
	if body == 0 {
		body = s.Line + 1
	}
	writeCode(w, stepTokens(s), body, "step-code")
	if r != nil {
		p.writeResult(w, s, r)
	}
	w.WriteString("</section>\n")
}

// writeElsewhere shows, above the page, the failed steps the markdown
// body had no place for: a setup: or workdir: of coursectl.yaml (the
// module's, or the course's before its first module) or of the front
// matter. The steps after it did not run because of it, so the reader must
// see it. Called after the body is rendered, so p.written is complete.
func (p *htmlPage) writeElsewhere(b *bytes.Buffer) {
	if p.rec == nil {
		return
	}
	w := bufio.NewWriter(b)
	for _, r := range p.rec.Steps {
		if r == nil || !failed(r) || p.written[r.ID] {
			continue
		}
		where := r.File
		if where == "" {
			where = p.mod.Path
		}
		line := r.FailLine
		if line == 0 {
			line = r.Line
		}
		fmt.Fprintf(w, `<section class="step %s" id="step-%s">`+"\n", statusClass(r), html.EscapeString(r.ID))
		fmt.Fprintf(w, `<div class="step-head"><span class="step-num">Setup</span><span class="step-title">%s</span><span class="spacer"></span>`,
			html.EscapeString(r.ID))
		fmt.Fprintf(w, `<span class="badge %s">%s %s</span>`, statusClass(r), statusMark(r.Status), html.EscapeString(r.Outcome()))
		fmt.Fprintf(w, `<span class="where">%s:%d</span></div>`+"\n", html.EscapeString(where), line)
		if r.Command != "" {
			fmt.Fprintf(w, `<pre class="failcmd"><code>%s</code></pre>`+"\n", html.EscapeString(r.Command))
		}
		p.writeResult(w, &course.Step{}, r)
		w.WriteString("</section>\n")
	}
	w.Flush()
}

func (p *htmlPage) writeResult(w util.BufWriter, s *course.Step, r *result.Step) {
	if r.Note != "" {
		fmt.Fprintf(w, `<p class="note">%s</p>`+"\n", html.EscapeString(r.Note))
	}
	if failed(r) {
		w.WriteString(`<div class="failure">`)
		if r.Error != "" {
			fmt.Fprintf(w, `<p class="error">%s</p>`, html.EscapeString(r.Error))
		}
		// A negative ExitCode is the runner's "I stopped it" (timeout,
		// waiting for input): the error says why; there is no status to show.
		if r.FailCommand != "" || r.FailLine > 0 || r.ExitCode > 0 {
			w.WriteString(`<p class="failat">Failed`)
			switch {
			case r.FailLine > 0 && r.FailLine >= s.BodyLine && r.FailLine < s.EndLine:
				fmt.Fprintf(w, ` at <a href="#L%d">line %d</a>`, r.FailLine, r.FailLine)
			case r.FailLine > 0:
				// A verify check's line: its comment is not shown, so
				// there is no #L to go to.
				fmt.Fprintf(w, ` at line %d`, r.FailLine)
			}
			if r.ExitCode > 0 {
				fmt.Fprintf(w, `, exit status %d`, r.ExitCode)
			}
			w.WriteString("</p>")
		}
		// The command on its own line, unless the error already quotes it.
		if r.FailCommand != "" && !strings.Contains(r.Error, "`"+r.FailCommand+"`") {
			fmt.Fprintf(w, `<pre class="failcmd"><code>%s</code></pre>`, html.EscapeString(r.FailCommand))
		}
		w.WriteString("</div>\n")
		if r.Diff != "" {
			// The legend says which colour is which: "-want +got" is
			// diff's jargon, not every reader's.
			w.WriteString(`<details class="diff" open><summary>Output differs: ` +
				`<span class="legend dd">− expected, as written</span> <span class="legend di">+ actual</span></summary>`)
			writeDiff(w, r.Diff)
			w.WriteString("</details>\n")
		}
		if r.Verify != "" {
			w.WriteString(`<details class="verify" open><summary>Verify check</summary><pre class="output">`)
			w.WriteString(ansiToHTML(r.Verify))
			w.WriteString("</pre></details>\n")
		}
	}
	for _, e := range r.Edits {
		// An editor step: check wrote the page's content into the file.
		fmt.Fprintf(w, "<p class=\"edited\">%s</p>\n", html.EscapeString(e.String()))
	}
	if len(r.Fakes) > 0 {
		w.WriteString(`<details class="fakes"><summary>Faked commands</summary><ul>`)
		for _, f := range r.Fakes {
			fmt.Fprintf(w, "<li><code>%s</code></li>", html.EscapeString(strings.TrimSpace(f.Command+" "+strings.Join(f.Args, " "))))
		}
		w.WriteString("</ul></details>\n")
	}
	out := strings.TrimRight(r.Output, "\n")
	if out == "" {
		return
	}
	n := strings.Count(out, "\n") + 1
	// A failure's output is open, unless a diff already shows it.
	open := ""
	if failed(r) && r.Diff == "" {
		open = " open"
	}
	noun := "lines"
	if n == 1 {
		noun = "line"
	}
	fmt.Fprintf(w, `<details class="output"%s><summary>Output · %d %s</summary><pre class="output">%s</pre></details>`+"\n",
		open, n, noun, ansiToHTML(out))
}

// writeDiff colours a unified diff by line: removed (expected) lines red,
// added (actual) lines green. Escapes and \r redraws in the actual output
// are dropped: an escape byte in a page is an unreadable box, and a
// colour of the step's own would fight the diff's.
func writeDiff(w util.BufWriter, diff string) {
	w.WriteString(`<pre class="diff"><code>`)
	for i, l := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		if i > 0 {
			w.WriteString("\n")
		}
		if l != "" {
			l = l[:1] + plainOutput(l[1:]) // the +/-/space mark stays
		}
		cls := ""
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "@@"):
			cls = "dh"
		case strings.HasPrefix(l, "+"):
			cls = "di"
		case strings.HasPrefix(l, "-"):
			cls = "dd"
		}
		if cls != "" {
			fmt.Fprintf(w, `<span class="%s">%s</span>`, cls, html.EscapeString(l))
		} else {
			w.WriteString(html.EscapeString(l))
		}
	}
	w.WriteString("</code></pre>")
}

// writeSummary is the report's top: the run's outcome and counts, and one
// link per step coloured by its status, to jump to a failure.
func (p *htmlPage) writeSummary(b *bytes.Buffer) {
	if p.rec == nil {
		fmt.Fprintf(b, `<header class="summary none"><p class="headline">%s · %d steps · not run yet</p></header>`+"\n",
			html.EscapeString(p.mod.Path), p.total())
		return
	}
	passed, failedN, skipped := p.rec.Counts()
	// A hidden step counts only when it failed (runner's Shown), as the
	// chips below list it.
	total := p.total()
	for _, s := range p.mod.Steps {
		if r := p.results[s.ID]; s.Hidden && r != nil && failed(r) {
			total++
		}
	}
	cls, head := "passed", "All steps passed"
	switch {
	case failedN > 0:
		cls, head = "failed", fmt.Sprintf("%d of %d steps failed", failedN, total)
	case p.rec.Interrupted:
		cls, head = "failed", "Run interrupted"
	case passed+skipped < p.total():
		cls, head = "notrun", fmt.Sprintf("%d of %d steps run", passed+skipped, p.total())
	}
	fmt.Fprintf(b, `<header class="summary %s">`+"\n", cls)
	fmt.Fprintf(b, `<p class="headline">%s</p>`+"\n", html.EscapeString(head))
	b.WriteString(`<p class="counts">`)
	fmt.Fprintf(b, `<span class="badge passed">✓ %d passed</span>`, passed)
	fmt.Fprintf(b, `<span class="badge failed%s">✗ %d failed</span>`, map[bool]string{true: "", false: " zero"}[failedN > 0], failedN)
	fmt.Fprintf(b, `<span class="badge skipped">↷ %d skipped</span>`, skipped)
	when := html.EscapeString(p.mod.Path)
	if !p.rec.Started.IsZero() {
		when += " · run " + p.rec.Started.Format("Jan 2, 2006 15:04 MST")
	}
	if d := formatDuration(p.rec.Duration); d != "" {
		when += " · took " + d
	}
	fmt.Fprintf(b, `<span class="when">%s</span></p>`+"\n", when)
	b.WriteString(`<nav class="steps"><ol>`)
	for _, s := range p.mod.Steps {
		r := p.results[s.ID]
		if s.Hidden && (r == nil || !failed(r)) {
			continue
		}
		mark := "·"
		if r != nil {
			mark = statusMark(r.Status)
		}
		label := "setup"
		if !s.Hidden {
			n, _ := p.mod.Number(s)
			label = fmt.Sprint(n)
		}
		fmt.Fprintf(b, `<li><a class="chip %s" href="#step-%s" title="%s">%s %s</a></li>`,
			statusClass(r), html.EscapeString(s.ID), html.EscapeString(s.Title()), mark, label)
	}
	b.WriteString("</ol></nav>\n</header>\n")
}

// IndexEntry is one module of a multi-module report: the page written for
// it (a path relative to the index) and its run.
type IndexEntry struct {
	Href string
	// File is the module's path, for a module without a run (Record nil).
	File   string
	Record *result.Module
}

// Index renders the page that lists the reports of several modules
// (`check --html` on a directory): one row per module with its counts,
// failures first to catch the eye, in the same style as the module pages.
func Index(entries []IndexEntry) []byte {
	var b bytes.Buffer
	total := [3]int{}
	for _, e := range entries {
		if e.Record == nil {
			continue
		}
		p, f, s := e.Record.Counts()
		total[0], total[1], total[2] = total[0]+p, total[1]+f, total[2]+s
	}
	writeHead(&b, fmt.Sprintf("coursectl report: %d modules", len(entries)), pageCSS)
	cls, head := "passed", fmt.Sprintf("All %d modules passed", len(entries))
	failedModules, notRun := 0, 0
	for _, e := range entries {
		if e.Record == nil {
			notRun++
		} else if !e.Record.OK() {
			failedModules++
		}
	}
	switch {
	case failedModules > 0:
		cls, head = "failed", fmt.Sprintf("%d of %d modules failed", failedModules, len(entries))
	case notRun == len(entries):
		// render --html of a course before any run: nothing passed yet.
		cls, head = "none", fmt.Sprintf("%d modules · not run yet", len(entries))
	case notRun > 0:
		cls, head = "notrun", fmt.Sprintf("%d of %d modules run", len(entries)-notRun, len(entries))
	}
	fmt.Fprintf(&b, `<header class="summary %s"><p class="headline">%s</p><p class="counts">`, cls, head)
	fmt.Fprintf(&b, `<span class="badge passed">✓ %d passed</span><span class="badge failed%s">✗ %d failed</span><span class="badge skipped">↷ %d skipped</span>`,
		total[0], map[bool]string{true: "", false: " zero"}[total[1] > 0], total[1], total[2])
	b.WriteString("</p></header>\n<article class=\"prose\"><table class=\"index\">\n<thead><tr><th>Module</th><th>Status</th><th>Passed</th><th>Failed</th><th>Skipped</th><th>Time</th></tr></thead>\n<tbody>\n")
	for _, e := range entries {
		r := e.Record
		if r == nil {
			// Still a row: the index is the way to the module's page.
			fmt.Fprintf(&b, `<tr><td><a href="%s">%s</a></td><td><span class="badge notrun">· not run</span></td><td></td><td></td><td></td><td></td></tr>`+"\n",
				html.EscapeString(e.Href), html.EscapeString(e.File))
			continue
		}
		p, f, s := r.Counts()
		status, word := "passed", "✓ passed"
		if !r.OK() {
			status, word = "failed", "✗ failed"
		}
		fmt.Fprintf(&b, `<tr><td><a href="%s">%s</a></td><td><span class="badge %s">%s</span></td><td>%d</td><td>%d</td><td>%d</td><td>%s</td></tr>`+"\n",
			html.EscapeString(e.Href), html.EscapeString(r.File), status, word, p, f, s, formatDuration(r.Duration))
	}
	b.WriteString("</tbody></table></article>\n<footer>rendered by coursectl</footer>\n</main>\n</body>\n</html>\n")
	return b.Bytes()
}

// total is how many steps the learner sees.
func (p *htmlPage) total() int {
	_, total := p.mod.Number(nil)
	return total
}
