package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// checkPlaces settles the state directory and makes sure every place the
// check writes to can be written, before anything runs: finding out after
// an hour of checking that the report cannot be saved, or failing the
// first step over a mistyped --workdir, helps no one.
func (f *checkFlags) checkPlaces() error {
	var err error
	if f.state, err = stateDir(f.state); err != nil {
		return err
	}
	// The state directory is coursectl's own store, made with its parents
	// like the XDG directory it defaults to (on a fresh machine
	// ~/.local/state is missing; run passes that default explicitly).
	if err := writableDir("--state", f.state, true); err != nil {
		return err
	}
	if err := writableDir("--workdir", f.workdir, false); err != nil {
		return err
	}
	if err := writableDir("--home", f.home, false); err != nil {
		return err
	}
	// The page (or the index and a page per module) and the JUnit file go
	// in a directory that is not created: a missing one is a typo.
	if err := reportFile("--html", f.html, "page", "report.html"); err != nil {
		return err
	}
	if err := reportFile("--junit", f.junit, "file", "report.xml"); err != nil {
		return err
	}
	return nil
}

// reportFile checks a report flag's FILE: not a directory, in a directory
// that exists and can be written. example names the file a directory given
// by mistake would hold; what is what FILE is ("page").
func reportFile(flag, file, what, example string) error {
	if file == "" {
		return nil
	}
	if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		return usageError("%s %s: is a directory — name the %s to write, like %s", flag, file, what, filepath.Join(file, example))
	}
	dir := filepath.Dir(file)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usageError("%s %s: directory %s does not exist — create it first", flag, file, dir)
	case !fi.IsDir():
		return usageError("%s %s: %s is not a directory", flag, file, dir)
	case !canWriteIn(dir):
		return usageError("%s %s: cannot write in %s — name a writable place", flag, file, dir)
	}
	return nil
}

// writableDir checks a directory flag: dir is a directory check can write
// in, or is missing and can be made. --workdir and --home may name a new
// directory, but not one under a missing parent: that is a typo more likely
// than a wish for a new tree, and the steps would run somewhere else than
// meant. withParents allows it, for the state directory.
func writableDir(flag, dir string, withParents bool) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return usageError("%s %s: not a directory — name a directory (a missing one is created)", flag, dir)
		}
		if !canWriteIn(dir) {
			return usageError("%s %s: cannot write in it — name a writable directory", flag, dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return usageError("%s %s: %v", flag, dir, pathless(err))
	}
	parent := filepath.Dir(filepath.Clean(dir))
	for withParents {
		if _, err := os.Stat(parent); err == nil || parent == filepath.Dir(parent) {
			break
		}
		parent = filepath.Dir(parent)
	}
	fi, err = os.Stat(parent)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("%s %s: directory %s does not exist — create it first", flag, dir, parent)
	case err != nil:
		return usageError("%s %s: %v", flag, dir, pathless(err))
	case !fi.IsDir():
		return usageError("%s %s: %s is not a directory", flag, dir, parent)
	case !canWriteIn(parent):
		return usageError("%s %s: cannot create it: %s is not writable — name a writable directory", flag, dir, parent)
	}
	return nil
}

// canWriteIn tries what check will do there: create a file. Permission
// bits alone do not tell (root ignores them; /proc and read-only mounts
// refuse root too).
func canWriteIn(dir string) bool {
	f, err := os.CreateTemp(dir, ".coursectl-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}
