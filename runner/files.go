package runner

// File steps: a fence with `{file=PATH}` is a file the learner is told to
// create, so the runner writes its body there — as the learner's editor
// would, relative to where their shell stands. In check the write is
// confined to the sandbox (the workdir and HOME), so a module cannot use a
// CI machine's check to overwrite /etc or the maintainer's dotfiles.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coursectl/coursectl/course"
)

// FilePlace says where file steps may write and relative to what.
type FilePlace struct {
	// Dir is the shell's current directory: relative paths start there.
	Dir string
	// Home is what `~` means.
	Home string
	// Confine refuses paths outside Workdir and Home (check).
	Confine bool
	// Workdir is the run's working directory (the sandbox in check).
	Workdir string
}

// WriteFileStep writes step's body to its file attribute and returns the
// absolute path written. file names the module, for errors.
func WriteFileStep(file string, step *course.Step, place FilePlace) (string, error) {
	fail := func(format string, a ...any) (string, error) {
		line := step.Attrs.Line
		if line == 0 {
			line = step.Line
		}
		return "", &course.PosError{File: file, Line: line, Err: fmt.Errorf(format, a...)}
	}
	target, err := resolveFilePath(step.Attrs.File, place.Dir, place.Home)
	if err != nil {
		return fail("file=%s: %v", step.Attrs.File, err)
	}
	var mode os.FileMode
	if step.Attrs.Mode != "" {
		m, err := strconv.ParseUint(step.Attrs.Mode, 8, 32)
		if err != nil || m > 0o777 {
			return fail("mode=%s is not a file mode — write it in octal, e.g. mode=0755", step.Attrs.Mode)
		}
		mode = os.FileMode(m)
	}
	if place.Confine {
		ok, err := insideAny(target, place.Workdir, place.Home)
		if err != nil {
			return fail("file=%s: %v", step.Attrs.File, err)
		}
		if !ok {
			return fail("file=%s is outside the sandbox (workdir %s, HOME %s); check writes only there — use a path under the workdir or ~", step.Attrs.File, place.Workdir, place.Home)
		}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fail("file=%s: %v", step.Attrs.File, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if step.Attrs.Append {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	perm := os.FileMode(0o644)
	if mode != 0 {
		perm = mode
	}
	f, err := os.OpenFile(target, flags, perm)
	if err != nil {
		return fail("file=%s: %v", step.Attrs.File, err)
	}
	_, werr := f.WriteString(step.Body)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fail("file=%s: %v", step.Attrs.File, werr)
	}
	// The umask narrowed perm on create, and an existing file kept its
	// old mode: the author asked for exactly this one.
	if step.Attrs.Mode != "" {
		if err := os.Chmod(target, mode); err != nil {
			return fail("file=%s: %v", step.Attrs.File, err)
		}
	}
	return target, nil
}

// resolveFilePath makes p absolute: `~` and `~/...` are under home,
// relative paths under dir.
func resolveFilePath(p, dir, home string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("empty path — write file=PATH")
	case strings.HasSuffix(p, "/") || p == "~" || p == "." || p == "..":
		return "", errors.New("names a directory — give a file name")
	case strings.HasPrefix(p, "~/"):
		if home == "" {
			return "", errors.New("~ needs HOME, which is not set")
		}
		p = filepath.Join(home, p[1:])
	case strings.HasPrefix(p, "~"):
		return "", errors.New("only ~ and ~/ are understood, not ~user")
	case !filepath.IsAbs(p):
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p), nil
}

// insideAny reports whether p lies within one of roots, after symlinks —
// a link in the workdir pointing at /etc does not make /etc writable.
func insideAny(p string, roots ...string) (bool, error) {
	real, err := resolveExisting(p)
	if err != nil {
		return false, err
	}
	for _, root := range roots {
		if root == "" {
			continue
		}
		r, err := resolveExisting(root)
		if err != nil {
			return false, err
		}
		if rel, err := filepath.Rel(r, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true, nil
		}
	}
	return false, nil
}

// resolveExisting resolves the symlinks of the longest existing prefix of
// p and appends the rest, so paths that do not exist yet resolve too.
func resolveExisting(p string) (string, error) {
	p = filepath.Clean(p)
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}
