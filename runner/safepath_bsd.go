//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package runner

import "golang.org/x/sys/unix"

// dirOpenFlags open a directory to walk from it. macOS and the BSDs have
// no O_PATH; a directory coursectl made is readable by it.
const dirOpenFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC

// openatBeneath opens name (one component) in dirFd, refusing to leave
// it: there is no openat2 here, so openat with O_NOFOLLOW, one component
// at a time (openBeneath's fallback on Linux too).
func openatBeneath(dirFd int, name string, flag int, perm uint32) (int, error) {
	return unix.Openat(dirFd, name, flag|unix.O_NOFOLLOW, perm)
}
