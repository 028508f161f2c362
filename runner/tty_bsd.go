//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package runner

import "golang.org/x/sys/unix"

// Constants of macOS's and the BSDs' headers that golang.org/x/sys/unix
// does not define.
const (
	fread    = 0x1        // <sys/fcntl.h> FREAD: TIOCFLUSH's input side
	fionread = 0x4004667f // <sys/filio.h> FIONREAD: _IOR('f', 127, int)
)

// flushTTYInput drops the input queued on the tty fd, as tcflush(fd,
// TCIFLUSH) does: TIOCFLUSH with FREAD.
func flushTTYInput(fd int) error { return unix.IoctlSetPointerInt(fd, unix.TIOCFLUSH, fread) }

// ttyInputQueued is how many bytes of input wait on the tty fd (FIONREAD,
// which Linux calls TIOCINQ).
func ttyInputQueued(fd int) (int, error) { return unix.IoctlGetInt(fd, fionread) }

// ttyTermios is the tty's settings (TIOCGETA).
func ttyTermios(fd int) (*unix.Termios, error) { return unix.IoctlGetTermios(fd, unix.TIOCGETA) }

// setTTYTermios changes the tty's settings at once (TIOCSETA). On a pty's
// master it sets the terminal's, which both ends share.
func setTTYTermios(fd int, t *unix.Termios) error { return unix.IoctlSetTermios(fd, unix.TIOCSETA, t) }
