package walkthrough

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/muesli/cancelreader"
	"golang.org/x/sys/unix"

	"github.com/coursectl/coursectl/sgr"
)

// The key hints, one line each (docs/spec.md §4).
const (
	runKeys      = "Enter run · s skip · e edit · c copy · q quit · ? help"
	failKeys     = "r retry · s skip · h shell here · c copy · q quit · ? help"
	failKeysEdit = "r retry · e edit · s skip · h shell here · c copy · q quit · ? help"
)

func (w *walkthrough) help(failed, editable bool) string {
	k := func(key, what string) string {
		return "    " + w.paint(fmt.Sprintf("%-6s", key), sgr.Bold) + " " + what + "\n"
	}
	var b strings.Builder
	b.WriteString("\n")
	if failed {
		b.WriteString(k("r", "run the step again"))
	} else {
		b.WriteString(k("Enter", "run the step here: your keyboard goes to it (nano, sudo, read);"))
		b.WriteString(k("", "Ctrl-C stops the step, not coursectl"))
	}
	if editable {
		b.WriteString(k("e", "edit the step in $EDITOR; Enter then runs your version"))
		b.WriteString(k("", "(only this run uses it: the module file is not changed)"))
	}
	b.WriteString(k("c", "copy the step's commands to the clipboard, each on one line"))
	b.WriteString(k("s", "skip the step: the run goes on; it is kept as skipped, not done"))
	if failed {
		b.WriteString(k("h", "open a shell with the state the step left; exit comes back"))
	}
	b.WriteString(k("q", "quit; progress is kept and the next run resumes here"))
	b.WriteString(k("?", "this help"))
	return b.String()
}

// ask shows hint and reads one key of allowed from the learner's terminal
// in raw mode. Ctrl-D quits, as q does; Ctrl-C is ErrInterrupted; Enter is '\r'.
func (w *walkthrough) ask(ctx context.Context, hint, allowed string) (byte, error) {
	// Keys typed before the question is on screen are dropped (an Enter
	// pressed twice must not run a step the learner has not seen); keys
	// typed after it stand.
	_ = flushInput(int(w.streams.InFile.Fd()))
	fmt.Fprintf(w.out(), "  %s ", w.paint(hint, sgr.Cyan))
	key, err := readKey(ctx, w.streams.InFile, allowed)
	fmt.Fprint(w.out(), "\n")
	return key, err
}

// keysMode makes the learner's terminal read keys one at a time with no
// echo and no signals (Ctrl-C is a key: at a prompt it quits, as q does),
// like raw mode but with output processing kept, so "\n" still starts a new
// line. Staying in this mode between steps matters: a key typed in the
// moment between the learner's Enter and the step taking the keyboard stays
// queued for the step, where a canonical-mode terminal would echo it, turn
// Ctrl-C into a signal for coursectl, or lose a half-typed line when the
// mode changes under it.
func keysMode(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, fmt.Errorf("the terminal: %w", err)
	}
	t := *old
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t); err != nil {
		return nil, fmt.Errorf("the terminal: %w", err)
	}
	return func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, old) }, nil
}

// readKey reads keys until one of allowed arrives. Escape sequences (arrow
// keys) and other keys are ignored. The terminal is in keys mode.
func readKey(ctx context.Context, in *os.File, allowed string) (byte, error) {
	cr, err := cancelreader.NewReader(in)
	if err != nil {
		return 0, fmt.Errorf("reading a key: %w", err)
	}
	defer cr.Close()
	stop := context.AfterFunc(ctx, func() { cr.Cancel() })
	defer stop()
	buf := make([]byte, 64)
	for {
		n, err := cr.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			if errors.Is(err, cancelreader.ErrCanceled) || errors.Is(err, io.EOF) {
				return 'q', nil
			}
			return 0, err
		}
		if n == 0 || buf[0] == 0x1b {
			continue
		}
		key := buf[0]
		switch key {
		case '\n':
			key = '\r'
		case 0x03: // Ctrl-C
			return 0, ErrInterrupted
		case 0x04: // Ctrl-D
			key = 'q'
		}
		if key >= 'A' && key <= 'Z' {
			key += 'a' - 'A'
		}
		if strings.IndexByte(allowed, key) >= 0 {
			return key, nil
		}
	}
}
