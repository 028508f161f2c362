package runner

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coursectl/coursectl/result"
	"github.com/creack/pty"
	"golang.org/x/term"
)

// learner is a fake person at a terminal: the runner gets the tty side as
// Options.Terminal; the test types into and reads from the master side.
type learner struct {
	master, tty *os.File
	mu          sync.Mutex
	screen      bytes.Buffer
}

func newLearner(t *testing.T, rows, cols int) *learner {
	t.Helper()
	m, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	pty.Setsize(m, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	l := &learner{master: m, tty: tty}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			l.mu.Lock()
			l.screen.Write(buf[:n])
			l.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { tty.Close(); m.Close() })
	return l
}

func (l *learner) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		ok := strings.Contains(l.screen.String(), s)
		l.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("the terminal never showed %q; it shows:\n%q", s, l.screen.String())
}

func (l *learner) typeKeys(s string) { l.master.Write([]byte(s)) }

// Attached: keys reach a `read`, the window size and a resize reach the
// step, output shows on the terminal and is captured, and the keyboard is
// the caller's again when Exec returns.
func TestAttachedTerminal(t *testing.T) {
	l := newLearner(t, 30, 100)
	mod := module(t,
		"read -r -p 'Name? ' name\necho \"hi $name\"\ntput cols\nread -r -p 'Resized? ' _\ntput cols\n",
		"sleep 60\n",
		"echo after-ctrl-c\n",
	)
	opts := testOptions(t)
	opts.Terminal = &Terminal{In: l.tty, Out: l.tty}
	s := open(t, mod, opts)
	done := make(chan *result.Step)
	go func() { done <- s.Exec(ctxT(t), mod.Steps[0]) }()
	l.waitFor(t, "Name? ")
	if st, err := term.GetState(int(l.tty.Fd())); err != nil || st == nil {
		t.Fatal(err)
	}
	l.typeKeys("Bob\r")
	l.waitFor(t, "Resized? ")
	pty.Setsize(l.master, &pty.Winsize{Rows: 30, Cols: 120})
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	for i := 0; i < 1000; i++ { // wait until the forwarder has applied it
		if _, c, _ := pty.Getsize(s.sh.pty); c == 120 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	l.typeKeys("\r")
	r := <-done
	mustPass(t, r)
	for _, want := range []string{"Name? Bob\nhi Bob\n100\n", "Resized? \n120\n"} {
		if !strings.Contains(r.Output, want) {
			t.Errorf("captured output lacks %q:\n%q", want, r.Output)
		}
	}
	l.waitFor(t, "hi Bob")
	// The keyboard is ours again, and the terminal is back in cooked mode.
	l.typeKeys("after-exec\n")
	got := make([]byte, 64)
	n, err := l.tty.Read(got)
	if err != nil || string(got[:n]) != "after-exec\n" {
		t.Errorf("reading the terminal after Exec: %q %v", got[:n], err)
	}

	// Ctrl-C typed by the person goes to the step, not to us.
	go func() { done <- s.Exec(context.Background(), mod.Steps[1]) }()
	for i := 0; i < 1000; i++ {
		if st, ok := readStat(s.sh.foreground()); ok && st.comm == "sleep" {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	l.typeKeys("\x03")
	r = <-done
	if r.Status != result.Failed || r.ExitCode != 130 {
		t.Errorf("Ctrl-C: %s exit %d (%s)", r.Status, r.ExitCode, r.Error)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[2]))
}

// Shell: an interactive bash with the state of the checkpoint before a step.
func TestShellAtStep(t *testing.T) {
	mod := module(t, "export FROM_STEP1=one\ncd /tmp\n", "echo two\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	l := newLearner(t, 24, 80)
	opts.Terminal = &Terminal{In: l.tty, Out: l.tty}
	done := make(chan error)
	go func() { done <- Shell(ctxT(t), mod, opts, "step-2") }()
	l.waitFor(t, "$ ")
	l.typeKeys("echo \"state=$FROM_STEP1 in $PWD\"\r")
	l.waitFor(t, "state=one in /tmp")
	l.typeKeys("exit\r")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Shell did not return after exit")
	}
}

// A full-screen program gets the keyboard as typed (raw mode end to end):
// the person types into vim and saves.
func TestAttachedFullScreenEditor(t *testing.T) {
	if _, err := exec.LookPath("vim"); err != nil {
		t.Skip("no vim")
	}
	l := newLearner(t, 24, 80)
	mod := module(t, "vim -u NONE -N notes.txt\ncat notes.txt\n")
	opts := testOptions(t)
	opts.Env = append(opts.Env, "TERM=xterm-256color")
	opts.Terminal = &Terminal{In: l.tty, Out: l.tty}
	s := open(t, mod, opts)
	done := make(chan *result.Step)
	go func() { done <- s.Exec(ctxT(t), mod.Steps[0]) }()
	l.waitFor(t, "notes.txt")
	l.typeKeys("iHello from the keyboard\x1b")
	l.typeKeys(":wq\r")
	select {
	case r := <-done:
		mustPass(t, r)
		if !strings.HasSuffix(r.Output, "Hello from the keyboard\n") {
			t.Errorf("output tail %q", r.Output[max(0, len(r.Output)-80):])
		}
	case <-time.After(60 * time.Second):
		t.Fatal("vim did not exit")
	}
}

// What the learner types during a step that the step does not read is thrown
// away when the step ends: the run's shell must never execute it (typing
// `touch x` during a sleep made x), nor glue a half-typed line to the next
// line the runner types.
func TestAttachedTypeAheadIsNotExecuted(t *testing.T) {
	l := newLearner(t, 24, 80)
	mod := module(t,
		"echo ready; until [ -e go ]; do sleep 0.05; done\n",
		"echo next-step; ls\n",
	)
	opts := testOptions(t)
	opts.Terminal = &Terminal{In: l.tty, Out: l.tty}
	s := open(t, mod, opts)
	done := make(chan *result.Step)
	go func() { done <- s.Exec(ctxT(t), mod.Steps[0]) }()
	l.waitFor(t, "ready")
	l.typeKeys("touch typed-ahead\r")
	l.typeKeys("touch half")
	// The line discipline echoes what it queued: both are in the pty.
	l.waitFor(t, "touch half")
	if err := os.WriteFile(s.Workdir()+"/go", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mustPass(t, <-done)
	r := s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if r.Output != "next-step\ngo\n" {
		t.Errorf("the next step's output: %q", r.Output)
	}
	ents, _ := os.ReadDir(s.Workdir())
	for _, e := range ents {
		if e.Name() != "go" {
			t.Errorf("the shell ran what was typed during a step: %s exists", e.Name())
		}
	}
}

// Attaching the terminal for a step and detaching it leaves no file
// descriptor behind: a learner's run attaches once per step.
func TestAttachLeaksNoFDs(t *testing.T) {
	l := newLearner(t, 24, 80)
	mod := module(t, "true\n")
	opts := testOptions(t)
	opts.Terminal = &Terminal{In: l.tty, Out: l.tty}
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0])) // anything opened once is open
	before := openFDs(t)
	for i := 0; i < 30; i++ {
		mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	}
	if after := openFDs(t); after > before+2 {
		t.Errorf("%d fds open after 30 attached steps, %d before", after, before)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// A paste larger than the terminal's input queue into a step that reads
// nothing blocks the keystroke copy; the step's end still discards it all
// and the run goes on (the keyboard gate must not wait on that write).
func TestAttachedPasteIntoAStepThatReadsNothing(t *testing.T) {
	l := newLearner(t, 24, 80)
	mod := module(t,
		"stty raw -echo; echo ready; until [ -e go ]; do sleep 0.05; done; stty sane\n",
		"echo next-step\n",
	)
	opts := testOptions(t)
	opts.Terminal = &Terminal{In: l.tty, Out: l.tty}
	s := open(t, mod, opts)
	done := make(chan *result.Step, 1)
	go func() { done <- s.Exec(ctxT(t), mod.Steps[0]) }()
	l.waitFor(t, "ready")
	paste := []byte(strings.Repeat("touch pasted\r", 20000))
	pasted := make(chan struct{})
	go func() { l.master.Write(paste); close(pasted) }() // blocks while the queues are full
	// The copy into the step's pty blocks once its queue is full.
	for i := 0; i < 6000 && !blockedWriting(s); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	os.WriteFile(s.Workdir()+"/go", nil, 0o644)
	select {
	case r := <-done:
		mustPass(t, r)
	case <-time.After(60 * time.Second):
		t.Fatal("the step never ended: its end waits on the blocked keystroke copy")
	}
	// The rest of the paste is still in the learner's terminal: drop it,
	// as the walkthrough drops keys typed before its question.
	for drained := false; !drained; {
		flushTTYInput(int(l.tty.Fd()))
		select {
		case <-pasted:
			drained = true
		case <-time.After(time.Millisecond):
		}
	}
	flushTTYInput(int(l.tty.Fd()))
	r := s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if r.Output != "next-step\n" {
		t.Errorf("the next step's output: %q", r.Output)
	}
	if _, err := os.Stat(s.Workdir() + "/pasted"); err == nil {
		t.Errorf("the shell ran the pasted text")
	}
}

func blockedWriting(s *Session) bool {
	s.sh.in.Lock()
	defer s.sh.in.Unlock()
	return s.sh.in.writing > 0
}
