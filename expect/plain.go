package expect

import "strings"

// OutputLines turns raw terminal output into the lines a reader sees:
// ANSI escapes removed, `\r` applied as a terminal would (a progress bar
// leaves only its last state), backspaces applied, trailing blanks of each
// line and trailing empty lines dropped.
func OutputLines(raw string) []string {
	var p Plain
	p.WriteString(raw)
	text := p.String()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(overstrike(l), " \t")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// overstrike applies `\r` (back to column 0, later text overwrites) and
// `\b` (one column back) within one line.
func overstrike(line string) string {
	if !strings.ContainsAny(line, "\r\b") {
		return line
	}
	var cells []rune
	col := 0
	for _, r := range line {
		switch r {
		case '\r':
			col = 0
		case '\b':
			if col > 0 {
				col--
			}
		default:
			if col < len(cells) {
				cells[col] = r
			} else {
				cells = append(cells, r)
			}
			col++
		}
	}
	return string(cells)
}

// Plain strips terminal escape sequences from a stream that may split
// a sequence across writes. It keeps printable text, `\n`, `\t`, `\r` and
// `\b` (the last two are applied per line by overstrike).
type Plain struct {
	out   strings.Builder
	state int
}

const (
	stText      = iota
	stEsc       // after ESC
	stCSI       // ESC [ ... final byte
	stString    // OSC/DCS/SOS/PM/APC body, until BEL or ESC \
	stStringEsc // ESC inside a string: maybe the ST terminator
	stEscInter  // ESC followed by intermediate bytes, until a final byte
)

func (p *Plain) WriteString(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch p.state {
		case stText:
			switch {
			case c == 0x1b:
				p.state = stEsc
			case c == '\n' || c == '\t' || c == '\r' || c == '\b':
				p.out.WriteByte(c)
			case c < 0x20 || c == 0x7f:
				// other controls (BEL, SI/SO...) draw nothing
			default:
				p.out.WriteByte(c)
			}
		case stEsc:
			switch {
			case c == '[':
				p.state = stCSI
			case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
				p.state = stString
			case c >= 0x20 && c <= 0x2f:
				p.state = stEscInter
			default:
				p.state = stText // a two-byte sequence (ESC 7, ESC =, ESC M...)
			}
		case stCSI:
			if c >= 0x40 && c <= 0x7e {
				p.state = stText
			}
		case stString:
			switch c {
			case 0x07:
				p.state = stText
			case 0x1b:
				p.state = stStringEsc
			}
		case stStringEsc:
			if c == '\\' {
				p.state = stText
			} else {
				p.state = stString
			}
		case stEscInter:
			if c >= 0x30 && c <= 0x7e {
				p.state = stText
			}
		}
	}
}

func (p *Plain) String() string { return p.out.String() }

// Take returns the text written since the last take and forgets it.
func (p *Plain) Take() string {
	s := p.out.String()
	p.out.Reset()
	return s
}
