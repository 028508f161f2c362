package runner

import (
	"time"

	"github.com/coursectl/coursectl/course"
)

// Status is a step's outcome (SPEC §5 names).
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	Timeout Status = "timeout"
	NotRun  Status = "not-run"
)

// StepResult is what running one step gave. Reports and renderers read
// only this (and the step it points to), never the runner's internals.
type StepResult struct {
	Step     *course.Step  `json:"-"`
	ID       string        `json:"id"`
	Line     int           `json:"line"`
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
	// Error is one line saying what went wrong ("" when passed).
	Error string `json:"error,omitempty"`
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
	// FromCheckpoint is true when the step was not run because a valid
	// checkpoint from an earlier run stands for it (resume).
	FromCheckpoint bool      `json:"from_checkpoint,omitempty"`
	Finished       time.Time `json:"finished"`
}

// FakeCall is one call of a faked command.
type FakeCall struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

// ModuleResult is one run of one module.
type ModuleResult struct {
	Module      *course.Module `json:"-"`
	File        string         `json:"file"`
	Steps       []*StepResult  `json:"steps"`
	Started     time.Time      `json:"started"`
	Duration    time.Duration  `json:"duration_ns"`
	Interrupted bool           `json:"interrupted,omitempty"`
	// Warnings are problems that did not stop the run (a corrupt
	// checkpoint ignored, a checkpoint that could not be written).
	Warnings []string `json:"warnings,omitempty"`
}

// Shown reports whether the result belongs in reports and counts. A hidden
// setup step is the author's plumbing, not a step of the module as its
// reader sees it: it is shown, and counted, only when it failed — then it
// explains why the steps after it did not run.
func (r *StepResult) Shown() bool {
	return r.Step == nil || !r.Step.Hidden || r.Status == Failed || r.Status == Timeout
}

// Counts tallies the steps shown (Shown); timeouts count as failures.
func (m *ModuleResult) Counts() (passed, failed, skipped int) {
	for _, s := range m.Steps {
		if !s.Shown() {
			continue
		}
		switch s.Status {
		case Passed:
			passed++
		case Failed, Timeout:
			failed++
		case Skipped:
			skipped++
		}
	}
	return
}

// OK reports whether no step failed.
func (m *ModuleResult) OK() bool {
	_, failed, _ := m.Counts()
	return failed == 0 && !m.Interrupted
}
