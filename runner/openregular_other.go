//go:build !linux

package runner

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openRegular opens p with flag (never through a link) and keeps it only
// if it is a regular file. Without O_PATH the open comes before the check.
func openRegular(p string, flag int) (*os.File, error) {
	f, err := os.OpenFile(p, flag|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: p, Err: syscall.EINVAL}
	}
	return f, nil
}
