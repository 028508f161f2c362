// Package result is what running a course gives: a status per step, why the
// runner stopped a step when it did, and the step, module and course results
// that reports and renderers read.
//
// It imports nothing else of the project: the runner fills these values,
// and render, report and the commands only read them, so a report never
// pulls in the pty code. Results are data; words are made from them at the
// edge (Stop.Phrase, Stop.Short), and nothing parses those words back
// (docs/spec.md §5).
package result

import (
	"fmt"
	"strings"
	"time"
)

// Status is a step's outcome, with the names of docs/spec.md §5.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	Timeout Status = "timeout"
	NotRun  Status = "not-run"
)

// Failed reports whether the status is a failure: a timeout is one too.
func (s Status) Failed() bool { return s == Failed || s == Timeout }

// Step is what running one step gave.
type Step struct {
	ID   string `json:"id"`
	Line int    `json:"line"`
	// File is the file Line counts in: the step's module (a course's run
	// has many), or the coursectl.yaml of a setup step it gave.
	File string `json:"file,omitempty"`
	// Index is the step's 1-based position in its module (0 when unknown).
	Index int `json:"index,omitempty"`
	// Kind is the step's kind as docs/spec.md §1 names it (script,
	// transcript, file, setup).
	Kind string `json:"kind,omitempty"`
	// Hidden is true for an author's setup step (see Shown).
	Hidden bool `json:"hidden,omitempty"`
	// Command is the step's only command, "" when it has several: what a
	// report shows when the runner could not tell which command failed.
	Command  string        `json:"command,omitempty"`
	Status   Status        `json:"status"`
	ExitCode int           `json:"exit_code"`
	Duration time.Duration `json:"duration_ns"`
	// Output is the tail of what the step printed (capped), \r\n
	// normalised to \n; ANSI escapes kept (renderers strip or convert).
	Output string `json:"output"`
	// OutputLines is how many lines the step printed in all — more than
	// Output holds when only its tail was kept (0 when not counted: a
	// transcript's commands).
	OutputLines int `json:"output_lines,omitempty"`
	// OutputFile holds the step's whole output (up to a cap) when it was
	// more than Output keeps; "" otherwise.
	OutputFile string `json:"output_file,omitempty"`
	// Error is one line saying what went wrong ("" when passed), made from
	// the fields here; read Stop, not Error, to know why a step stopped.
	Error string `json:"error,omitempty"`
	// Stop is why the runner, not the step, ended the step (nil when the
	// step ran to its end).
	Stop *Stop `json:"stop,omitempty"`
	// FailLine is the markdown line of the failing command, 0 if unknown.
	FailLine int `json:"fail_line,omitempty"`
	// FailCommand is the command that failed, as written.
	FailCommand string `json:"fail_command,omitempty"`
	// Note explains a skip ("interactive: needs a person at the keyboard").
	Note string `json:"note,omitempty"`
	// Diff is a unified diff (want/got) for an output mismatch.
	Diff string `json:"diff,omitempty"`
	// Fakes are the calls of faked commands made during the step.
	Fakes []FakeCall `json:"fakes,omitempty"`
	// Verify is the output of a failed coursectl:verify check.
	Verify string `json:"verify,omitempty"`
	// OutputMismatch is true when the step failed only because what it
	// printed (or a transcript command's status) differed from the
	// expected output — what check --update rewrites.
	OutputMismatch bool `json:"output_mismatch,omitempty"`
	// Actuals are what printed where the step expects output (each
	// transcript command, an output fence), for check --update.
	Actuals []Actual `json:"-"`
	// Edits are the files an editor step wrote: with no one to type, the
	// content the page shows goes into the file instead of an editor
	// opening on it (docs/spec.md §7).
	Edits []Edit `json:"edited,omitempty"`
	// FirstFailure and AfterFailure mark failures in a run that goes on
	// after one (check --continue): the first, and those after it, which
	// may only follow from an earlier one.
	FirstFailure bool `json:"first_failure,omitempty"`
	AfterFailure bool `json:"after_failure,omitempty"`
	// FromCheckpoint is true when the step was not run because a valid
	// checkpoint from an earlier run stands for it (resume).
	FromCheckpoint bool      `json:"from_checkpoint,omitempty"`
	Finished       time.Time `json:"finished"`
}

// Edit is a file an editor step wrote, and how many lines it has.
type Edit struct {
	File  string `json:"file"`
	Lines int    `json:"lines"`
}

// String is the edit as a report says it: "edited notes.txt (2 lines)".
func (e Edit) String() string {
	unit := "lines"
	if e.Lines == 1 {
		unit = "line"
	}
	return fmt.Sprintf("edited %s (%d %s)", e.File, e.Lines, unit)
}

// FakeCall is one call of a faked command.
type FakeCall struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

// Actual is what really printed where a step expects output.
type Actual struct {
	// Step is the step's 1-based index in its module.
	Step int
	// Command is the index in the step's commands of a transcript command,
	// or -1 for a script step's `output` fence.
	Command int
	// Output is the raw terminal output of that command (or step).
	Output string
	// Exit is its exit status.
	Exit int
	// Vars are the step's $HOME, $PWD and $USER when it ran, which
	// normalize rewrites may name (docs/spec.md §7).
	Vars map[string]string
}

// Module is one run of one module.
type Module struct {
	File string `json:"file"`
	// Steps lists every step of the module in order, the ones that did
	// not run as NotRun.
	Steps       []*Step       `json:"steps"`
	Started     time.Time     `json:"started"`
	Duration    time.Duration `json:"duration_ns"`
	Interrupted bool          `json:"interrupted,omitempty"`
	// Warnings are problems that did not stop the run (a corrupt
	// checkpoint ignored, a checkpoint that could not be written).
	Warnings []string `json:"warnings,omitempty"`
	// Sandbox is the container sandbox the run used ("docker:IMAGE",
	// docs/spec.md §8); empty for the host's (dir, or none).
	Sandbox string `json:"sandbox,omitempty"`
}

// Shown reports whether the result belongs in reports and counts. A hidden
// setup step is the author's plumbing, not a step of the module as its
// reader sees it: it is shown, and counted, only when it failed — then it
// explains why the steps after it did not run.
func (r *Step) Shown() bool {
	return !r.Hidden || r.Status.Failed()
}

// Counts tallies the steps shown (Shown); timeouts count as failures.
func (m *Module) Counts() (passed, failed, skipped int) {
	for _, s := range m.Steps {
		if !s.Shown() {
			continue
		}
		switch {
		case s.Status == Passed:
			passed++
		case s.Status.Failed():
			failed++
		case s.Status == Skipped:
			skipped++
		}
	}
	return
}

// OK reports whether no step failed.
func (m *Module) OK() bool {
	_, failed, _ := m.Counts()
	return failed == 0 && !m.Interrupted
}

// String is the call as a shell command line, for reports.
func (c FakeCall) String() string {
	words := []string{shellWord(c.Command)}
	for _, a := range c.Args {
		words = append(words, shellWord(a))
	}
	return strings.Join(words, " ")
}

// shellWord quotes s for bash only when it needs it, so reports read
// naturally (`apt install docker.io`, not `'apt' ...`).
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == '+' || r == ',' || r == '@' || r == '%' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Outcome is the status as a reader says it: "passed", "done earlier" (a
// checkpoint stands for it), "failed (exit 2)", "waiting for input", "timed
// out after 2s", "skipped", "not run". A step the runner stopped has no
// exit status of its own (-1): the reason stands in for it.
func (r *Step) Outcome() string {
	switch r.Status {
	case Passed:
		if r.FromCheckpoint {
			return "done earlier"
		}
		return "passed"
	case Failed:
		switch {
		case r.ExitCode > 0:
			return fmt.Sprintf("failed (exit %d)", r.ExitCode)
		case r.Stop != nil && r.Stop.Kind == StopWaiting:
			return r.Stop.Short()
		}
		return "failed"
	case Timeout:
		if r.Stop != nil && r.Stop.Kind == StopTimedOut {
			return r.Stop.Short()
		}
		return "timed out"
	case Skipped:
		return "skipped"
	case NotRun:
		return "not run"
	}
	return string(r.Status)
}

// Course is one run of a course: its modules' results in order
// (docs/spec.md §6).
type Course struct {
	// Dir is the course's directory as named; Title its name.
	Dir     string    `json:"dir"`
	Title   string    `json:"title,omitempty"`
	Modules []*Module `json:"modules"`
	// Started and Duration are the whole run's.
	Started     time.Time     `json:"started"`
	Duration    time.Duration `json:"duration_ns"`
	Interrupted bool          `json:"interrupted,omitempty"`
	// Sandbox is the container sandbox the course ran in, as Module's.
	Sandbox string `json:"sandbox,omitempty"`
}

// OK reports whether no module failed.
func (c *Course) OK() bool {
	for _, m := range c.Modules {
		if !m.OK() {
			return false
		}
	}
	return !c.Interrupted
}
