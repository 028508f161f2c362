package runner

import "golang.org/x/sys/unix"

// flushTTYInput drops the input queued on the tty fd, as tcflush(fd,
// TCIFLUSH) does.
func flushTTYInput(fd int) error { return unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH) }

// ttyInputQueued is how many bytes of input wait on the tty fd.
func ttyInputQueued(fd int) (int, error) { return unix.IoctlGetInt(fd, unix.TIOCINQ) }

// ttyTermios is the tty's settings (TCGETS).
func ttyTermios(fd int) (*unix.Termios, error) { return unix.IoctlGetTermios(fd, unix.TCGETS) }

// setTTYTermios changes the tty's settings at once (TCSETS). On a pty's
// master it sets the terminal's, which both ends share.
func setTTYTermios(fd int, t *unix.Termios) error { return unix.IoctlSetTermios(fd, unix.TCSETS, t) }
