package container

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitSession polls the shell's session until ok holds: the helper reads
// /proc, so what a typed line started shows once it has started.
func waitSession(t *testing.T, c *Container, sid int, what string, ok func([]Proc, int) bool) ([]Proc, int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := c.Session(context.Background(), sid)
		if err != nil {
			t.Fatal(err)
		}
		if ok(st.Procs, st.Foreground) {
			return st.Procs, st.Foreground
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 30s: %+v", what, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func find(procs []Proc, cmd string) (Proc, bool) {
	for _, p := range procs {
		if strings.HasPrefix(p.Cmdline, cmd) {
			return p, true
		}
	}
	return Proc{}, false
}

func TestHelperSeesAndStopsTheShellsProcesses(t *testing.T) {
	needImage(t)
	ctx := context.Background()
	chanDir := sharedDir(t)
	c := startContainer(t, Options{ChannelDir: chanDir})
	tm, _, _, sid := shellInContainer(t, c, chanDir)

	// A background job and a foreground cat waiting for the keyboard.
	tm.typ("cd /tmp; sleep 300 & cat\n")
	procs, fg := waitSession(t, c, sid, "cat reading the terminal", func(ps []Proc, fg int) bool {
		p, ok := find(ps, "cat")
		return ok && p.ReadingTTY && fg == p.PGID
	})
	if sleep, ok := find(procs, "sleep 300"); !ok || sleep.ReadingTTY || sleep.PGID == fg {
		t.Errorf("the background sleep: %+v (foreground %d)", sleep, fg)
	}
	shell, ok := find(procs, "bash")
	if !ok || shell.PID != sid || shell.ReadingTTY {
		t.Errorf("the shell: %+v", shell)
	}
	if cat, _ := find(procs, "cat"); cat.PPID != sid {
		t.Errorf("cat's parent: %+v", cat)
	}
	if st, err := c.Session(ctx, sid); err != nil || !st.Canonical {
		t.Errorf("cat runs, the terminal is not canonical: %+v, %v", st, err)
	}
	if dir, err := c.Cwd(ctx, sid); err != nil || dir != "/tmp" {
		t.Errorf("Cwd = %q, %v", dir, err)
	}

	// Stop the step as a timeout would: the foreground group, not the shell.
	if err := c.Signal(ctx, -fg, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// Typed before the shell has the terminal back, a line can be lost
	// with the job (the runner never types then; it waits for the end).
	waitSession(t, c, sid, "the shell in the foreground", func(_ []Proc, fg int) bool { return fg == sid })
	tm.typ("echo status=$?\n")
	tm.waitFor("status=130")

	// A full-screen program turns canonical mode off on the terminal inside.
	tm.typ("less /etc/passwd\n")
	waitSession(t, c, sid, "less with the terminal raw", func(ps []Proc, fg int) bool {
		p, ok := find(ps, "less")
		return ok && fg == p.PGID
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := c.Session(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Canonical {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("less runs, and the terminal is still canonical: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.typ("q")
	waitSession(t, c, sid, "the shell in the foreground", func(_ []Proc, fg int) bool { return fg == sid })

	// Type-ahead during a step is discarded inside, where it waits.
	tm.typ("sleep 300\n")
	_, fg = waitSession(t, c, sid, "sleep in the foreground", func(ps []Proc, fg int) bool {
		for _, p := range ps {
			if p.Cmdline == "sleep 300" && p.PGID == fg && fg != sid {
				return true
			}
		}
		return false
	})
	tm.typ("echo flushed-$((3+3))\n")
	tm.waitFor("echo flushed-$((3+3))") // the terminal inside echoed it: it is queued there
	if err := c.FlushInput(ctx, sid); err != nil {
		t.Fatal(err)
	}
	if err := c.Signal(ctx, -fg, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitSession(t, c, sid, "the shell in the foreground", func(_ []Proc, fg int) bool { return fg == sid })
	tm.typ("echo after-$((2+2))\n")
	out := tm.waitFor("after-4")
	if strings.Contains(out, "flushed-6") {
		t.Error("a line typed during the step ran after it")
	}
}

// A request the helper answers with a failure — a signal to a process that
// has just exited, as when the runner stops what a step left after the
// shell ended — leaves the helper serving the next ones (checkpoints
// among them).
func TestHelperServesAfterAFailedAnswer(t *testing.T) {
	needImage(t)
	ctx := context.Background()
	ckpt := t.TempDir()
	c := startContainer(t, Options{CheckpointDir: ckpt})
	if err := c.Signal(ctx, 999999, syscall.SIGKILL); err == nil {
		t.Error("a signal to no process succeeded")
	}
	if _, err := c.Cwd(ctx, 999999); err == nil {
		t.Error("the working directory of no process was found")
	}
	if dir, err := c.Cwd(ctx, 1); err != nil || dir != "/home/learner" {
		t.Fatalf("after the failures: Cwd(1) = %q, %v", dir, err)
	}
	if _, err := c.Checkpoint(ctx, filepath.Join(ckpt, "1")); err != nil {
		t.Fatalf("after the failures: Checkpoint: %v", err)
	}
}
