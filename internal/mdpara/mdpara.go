// Package mdpara holds what goldmark paragraph transformers need when they
// replace a paragraph: goldmark then skips the paragraph's own Close, and
// asks again when a setext underline follows it. course (link-free
// paragraphs left unparsed) and render (div fences taken out) both do.
package mdpara

import (
	"bytes"

	"github.com/yuin/goldmark/text"
)

// SetextUnderline says whether line is a setext heading's underline: only
// '=' or only '-', blanks around. goldmark reads a paragraph transformed
// away before one as "no heading", so a transformer leaves that paragraph be.
func SetextUnderline(line []byte) bool {
	t := bytes.TrimSpace(line)
	if len(t) == 0 || t[0] != '=' && t[0] != '-' {
		return false
	}
	return len(bytes.Trim(t, string(t[0]))) == 0
}

// Close trims lines as a paragraph's Close does: no blanks before each
// line, none after the last.
func Close(lines *text.Segments, src []byte) {
	if lines.Len() == 0 {
		return
	}
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		lines.Set(i, seg.TrimLeftSpace(src))
	}
	last := lines.At(lines.Len() - 1)
	lines.Set(lines.Len()-1, last.TrimRightSpace(src))
}
