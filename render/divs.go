package render

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/internal/mdpara"
)

// Fenced divs (`::: challenge` … `:::`, Pandoc's, as every Carpentries
// lesson writes its callouts, challenges and solutions) are not CommonMark:
// goldmark reads a fence line as a line of a paragraph, and a reader saw
// `:::::::::::::::::::::::::::::::::::::: callout` in the prose. The
// renderers show a div's opening fence as its name (a label in the
// terminal, a <div> with a heading on the page) and its closing fence as
// nothing (docs/render.md).

var kindDivFence = ast.NewNodeKind("DivFence")

// divFence is one fence line: Class is what it opens, "" when it closes.
type divFence struct {
	ast.BaseBlock
	Class string
}

func (n *divFence) Kind() ast.NodeKind { return kindDivFence }
func (n *divFence) IsRaw() bool        { return true }
func (n *divFence) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Class": n.Class}, nil)
}

// divFences is a paragraph transformer: it takes the fence lines out of a
// paragraph as divFence blocks, the lines between them staying paragraphs
// of their own (a fence needs no blank line around it), before the inline
// parse.
type divFences struct{}

// divFencesOption runs after goldmark's link reference definitions and
// the table's transformer, neither of which a fence line can be part of.
var divFencesOption = parser.WithParagraphTransformers(util.Prioritized(divFences{}, 1000))

func (divFences) Transform(node *ast.Paragraph, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	lines := node.Lines()
	found := false
	for i := 0; i < lines.Len() && !found; i++ {
		seg := lines.At(i)
		_, found = course.DivFence(src[seg.Start:seg.Stop])
	}
	if !found {
		return
	}
	// goldmark asks again when a setext underline follows (the lines
	// become a heading's) and reads a paragraph taken away as none: that
	// rare heading keeps its fence as text.
	if next, _ := reader.PeekLine(); mdpara.SetextUnderline(next) {
		return
	}
	parent, last := node.Parent(), ast.Node(node)
	emit := func(n ast.Node) {
		parent.InsertAfter(parent, last, n)
		last = n
	}
	run := text.NewSegments()
	flush := func() {
		if run.Len() == 0 {
			return
		}
		mdpara.Close(run, src) // what the paragraph's own Close would do
		p := ast.NewParagraph()
		p.SetLines(run)
		emit(p)
		run = text.NewSegments()
	}
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		class, ok := course.DivFence(src[seg.Start:seg.Stop])
		if !ok {
			run.Append(seg)
			continue
		}
		flush()
		if parent != node.Parent() {
			// Already moved out of the list.
		} else if top := lazyInList(node, seg, src); top != nil {
			// `- item` then a fence on the next line: CommonMark reads
			// the fence as the item's lazy continuation, Pandoc (and the
			// lesson) as the end of the div the list is in. What follows
			// goes after the list.
			parent, last = top.Parent(), top
		}
		emit(&divFence{Class: class})
	}
	flush()
	node.Parent().RemoveChild(node.Parent(), node)
}

// lazyInList is the outermost list around paragraph p when its line seg is
// a lazy continuation line (written left of the list item's content), nil
// when p is not in a list or the line is indented into it.
func lazyInList(p ast.Node, seg text.Segment, src []byte) ast.Node {
	item, ok := p.Parent().(*ast.ListItem)
	if !ok {
		return nil
	}
	col := seg.Start - (bytes.LastIndexByte(src[:seg.Start], '\n') + 1)
	if seg.Padding > 0 || col >= item.Offset {
		return nil
	}
	var top ast.Node
	for n := p.Parent(); n != nil; n = n.Parent() {
		switch n.(type) {
		case *ast.List:
			top = n
		case *ast.ListItem:
		default:
			return top
		}
	}
	return top
}

// divTitle is the name a div is shown under: its class with a capital
// (`keypoints` reads "Keypoints", `instructor` "Instructor").
func divTitle(class string) string {
	r, size := utf8.DecodeRuneInString(class)
	return string(unicode.ToUpper(r)) + strings.ReplaceAll(class[size:], "-", " ")
}

// divEnd is the fence that closes the div f opens, among f's siblings (a
// nested div's fences are counted out); nil when it does not close there.
func divEnd(f *divFence) ast.Node {
	depth := 0
	for c := f.NextSibling(); c != nil; c = c.NextSibling() {
		d, ok := c.(*divFence)
		switch {
		case !ok:
		case d.Class != "":
			depth++
		case depth == 0:
			return d
		default:
			depth--
		}
	}
	return nil
}

// divCloses says whether the div f opens ends among f's siblings.
func divCloses(f *divFence) bool { return divEnd(f) != nil }
