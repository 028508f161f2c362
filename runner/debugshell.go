package runner

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/coursectl/coursectl/container"
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
	rs, err := s.currentState()
	if err != nil {
		return err
	}
	restore := ""
	if rs != nil {
		restore, _ = restoreScript(rs)
	}
	if s.box != nil {
		return s.boxDebugShell(ctx, restore)
	}
	dir, err := os.MkdirTemp("", "coursectl-shell-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files := debugFiles{rc: filepath.Join(dir, "rc.bash"), hist: filepath.Join(dir, "history"),
		at:    func(p string) string { return p },
		write: func(p string, data []byte) error { return os.WriteFile(p, data, 0o600) }}
	return debugShell(ctx, s.opts.Terminal, files, restore, func(rc string, args []string) *exec.Cmd {
		cmd := exec.Command("bash", append(append([]string{"--rcfile", rc}, args...), "-i")...)
		cmd.Dir, cmd.Env = s.workdir, s.env
		return cmd
	})
}

// boxDebugShell is Shell in the container sandbox: the person's bash runs
// in the run's container, as the learner, where the step ran — not on the
// host. Its rc file and history are in the scratch directory the container
// sees, at its top (the mount itself, which nothing inside can swap for a
// link); the rc file is written without following a link put at its name.
func (s *Session) boxDebugShell(ctx context.Context, restore string) error {
	base := filepath.Join(s.runDir, "debug-"+newToken())
	files := debugFiles{rc: base + ".rc", hist: base + ".history", at: s.inside,
		write: func(p string, data []byte) error { return writeNoFollow(p, data, 0o644) }}
	defer os.Remove(files.rc)
	defer os.Remove(files.hist)
	return debugShell(ctx, s.opts.Terminal, files, restore, func(rc string, args []string) *exec.Cmd {
		return s.box.c.ShellCommand(container.Shell{Args: append(append([]string{"--rcfile", s.inside(rc)}, args...), "-i"), Env: s.boxEnvironment()})
	})
}

// debugFiles are a debug shell's rc file and history (host paths), where
// a host path is for the shell, and how the host writes the rc file.
type debugFiles struct {
	rc, hist string
	at       func(string) string
	write    func(path string, data []byte) error
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

// debugShell runs a person's `bash -i` on a new pty attached to t, with
// restore sourced before the first prompt (files say where its rc file and
// history go). command makes the bash from its rcfile and arguments. The
// order is the pty lifecycle's (personshell.go): start with the size,
// attach (raw mode, resizes, keys), copy output, wait, close, and end what
// the person left running in the shell's session.
func debugShell(ctx context.Context, t *Terminal, files debugFiles, restore string, command func(rc string, args []string) *exec.Cmd) error {
	// The state first, then what makes the shell a person's: a prompt that
	// says where they are, line editing on a terminal (the run's shell has
	// none, and its options came with the state), history kept apart.
	interactive := term.IsTerminal(int(t.Out.Fd()))
	script := restore + `
PS1='(coursectl) \w \$ '
PS2='> '
HISTFILE=` + shellQuote(files.at(files.hist)) + `
set +o errexit +o nounset
trap - ERR
`
	if interactive {
		script += "set -o emacs 2>/dev/null\n"
	}
	if err := files.write(files.rc, []byte(script)); err != nil {
		return err
	}
	args := []string{"--noprofile"}
	if !interactive {
		args = append(args, "--noediting")
	}
	cmd := command(files.rc, args)
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
