package runner

// A step's output is judged on the tail the run keeps while it runs
// (outputCap), but a result keeps less (keptCap): a check of 1,500 steps
// that each print 70 KB held every tail until the end and wrote them all
// into the run record (683 MB resident, a 99 MB record). What a step prints
// beyond keptCap is not lost: the whole output (up to spillMax) goes to a
// file in the state directory, STATE/modules/M/[sandbox-]output/NNNNN.log,
// named in the result (StepResult.OutputFile) and by the reports.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/internal/lazyre"
	"github.com/coursectl/coursectl/result"
)

const (
	// keptCap is how much of a step's output its result keeps.
	keptCap = 16 << 10
	// spillMax caps a step's output file: a step that prints a gigabyte
	// does not fill the disk; the file says where it stopped.
	spillMax = 64 << 20
)

// spill collects a step's output in memory up to keptCap and, past it,
// writes everything (what was held first) to a file.
type spill struct {
	path    string
	head    []byte // the output while it is under keptCap
	f       *os.File
	w       *bufio.Writer
	written int64
	cut     bool // spillMax reached
	err     error
	crs     int // carriage returns at the end of the last write, held back
}

func newSpill(path string) *spill { return &spill{path: path} }

// Write takes the next bytes of the step's output. Errors are kept for
// close: output must keep flowing to the terminal and the tail.
func (s *spill) Write(b []byte) {
	if s == nil || s.err != nil || s.cut {
		return
	}
	if s.f == nil {
		if len(s.head)+len(b) <= keptCap {
			s.head = append(s.head, b...)
			return
		}
		if s.err = os.MkdirAll(filepath.Dir(s.path), 0o755); s.err != nil {
			return
		}
		if s.f, s.err = os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); s.err != nil {
			return
		}
		s.w = bufio.NewWriterSize(s.f, 64<<10)
		s.put(s.head)
		s.head = nil
	}
	s.put(b)
}

func (s *spill) put(b []byte) {
	b = s.lineEnds(b)
	if room := spillMax - s.written; int64(len(b)) > room {
		b, s.cut = b[:room], true
	}
	n, err := s.w.Write(b)
	s.written += int64(n)
	if err != nil {
		s.err = err
		return
	}
	if s.cut {
		_, s.err = fmt.Fprintf(s.w, "\n[... coursectl kept the first %d MiB of this output in this file; the end is in the report ...]\n", spillMax>>20)
	}
}

// lineEnds turns the terminal's \r\n (and a step's own \r\r\n) into
// \n, as the kept tail does; \r's at the end of b wait for the next write.
func (s *spill) lineEnds(b []byte) []byte {
	out := make([]byte, 0, len(b)+s.crs)
	for _, c := range b {
		switch {
		case c == '\r':
			s.crs++
			continue
		case c != '\n':
			for ; s.crs > 0; s.crs-- {
				out = append(out, '\r')
			}
		}
		s.crs = 0
		out = append(out, c)
	}
	return out
}

// close ends the file and returns its path, "" when the output fitted in
// keptCap (no file) or the file could not be written (err).
func (s *spill) close() (string, error) {
	if s == nil || s.f == nil {
		return "", nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if s.err != nil {
		err = s.err
	}
	s.f = nil
	if err != nil {
		os.Remove(s.path)
		return "", err
	}
	return s.path, nil
}

// outputPath is where step i's (0-based) output file goes in this run's
// namespace (check's sandboxed runs and the learner's are kept apart, as
// their checkpoints are).
func (s *Session) outputPath(i int) string {
	dir := "output"
	if s.opts.Sandbox {
		dir = "sandbox-output"
	}
	return filepath.Join(s.store.dir, dir, fmt.Sprintf("%05d.log", i+1))
}

// startSpill begins the output file of step i, dropping what an earlier
// run of the step left: a result names only a file of its own run.
func (s *Session) startSpill(i int) {
	path := s.outputPath(i)
	_ = os.Remove(path)
	s.spill = newSpill(path)
}

// keepOutput ends the step's output file and cuts the result's output to
// keptCap, once the step has been judged on the longer tail.
func (s *Session) keepOutput(step *course.Step, r *result.Step) {
	path, err := s.spill.close()
	s.spill = nil
	if err != nil {
		s.warn(fmt.Sprintf("%s:%d: step %s: its full output was not saved: %v", s.mod.Path, step.Line, step.ID, err))
	}
	r.OutputFile = path
	r.Output = cutOutput(r.Output, keptCap)
}

// notKept is the line a cut output starts with (see tail.String).
var notKept = lazyre.New(`^\[\.\.\. (\d+) bytes of output not kept \.\.\.\]\n`)

// cutOutput keeps the last max bytes of out, from a line start, saying how
// much went before — counting what an earlier cut already dropped.
func cutOutput(out string, max int) string {
	if len(out) <= max {
		return out
	}
	var dropped int64
	if m := notKept().FindStringSubmatch(out); m != nil {
		dropped, _ = strconv.ParseInt(m[1], 10, 64)
		out = out[len(m[0]):]
	}
	cut := len(out) - max
	if i := strings.IndexByte(out[cut:], '\n'); i >= 0 && cut+i < len(out)-1 {
		cut += i + 1
	}
	dropped += int64(cut)
	return fmt.Sprintf("[... %d bytes of output not kept ...]\n", dropped) + out[cut:]
}

// encodeRecord writes the run record as JSON one step at a time: encoded
// whole (and indented), the record of a long run was built in memory two
// or three times over at the end of the run — the peak of a check's
// memory, far above what the run itself held.
func encodeRecord(w io.Writer, r *result.Module) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head := *r
	head.Steps = nil
	hb, err := json.Marshal(&head)
	if err != nil {
		return err
	}
	// Keys are written in the struct's order, and `"steps":null` cannot
	// occur inside a string value (its quotes would be escaped).
	const null = `"steps":null`
	i := bytes.Index(hb, []byte(null))
	if i < 0 {
		return fmt.Errorf("encoding the run record: no steps key")
	}
	bw.Write(hb[:i])
	bw.WriteString(`"steps":[`)
	for k, st := range r.Steps {
		if k > 0 {
			bw.WriteByte(',')
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteByte(']')
	bw.Write(hb[i+len(null):])
	bw.WriteByte('\n')
	return bw.Flush()
}
