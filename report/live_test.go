package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// clock is a hand-moved time for the status line.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// replay feeds mr's results to l as the runner would report them, calling
// between(i) after step i has started and printed.
func replay(l *Live, mr *result.Module, c *clock, between func(i int)) {
	ev := l.Module(modOf(mr))
	for i, sr := range mr.Steps {
		ev.StepStarted(modOf(mr).Step(sr.ID))
		ev.StepOutput(modOf(mr).Step(sr.ID), []byte(sr.Output))
		if between != nil {
			between(i)
		}
		c.t = c.t.Add(sr.Duration)
		ev.StepDone(sr)
	}
	l.Done(mr)
}

// screen is what a terminal shows for s when it honours only \r and \n:
// enough to see that the status line leaves nothing behind.
func screen(s string) string {
	var lines [][]rune
	var cur []rune
	col := 0
	for _, r := range s {
		switch r {
		case '\n':
			lines = append(lines, cur)
			cur, col = nil, 0
		case '\r':
			col = 0
		default:
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			col++
		}
	}
	lines = append(lines, cur)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(string(l), " ")
	}
	return strings.Join(out, "\n")
}

// Streaming to a pipe gives the same text as the report written at the
// end, and no \r.
func TestLiveNotTerminal(t *testing.T) {
	var b bytes.Buffer
	c := &clock{t0}
	l := NewLive(&b)
	l.now = c.now
	for _, mr := range all()[:3] {
		replay(l, mr, c, func(int) { l.Tick() })
	}
	var want strings.Builder
	for _, mr := range all()[:3] {
		Text{}.WriteModule(&want, mr)
	}
	if b.String() != want.String() {
		t.Errorf("live output differs from the report:\n%s\n--- want\n%s", b.String(), want.String())
	}
	if bytes.ContainsAny(b.Bytes(), "\r\x1b") {
		t.Error("output to a pipe holds \\r or an escape")
	}
}

// On a terminal a step running past StatusAfter gets a status line with its
// elapsed time and last output line, erased before the next line is written.
func TestLiveStatusLine(t *testing.T) {
	var b bytes.Buffer
	c := &clock{t0}
	l := NewLive(&b)
	l.now, l.Status, l.Width = c.now, true, 60
	mr := setupResult()
	var drawn []string
	replay(l, mr, c, func(i int) {
		before := b.Len()
		l.Tick() // too early: nothing drawn
		if b.Len() != before {
			t.Errorf("status line drawn before %v: %q", StatusAfter, b.String()[before:])
		}
		c.t = c.t.Add(StatusAfter + 1500*time.Millisecond)
		l.Tick()
		drawn = append(drawn, b.String()[before:])
		n := b.Len()
		if l.Tick(); b.Len() != n {
			t.Errorf("an unchanged status line was drawn again: %q", b.String()[n:])
		}
		c.t = c.t.Add(-StatusAfter - 1500*time.Millisecond)
	})
	want := "\r⋯ install-docker  2.0s  curl: (6) Could not resolve host: …"
	if !strings.HasPrefix(drawn[3], want+"\r") {
		t.Errorf("status line while install-docker runs:\n got %q\nwant %q", drawn[3], want)
	}
	for _, d := range drawn {
		if w := len([]rune(strings.Trim(d, "\r "))); w > 59 {
			t.Errorf("status line %d cells wide, terminal is 60: %q", w, d)
		}
	}
	var report strings.Builder
	Text{}.WriteModule(&report, mr)
	if got, want := screen(b.String()), strings.TrimRight(screen(report.String()), "\n"); strings.TrimRight(got, "\n") != want {
		t.Errorf("the status line left marks on the screen:\n%s\n--- want\n%s", got, want)
	}
}

// The last line of output is kept for the status line even when a step
// prints it in pieces or with no newline at all.
func TestLiveLastLine(t *testing.T) {
	lm := &liveModule{}
	lm.output([]byte("first\nsec"))
	lm.output([]byte("ond\n\n  \nthi"))
	if string(lm.lastLine) != "second" || string(lm.partial) != "thi" {
		t.Errorf("lastLine %q partial %q", lm.lastLine, lm.partial)
	}
	lm.output([]byte("\nlast\n"))
	if string(lm.lastLine) != "last" || len(lm.partial) != 0 {
		t.Errorf("lastLine %q partial %q", lm.lastLine, lm.partial)
	}
	lm.output([]byte("one\ntwo\n\n"))
	if string(lm.lastLine) != "two" {
		t.Errorf("lastLine %q, want two", lm.lastLine)
	}
	lm.output(bytes.Repeat([]byte("x"), 10*maxLine))
	lm.output(bytes.Repeat([]byte("y"), 10*maxLine))
	if len(lm.partial) > maxLine {
		t.Errorf("partial line grew to %d bytes", len(lm.partial))
	}
	lm.output(append(bytes.Repeat([]byte("z"), 10*maxLine), '\n'))
	if len(lm.lastLine) > maxLine {
		t.Errorf("last line grew to %d bytes", len(lm.lastLine))
	}
}

// With -j each module's block is written whole when it ends, however the
// modules' steps interleave.
func TestLiveBufferedBlocks(t *testing.T) {
	var b bytes.Buffer
	c := &clock{t0}
	l := NewLive(&b)
	l.now, l.Buffered = c.now, true
	a, w := setupResult(), webResult()
	evA, evW := l.Module(modOf(a)), l.Module(modOf(w))
	for i := 0; i < 4; i++ {
		if i < len(a.Steps) {
			evA.StepStarted(modOf(a).Step(a.Steps[i].ID))
			evA.StepDone(a.Steps[i])
		}
		if i < len(w.Steps) {
			evW.StepStarted(modOf(w).Step(w.Steps[i].ID))
			evW.StepDone(w.Steps[i])
		}
	}
	if b.Len() != 0 {
		t.Fatalf("written before a module ended: %q", b.String())
	}
	l.Done(w)
	l.Done(a)
	var want strings.Builder
	Text{}.WriteModule(&want, w)
	Text{}.WriteModule(&want, a)
	if b.String() != want.String() {
		t.Errorf("blocks interleaved:\n%s\n--- want\n%s", b.String(), want.String())
	}
}

// A resumed run reports only the steps it runs; the steps a checkpoint
// stands for still come first, in document order, as in the report
// written at the end.
func TestLiveResumedInDocumentOrder(t *testing.T) {
	mod := module("docs/state.md",
		script("set-up", 5, "greet() { echo hi; }"),
		script("use-it", 11, "greet"),
		script("fail-here", 17, "false"),
		script("later", 23, "true"),
	)
	s := mod.Steps
	var steps []*result.Step
	for _, st := range s[:2] {
		sr := stepResultFor(st, result.Passed, 0)
		sr.FromCheckpoint = true
		steps = append(steps, sr)
	}
	steps = append(steps, stepResultFor(s[2], result.Passed, 30*time.Millisecond), stepResultFor(s[3], result.Passed, 40*time.Millisecond))
	mr := ran(mod, &result.Module{Started: t0}, steps...)

	var b bytes.Buffer
	l := NewLive(&b)
	asked := 0
	l.Checkpointed = func(m *course.Module) []Settled {
		asked++
		return []Settled{{Status: result.Passed}, {Status: result.Passed}, {}, {}}
	}
	ev := l.Module(mod)
	for _, sr := range steps[2:] { // as the runner reports them: the restored ones never start
		ev.StepStarted(modOf(mr).Step(sr.ID))
		ev.StepDone(sr)
	}
	l.Done(mr)
	var want strings.Builder
	Text{}.WriteModule(&want, mr)
	if b.String() != want.String() {
		t.Errorf("live report of a resumed run:\n%s\n--- want (document order)\n%s", b.String(), want.String())
	}
	if asked != 1 {
		t.Errorf("Checkpointed asked %d times, want once", asked)
	}
	if !strings.Contains(b.String(), "  ✓ set-up             (checkpoint)\n  ✓ use-it             (checkpoint)\n  ✓ fail-here    0.0s\n") {
		t.Errorf("checkpoint lines not in the duration column:\n%s", b.String())
	}
}

// The runner's warnings (a run that starts from a fresh shell because no
// checkpoint could be restored) go to Warn as they happen, one line each,
// with the status line out of the way; without Warn, into the block.
func TestLiveWarnings(t *testing.T) {
	mr := passResult()
	msg := "docs/intro.md: no checkpoint for step greet (never passed, or edited since); starting at step a-much-longer-step-name with a fresh shell"

	var out, errOut bytes.Buffer
	c := &clock{t0}
	l := NewLive(&out)
	l.now, l.Status, l.Warn = c.now, true, &errOut
	ev := l.Module(modOf(mr))
	ev.StepStarted(modOf(mr).Step(mr.Steps[1].ID))
	c.t = c.t.Add(2 * StatusAfter)
	l.Tick()
	ev.Warning(msg + "\nsecond line")
	if got, want := errOut.String(), "coursectl: warning: "+msg+"\n"; got != want {
		t.Errorf("warning:\n got %q\nwant %q", got, want)
	}
	if l.drawn != 0 {
		t.Error("status line still drawn when the warning was written")
	}

	out.Reset()
	l = NewLive(&out)
	ev = l.Module(modOf(mr))
	ev.Warning(msg)
	if want := "docs/intro.md\n  warning: " + msg + "\n"; out.String() != want {
		t.Errorf("warning in the block:\n got %q\nwant %q", out.String(), want)
	}
}

// JSON and JUnit carry the runner's warnings.
func TestWarningsInMachineReports(t *testing.T) {
	mr := passResult()
	mr.Warnings = []string{"docs/intro.md: no checkpoint for step greet; starting at step a-much-longer-step-name with a fresh shell"}
	var j, x bytes.Buffer
	if err := JSON(&j, []*result.Module{mr}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"warnings":["docs/intro.md: no checkpoint for step greet; starting at step a-much-longer-step-name with a fresh shell"]`) {
		t.Errorf("JSON has no warnings: %s", j.String())
	}
	if err := JUnit(&x, []*result.Module{mr}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(x.String(), "<system-err>docs/intro.md: no checkpoint for step greet;") {
		t.Errorf("JUnit has no system-err:\n%s", x.String())
	}
}
