package runner

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"

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
	rs, err := s.currentState()
	if err != nil {
		return err
	}
	restore := ""
	if rs != nil {
		restore, _ = restoreScript(rs)
	}
	return debugShell(ctx, s.opts.Terminal, dir, s.workdir, s.env, restore)
}

// currentState is the state the session's shell is in now: after a failed
// step, what its wrapper saved on the way out, else the last checkpoint;
// nil for a fresh shell.
func (s *Session) currentState() (*restoredState, error) {
	switch {
	case s.state.known:
		return s.state.snapshot(), nil
	case s.restored >= 0:
		return s.store.reader().state(s.restored)
	}
	return nil, nil
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
	sh, err := startPersonShell(t, cmd, nil, func(master *os.File) {
		// EIO from the master is the end of output (the slave side closed).
		_, _ = io.Copy(t.Out, master)
	})
	if err != nil {
		return err
	}
	var waitErr error
	select {
	case waitErr = <-sh.exited:
	case <-ctx.Done():
		waitErr = sh.hangUp()
	}
	return sh.end(ctx, waitErr)
}
