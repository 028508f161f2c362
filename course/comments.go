package course

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"go.yaml.in/yaml/v3"
)

// commentKind says what an HTML comment means to coursectl.
type commentKind int

const (
	notOurs     commentKind = iota
	annotation              // <!-- coursectl: k=v --> or a YAML body, or mdrip's <!-- @label -->
	setupBlock              // <!-- coursectl:setup ... -->
	verifyBlock             // <!-- coursectl:verify ... -->
)

// comment is an HTML comment block split into its lines.
type comment struct {
	kind  commentKind
	line  int        // line of the <!--
	end   int        // line of the -->
	first string     // text after the keyword on the opening line
	body  []bodyLine // lines after the opening one, up to the -->
	mdrip bool
}

// readComment reads an HTML block that is one comment and nothing else.
func (p *parser) readComment(n *ast.HTMLBlock) *comment {
	if n.HTMLBlockType != ast.HTMLBlockType2 {
		return nil
	}
	lines := p.segLines(n.Lines())
	if n.HasClosure() {
		cl := n.ClosureLine
		v := strings.TrimRight(string(cl.Value(p.src)), "\r\n")
		lines = append(lines, bodyLine{text: strings.ReplaceAll(v, "\r", ""), line: p.lineOf(cl.Start)})
	}
	if len(lines) == 0 {
		return nil
	}
	head := strings.TrimSpace(lines[0].text)
	if !strings.HasPrefix(head, "<!--") {
		return nil
	}
	head = strings.TrimSpace(strings.TrimPrefix(head, "<!--"))
	c := &comment{line: lines[0].line, end: lines[len(lines)-1].line}
	// Cut the closing --> (on the first line or a later one).
	lastIdx := len(lines) - 1
	if lastIdx == 0 {
		i := strings.Index(head, "-->")
		if i < 0 {
			return nil
		}
		if strings.TrimSpace(head[i+3:]) != "" {
			return nil // more HTML after the comment: not an annotation
		}
		head = strings.TrimSpace(head[:i])
	} else {
		t := lines[lastIdx].text
		i := strings.Index(t, "-->")
		if i < 0 {
			return nil
		}
		body := lines[1:lastIdx]
		if pre := strings.TrimRight(t[:i], " \t"); strings.TrimSpace(pre) != "" {
			body = append(body, bodyLine{text: pre, line: lines[lastIdx].line})
		}
		c.body = body
	}
	switch {
	case strings.HasPrefix(head, "coursectl:setup"):
		c.kind, c.first = setupBlock, strings.TrimSpace(strings.TrimPrefix(head, "coursectl:setup"))
	case strings.HasPrefix(head, "coursectl:verify"):
		c.kind, c.first = verifyBlock, strings.TrimSpace(strings.TrimPrefix(head, "coursectl:verify"))
	case head == "coursectl" || strings.HasPrefix(head, "coursectl:") || strings.HasPrefix(head, "coursectl "):
		c.kind = annotation
		c.first = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(head, "coursectl"), ":"))
	case strings.HasPrefix(head, "@") && len(c.body) == 0:
		c.kind, c.mdrip, c.first = annotation, true, head
	default:
		return nil
	}
	return c
}

// annotations applies the annotation comments right before fence n
// (blank lines between are fine: they are not nodes), earliest first.
func (p *parser) annotations(n ast.Node, a *Attrs) {
	var found []*comment
	var nodes []ast.Node
	for prev := n.PreviousSibling(); prev != nil; prev = prev.PreviousSibling() {
		h, ok := prev.(*ast.HTMLBlock)
		if !ok {
			break
		}
		c := p.readComment(h)
		if c == nil || c.kind != annotation {
			break
		}
		found = append(found, c)
		nodes = append(nodes, h)
	}
	for i := len(found) - 1; i >= 0; i-- {
		p.used[nodes[i]] = true
		p.applyComment(found[i], a)
	}
}

func (p *parser) applyComment(c *comment, a *Attrs) {
	if c.mdrip {
		// mdrip: <!-- @label @skip -->; the first label that is not a
		// flag coursectl knows is the step's name.
		named := false
		for _, f := range strings.Fields(c.first) {
			label := strings.TrimPrefix(f, "@")
			switch label {
			case "skip", "interactive", "background":
				_ = setAttr(a, label, "", c.line)
			default:
				if !named && label != "" {
					_ = setAttr(a, "name", label, c.line)
					named = true
				}
			}
		}
		return
	}
	if c.first != "" {
		p.m.Problems = append(p.m.Problems, parseAttrText(a, c.first, c.line)...)
	}
	if len(c.body) == 0 {
		return
	}
	var sb strings.Builder
	for _, l := range c.body {
		sb.WriteString(l.text)
		sb.WriteByte('\n')
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(sb.String()), &m); err != nil {
		p.problem(c.line, ProblemBadAttr, "coursectl comment: %v — fix the YAML (key: value lines, see docs/authoring.md)", err)
		return
	}
	p.m.Problems = append(p.m.Problems, setAttrMap(a, m, c.line)...)
}

// html handles the hidden setup and verify comments.
func (p *parser) html(n *ast.HTMLBlock) {
	c := p.readComment(n)
	if c != nil && c.kind == annotation {
		p.notes = append(p.notes, n)
	}
	if c == nil || (c.kind != setupBlock && c.kind != verifyBlock) {
		return
	}
	lines := c.body
	if c.first != "" {
		lines = append([]bodyLine{{text: c.first, line: c.line}}, lines...)
	}
	h := &Hidden{Line: c.line, Body: joinBody(lines)}
	if isPrompted(lines) {
		h.Commands = promptedCommands(lines, false)
	} else {
		h.Commands = plainCommands(lines)
	}
	if c.kind == verifyBlock {
		if p.prev == nil {
			p.problem(c.line, ProblemStrayComment, "coursectl:verify comes before any step — put it after the step it checks")
			return
		}
		p.prev.Verify = append(p.prev.Verify, h)
		return
	}
	st := &Step{
		Line: c.line, EndLine: c.end, Kind: Setup, Lang: "sh",
		Heading: p.headingPath(), Body: h.Body, BodyLine: c.line + 1,
		Commands: h.Commands, Hidden: true,
	}
	if len(lines) > 0 {
		st.BodyLine = lines[0].line
	}
	p.addStep(st, "")
}

// unusedAnnotations reports annotation comments with no fence after them.
func (p *parser) unusedAnnotations() {
	for _, n := range p.notes {
		if !p.used[n] {
			p.problem(p.lineOf(n.Lines().At(0).Start), ProblemStrayComment, "coursectl annotation is not followed by a code block — move it right above the fence it is for")
		}
	}
}
