package runner

import (
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// openRegular opens p with flag only if p itself (not a link's target) is
// a regular file: the name is pinned with O_PATH|O_NOFOLLOW, which runs no
// driver's or FIFO's open, checked, and opened again through
// /proc/self/fd (the same inode, whatever is at p by then).
func openRegular(p string, flag int) (*os.File, error) {
	fd, err := unix.Open(p, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, &os.PathError{Op: "open", Path: p, Err: syscall.EINVAL}
	}
	f, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(fd), flag&^unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return f, nil
}
