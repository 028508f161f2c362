package lint

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Mojibake is UTF-8 text that was once decoded as Windows-1252 and saved
// again: "—" (E2 80 94) comes back as "â€”", "📋" as "ðŸ“‹". Each such
// character is a run of characters that all have a cp1252 byte; turning the
// run back into those bytes gives valid multi-byte UTF-8.

// cp1252High maps the characters cp1252 puts at 0x80–0x9F to their byte.
// The five bytes cp1252 leaves undefined come through as the C1 control of
// the same number (what Windows' decoder does), so they map to themselves.
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'\u2018': 0x91, '\u2019': 0x92, '\u201C': 0x93, '\u201D': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
	0x81: 0x81, 0x8D: 0x8D, 0x8F: 0x8F, 0x90: 0x90, 0x9D: 0x9D,
}

// cp1252Byte is the byte r came from if it is a cp1252 character above
// ASCII (mojibake is made only of those).
func cp1252Byte(r rune) (byte, bool) {
	switch {
	case r < 0x80 || r > '™': // '™' (U+2122) is the table's highest
		return 0, false
	case r >= 0xA0 && r <= 0xFF:
		return byte(r), true
	}
	b, ok := cp1252High[r]
	return b, ok
}

// MojibakeFix is one repaired run on a line.
type MojibakeFix struct {
	Line     int
	Bad, Fix string
}

// FixMojibake returns src with every mojibake run turned back into the
// UTF-8 it was, and the runs it changed. Text that is not mojibake (a
// lone "é", "Ñ" followed by ASCII) is left alone: only runs that decode to
// a whole multi-byte character change. With nothing to change it returns
// src itself.
func FixMojibake(src []byte) ([]byte, []MojibakeFix) {
	var out []byte // src up to copied, fixed; nil until the first fix
	copied := 0
	var fixes []MojibakeFix
	line := 1
	i := 0
	for i < len(src) {
		// Most of a page is ASCII, which is never part of a run.
		if c := src[i]; c < utf8.RuneSelf {
			if c == '\n' {
				line++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if _, ok := cp1252Byte(r); !ok {
			i += size
			continue
		}
		// A run of cp1252-high characters: collect their bytes.
		start := i
		var raw []byte
		var runes []rune
		for i < len(src) {
			r, size := utf8.DecodeRune(src[i:])
			b, ok := cp1252Byte(r)
			if !ok {
				break
			}
			raw = append(raw, b)
			runes = append(runes, r)
			i += size
		}
		if fixed, changed := decodeRun(raw, runes); changed {
			fixed = fixAgain(fixed)
			fixes = append(fixes, MojibakeFix{Line: line, Bad: string(src[start:i]), Fix: fixed})
			out = append(append(out, src[copied:start]...), fixed...)
			copied = i
		}
	}
	if fixes == nil {
		return src, nil
	}
	return append(out, src[copied:]...), fixes
}

// fixAgain repairs text decoded twice ("é" saved as "ÃƒÂ©"): a run's
// repair that is mojibake itself is repaired again, so one --fix leaves
// none behind. Each round shortens the text, so it ends.
func fixAgain(fixed string) string {
	for {
		again, fixes := FixMojibake([]byte(fixed))
		if fixes == nil {
			return fixed
		}
		fixed = string(again)
	}
}

// decodeRun turns the cp1252 bytes of a run back into UTF-8 where they
// form whole multi-byte characters, keeping the other characters as they
// were.
func decodeRun(raw []byte, runes []rune) (string, bool) {
	var b strings.Builder
	changed := false
	for j := 0; j < len(raw); {
		r, size := utf8.DecodeRune(raw[j:])
		if size >= 2 && r != utf8.RuneError {
			b.WriteRune(r)
			changed = true
			j += size
			continue
		}
		b.WriteRune(runes[j])
		j++
	}
	return b.String(), changed
}

func (l *linter) mojibake() {
	_, fixes := FixMojibake(l.m.Source)
	byLine := map[int][]MojibakeFix{}
	var lines []int
	for _, f := range fixes {
		if len(byLine[f.Line]) == 0 {
			lines = append(lines, f.Line)
		}
		byLine[f.Line] = append(byLine[f.Line], f)
	}
	for _, n := range lines {
		fs := byLine[n]
		f := fs[0]
		msg := fmt.Sprintf("mojibake %q should read %q (UTF-8 read as Windows-1252)", f.Bad, f.Fix)
		if len(fs) > 1 {
			msg += fmt.Sprintf(", and %d more on this line", len(fs)-1)
		}
		l.out = append(l.out, Finding{File: l.m.Path, Line: n, Severity: Error, Check: CheckMojibake,
			Message: msg, Hint: "run coursectl lint --fix to repair it", Fixable: true})
	}
}
