package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFileAtomic replaces path with data in one rename, so a reader (a
// browser reloading the page under watch) never sees half of it and an
// interrupted write leaves the old file whole. The temporary file sits
// beside path, since a rename across file systems is not atomic. Its errors
// are the bare cause ("no such file or directory"): the temporary name
// would only confuse.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		// A device, a FIFO, a terminal or a link (-o /dev/stdout, a named
		// pipe): renaming a file over it would replace it, so it is
		// written through.
		return writeThrough(path, data)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return pathless(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return pathless(err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return pathless(err)
	}
	if err := tmp.Close(); err != nil {
		return pathless(err)
	}
	return os.Rename(tmp.Name(), path)
}

// writeThrough writes data into the existing path, as a shell's > does,
// and reports the first error (a full device fails at the write or the
// close).
func writeThrough(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return pathless(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return pathless(err)
	}
	return pathless(f.Close())
}

// replaceFile is writeFileAtomic for a module rewritten in place (lint
// --fix, check --update): it keeps the file's permissions.
func replaceFile(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return pathless(err)
	}
	return writeFileAtomic(path, data, info.Mode().Perm())
}

// pathless is err without the "op PATH:" of an fs.PathError, for messages
// that already name the path ("not a directory" for /etc/passwd/x).
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
