package render

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// imageAttrs is a goldmark AST transformer for the attribute block Pandoc
// lessons put after an image, `![](fig/tree.svg){alt='The file system...'}`
// (every figure of a Carpentries lesson has one; docs/real-docs.md). To
// CommonMark the block is text after the image: shown as written, with an
// empty alt. The transformer gives the image its alt text when it has none
// and takes the block out of the text, so the terminal and the page both
// read "Image: The file system…" and an <img> has its alt.
type imageAttrs struct{}

func (imageAttrs) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var images []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			images = append(images, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		takeAttrs(img, src)
	}
	dropKramdownIALs(doc, src)
}

// dropKramdownIALs removes kramdown's attribute lists, the `{: .class }`
// line that Jekyll sites (docs.docker.com, GitHub Pages) put under a
// paragraph or an image to style it: to CommonMark it is the paragraph's
// last line of text, shown as written.
func dropKramdownIALs(doc *ast.Document, src []byte) {
	var paras []ast.Node // paragraphs, and a tight list item's text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			if entering {
				paras = append(paras, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, p := range paras {
		lines := p.Lines()
		if lines.Len() == 0 {
			continue
		}
		last := lines.At(lines.Len() - 1)
		if !isKramdownIAL(src[last.Start:last.Stop]) {
			continue
		}
		if lines.Len() == 1 {
			p.Parent().RemoveChild(p.Parent(), p)
			continue
		}
		// The line's inlines are text (linkify splits it at the colon).
		var drop []ast.Node
		for c := p.LastChild(); c != nil; c = c.PreviousSibling() {
			t, ok := c.(*ast.Text)
			if !ok || t.Segment.Start < last.Start {
				break
			}
			drop = append(drop, c)
		}
		for _, c := range drop {
			p.RemoveChild(p, c)
		}
		if t, ok := p.LastChild().(*ast.Text); ok {
			t.SetSoftLineBreak(false)
		}
	}
}

// isKramdownIAL is a line `{: ... }`.
func isKramdownIAL(line []byte) bool {
	v := strings.TrimSpace(string(line))
	return strings.HasPrefix(v, "{:") && strings.HasSuffix(v, "}") && !strings.Contains(v[1:len(v)-1], "}")
}

// takeAttrs removes the attribute block in the text nodes after img, and
// gives img its alt attribute when its own text is empty.
func takeAttrs(img *ast.Image, src []byte) {
	first, ok := img.NextSibling().(*ast.Text)
	if !ok || !strings.HasPrefix(string(first.Value(src)), "{") {
		return
	}
	var block strings.Builder
	var used []*ast.Text
	for c := ast.Node(first); c != nil; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			return // no `}` before other markup: not an attribute block
		}
		v := string(t.Value(src))
		end := strings.IndexByte(v, '}')
		if end < 0 {
			block.WriteString(v + " ")
			used = append(used, t)
			continue
		}
		block.WriteString(v[:end+1])
		for _, u := range used {
			u.Parent().RemoveChild(u.Parent(), u)
		}
		// What follows the block on its line stays, with the line's break.
		t.Segment = t.Segment.WithStart(t.Segment.Start + end + 1)
		if alt := attrValue(block.String(), "alt"); alt != "" && !hasText(img, src) {
			img.RemoveChildren(img)
			img.AppendChild(img, ast.NewString([]byte(alt)))
		}
		return
	}
}

// hasText says whether n holds any text that is not blank.
func hasText(n ast.Node, src []byte) bool {
	found := false
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		switch c := c.(type) {
		case *ast.Text:
			found = found || strings.TrimSpace(string(c.Value(src))) != ""
		case *ast.String:
			found = found || strings.TrimSpace(string(c.Value)) != ""
		}
		return ast.WalkContinue, nil
	})
	return found
}

// attrValue is the quoted value of name in an attribute block
// (`{#id .class alt='…' width="50%"}`), "" when it has none.
func attrValue(block, name string) string {
	for i := 0; ; {
		j := strings.Index(block[i:], name+"=")
		if j < 0 {
			return ""
		}
		at := i + j
		i = at + len(name) + 1
		if at > 0 && !strings.ContainsRune(" \t{", rune(block[at-1])) {
			continue
		}
		if i >= len(block) || block[i] != '\'' && block[i] != '"' {
			continue
		}
		q := block[i]
		if k := strings.IndexByte(block[i+1:], q); k >= 0 {
			return strings.Join(strings.Fields(resolveText([]byte(block[i+1:i+1+k]))), " ")
		}
		return ""
	}
}
