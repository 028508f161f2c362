package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/sgr"
)

// StatusAfter is how long a step runs before the status line shows it: a
// quick step only flickers, a long one should show it is alive.
const StatusAfter = time.Second

// statusEvery is how often the status line is redrawn.
const statusEvery = 250 * time.Millisecond

// Live writes the text report while the check runs. Step lines appear as
// steps finish; with several modules running at once (-j) each module's
// block is held back and written whole when the module ends, so blocks never
// interleave. On a terminal a status line at the bottom shows the step that
// has been running longest, its elapsed time and its last line of output;
// it is drawn with \r and blanks only, and never when the output is not a
// terminal.
type Live struct {
	Text Text
	// Status enables the status line (the output is a terminal).
	Status bool
	// Width is the terminal width; the status line is cut to fit it.
	Width int
	// Buffered holds each module's block until the module ends (-j > 1).
	Buffered bool
	// Checkpointed, when set, tells what a valid checkpoint stands for of
	// each step of mod (by index): a pass, or a skip in the run that made it. A resumed run (--resume, --from) reports only
	// the steps it runs as they finish; the steps before the first of them
	// were settled from checkpoints when the module started, so Live asks
	// once that first step starts and writes their lines ahead of it, and
	// every block reads in document order.
	Checkpointed func(mod *course.Module) []Settled
	// Warn is where the runner's warnings go as they happen, one line
	// each (`coursectl: warning: ...`): a checkpoint that could not be
	// restored, so the run starts from a fresh shell; a corrupt one
	// ignored. Nil writes them into the module's block instead.
	Warn io.Writer

	mu      sync.Mutex
	w       io.Writer
	modules []*liveModule // running, in start order
	drawn   int           // cells of the status line now on screen
	shown   string        // the status line now on screen
	now     func() time.Time
	stop    chan struct{}
	done    chan struct{}
}

type liveModule struct {
	mod     *course.Module
	buf     bytes.Buffer // the block so far when Buffered
	idw     int
	printed map[*result.Step]bool
	// restored are the steps written as "(checkpoint)" ahead of the first
	// step that ran; begun is set once that step has started.
	restored map[string]bool
	begun    bool
	// The running step, for the status line.
	step     *course.Step
	started  time.Time
	lastLine []byte // the last non-blank line, raw, capped
	partial  []byte // output after the last newline, raw, capped
}

// NewLive writes to w.
func NewLive(w io.Writer) *Live {
	return &Live{w: w, now: time.Now, Width: 80}
}

// Start begins redrawing the status line; Stop ends it and clears the line.
// Without Status they do nothing.
func (l *Live) Start() {
	if !l.Status {
		return
	}
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(statusEvery)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				l.Tick()
			}
		}
	}()
}

// Stop ends the status line (see Start).
func (l *Live) Stop() {
	if l.stop != nil {
		close(l.stop)
		<-l.done
		l.stop = nil
	}
	l.mu.Lock()
	l.clear()
	l.mu.Unlock()
}

// Events are the callbacks the runner reports a module's steps through,
// field for field runner.Events (a caller converts: runner.Events(ev)), so
// the report need not import the runner.
type Events struct {
	StepStarted func(*course.Step)
	StepOutput  func(*course.Step, []byte)
	StepDone    func(*result.Step)
	Warning     func(string)
}

// Settled is what a valid checkpoint stands for of one step: Passed, or
// Skipped (the step was skipped in the run that made it; Note says why).
// The zero value is a step without one.
type Settled struct {
	Status result.Status
	Note   string
}

// done reports whether a checkpoint stands for the step.
func (s Settled) done() bool { return s.Status == result.Passed || s.Status == result.Skipped }

// result is the step's line in a report: settled, not run.
func (s Settled) result(st *course.Step) *result.Step {
	r := StepFor(st, s.Status)
	r.Note, r.FromCheckpoint = s.Note, true
	return r
}

// Module announces that mod starts and returns the callbacks the runner
// reports its steps through.
func (l *Live) Module(mod *course.Module) Events {
	return l.module(mod, func() []Settled {
		if l.Checkpointed == nil {
			return nil
		}
		return l.Checkpointed(mod)
	})
}

// module is Module with where the done flags of the steps before the first
// that runs come from (a course's module asks its course's run).
func (l *Live) module(mod *course.Module, checkpointed func() []Settled) Events {
	lm := &liveModule{mod: mod, printed: map[*result.Step]bool{}}
	for _, st := range mod.Steps {
		if !st.Hidden { // as idWidth: the steps a reader sees
			lm.idw = max(lm.idw, ansi.StringWidth(st.ID))
		}
	}
	lm.idw = min(lm.idw, maxIDWidth)
	l.mu.Lock()
	l.modules = append(l.modules, lm)
	l.Text.header(l.out(lm), mod.Path)
	l.mu.Unlock()
	return Events{
		StepStarted: func(st *course.Step) {
			var done []Settled
			if !lm.begun && st.Index > 1 {
				done = checkpointed() // reads files: not under l.mu
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			if !lm.begun {
				lm.begun = true
				l.writeRestored(lm, st, done)
			}
			lm.step, lm.started, lm.lastLine, lm.partial = st, l.now(), lm.lastLine[:0], lm.partial[:0]
		},
		StepOutput: func(st *course.Step, b []byte) {
			l.mu.Lock()
			defer l.mu.Unlock()
			lm.output(b)
		},
		StepDone: func(sr *result.Step) {
			l.mu.Lock()
			defer l.mu.Unlock()
			lm.step = nil
			if !sr.Shown() { // a hidden setup step that did not fail
				return
			}
			l.Text.step(l.out(lm), mod.Path, sr, lm.idw)
			lm.printed[sr] = true
		},
		// Called from the runner's goroutines, the checkpoint writer's too.
		Warning: func(msg string) {
			l.mu.Lock()
			defer l.mu.Unlock()
			msg = sgr.Printable(firstLine(msg))
			if l.Warn == nil {
				fmt.Fprintf(l.out(lm), "  %s\n", l.Text.paint(sgr.Yellow, "warning: "+msg))
				return
			}
			l.clear() // the status line may share the terminal
			fmt.Fprintf(l.Warn, "coursectl: warning: %s\n", msg)
		},
	}
}

// Done ends the module's block: steps the runner did not report as they
// finished, the not-run count, and, when buffered, the whole block at once.
func (l *Live) Done(mr *result.Module) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lm *liveModule
	for i, m := range l.modules {
		if m.mod.Path == mr.File {
			lm = m
			l.modules = append(l.modules[:i], l.modules[i+1:]...)
			break
		}
	}
	if lm == nil { // never announced: write it whole
		l.clear()
		l.Text.WriteModule(l.w, mr)
		return
	}
	steps := Steps(mr)
	w := l.out(lm)
	for _, sr := range steps {
		if lm.restored[sr.ID] && sr.FromCheckpoint {
			continue
		}
		if !lm.printed[sr] {
			l.Text.step(w, mr.File, sr, lm.idw)
		}
	}
	l.Text.moduleEnd(w, mr, steps)
	if l.Buffered {
		l.clear()
		l.w.Write(lm.buf.Bytes())
	}
}

// writeRestored writes the lines of the steps before first that done says
// a checkpoint stands for: "(checkpoint)", or skipped as they were in the
// run that made it. Called with l.mu held.
func (l *Live) writeRestored(lm *liveModule, first *course.Step, done []Settled) {
	for i, st := range lm.mod.Steps {
		if i >= first.Index-1 || i >= len(done) {
			break
		}
		if !done[i].done() || st.Hidden {
			continue
		}
		if lm.restored == nil {
			lm.restored = map[string]bool{}
		}
		lm.restored[st.ID] = true
		l.Text.step(l.out(lm), lm.mod.Path, done[i].result(st), lm.idw)
	}
}

// Write writes text of the caller's (a warning, the summary) between the
// blocks, with the status line out of its way.
func (l *Live) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
	return l.w.Write(p)
}

// out is where a module's lines go now: its buffer, or the output with the
// status line cleared first.
func (l *Live) out(lm *liveModule) io.Writer {
	if l.Buffered {
		return &lm.buf
	}
	l.clear()
	return l.w
}

// maxLine bounds what is kept of a line for the status line, so a step
// printing a gigabyte with no newline costs nothing here. The end of a long
// line is kept: that is where a progress bar redrawn with \r stands.
const maxLine = 512

// output notes the step's last non-blank line and the unfinished one after
// it. Only the last complete line of each chunk is looked at, and the
// escape sequences are stripped when the status line is drawn, not here:
// a step may print far faster than the status line is redrawn.
func (lm *liveModule) output(b []byte) {
	nl := bytes.LastIndexByte(b, '\n')
	if nl < 0 {
		lm.partial = keepTail(append(lm.partial, b...))
		return
	}
	lines := b[:nl]
	for {
		j := bytes.LastIndexByte(lines, '\n')
		line := lines[j+1:]
		if j < 0 {
			line = append(lm.partial, lines...)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			lm.lastLine = append(lm.lastLine[:0], keepTail(line)...)
			break
		}
		if j < 0 {
			break
		}
		lines = lines[:j]
	}
	lm.partial = append(lm.partial[:0], keepTail(b[nl+1:])...)
}

func keepTail(b []byte) []byte {
	if len(b) > maxLine {
		return b[len(b)-maxLine:]
	}
	return b
}

// Tick redraws the status line from the running steps.
func (l *Live) Tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.Status {
		return
	}
	line := l.statusLine(l.now())
	if line == "" {
		l.clear()
		return
	}
	if line == l.shown && l.drawn > 0 {
		return
	}
	width := ansi.StringWidth(line)
	fmt.Fprint(l.w, "\r"+line+strings.Repeat(" ", max(0, l.drawn-width))+"\r")
	l.drawn, l.shown = width, line
}

// statusLine is `⋯ file › step  12s  last output line` for the step running
// longest, or "" when none has run for StatusAfter.
func (l *Live) statusLine(now time.Time) string {
	var oldest *liveModule
	running := 0
	for _, lm := range l.modules {
		if lm.step == nil {
			continue
		}
		running++
		if oldest == nil || lm.started.Before(oldest.started) {
			oldest = lm
		}
	}
	if oldest == nil || now.Sub(oldest.started) < StatusAfter {
		return ""
	}
	name := sgr.Printable(oldest.step.ID)
	if len(l.modules) > 1 {
		name = sgr.Printable(oldest.mod.Path) + " › " + name
	}
	line := fmt.Sprintf("⋯ %s  %s", name, Duration(now.Sub(oldest.started).Truncate(time.Second)))
	if running > 1 {
		line += fmt.Sprintf(" (+%d running)", running-1)
	}
	last := strings.TrimSpace(Plain(string(oldest.partial)))
	if last == "" {
		last = strings.TrimSpace(Plain(string(oldest.lastLine)))
	}
	if last != "" {
		line += "  " + last
	}
	// One cell short of the width: writing the last column makes some
	// terminals wrap, and the next \r would then redraw on a new line.
	return ansi.Truncate(line, max(10, l.Width-1), "…")
}

// clear erases the status line if one is drawn. Called with l.mu held.
func (l *Live) clear() {
	if l.drawn == 0 {
		return
	}
	fmt.Fprint(l.w, "\r"+strings.Repeat(" ", l.drawn)+"\r")
	l.drawn, l.shown = 0, ""
}
