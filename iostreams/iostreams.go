// Package iostreams is where a command reads and writes: the three
// standard streams, whether each is a terminal, its width and whether
// colour is on. Main makes one from the process's streams (System); tests
// pass their own, so no command and no package it calls touches os.Stdout.
package iostreams

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// IOStreams is one command's streams.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InFile/OutFile are the real files when the streams are a terminal
	// (run needs raw mode and the window size); nil otherwise.
	InFile, OutFile *os.File
	InTTY, OutTTY   bool
	// Color says whether Out may carry ANSI escapes (--color, NO_COLOR, tty).
	Color bool
	// Width is the terminal width for wrapping (80 when not a terminal).
	Width int
}

// DefaultWidth is the width of output that is not a terminal.
const DefaultWidth = 80

// System is the process's own streams.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Width: DefaultWidth}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		s.InTTY, s.InFile = true, os.Stdin
	}
	if term.IsTerminal(int(os.Stdout.Fd())) {
		s.OutTTY, s.OutFile = true, os.Stdout
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			s.Width = w
		}
	}
	return s
}

// ColorModes are the values of --color.
const ColorModes = "auto, always or never"

// SetColorMode settles Color from --color's value: auto is colour on a
// terminal unless NO_COLOR is set or TERM is dumb (docs/spec.md §4).
func (s *IOStreams) SetColorMode(mode string) error {
	switch mode {
	case "auto":
		s.Color = s.OutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	case "always":
		s.Color = true
	case "never":
		s.Color = false
	default:
		return fmt.Errorf("want %s", ColorModes)
	}
	return nil
}

// Hyperlinks says whether Out should carry OSC 8 links: colour is on, Out
// is a terminal, and the terminal probably shows them. Terminals that do
// not know OSC 8 ignore it, except the Linux console, which prints it;
// TERM=dumb gets no escapes at all.
func (s *IOStreams) Hyperlinks() bool {
	if !s.Color || !s.OutTTY {
		return false
	}
	switch os.Getenv("TERM") {
	case "linux", "dumb", "":
		return false
	}
	return true
}

// CurrentWidth is the terminal's width now (the window may have been
// resized since the command started), else Width.
func (s *IOStreams) CurrentWidth() int {
	if s.OutFile != nil {
		if cols, _, err := term.GetSize(int(s.OutFile.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	return s.Width
}

// ErrText settles how human text written to Err looks (check --json sends
// its text report there): whether Err is a terminal, its width, and
// whether it may carry colour.
func (s *IOStreams) ErrText() (w io.Writer, tty bool, width int, color bool) {
	w, width = s.Err, DefaultWidth
	if f, ok := s.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			width = cols
		}
	}
	// --color=always shows as Color without a terminal on stdout.
	color = (s.Color && !s.OutTTY) ||
		(tty && s.Color && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb")
	return w, tty, width, color
}

// CheckWrites makes Out remember the first error a write to it meets, for
// OutError: a command that wrote its report into a full disk or a closed
// file must not exit 0 (docs/cli.md).
func (s *IOStreams) CheckWrites() {
	if _, ok := s.Out.(*checkedWriter); !ok {
		s.Out = &checkedWriter{w: s.Out}
	}
}

// OutError is the first error a write to Out met since CheckWrites, nil
// when every write went through.
func (s *IOStreams) OutError() error {
	if c, ok := s.Out.(*checkedWriter); ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.err
	}
	return nil
}

// checkedWriter passes writes on and keeps the first error.
type checkedWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}
