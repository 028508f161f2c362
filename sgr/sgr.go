// Package sgr colours terminal text with SGR (Select Graphic Rendition)
// escapes, and only when colour is on. The walkthrough, status, the
// terminal renderer and check's report all paint through it, so a passed
// step is the same green, and NO_COLOR the same plain text, everywhere.
package sgr

import (
	"fmt"
	"strings"
)

// Attributes, from the 16-colour palette only: the terminal's theme
// defines those, so they read on a dark background and a light one.
const (
	Bold       = "1"
	Dim        = "2"
	Italic     = "3"
	Underline  = "4"
	CrossedOut = "9"
	Red        = "31"
	Green      = "32"
	Yellow     = "33"
	Blue       = "34"
	Magenta    = "35"
	Cyan       = "36"
	Gray       = "90" // bright black: dim on both backgrounds, still legible
)

// Paint wraps s in the attributes when on is true (--color, NO_COLOR and
// whether the output is a terminal decide it); otherwise, or for an empty
// s, it returns s unchanged.
func Paint(on bool, s string, attrs ...string) string {
	if !on || s == "" || len(attrs) == 0 {
		return s
	}
	return "\x1b[" + strings.Join(attrs, ";") + "m" + s + "\x1b[0m"
}

// Printable shows the control characters in s (C0 but newline and tab,
// DEL, C1) as escapes — `\x1b`, `\x07`, `\u009b` — so that text from a
// document or a step (a heading, a step name, a command) is shown and
// never acts on the terminal: `ESC ] 0 ; … BEL` would retitle it, OSC 52
// would write the clipboard, and an SGR would colour what follows. The
// colours Paint adds are not touched: apply Printable to the text first.
func Printable(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0)
}
