package runner

// Background steps: `{background ready="Listening on"}` starts a server
// the later steps talk to. The step's commands run as a job of the shared
// shell, so they live on into later steps (and `jobs`, `kill %1` work as a
// learner expects); their output goes to a log file rather than the
// terminal, so it cannot interleave with the output — and the expected
// output — of the steps after it. The run waits until the log matches
// `ready` before going on.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/coursectl/coursectl/expect"
)

// DefaultReadyTimeout is how long a background step may take to print its
// ready line when it sets no timeout of its own.
const DefaultReadyTimeout = 60 * time.Second

// readyPoll is how often the log is looked at while waiting for ready.
const readyPoll = 20 * time.Millisecond

// backgroundScript wraps a step's script so it runs as a background job
// with its output in logPath and its pid written to pidPath. When the job
// ends, its exit status goes to background-N.status in the scratch
// directory (the prelude's __cc_bg sets an EXIT trap in the job's own
// subshell: the shell that reaps the job is busy with the next steps). The
// body starts on the script's second line.
func backgroundScript(script, logPath, pidPath string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ { __cc_bg %d;} 2>/dev/null\n", n)
	b.WriteString(script)
	if !strings.HasSuffix(script, "\n") {
		b.WriteByte('\n')
	}
	// stdin is /dev/null: a job reading the terminal would be stopped
	// (SIGTTIN), and the keyboard belongs to the steps in the foreground.
	fmt.Fprintf(&b, "} >%s 2>&1 </dev/null &\n", shellWord(logPath))
	// In braces: a course's set -x does not trace the wrapper's line.
	fmt.Fprintf(&b, "{ printf '%%s\\n' \"$!\" >%s;} 2>/dev/null\n", shellWord(pidPath))
	return b.String()
}

// ReadyError says why a background step never became ready.
type ReadyError struct {
	Ready   string
	Waited  time.Duration
	Exited  bool   // the job ended before printing its ready line
	LogTail string // the last lines it printed
	// Status is the job's exit status when it ended (Exited) and said so;
	// -1 when unknown (it exec'd, set its own EXIT trap, was killed).
	Status int
}

func (e *ReadyError) Error() string {
	var b strings.Builder
	if e.Exited {
		b.WriteString("the background step ended")
		if e.Status >= 0 {
			fmt.Fprintf(&b, " (exit status %d)", e.Status)
		}
		fmt.Fprintf(&b, " before its output matched ready='%s'", e.Ready)
	} else {
		fmt.Fprintf(&b, "waited %s for output matching ready='%s'", e.Waited, e.Ready)
	}
	if e.LogTail != "" {
		fmt.Fprintf(&b, "; last output: %q", e.LogTail)
	} else {
		b.WriteString("; it printed nothing")
	}
	if e.Exited {
		b.WriteString(" — see why it stopped")
	} else {
		b.WriteString(" — fix ready, or give the step a longer timeout")
	}
	return b.String()
}

// waitReady waits until the text in logPath matches ready, the job is no
// longer alive, the timeout passes or ctx ends.
func waitReady(ctx context.Context, logPath string, ready *regexp.Regexp, timeout time.Duration, alive func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	var read int64
	var text strings.Builder
	var plain expect.Plain
	check := func() bool {
		f, err := openNoFollow(logPath)
		if err != nil {
			return false
		}
		defer f.Close()
		buf := make([]byte, 64<<10)
		for {
			n, _ := f.ReadAt(buf, read)
			if n == 0 {
				break
			}
			read += int64(n)
			plain.WriteString(string(buf[:n]))
			text.WriteString(strings.ReplaceAll(plain.Take(), "\r", ""))
		}
		if text.Len() > interactWindow {
			rest := text.String()[text.Len()-interactWindow/2:]
			text.Reset()
			text.WriteString(rest)
		}
		return ready.MatchString(text.String())
	}
	fail := func(exited bool) error {
		return &ReadyError{Ready: ready.String(), Waited: timeout, Exited: exited, LogTail: lastLines(text.String(), 3), Status: -1}
	}
	for {
		if check() {
			return nil
		}
		if !alive() {
			// It may have printed the line just before it ended.
			if check() {
				return nil
			}
			return fail(true)
		}
		if time.Now().After(deadline) {
			return fail(false)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
