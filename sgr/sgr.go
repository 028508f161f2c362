// Package sgr colours terminal text with SGR (Select Graphic Rendition)
// escapes, and only when colour is on. The walkthrough, status, the
// terminal renderer and check's report all paint through it, so a passed
// step is the same green, and NO_COLOR the same plain text, everywhere.
package sgr

import "strings"

// Attributes, from the 16-colour palette only: the terminal's theme
// defines those, so they read on a dark background and a light one.
const (
	Bold    = "1"
	Dim     = "2"
	Red     = "31"
	Green   = "32"
	Yellow  = "33"
	Magenta = "35"
	Cyan    = "36"
	Gray    = "90" // bright black: dim on both backgrounds, still legible
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
