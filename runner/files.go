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
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if step.Attrs.Append {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	perm := os.FileMode(0o644)
	if mode != 0 {
		perm = mode
	}
	var f *os.File
	if place.Confine {
		root, rel, real, err := confined(target, place.Workdir, place.Home)
		if err != nil {
			return fail("file=%s: %v", step.Attrs.File, err)
		}
		if root == "" && real != target {
			return fail("file=%s leads through a symbolic link to %s, outside the sandbox (workdir %s, HOME %s); check writes only there — write the file itself, not through the link", step.Attrs.File, real, place.Workdir, place.Home)
		}
		if root == "" {
			return fail("file=%s is outside the sandbox (workdir %s, HOME %s); check writes only there — use a path under the workdir or ~", step.Attrs.File, place.Workdir, place.Home)
		}
		if f, err = openBeneath(root, rel, flags, perm); err != nil {
			return fail("file=%s: %v", step.Attrs.File, linkError(err))
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fail("file=%s: %v", step.Attrs.File, err)
		}
		if f, err = os.OpenFile(target, flags, perm); err != nil {
			return fail("file=%s: %v", step.Attrs.File, err)
		}
	}
	_, werr := f.WriteString(step.Body)
	// The umask narrowed perm on create, and an existing file kept its
	// old mode: the author asked for exactly this one. On the open file,
	// not the path: a path can be a link by now.
	if werr == nil && step.Attrs.Mode != "" {
		werr = f.Chmod(mode)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fail("file=%s: %v", step.Attrs.File, werr)
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

// confined finds the sandbox root that p lies in once every symbolic link
// on it is followed — a dangling last one too, since creating the file
// would create its target — and p's place under that root with no links
// left. root is "" when p leads outside both roots (a link in the workdir
// to /etc does not make /etc writable, nor does one to a file that does
// not exist yet).
func confined(p string, roots ...string) (root, rel, real string, err error) {
	real, err = resolveAll(p)
	if err != nil {
		return "", "", "", err
	}
	for _, r := range roots {
		if r == "" {
			continue
		}
		rr, err := resolveAll(r)
		if err != nil {
			return "", "", "", err
		}
		if within(real, rr) && real != rr {
			rel, _ := filepath.Rel(rr, real)
			return rr, rel, real, nil
		}
	}
	return "", "", real, nil
}
