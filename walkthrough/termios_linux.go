package walkthrough

import "golang.org/x/sys/unix"

// The termios requests of Linux (TCGETS/TCSETS), as golang.org/x/term uses.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)

// flushInput drops what the learner typed and the program has not read,
// as tcflush(fd, TCIFLUSH) does.
func flushInput(fd int) error { return unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH) }
