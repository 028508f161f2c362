package watch

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// watchScreen is what watch shows: a page (the module and the footer) and,
// under it, the lines of the current run as they land. On a terminal a new
// page clears the screen; otherwise each page follows a separator line, and
// nothing is written that is not plain text.
type watchScreen struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
	// gen is the run whose lines are shown, 0 for none: a stopped run's
	// last callbacks arrive after the next page is drawn and are dropped.
	gen int
	// runText is what the current run has printed, drawn again when the
	// page is (a resize).
	runText strings.Builder
	// live is the terminal's status line (a step running), erased by the
	// next line written.
	live    bool
	updates int
}

const (
	clearScreen = "\x1b[H\x1b[2J\x1b[3J" // home, clear, and drop the scrollback of old pages
	eraseLine   = "\r\x1b[K"
)

// show draws a new page. The page is written in one piece, so a reader of
// the stream (a test, a pipe) never sees half of one.
func (s *watchScreen) show(path, page string, keepRun bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates++
	s.live = false
	if !keepRun {
		s.gen = 0
		s.runText.Reset()
	}
	var b strings.Builder
	if s.tty {
		b.WriteString(clearScreen)
	} else {
		fmt.Fprintf(&b, "=== coursectl watch: %s, update %d ===\n", path, s.updates)
	}
	b.WriteString(page)
	b.WriteString(s.runText.String())
	io.WriteString(s.w, b.String())
}

// note adds a line under the page (not part of a run).
func (s *watchScreen) note(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	line = strings.TrimRight(line, "\n") + "\n"
	s.runText.WriteString(line)
	s.write(line)
}

func (s *watchScreen) startRun(gen int, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen = gen
	s.runText.Reset()
	s.write(line + "\n")
}

// silence drops whatever the current run says from now on.
func (s *watchScreen) silence() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live {
		io.WriteString(s.w, eraseLine)
		s.live = false
	}
	s.gen = 0
}

func (s *watchScreen) runLine(gen int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen {
		return
	}
	s.runText.WriteString(text)
	s.write(text)
}

// status shows a running step on a terminal, on a line the next write
// replaces; elsewhere nothing (the result line follows soon enough).
func (s *watchScreen) status(gen int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen || !s.tty {
		return
	}
	s.write(text)
	s.live = true
}

func (s *watchScreen) write(text string) {
	if s.live {
		text = eraseLine + text
		s.live = false
	}
	io.WriteString(s.w, text)
}

// leave ends the watch's output on a fresh line.
func (s *watchScreen) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tty {
		// Also erases the ^C the terminal echoed.
		io.WriteString(s.w, eraseLine)
	}
	s.live = false
	io.WriteString(s.w, "stopped watching\n")
}
