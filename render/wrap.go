package render

import (
	"strings"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/coursectl/coursectl/sgr"
)

// How text fits the terminal's width (docs/render.md, "Wrapping"): prose
// wraps at words and never inside a URL; a step's commands wrap inside the
// frame, each continuation marked; messages wrap at words.

// continuation starts each further line of a command wrapped inside the
// frame: it cannot be mistaken for part of the command, and says the line
// goes on (the walkthrough's c copies the command whole).
const continuation = "↪ "

// wrapCode cuts one highlighted code line into lines of at most room
// columns, the later ones room minus the continuation mark: at the last
// blank that fits, else (a long URL, a long word) at the room's end. The
// colours carry across the cut.
func wrapCode(line string, room int) []string {
	plain := []rune(xansi.Strip(line))
	if xansi.StringWidth(string(plain)) <= room || room < 10 {
		return []string{line}
	}
	markWidth := xansi.StringWidth(continuation)
	var out []string
	start, col := 0, 0 // start: index into plain; col: its column
	for first := true; start < len(plain); first = false {
		limit := room
		if !first {
			limit = room - markWidth
		}
		// The runes from start that fit in limit columns.
		end, w := start, 0
		for end < len(plain) {
			rw := xansi.StringWidth(string(plain[end]))
			if w+rw > limit {
				break
			}
			w += rw
			end++
		}
		if end < len(plain) {
			// Break after the last blank that leaves something on this
			// line, when the word after it fits the next line; a word too
			// long for any line (a URL) is cut where the room ends, so no
			// line is left short for nothing.
			for k := end; k > start+1; k-- {
				if plain[k-1] != ' ' {
					continue
				}
				next := k
				for next < len(plain) && plain[next] != ' ' {
					next++
				}
				if xansi.StringWidth(string(plain[k:next])) <= room-markWidth {
					end = k
				}
				break
			}
			end = softCut(plain, start, end)
		}
		width := xansi.StringWidth(string(plain[start:end]))
		piece := xansi.Cut(line, col, col+width)
		if !first {
			piece = sgr.Paint(strings.Contains(line, "\x1b["), continuation, sgr.Gray) + piece
		}
		out = append(out, strings.TrimRight(piece, " "))
		col += width
		start = end
	}
	return out
}

// softCut moves a cut inside a long word (a URL, a path) back to just
// after a separator near the room's end, so the pieces read as a URL's
// parts ("…/download/" and "v2.5.0/…") rather than halves of a name. A cut
// already after a blank stays.
func softCut(plain []rune, start, end int) int {
	if end <= start || plain[end-1] == ' ' {
		return end
	}
	for k, seen := end, 0; k > start+1 && seen < 16; k, seen = k-1, seen+1 {
		if strings.ContainsRune("/-_.=&?:,", plain[k-1]) {
			return k
		}
	}
	return end
}

// wrapWords wraps plain text at blanks to width columns, every line after
// the first indented by indent; a word longer than the room (a path, a
// URL) stays whole on its own line. (ansi.Wordwrap would also break at
// every hyphen, inside URLs too.)
func wrapWords(s string, width int, indent string) string {
	room := width - xansi.StringWidth(indent)
	if room < 20 || xansi.StringWidth(s) <= room {
		return s
	}
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(s) {
		w := xansi.StringWidth(word)
		switch {
		case col == 0:
		case col+1+w > room:
			b.WriteString("\n" + indent)
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += w
	}
	return b.String()
}

// WrapMessage wraps a message (a step's error) for a terminal of width
// columns at words, each line after the first indented by indent, as the
// walkthrough prints a failure under the frame. Control characters from
// the markdown or the output are shown, never sent (sgr.Printable).
func WrapMessage(s string, width int, indent string) string {
	return wrapWords(sgr.Printable(s), width, indent)
}
