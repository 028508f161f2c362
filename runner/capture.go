package runner

import (
	"fmt"
	"regexp"
	"strings"
)

// tail keeps the last max bytes written to it, so a step that prints a
// gigabyte costs at most 2×max of memory.
type tail struct {
	max     int
	buf     []byte
	dropped int64
}

func newTail(max int) *tail { return &tail{max: max} }

func (t *tail) Write(b []byte) (int, error) {
	n := len(b)
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
	return head + crlf.ReplaceAllString(string(b), "\n")
}

// crlf: the pty's output post-processing turns \n into \r\n, and a step's
// own \r\n arrives as \r\r\n.
var crlf = regexp.MustCompile(`\r+\n`)
