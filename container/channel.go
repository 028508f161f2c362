package container

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The runner talks to the wrapper in its bash over two pipes beyond the
// terminal: records (bash → runner, fd 247) and the answer (runner → bash,
// fd 248), inherited as extra file descriptors. docker exec passes none, so
// in a container they are FIFOs in the channel directory, which the
// container sees at the same path (Options.ChannelDir): the wrapper opens
// them by name, the runner opens the other ends. A FIFO keeps what the
// runner relies on: EOF on the records when the last writer (the shell and
// anything that inherited the fd) is gone.
const (
	RecordsFIFO = "records" // bash writes, the runner reads
	AnswerFIFO  = "answer"  // the runner writes, bash reads
)

// MakeChannel makes the two FIFOs in dir afresh. They are world-writable:
// the learner inside may be another uid than the runner (dir's own mode
// guards them; the runner's scratch directory is private).
//
// The container's root (a step's sudo) writes dir too: what is at a name
// may be a link to a host file or a device node it made, and a chmod or an
// open by name would follow it (docs/sandbox.md, "The checkpoint directory
// is not writable from inside"). So the name is removed and made again, and
// each FIFO is then handled through a descriptor of the name itself
// (pinFIFO), which must be a FIFO.
func MakeChannel(dir string) error {
	for _, name := range []string{RecordsFIFO, AnswerFIFO} {
		p := filepath.Join(dir, name)
		if err := unix.Unlink(p); err != nil && !errors.Is(err, unix.ENOENT) {
			return &os.PathError{Op: "remove", Path: p, Err: err}
		}
		if err := unix.Mkfifo(p, 0o666); err != nil {
			return &os.PathError{Op: "mkfifo", Path: p, Err: err}
		}
		pinned, done, err := pinFIFO(p)
		if err != nil {
			return err
		}
		// Mkfifo's mode went through the umask.
		err = os.Chmod(pinned, 0o666)
		done()
		if err != nil {
			return err
		}
	}
	return nil
}

// OpenChannel opens the runner's ends: records for reading, then the answer
// for writing — the order in which the wrapper must open its ends, or both
// sides wait forever. Opening a FIFO waits for the other side; ctx ends
// the wait (a shell that never started).
func OpenChannel(ctx context.Context, dir string) (records, answer *os.File, err error) {
	records, err = openFIFO(ctx, filepath.Join(dir, RecordsFIFO), os.O_RDONLY)
	if err != nil {
		return nil, nil, err
	}
	answer, err = openFIFO(ctx, filepath.Join(dir, AnswerFIFO), os.O_WRONLY)
	if err != nil {
		records.Close()
		return nil, nil, err
	}
	return records, answer, nil
}

// openFIFO opens path with flag, which blocks until the other end opens.
// When ctx ends first, an O_RDWR open (which never blocks) gives the
// blocked open its partner and the result is thrown away. Both opens go
// through pinFIFO: never through a link, never anything but a FIFO.
func openFIFO(ctx context.Context, path string, flag int) (*os.File, error) {
	pinned, done, err := pinFIFO(path)
	if err != nil {
		return nil, err
	}
	defer done()
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := os.OpenFile(pinned, flag, 0)
		ch <- result{f, err}
	}()
	select {
	case r := <-ch:
		return r.f, r.err
	case <-ctx.Done():
		if f, err := os.OpenFile(pinned, os.O_RDWR, 0); err == nil {
			f.Close()
		}
		if r := <-ch; r.f != nil {
			r.f.Close()
		}
		return nil, ctx.Err()
	}
}

// errNotFIFO: the channel's name holds something else than the FIFO the
// runner made (a step replaced it).
var errNotFIFO = errors.New("not a named pipe (replaced from inside the container?)")
