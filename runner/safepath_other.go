//go:build !linux

package runner

import "golang.org/x/sys/unix"

// oPath opens a directory only to walk from it: macOS and the BSDs have no
// O_PATH, and a read-only open does the same for a directory.
const oPath = unix.O_RDONLY

// openatBeneath opens name (one component) in dirFd, refusing to leave
// it: without openat2 (Linux only), openat with O_NOFOLLOW, so a symbolic
// link on the way is refused.
func openatBeneath(dirFd int, name string, flag int, perm uint32) (int, error) {
	return unix.Openat(dirFd, name, flag|unix.O_NOFOLLOW, perm)
}
