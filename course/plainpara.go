package course

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	gmparser "github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/coursectl/coursectl/internal/mdpara"
)

// A module's prose is read for three things: its headings' text, the
// fenced-div markers in its paragraphs' lines, and its links (for lint).
// A paragraph with no '[' holds no link, so its inline content — most of
// goldmark's work on a page of prose — is never looked at. plainParagraphs
// swaps such a paragraph, as goldmark closes it, for a plainParagraph,
// whose content goldmark leaves unparsed (IsRaw). It has the paragraph's
// lines. Renderers parse the page themselves and never see one.
var kindPlainParagraph = ast.NewNodeKind("PlainParagraph")

type plainParagraph struct{ ast.BaseBlock }

func (n *plainParagraph) Kind() ast.NodeKind { return kindPlainParagraph }
func (n *plainParagraph) IsRaw() bool        { return true }
func (n *plainParagraph) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, nil, nil)
}

type plainParagraphs struct{}

// plainParagraphPriority runs it after goldmark's own transformers (link
// reference definitions, 100) and the table's (200): a paragraph they turn
// into something else never reaches it.
const plainParagraphPriority = 1000

func (plainParagraphs) Transform(node *ast.Paragraph, reader text.Reader, pc gmparser.Context) {
	src := reader.Source()
	lines := node.Lines()
	if lines.Len() == 0 {
		return
	}
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if bytes.IndexByte(src[seg.Start:seg.Stop], '[') >= 0 {
			return
		}
	}
	// goldmark asks here too when a setext underline follows the
	// paragraph (it becomes the heading's text), and reads a paragraph
	// transformed away as "no heading": leave that one be.
	if line, _ := reader.PeekLine(); mdpara.SetextUnderline(line) {
		return
	}
	// What the paragraph's Close would do, which goldmark skips for a
	// paragraph replaced.
	mdpara.Close(lines, src)
	plain := &plainParagraph{}
	plain.SetLines(lines)
	plain.SetBlankPreviousLines(node.HasBlankPreviousLines())
	node.Parent().ReplaceChild(node.Parent(), node, plain)
}
