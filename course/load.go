package course

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"
)

// Load reads and parses the module at path, with the coursectl.yaml beside
// it when there is one. A module of a course is the course's module run
// alone (Course.Alone, docs/courses.md "A module alone"). Errors are
// *PosError naming the file.
func Load(path string) (*Module, error) {
	if c, m, err := courseOf(path); err != nil {
		return nil, err
	} else if m != nil {
		return c.Alone(m), nil
	}
	return loadModule(path)
}

// loadModule is Load of a module as its own: its front matter and the
// coursectl.yaml beside it, no course.
func loadModule(path string) (*Module, error) {
	src, err := ReadFile(path)
	if err != nil {
		return nil, &PosError{File: path, Err: ReadError(err)}
	}
	side, ok, err := sidecarSettings(path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return Parse(path, src)
	}
	return parse(path, src, &side)
}

// MaxInput is the largest module or settings file coursectl reads: far
// above any real page (the largest in the corpus is 200 KB), low enough
// that a wrong path (/dev/zero, a disk image) is refused instead of
// filling memory.
const MaxInput = 64 << 20

// ErrTooLarge is the error of ReadFile for input over MaxInput.
var ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxInput>>20)

// ReadFile reads an input file (a module, a coursectl.yaml) of at most
// MaxInput bytes, without reading further: a device that never ends is
// refused as soon as it passes the limit.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		if fi.Size() > MaxInput {
			return nil, &os.PathError{Op: "read", Path: path, Err: ErrTooLarge}
		}
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxInput+1)); err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if buf.Len() > MaxInput {
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	return buf.Bytes(), nil
}

// ReadError says what to do about a file that cannot be read: the one
// message every command gives for a path it cannot use.
func ReadError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("no such file — check the path")
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("permission denied — make it readable")
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("%w — coursectl reads modules and settings of up to %d MiB; is this the right file?", ErrTooLarge, MaxInput>>20)
	case errors.Is(err, syscall.EISDIR) || err.Error() == "is a directory":
		return fmt.Errorf("is a directory — name a markdown file in it")
	}
	return err
}

// settingsReadError is ReadError for a coursectl.yaml or config.yaml.
func settingsReadError(err error) error {
	if errors.Is(err, syscall.EISDIR) {
		return errors.New("is a directory — coursectl reads settings from a YAML file of this name: remove or rename the directory")
	}
	return ReadError(err)
}

// Parse parses src as the module at path (no coursectl.yaml is read: Load
// does that). A binary or non-UTF-8 file is an error; everything else
// parses, with what looks wrong recorded in Module.Problems.
func Parse(path string, src []byte) (*Module, error) {
	return parse(path, src, nil)
}

// ErrNotText is wrapped by the PosError for binary and non-UTF-8 input.
var ErrNotText = errors.New("not a UTF-8 text file")

// checkText rejects input that is not markdown a person wrote: NUL bytes
// (binary) or bytes that are not UTF-8 (a legacy encoding).
func checkText(path string, src []byte) error {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return &PosError{File: path, Line: 1 + bytes.Count(src[:i], []byte("\n")),
			Err: fmt.Errorf("%w: it holds NUL bytes (binary?) — give a markdown file", ErrNotText)}
	}
	if utf8.Valid(src) {
		return nil
	}
	off := 0
	for off < len(src) {
		r, size := utf8.DecodeRune(src[off:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		off += size
	}
	return &PosError{File: path, Line: 1 + bytes.Count(src[:off], []byte("\n")),
		Err: fmt.Errorf("%w: byte 0x%02x is not UTF-8 — convert the file, e.g. iconv -f cp1252 -t utf-8", ErrNotText, src[off])}
}

// courseLevels is how far up from a module Load looks for its course: the
// module's own directory and two above it (a Carpentries lesson keeps its
// episodes in DIR/episodes/).
const courseLevels = 3

// courseOf finds the course the module at path belongs to: the nearest
// directory above it (courseLevels at most) that is a course and lists it
// among its modules. A module of no course gives nil, nil; a course that
// does not load gives its error (a broken coursectl.yaml is reported, not
// passed over).
func courseOf(path string) (*Course, *Module, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, nil
	}
	dir := filepath.Dir(abs)
	for range courseLevels {
		if IsCourse(dir) {
			c, err := loadCourseCached(relOrAbs(dir, path))
			if err != nil {
				return nil, nil, err
			}
			for _, m := range c.Modules {
				if ma, err := filepath.Abs(m.Path); err == nil && ma == abs {
					return c, m, nil
				}
			}
			return nil, nil, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return nil, nil, nil
}

// relOrAbs is dir as the user would name it: relative to the working
// directory (../.. too: a module named from its own directory has its
// course above it) when the module was named by a relative path, absolute
// when it was named by an absolute one.
func relOrAbs(dir, path string) string {
	if filepath.IsAbs(path) {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	if r, err := filepath.Rel(wd, dir); err == nil {
		return r
	}
	return dir
}

// courses keeps the courses courseOf loaded, so that naming many modules of
// one course (lint DIR, check of a directory holding a course) parses the
// course once, not once a module. An entry is used only while its files
// (the settings and every module) are as they were: watch reloads a module
// on every save.
var courses struct {
	sync.Mutex
	m map[string]cachedCourse
}

type cachedCourse struct {
	c     *Course
	stamp string
}

func loadCourseCached(dir string) (*Course, error) {
	key, _ := filepath.Abs(dir)
	courses.Lock()
	e, ok := courses.m[key]
	courses.Unlock()
	if ok && e.c.Dir == dir && courseStamp(e.c) == e.stamp {
		return e.c, nil
	}
	c, err := LoadCourse(dir)
	if err != nil {
		return nil, err
	}
	courses.Lock()
	if courses.m == nil {
		courses.m = map[string]cachedCourse{}
	}
	courses.m[key] = cachedCourse{c: c, stamp: courseStamp(c)}
	courses.Unlock()
	return c, nil
}

// courseStamp is the size and modification time of the course's settings
// files and of every module.
func courseStamp(c *Course) string {
	var b strings.Builder
	paths := []string{filepath.Join(c.Dir, SidecarName), filepath.Join(c.Dir, "config.yaml")}
	for _, m := range c.Modules {
		paths = append(paths, m.Path)
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
		} else {
			fmt.Fprintf(&b, "%s -\n", p)
		}
	}
	return b.String()
}
