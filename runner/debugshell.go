package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// A debug shell is the walkthrough's "open a shell here" after a failed
// step: an interactive bash for a person with the state the step left. It is
// a separate bash in its own pty, not the run's shell (Shell in
// interactive.go lends the run's shell itself, for `coursectl shell`): the
// person's `exit` or typo cannot end the run's shell, the person gets line
// editing and a prompt that says where they are, and nothing they set flows
// back into the run (files they change do, being the same files).

// Shell opens a debug shell with the state the session's shell is in now:
// after a failed step, the state that step left (as its wrapper saved it on
// the way out), else the last checkpoint. The session's own shell is not
// touched.
func (s *Session) Shell(ctx context.Context) error {
	if s.opts.Terminal == nil {
		return errors.New("a debug shell needs a terminal")
	}
	s.flush()
	dir, err := os.MkdirTemp("", "coursectl-shell-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rs *restoredState
	if s.state.known {
		rs = s.state.snapshot()
	} else if s.restored >= 0 {
		if rs, err = s.store.reader().state(s.restored); err != nil {
			return err
		}
	}
	restore := ""
	if rs != nil {
		restore, _ = restoreScript(rs)
	}
	return debugShell(ctx, s.opts.Terminal, dir, s.workdir, s.env, restore)
}

// debugShell runs `bash -i` on a new pty attached to t, with restore sourced
// (dir is scratch space for its files)
// before the first prompt. The order is the pty lifecycle's (STYLE §5):
// start with the size, attach (raw mode, resizes, keys), copy output, wait,
// close, and end what the person left running in the shell's session.
func debugShell(ctx context.Context, t *Terminal, dir, workdir string, env []string, restore string) error {
	rc := filepath.Join(dir, "rc.bash")
	// The state first, then what makes the shell a person's: a prompt that
	// says where they are, line editing on a terminal (the run's shell has
	// none, and its options came with the state), history kept apart.
	interactive := term.IsTerminal(int(t.Out.Fd()))
	script := restore + `
PS1='(coursectl) \w \$ '
PS2='> '
HISTFILE=` + shellQuote(filepath.Join(dir, "history")) + `
set +o errexit +o nounset
trap - ERR
`
	if interactive {
		script += "set -o emacs 2>/dev/null\n"
	}
	if err := os.WriteFile(rc, []byte(script), 0o600); err != nil {
		return err
	}
	args := []string{"--noprofile", "--rcfile", rc}
	if !interactive {
		args = append(args, "--noediting")
	}
	cmd := exec.Command("bash", append(args, "-i")...)
	cmd.Dir = workdir
	cmd.Env = env
	size := &pty.Winsize{Rows: 24, Cols: 80}
	if r, c, ok := termSize(t); ok {
		size = &pty.Winsize{Rows: uint16(r), Cols: uint16(c)}
	}
	master, err := pty.StartWithSize(cmd, size)
	if err != nil {
		return fmt.Errorf("starting bash: %w", err)
	}
	detach := attach(t, master, master)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		// EIO from the master is the end of output (the slave side closed).
		_, _ = io.Copy(t.Out, master)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGHUP)
		select {
		case waitErr = <-exited:
		case <-time.After(stopGrace):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			waitErr = <-exited
		}
	}
	// Jobs the person left running belong to the shell's session: end them,
	// so leaving the shell leaves nothing behind.
	for _, p := range sessionMembers(cmd.Process.Pid) {
		_ = syscall.Kill(p, syscall.SIGHUP)
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	select {
	case <-copied:
	case <-time.After(time.Second):
		// Something outside the session still holds the terminal open.
	}
	detach()
	master.Close()
	<-copied
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		// The person's last exit status is theirs, not an error of ours.
		waitErr = nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return waitErr
}
