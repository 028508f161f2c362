package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/coursectl/coursectl/course"
	"github.com/creack/pty"
	"golang.org/x/term"
)

// A debug shell is an interactive bash for a person, with the state of a
// step: `coursectl shell FILE --at ID` (the checkpoint before ID) and the
// walkthrough's "open a shell here" after a failed step (the state the step
// left). It is a separate bash in its own pty, not the run's shell: what the
// person types cannot break the run's shell, and its variables do not flow
// back into the run (files it changes do, being the same files).

// Shell opens a debug shell on opts.Terminal with the state of the checkpoint
// before step index at (0-based; 0 means a fresh shell, len(mod.Steps) the
// state after the last step), in opts' place
// (Sandbox, Workdir, Home as for a run). It returns when the person exits
// the shell, or ctx is cancelled.
func Shell(ctx context.Context, mod *course.Module, at int, opts Options) error {
	if opts.Terminal == nil {
		return errors.New("a debug shell needs a terminal")
	}
	if at < 0 || at > len(mod.Steps) {
		return fmt.Errorf("no step %d in %s", at+1, mod.Path)
	}
	if opts.StateDir == "" {
		opts.StateDir = DefaultStateDir()
	}
	st, err := openStore(opts.StateDir, mod)
	if err != nil {
		return err
	}
	s := &Session{mod: mod, opts: opts, store: st, restored: -1}
	if err := s.prepareDirs(); err != nil {
		return err
	}
	restore := ""
	if at > 0 {
		if _, err := st.valid(at - 1); err != nil {
			if errors.Is(err, errNoCheckpoint) {
				return &course.PosError{File: mod.Path, Line: mod.Steps[at-1].Line, Err: fmt.Errorf(
					"step %s has no checkpoint (never passed, or edited since) — run the module up to it first: coursectl run %s", mod.Steps[at-1].ID, mod.Path)}
			}
			return err
		}
		if restore, err = restoreScript(st.checkpointPath(at - 1)); err != nil {
			return err
		}
	}
	return debugShell(ctx, opts.Terminal, s.workdir, s.environment(), restore)
}

// Shell opens a debug shell with the state the session's shell is in now:
// after a failed step, the state that step left (as its wrapper saved it on
// the way out), else the last checkpoint. The session's own shell is not
// touched.
func (s *Session) Shell(ctx context.Context) error {
	if s.opts.Terminal == nil {
		return errors.New("a debug shell needs a terminal")
	}
	restore := ""
	if p := filepath.Join(s.runDir, "checkpoint.tmp"); validCheckpoint(p) == nil {
		script, err := restoreScript(p)
		if err != nil {
			return err
		}
		restore = script
	} else if s.restored >= 0 {
		script, err := restoreScript(s.store.checkpointPath(s.restored))
		if err != nil {
			return err
		}
		restore = script
	}
	return debugShell(ctx, s.opts.Terminal, s.workdir, s.env, restore)
}

// debugShell runs `bash -i` on a new pty attached to t, with restore sourced
// before the first prompt. The order is the pty lifecycle's (STYLE §5):
// start with the size, attach (raw mode, resizes, keys), copy output, wait,
// close, and end what the person left running in the shell's session.
func debugShell(ctx context.Context, t *Terminal, workdir string, env []string, restore string) error {
	dir, err := os.MkdirTemp("", "coursectl-shell-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
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
	var out io.Writer = t.Out
	if !interactive {
		// Not a terminal (a script pipes commands in): no line editing, and
		// the terminal's escapes and \r are kept out of the output.
		args = append(args, "--noediting")
		pw := &plainWriter{w: t.Out}
		defer pw.flush()
		out = pw
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
	detach := attach(t, master)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		// EIO from the master is the end of output (the slave side closed).
		_, _ = io.Copy(out, master)
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

// plainWriter passes terminal output on as plain lines: escape sequences
// dropped, \r\n made \n and a \r redraw reduced to its last state. It holds
// a partial line until its end (or flush), so an escape split across two
// writes is still whole when it is stripped.
type plainWriter struct {
	w       io.Writer
	partial []byte
}

func (p *plainWriter) Write(b []byte) (int, error) {
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		if _, err := io.WriteString(p.w, plainLine(string(p.partial[:i]))+"\n"); err != nil {
			return 0, err
		}
		p.partial = p.partial[i+1:]
	}
}

func (p *plainWriter) flush() {
	if len(p.partial) > 0 {
		_, _ = io.WriteString(p.w, plainLine(string(p.partial)))
		p.partial = nil
	}
}

func plainLine(l string) string {
	l = xansi.Strip(strings.TrimSuffix(l, "\r"))
	if i := strings.LastIndexByte(l, '\r'); i >= 0 {
		l = l[i+1:]
	}
	return l
}
