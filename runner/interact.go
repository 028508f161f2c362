package runner

// Scripted answers: an `interact` list is what a person would type when a
// prompt appears — "Do you accept the license? " then "yes⏎". The
// interactor watches the step's output as it streams (escapes stripped,
// so colours and cursor moves do not split the words), waits for each
// expect in order, and types its send into the terminal. Each expect has
// a deadline, so a prompt that never comes fails the step with a message
// naming it instead of hanging the check.

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/expect"
)

// DefaultInteractTimeout is how long an expect waits when it names no
// timeout of its own.
const DefaultInteractTimeout = 60 * time.Second

// interactWindow bounds the text kept while waiting for a prompt: a
// prompt is short, and a step may print megabytes before it.
const interactWindow = 64 << 10

type interaction struct {
	re      *regexp.Regexp
	expect  string // as written, for messages
	send    []byte
	timeout time.Duration
}

// Interactor answers one step's prompts. Feed it the step's output with
// Write (it is an io.Writer, safe to call from the pty reader); it calls
// send with the keystrokes when the next expect matches.
type Interactor struct {
	list      []interaction
	send      func([]byte) error
	onTimeout func(error)
	// failures receives the first timeout, for a caller that selects on
	// it rather than passing onTimeout.
	failures chan error
	// closeKeyboard, when set, stops whatever types the answers; the
	// runner calls it once the step is over.
	closeKeyboard func()

	mu      sync.Mutex
	next    int
	text    strings.Builder // plain text seen since the last match
	plain   expect.Plain
	timer   *time.Timer
	started time.Time
	failed  error
	stopped bool
}

// NewInteractor compiles list. send types keystrokes into the terminal;
// onTimeout is called (once, from another goroutine) when an expect's
// deadline passes, with an error naming it — the caller stops the step.
// file and line place errors in bad expects.
func NewInteractor(file string, line int, list []course.Interaction, send func([]byte) error, onTimeout func(error)) (*Interactor, error) {
	in := &Interactor{send: send, onTimeout: onTimeout, failures: make(chan error, 1)}
	for k, it := range list {
		re, err := regexp.Compile(it.Expect)
		if err != nil {
			return nil, &course.PosError{File: file, Line: line,
				Err: fmt.Errorf("interact %d: bad expect %q: %v — write a Go regexp", k+1, it.Expect, err)}
		}
		timeout := it.Timeout
		if timeout <= 0 {
			timeout = DefaultInteractTimeout
		}
		in.list = append(in.list, interaction{re: re, expect: it.Expect, send: keystrokes(it.Send), timeout: timeout})
	}
	return in, nil
}

// keystrokes turns a send string into what a keyboard sends: Enter is
// `\r`, so "yes\n" answers both a line-reading prompt (the terminal maps
// `\r` to `\n` in cooked mode) and a full-screen program in raw mode.
func keystrokes(s string) []byte {
	return []byte(strings.ReplaceAll(s, "\n", "\r"))
}

// Start arms the first expect's deadline; call it when the step starts.
func (in *Interactor) Start() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.arm()
}

// arm starts the current expect's deadline. Called with mu held.
func (in *Interactor) arm() {
	if in.timer != nil {
		in.timer.Stop()
		in.timer = nil
	}
	if in.stopped || in.next >= len(in.list) {
		return
	}
	k := in.next
	in.started = time.Now()
	in.timer = time.AfterFunc(in.list[k].timeout, func() { in.expire(k) })
}

func (in *Interactor) expire(k int) {
	in.mu.Lock()
	if in.stopped || in.next != k || in.failed != nil {
		in.mu.Unlock()
		return
	}
	it := in.list[k]
	in.failed = &InteractError{Index: k + 1, Of: len(in.list), Expect: it.expect,
		Waited: it.timeout, Screen: lastLines(in.text.String(), 3)}
	err := in.failed
	in.mu.Unlock()
	select {
	case in.failures <- err:
	default:
	}
	if in.onTimeout != nil {
		in.onTimeout(err)
	}
}

// Failures delivers the first expect that timed out.
func (in *Interactor) Failures() <-chan error { return in.failures }

// Pending reports whether an expect still waits for its prompt. A nil
// *Interactor (no interact) has none.
func (in *Interactor) Pending() bool {
	if in == nil {
		return false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return !in.stopped && in.failed == nil && in.next < len(in.list)
}

// Write takes output from the step. It never fails: a send error is kept
// and reported by Err.
func (in *Interactor) Write(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped || in.failed != nil || in.next >= len(in.list) {
		return len(p), nil
	}
	in.plain.WriteString(string(p))
	in.text.WriteString(strings.ReplaceAll(in.plain.Take(), "\r", ""))
	for in.next < len(in.list) {
		text := in.text.String()
		it := in.list[in.next]
		loc := it.re.FindStringIndex(text)
		if loc == nil {
			if len(text) > interactWindow {
				rest := text[len(text)-interactWindow/2:]
				in.text.Reset()
				in.text.WriteString(rest)
			}
			break
		}
		// Only what came after the match can answer the next expect.
		rest := text[loc[1]:]
		in.text.Reset()
		in.text.WriteString(rest)
		in.next++
		if err := in.send(it.send); err != nil {
			in.failed = fmt.Errorf("interact %d of %d: typing the answer to %q: %w", in.next, len(in.list), it.expect, err)
			break
		}
		in.arm()
	}
	return len(p), nil
}

// Err is the first failure: an expect that timed out or a send that failed.
func (in *Interactor) Err() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.failed
}

// Stop ends the interactor when the step has ended. It returns an error
// when the step ended before every expect was answered (or one failed).
func (in *Interactor) Stop() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		return in.failed
	}
	in.stopped = true
	if in.timer != nil {
		in.timer.Stop()
		in.timer = nil
	}
	if in.failed == nil && in.next < len(in.list) {
		it := in.list[in.next]
		in.failed = &InteractError{Index: in.next + 1, Of: len(in.list), Expect: it.expect,
			Ended: true, Screen: lastLines(in.text.String(), 3)}
	}
	return in.failed
}

// Answered is how many expects have been matched and answered.
func (in *Interactor) Answered() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.next
}

// InteractError says which expect was never seen.
type InteractError struct {
	Index, Of int    // 1-based position of the expect, and how many there are
	Expect    string // the regexp as written
	Waited    time.Duration
	Ended     bool   // the step ended first (rather than the deadline passing)
	Screen    string // the last lines shown while waiting
}

func (e *InteractError) Error() string {
	var b strings.Builder
	if e.Ended {
		fmt.Fprintf(&b, "interact %d of %d: the step ended before its output matched '%s'", e.Index, e.Of, e.Expect)
	} else {
		fmt.Fprintf(&b, "interact %d of %d: waited %s for output matching '%s'", e.Index, e.Of, e.Waited, e.Expect)
	}
	if e.Screen != "" {
		fmt.Fprintf(&b, "; last output: %q", e.Screen)
	} else {
		b.WriteString("; nothing was printed")
	}
	b.WriteString(" — fix the expect, or give it a longer timeout")
	return b.String()
}

// lastLines is the last n non-empty lines of text, joined with `\n`.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			keep = append([]string{strings.TrimRight(lines[i], " ")}, keep...)
		}
	}
	return strings.Join(keep, "\n")
}
