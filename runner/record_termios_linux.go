package runner

import "golang.org/x/sys/unix"

// ioctlGetTermios is Linux's tcgetattr request, as golang.org/x/term uses.
const ioctlGetTermios = unix.TCGETS
