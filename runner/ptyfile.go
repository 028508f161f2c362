package runner

import (
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// openPTY opens a pty of rows×cols whose master the runtime's poller reads
// and writes. pty.Open's own ioctls call the master's Fd, which puts an
// os.File it made non-blocking back in blocking mode for good: the pump's
// read of the master then held a thread, and for a while a P, for the
// shell's whole life — the pattern that cost every shell's start 5–15 ms
// in the wait for its exit (procwait; docs/benchmarks.md, "Start-up").
// The master kept is a duplicate made non-blocking before os.NewFile: a
// File made from a descriptor that is already non-blocking stays so,
// whatever calls its Fd later (pty.Setsize, the foreground's ioctl).
func openPTY(rows, cols int) (master, tty *os.File, err error) {
	m, tty, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	fd, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	m.Close()
	if err == nil {
		if err = unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		tty.Close()
		return nil, nil, err
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	_ = pty.Setsize(master, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	return master, tty, nil
}
