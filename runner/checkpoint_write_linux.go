package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// writeNew writes a file that does not exist yet: an unnamed file
// (O_TMPFILE) given its name once whole, so a reader sees all of it or
// nothing. On ext4 this costs a third of creating a temporary name and
// renaming it (docs/benchmarks.md, "Checkpoints"): a checkpoint is written
// after every step. done is false when the file exists, or the filesystem
// or /proc cannot do it: then the caller writes and renames.
func writeNew(dst string, b []byte) (done bool, err error) {
	fd, err := unix.Open(filepath.Dir(dst), unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return false, nil
	}
	f := os.NewFile(uintptr(fd), dst)
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return false, err
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
	if errors.Is(err, unix.EEXIST) || err != nil && !errors.Is(err, unix.ENOSPC) && !errors.Is(err, unix.EDQUOT) {
		return false, nil
	}
	return err == nil, err
}
