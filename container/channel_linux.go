package container

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinFIFO opens the name path itself (O_PATH|O_NOFOLLOW: a link is opened
// as the link, and nothing of a device runs) and checks that it is a FIFO.
// The returned path, /proc/self/fd/N, reaches that very inode whatever is
// at path later; done closes the descriptor.
func pinFIFO(path string) (string, func(), error) {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return "", nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		unix.Close(fd)
		return "", nil, &os.PathError{Op: "open", Path: path, Err: errNotFIFO}
	}
	return "/proc/self/fd/" + strconv.Itoa(fd), func() { unix.Close(fd) }, nil
}
