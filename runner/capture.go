package runner

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/coursectl/coursectl/internal/lazyre"
)

// tail keeps the last max bytes written to it, so a step that prints a
// gigabyte costs at most 2×max of memory.
type tail struct {
	max     int
	buf     []byte
	dropped int64
	// lines counts every line written, kept or not (a last line without
	// its newline included), so a report can say how much the kept tail is
	// the end of: "last 20 of 7438212 lines", not of the tail's 1562.
	lines   int64
	partial bool // the last byte written was not a newline
}

// Lines is how many lines were written in all.
func (t *tail) Lines() int64 {
	if t.partial {
		return t.lines + 1
	}
	return t.lines
}

func newTail(max int) *tail { return &tail{max: max} }

func (t *tail) Write(b []byte) (int, error) {
	n := len(b)
	if n > 0 {
		t.lines += int64(bytes.Count(b, []byte{'\n'}))
		t.partial = b[n-1] != '\n'
	}
	if len(b) >= t.max {
		t.dropped += int64(len(t.buf) + len(b) - t.max)
		t.buf = append(t.buf[:0], b[len(b)-t.max:]...)
		return n, nil
	}
	if len(t.buf)+len(b) > 2*t.max {
		cut := len(t.buf) + len(b) - t.max
		t.dropped += int64(cut)
		t.buf = append(t.buf[:0], t.buf[cut:]...)
	}
	t.buf = append(t.buf, b...)
	return n, nil
}

// String is the kept output with the terminal's \r\n turned back into \n.
func (t *tail) String() string {
	b := t.buf
	var head string
	if len(b) > t.max {
		t.dropped += int64(len(b) - t.max)
		b = b[len(b)-t.max:]
		t.buf = b
	}
	if t.dropped > 0 {
		// Start at a line boundary so the first kept line is whole.
		if i := strings.IndexByte(string(b), '\n'); i >= 0 && i < len(b)-1 {
			t.dropped += int64(i + 1)
			b = b[i+1:]
		}
		head = fmt.Sprintf("[... %d bytes of output not kept ...]\n", t.dropped)
	}
	return head + crlf().ReplaceAllString(string(b), "\n")
}

// crlf: the pty's output post-processing turns \n into \r\n, and a step's
// own \r\n arrives as \r\r\n.
var crlf = lazyre.New(`\r+\n`)

// scriptPaths rewrites, in a step's output stream, what bash says about the
// step file — `/dev/shm/coursectl-run-…/step.sh: line N:`, which it prints
// with a syntax error — into the course's terms: `mod.md: line M:` with M the
// markdown line. A mention split across writes is held back until it is
// whole; flush sends what is left. It notes the first syntax error.
type scriptPaths struct {
	needle  []byte // "PATH: line "
	name    string // what replaces PATH
	mapLine func(n int) int
	out     func([]byte)
	pending []byte

	syntaxErr  string // "syntax error: unexpected end of file"
	syntaxLine int    // its markdown line
}

func (w *scriptPaths) Write(b []byte) {
	data := b
	if len(w.pending) > 0 {
		data = append(w.pending, b...)
		w.pending = nil
	}
	for len(data) > 0 {
		i := bytes.Index(data, w.needle)
		if i < 0 {
			k := partialSuffix(data, w.needle)
			if len(data)-k > 0 {
				w.out(data[:len(data)-k])
			}
			if k > 0 {
				w.pending = append([]byte(nil), data[len(data)-k:]...)
			}
			return
		}
		rest := data[i+len(w.needle):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == len(rest) {
			if j >= 10 {
				w.out(data) // no line number bash would print
				return
			}
			// The number (or the colon after it) is still to come.
			if i > 0 {
				w.out(data[:i])
			}
			w.pending = append([]byte(nil), data[i:]...)
			return
		}
		if j == 0 || rest[j] != ':' {
			w.out(data[:i+len(w.needle)])
			data = rest
			continue
		}
		n, _ := strconv.Atoi(string(rest[:j]))
		m := w.mapLine(n)
		if i > 0 {
			w.out(data[:i])
		}
		w.out([]byte(fmt.Sprintf("%s: line %d", w.name, m)))
		data = rest[j:]
		if w.syntaxErr == "" {
			msg := data[1:]
			if e := bytes.IndexAny(msg, "\r\n"); e >= 0 {
				msg = msg[:e]
			}
			if s := strings.TrimSpace(string(msg)); strings.HasPrefix(s, "syntax error") {
				w.syntaxErr, w.syntaxLine = s, m
			}
		}
	}
}

func (w *scriptPaths) flush() {
	if len(w.pending) > 0 {
		w.out(w.pending)
		w.pending = nil
	}
}

// xtraceLevels turns the marker PS4 the wrapper gives a course's `set -x`
// (`\x1f `, see __cc_pre) back into `+ `, one level less: bash repeats PS4's
// first character per level, and a sourced step is one level deeper than the
// same line typed at a terminal. A run of markers split across writes is
// held back until it ends.
type xtraceLevels struct {
	out     func([]byte)
	pending int // markers at the end of the last write
}

func (x *xtraceLevels) Write(b []byte) {
	if x.pending == 0 && bytes.IndexByte(b, 0x1f) < 0 {
		x.out(b)
		return
	}
	var buf []byte
	n := x.pending
	x.pending = 0
	for _, c := range b {
		if c == 0x1f {
			n++
			continue
		}
		if n > 0 {
			if c == ' ' {
				buf = append(buf, strings.Repeat("+", max(n-1, 1))...)
			} else {
				buf = append(buf, bytes.Repeat([]byte{0x1f}, n)...)
			}
			n = 0
		}
		buf = append(buf, c)
	}
	x.pending = n
	if len(buf) > 0 {
		x.out(buf)
	}
}

func (x *xtraceLevels) flush() {
	if x.pending > 0 {
		x.out(bytes.Repeat([]byte{0x1f}, x.pending))
		x.pending = 0
	}
}
