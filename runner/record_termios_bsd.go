//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package runner

import "golang.org/x/sys/unix"

// ioctlGetTermios is the BSDs' tcgetattr request, as golang.org/x/term uses.
const ioctlGetTermios = unix.TIOCGETA
