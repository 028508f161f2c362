package runner

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coursectl/coursectl/result"
	"github.com/creack/pty"
)

// A relative --state must not break when a step changes directory: the
// wrapper's files are named by absolute paths.
func TestRelativeStateDirSurvivesCd(t *testing.T) {
	t.Chdir(t.TempDir())
	mod := module(t, "mkdir -p deeper && cd deeper\n", "echo still-here\n")
	opts := testOptions(t)
	opts.StateDir = "state"
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	r := s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "still-here") {
		t.Errorf("output %q", r.Output)
	}
	s.Close()
	if w := s.Result().Warnings; len(w) > 0 {
		t.Errorf("warnings: %q", w)
	}
	p, err := loadProgress("state", mod, opts.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Done[0] || !p.Done[1] {
		t.Errorf("checkpoints after a cd: done %v, want both", p.Done)
	}
}

// With a terminal attached (run), a hidden setup step's output stays off
// the learner's terminal; a shown step's reaches it.
func TestHiddenStepNotShownOnTheTerminal(t *testing.T) {
	mod := module(t, "echo hidden-output\n", "echo shown-output\n")
	mod.Steps[0].Hidden, mod.Steps[0].Kind = true, "setup"
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	var mu sync.Mutex
	var screen strings.Builder
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	opts := testOptions(t)
	opts.Terminal = &Terminal{In: tty, Out: tty}
	s := open(t, mod, opts)
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if !strings.Contains(r.Output, "hidden-output") {
		t.Errorf("the hidden step's output was not captured: %q", r.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	s.Close()
	tty.Close()
	master.Close()
	<-copied
	mu.Lock()
	got := screen.String()
	mu.Unlock()
	if strings.Contains(got, "hidden-output") {
		t.Errorf("the hidden step's output reached the terminal: %q", got)
	}
	if !strings.Contains(got, "shown-output") {
		t.Errorf("the shown step's output did not reach the terminal: %q", got)
	}
}

// Session.Shell starts from the state the failed step left, not the last
// checkpoint, and leaves the session's shell as it was.
func TestSessionShellHasTheFailedStepsState(t *testing.T) {
	mod := module(t, "A=checkpointed\n", "A=failed-step; cd /tmp; false\n", "echo \"A=$A PWD=$PWD\"\n")
	opts := testOptions(t)
	// The shell's terminal: commands in on a pipe, output out on a file.
	in, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Terminal = &Terminal{In: in, Out: out}
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	if r := s.Exec(ctxT(t), mod.Steps[1]); r.Status != result.Failed {
		t.Fatalf("step 2: %s, want failed", r.Status)
	}
	go func() {
		io.WriteString(feed, "echo \"in-shell A=$A PWD=$PWD\"\nA=changed-in-shell\nexit\n")
		feed.Close()
	}()
	if err := s.Shell(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out.Name())
	if !strings.Contains(string(b), "in-shell A=failed-step PWD=/tmp") {
		t.Errorf("the shell did not have the failed step's state:\n%s", b)
	}
	// The run's own shell is untouched by what was typed in the shell.
	opts.Terminal.In = nil
	r := s.Exec(ctxT(t), mod.Steps[2])
	mustPass(t, r)
	if !strings.Contains(r.Output, "A=failed-step PWD=/tmp") {
		t.Errorf("the run's shell changed: %q", r.Output)
	}
}
