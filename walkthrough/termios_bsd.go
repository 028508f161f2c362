//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package walkthrough

import "golang.org/x/sys/unix"

// The termios requests of macOS and the BSDs (TIOCGETA/TIOCSETA), as
// golang.org/x/term uses.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)

// fread is <sys/fcntl.h>'s FREAD (TIOCFLUSH's input side), which
// golang.org/x/sys/unix does not define.
const fread = 0x1

// flushInput drops what the learner typed and the program has not read,
// as tcflush(fd, TCIFLUSH) does: TIOCFLUSH with FREAD.
func flushInput(fd int) error { return unix.IoctlSetPointerInt(fd, unix.TIOCFLUSH, fread) }
