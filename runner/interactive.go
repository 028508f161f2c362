package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/coursectl/coursectl/course"
)

// Shell gives opts.Terminal an interactive bash with the state of the
// checkpoint before step atID (a fresh shell when atID is the first step), in
// the workdir and HOME the run would use, until the person exits it or ctx is
// cancelled. Nothing is saved. It is `coursectl shell FILE --at ID`.
func Shell(ctx context.Context, mod *course.Module, opts Options, atID string) error {
	if opts.Terminal == nil {
		return errors.New("runner.Shell needs a terminal")
	}
	step := mod.Step(atID)
	if step == nil {
		return &course.PosError{File: mod.Path, Err: fmt.Errorf("no step %q in this module — `coursectl list %s` shows the ids", atID, mod.Path)}
	}
	opts.From, opts.Resume = "", false
	s, err := openSession(ctx, mod, opts, true)
	if err != nil {
		return err
	}
	defer func() {
		s.sh.kill()
		s.closed = true
		s.closeBox()
		s.removeScratch()
	}()
	if i := step.Index - 1; i > 0 {
		if err := s.restore(ctx, i-1); err != nil {
			return &course.PosError{File: step.File, Line: step.Line, Err: fmt.Errorf("%v — run the steps before %s first (`coursectl check --from` or `coursectl run`)", err, atID)}
		}
	}
	// Commands piped in (`echo 'echo $X' | coursectl shell ...`) run as
	// `bash < script` runs them: what they print, with no prompts and no
	// echo of the commands — typed ahead, they were echoed before the
	// prompt that reads them, a page of `$ $ ` and out-of-place lines.
	script := opts.Terminal.In != nil && !term.IsTerminal(int(opts.Terminal.In.Fd()))
	if script {
		if tio, err := ttyTermios(int(s.sh.pty.Fd())); err == nil {
			tio.Lflag &^= unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHONL | unix.ECHOCTL
			_ = setTTYTermios(int(s.sh.pty.Fd()), tio)
		}
		// A round trip, so that the prompt before it is drawn (and
		// discarded) before the script's output goes to the terminal.
		if err := s.sync(ctx, "PS1= PS2=; __cc_sync"); err != nil {
			return err
		}
	}
	// From here on every byte is the person's: no step window.
	s.sh.pump.passthrough(func(b []byte) { opts.Terminal.Out.Write(b) })
	detach := attach(opts.Terminal, s.sh.pty, s.sh.keyboard())
	defer detach()
	// The prompt was printed (and discarded) before the terminal was
	// attached: an empty line draws a fresh one.
	if !script {
		_ = s.sh.send("")
	}
	for {
		select {
		case _, ok := <-s.sh.recs:
			if !ok {
				select {
				case <-s.sh.exited:
				case <-time.After(time.Second):
				}
				return nil
			}
		case <-s.sh.exited:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
