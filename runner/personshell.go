package runner

// A person's shell: a bash someone types into on a pty of its own, attached
// to their terminal — the debug shell after a failed step (debugshell.go)
// and the author's recording shell (record.go). Both follow one lifecycle,
// in the order STYLE §5 gives: start with the size, attach, copy, wait, end
// the session, close. The run's own shell is shell.go's.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/coursectl/coursectl/internal/procwait"
)

type personShell struct {
	cmd    *exec.Cmd
	master *os.File
	// tty is our copy of the slave, kept while the shell lives: the
	// recorder's key classification reads its modes (echo, line mode).
	tty    *os.File
	detach func()
	copied chan struct{}
	exited chan error
}

// startPersonShell starts cmd as the leader of a new session on a new pty
// the size of t. keys makes what the person's keys are written to (nil: the
// master, as typed); copyOut copies the shell's output to the person until
// the master reports the end.
func startPersonShell(t *Terminal, cmd *exec.Cmd, keys func(master, tty *os.File) io.Writer, copyOut func(master *os.File)) (*personShell, error) {
	rows, cols := 24, 80
	if r, c, ok := termSize(t); ok {
		rows, cols = r, c
	}
	master, tty, err := ptyStart(cmd, rows, cols, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("starting bash: %w", err)
	}
	var w io.Writer = master
	if keys != nil {
		w = keys(master, tty)
	}
	p := &personShell{cmd: cmd, master: master, tty: tty, copied: make(chan struct{}), exited: make(chan error, 1)}
	p.detach = attach(t, master, w)
	go func() {
		defer close(p.copied)
		copyOut(master)
	}()
	go func() { p.exited <- procwait.Wait(cmd) }()
	return p, nil
}

// hangUp ends the shell as a closed terminal would, when the person's run
// is cancelled: SIGHUP to its process group, SIGKILL after stopGrace. It
// returns the shell's wait error.
func (p *personShell) hangUp() error {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGHUP)
	select {
	case err := <-p.exited:
		return err
	case <-time.After(stopGrace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		return <-p.exited
	}
}

// end runs after the shell exited (waitErr is its wait error): it ends the
// jobs the person left running in the shell's session, so leaving the shell
// leaves nothing behind, gives the terminal back and waits for the last
// output. The shell's last exit status is the person's, not an error of
// ours.
func (p *personShell) end(ctx context.Context, waitErr error) error {
	for _, pid := range sessionMembers(p.cmd.Process.Pid) {
		_ = syscall.Kill(pid, syscall.SIGHUP)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	// The keyboard first: the recorder's copy reads the slave's modes.
	p.detach()
	p.tty.Close()
	select {
	case <-p.copied:
	case <-time.After(time.Second):
		// Something outside the session still holds the terminal open.
	}
	p.master.Close()
	<-p.copied
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		waitErr = nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return waitErr
}
