package runner

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// oPath opens a directory only to walk from it.
const oPath = unix.O_PATH

// openatBeneath opens name (one component) in dirFd, refusing to leave
// it: openat2 with RESOLVE_BENEATH, or openat with O_NOFOLLOW.
func openatBeneath(dirFd int, name string, flag int, perm uint32) (int, error) {
	if !noOpenat2 {
		how := unix.OpenHow{Flags: uint64(flag), Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS}
		if flag&unix.O_CREAT != 0 {
			how.Mode = uint64(perm)
		}
		fd, err := unix.Openat2(dirFd, name, &how)
		if !errors.Is(err, syscall.ENOSYS) && !errors.Is(err, syscall.EPERM) {
			return fd, err
		}
		noOpenat2 = true
	}
	return unix.Openat(dirFd, name, flag|unix.O_NOFOLLOW, perm)
}
