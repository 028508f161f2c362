//go:build !linux

package container

import "os"

// pinFIFO checks that path is a FIFO, not a link to one. Without O_PATH
// the check and the open are two steps; the container sandbox needs the
// engine on this kernel (docs/sandbox.md), which is Linux.
func pinFIFO(path string) (string, func(), error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", nil, err
	}
	if fi.Mode()&os.ModeNamedPipe == 0 {
		return "", nil, &os.PathError{Op: "open", Path: path, Err: errNotFIFO}
	}
	return path, func() {}, nil
}
