// Package report turns the results of `coursectl check` into what people and
// CI read: the terminal text (with a live status line on a terminal), JSON
// (docs/spec.md §5), JUnit XML and GitHub Actions annotations.
//
// It only reads result.Module values (and the course.Module they point
// to); it never runs anything, so every format can be tested with results
// built by hand.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/sgr"
)

// TailLines is how many lines of a failing step's output the text report
// and the annotations show: enough to see the error, short enough to keep
// a CI log readable (the JSON and JUnit reports carry all that was kept).
const TailLines = 20

// Steps returns every step of the module in order (the runner lists the
// steps it did not reach as not run, and so does NotRunModule).
//
// A hidden setup step is left out unless it failed (runner's Shown).
func Steps(mr *result.Module) []*result.Step {
	return shownOnly(mr.Steps)
}

func shownOnly(steps []*result.Step) []*result.Step {
	out := steps[:0:0]
	for _, sr := range steps {
		if sr.Shown() {
			out = append(out, sr)
		}
	}
	return out
}

// NotRunModule is the result of a module that was never started (an earlier
// module failed without --keep-going, or the run was interrupted first):
// every step not run.
func NotRunModule(mod *course.Module) *result.Module {
	mr := &result.Module{File: mod.Path}
	for _, st := range mod.Steps {
		mr.Steps = append(mr.Steps, StepFor(st, result.NotRun))
	}
	return mr
}

// StepFor is a result with status for a step that did not run (a
// checkpoint stands for it, or nothing reached it).
func StepFor(st *course.Step, status result.Status) *result.Step {
	return &result.Step{ID: st.ID, Line: st.Line, File: st.File, Index: st.Index, Kind: string(st.Kind),
		Hidden: st.Hidden, Command: st.OnlyCommand(), Status: status}
}

// tally counts the statuses over the module's steps, not-run included.
type tally struct {
	passed, failed, skipped, notRun int
	after                           int // of failed, after an earlier failure
}

func count(steps []*result.Step) tally {
	var t tally
	for _, sr := range steps {
		switch sr.Status {
		case result.Passed:
			t.passed++
		case result.Failed, result.Timeout:
			t.failed++
			if sr.AfterFailure {
				t.after++
			}
		case result.Skipped:
			t.skipped++
		default:
			t.notRun++
		}
	}
	return t
}

func (t *tally) add(o tally) {
	t.passed += o.passed
	t.failed += o.failed
	t.skipped += o.skipped
	t.notRun += o.notRun
	t.after += o.after
}

func failed(sr *result.Step) bool {
	return sr.Status == result.Failed || sr.Status == result.Timeout
}

// kind is the step's kind as docs/spec.md §5 names it ("" when the result carries
// no step).
func kind(sr *result.Step) string { return sr.Kind }

// failLine is the markdown line to point at: the failing command's when the
// runner knows it, else the step's fence.
func failLine(sr *result.Step) int {
	if sr.FailLine > 0 {
		return sr.FailLine
	}
	return sr.Line
}

// failFile is the file failLine counts in: the step's own (a course's
// module, or the coursectl.yaml whose setup: or workdir: the step is), else
// the module's, file.
func failFile(file string, sr *result.Step) string {
	if sr.File != "" {
		return sr.File
	}
	return file
}

// failCommand is the command to show for a failure: the one that failed, or
// the step's only command when the runner could not tell.
func failCommand(sr *result.Step) string {
	if sr.FailCommand != "" {
		return sr.FailCommand
	}
	return sr.Command
}

// message is the one line that says what went wrong with a step: the
// runner's error, with the exit status added when it does not say it (not
// for statuses above 128: those are the signals the runner itself sent to
// stop a step, and the message says why). The runner's errors stand alone
// ("step boom (m.md:15): `ls` failed ..."); in a report that already names
// the step's place, the place goes.
func message(sr *result.Step) string {
	// The error quotes the step's command: shown, it must not act on the
	// terminal (or break the XML it goes into).
	return sgr.Printable(rawMessage(sr))
}

func rawMessage(sr *result.Step) string {
	msg := firstLine(sr.Error)
	if rest, ok := strings.CutPrefix(msg, "step "+sr.ID+" ("); ok {
		if i := strings.Index(rest, ")"); i >= 0 && strings.Contains(rest[:i], ":") {
			if after, ok := strings.CutPrefix(rest[i+1:], ": "); ok {
				msg = after
			} else {
				msg = "step " + sr.ID + rest[i+1:]
			}
		}
	}
	status := fmt.Sprintf("exit status %d", sr.ExitCode)
	switch {
	case msg == "" && sr.Status == result.Timeout:
		return "timed out"
	case msg == "" && sr.ExitCode < 0:
		// -1 is the runner's "I stopped it" (docs/design.md), not a
		// status the step gave.
		return "failed"
	case msg == "":
		return status
	case sr.Status == result.Failed && sr.ExitCode > 0 && sr.ExitCode <= 128 && !strings.Contains(msg, status):
		return msg + " (" + status + ")"
	}
	return msg
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// Plain is output as a reader of a log sees it: escape sequences removed,
// and a line redrawn with \r (a progress bar) reduced to what a terminal
// would finally show. Other control characters are dropped; tabs stay.
func Plain(s string) string {
	s = ansi.Strip(s)
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if j := strings.LastIndexByte(l, '\r'); j >= 0 {
			l = l[j+1:]
		}
		lines[i] = strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, l)
	}
	return strings.Join(lines, "\n")
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
}

// tail returns the last n lines of out (plain), and how many lines came
// before them.
func tail(out string, n int) (lines []string, earlier int) {
	out = strings.TrimRight(Plain(out), "\n \t")
	if out == "" {
		return nil, 0
	}
	all := strings.Split(out, "\n")
	for i, l := range all {
		all[i] = strings.TrimRight(l, " \t")
	}
	if len(all) <= n {
		return all, 0
	}
	return all[len(all)-n:], len(all) - n
}

// Duration formats a step or run time the way the text report prints it:
// 0.4s, 12.3s, 2m05s, 1h02m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
