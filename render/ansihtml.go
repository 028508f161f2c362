package render

import (
	"fmt"
	"html"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
)

// sgrState is the text attributes a terminal would be drawing with.
type sgrState struct {
	bold, dim, italic, underline, strike, inverse bool
	fg, bg                                        string // "" default; "c1".."c15" palette class; "#rrggbb"
}

func (s sgrState) zero() bool { return s == sgrState{} }

// span opens an element for s: the 16 palette colours become classes, so
// the page's light and dark CSS choose the actual colour the way a
// terminal theme would; 256-colour and RGB values are inline styles.
func (s sgrState) span() string {
	var cls, style []string
	fg, bg := s.fg, s.bg
	if s.inverse {
		fg, bg = bg, fg
		if fg == "" {
			fg = "bg"
		}
		if bg == "" {
			bg = "fg"
		}
	}
	add := func(prefix, c string) {
		switch {
		case c == "":
		case strings.HasPrefix(c, "#"):
			if prefix == "f" {
				style = append(style, "color:"+c)
			} else {
				style = append(style, "background-color:"+c)
			}
		default:
			cls = append(cls, prefix+c)
		}
	}
	add("f", fg)
	add("b", bg)
	if s.bold {
		cls = append(cls, "a-b")
	}
	if s.dim {
		cls = append(cls, "a-d")
	}
	if s.italic {
		cls = append(cls, "a-i")
	}
	if s.underline {
		cls = append(cls, "a-u")
	}
	if s.strike {
		cls = append(cls, "a-s")
	}
	out := "<span"
	if len(cls) > 0 {
		out += ` class="` + strings.Join(cls, " ") + `"`
	}
	if len(style) > 0 {
		out += ` style="` + strings.Join(style, ";") + `"`
	}
	return out + ">"
}

// ansiToHTML turns a step's captured output into escaped HTML, keeping its
// colours and attributes (SGR) and dropping every other control sequence
// (cursor moves, titles, hyperlinks). A carriage return starts the line
// over, as on screen, so a progress bar shows its last state only.
func ansiToHTML(out string) string {
	var b strings.Builder
	var cur sgrState // attributes carry from line to line, as on a terminal
	for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		line = strings.TrimRight(line, "\r")
		if j := strings.LastIndexByte(line, '\r'); j >= 0 {
			// Keep the attributes set before the redraw, drop the text.
			line = keepSGR(line[:j]) + line[j+1:]
		}
		var h string
		h, cur = lineToHTML(line, cur)
		b.WriteString(h)
	}
	return b.String()
}

// keepSGR returns only the SGR sequences of s.
func keepSGR(s string) string {
	var b strings.Builder
	var state byte
	p := xansi.NewParser()
	for len(s) > 0 {
		seq, _, n, newState := xansi.DecodeSequence(s, state, p)
		if isSGR(seq, p) {
			b.WriteString(seq)
		}
		state, s = newState, s[n:]
	}
	return b.String()
}

func isSGR(seq string, p *xansi.Parser) bool {
	return strings.HasPrefix(seq, "\x1b[") && xansi.Cmd(p.Command()).Final() == 'm' &&
		xansi.Cmd(p.Command()).Prefix() == 0 && xansi.Cmd(p.Command()).Intermediate() == 0
}

// lineToHTML converts one line starting with attributes cur and returns
// those in force at its end. Every span closes at the end of the line, so
// the markup of one line never spans another.
func lineToHTML(line string, cur sgrState) (string, sgrState) {
	var b strings.Builder
	open := false
	var state byte
	p := xansi.NewParser()
	var text strings.Builder
	flush := func() {
		if text.Len() == 0 {
			return
		}
		if !cur.zero() && !open {
			b.WriteString(cur.span())
			open = true
		}
		b.WriteString(html.EscapeString(text.String()))
		text.Reset()
	}
	for len(line) > 0 {
		seq, width, n, newState := xansi.DecodeSequence(line, state, p)
		state, line = newState, line[n:]
		switch {
		case isSGR(seq, p):
			flush()
			next := applySGR(cur, p.Params())
			if next != cur && open {
				b.WriteString("</span>")
				open = false
			}
			cur = next
		case width > 0 || seq == "\t" || seq == " ":
			text.WriteString(seq)
		case len(seq) == 1 && seq[0] >= 0x20 && seq[0] < 0x7f:
			text.WriteString(seq)
		}
	}
	flush()
	if open {
		b.WriteString("</span>")
	}
	return b.String(), cur
}

// applySGR applies the parameters of one SGR sequence.
func applySGR(s sgrState, params xansi.Params) sgrState {
	if len(params) == 0 {
		return sgrState{}
	}
	for i := 0; i < len(params); i++ {
		v := params[i].Param(0)
		switch {
		case v == 0:
			s = sgrState{}
		case v == 1:
			s.bold = true
		case v == 2:
			s.dim = true
		case v == 3:
			s.italic = true
		case v == 4:
			s.underline = true
		case v == 7:
			s.inverse = true
		case v == 9:
			s.strike = true
		case v == 22:
			s.bold, s.dim = false, false
		case v == 23:
			s.italic = false
		case v == 24:
			s.underline = false
		case v == 27:
			s.inverse = false
		case v == 29:
			s.strike = false
		case v >= 30 && v <= 37:
			s.fg = fmt.Sprint(v - 30)
		case v == 39:
			s.fg = ""
		case v >= 40 && v <= 47:
			s.bg = fmt.Sprint(v - 40)
		case v == 49:
			s.bg = ""
		case v >= 90 && v <= 97:
			s.fg = fmt.Sprint(v - 90 + 8)
		case v >= 100 && v <= 107:
			s.bg = fmt.Sprint(v - 100 + 8)
		case v == 38 || v == 48:
			c, used := extendedColour(params[i+1:])
			i += used
			if v == 38 {
				s.fg = c
			} else {
				s.bg = c
			}
		}
	}
	return s
}

// extendedColour reads `5;N` (256 colours) or `2;R;G;B` after 38/48.
func extendedColour(rest xansi.Params) (string, int) {
	if len(rest) == 0 {
		return "", 0
	}
	switch rest[0].Param(0) {
	case 5:
		if len(rest) < 2 {
			return "", len(rest)
		}
		n := rest[1].Param(0)
		if n < 16 {
			return fmt.Sprint(n), 2
		}
		return xterm256(n), 2
	case 2:
		if len(rest) < 4 {
			return "", len(rest)
		}
		return fmt.Sprintf("#%02x%02x%02x", rest[1].Param(0)&255, rest[2].Param(0)&255, rest[3].Param(0)&255), 4
	}
	return "", 1
}

// xterm256 is the RGB value of an xterm colour 16–255.
func xterm256(n int) string {
	if n >= 232 {
		v := 8 + (n-232)*10
		return fmt.Sprintf("#%02x%02x%02x", v, v, v)
	}
	n -= 16
	level := func(c int) int {
		if c == 0 {
			return 0
		}
		return 55 + c*40
	}
	return fmt.Sprintf("#%02x%02x%02x", level(n/36), level(n/6%6), level(n%6))
}
