package course

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"unicode/utf8"
)

// Load reads and parses the module at path, with the coursectl.yaml beside
// it when there is one. Errors are *PosError naming the file.
func Load(path string) (*Module, error) {
	src, err := os.ReadFile(path)
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
	case err.Error() == "is a directory":
		return fmt.Errorf("is a directory — name a markdown file in it")
	}
	return err
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
