package report

import (
	"encoding/json"
	"io"

	"github.com/coursectl/coursectl/result"
)

// jsonModule is one line of `check --json` (docs/spec.md §5). The fields SPEC names
// are always present; the ones after them are added only when they say
// something, so a consumer written against the SPEC sees exactly its names.
type jsonModule struct {
	File        string     `json:"file"`
	Passed      int        `json:"passed"`
	Failed      int        `json:"failed"`
	Skipped     int        `json:"skipped"`
	DurationMS  int64      `json:"duration_ms"`
	Steps       []jsonStep `json:"steps"`
	Interrupted bool       `json:"interrupted,omitempty"`
	// Warnings are the runner's: what went wrong without failing a step
	// (--from with no checkpoint to restore, a corrupt checkpoint).
	Warnings []string `json:"warnings,omitempty"`
	// Sandbox is the container sandbox the module ran in ("docker:IMAGE");
	// absent for the dir sandbox and none.
	Sandbox string `json:"sandbox,omitempty"`
}

type jsonStep struct {
	ID         string `json:"id"`
	Line       int    `json:"line"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	ExitCode   int    `json:"exit_code"`
	DurationMS int64  `json:"duration_ms"`
	Output     string `json:"output"`
	Error      string `json:"error"`
	// Beyond docs/spec.md §5, present only when set.
	// File is the file line and fail_line count in when it is not the
	// module's: the coursectl.yaml of a setup: or workdir: step.
	File        string `json:"file,omitempty"`
	FailLine    int    `json:"fail_line,omitempty"`
	FailCommand string `json:"fail_command,omitempty"`
	Note        string `json:"note,omitempty"`
	Diff        string `json:"diff,omitempty"`
	// OutputFile holds the whole output when output is only its tail.
	OutputFile string `json:"output_file,omitempty"`
	// Fakes are the calls of faked commands the step made, in order
	// (recorded and shown in the step's report, as the text and
	// HTML reports show them).
	Fakes []jsonFake `json:"fakes,omitempty"`
	// Edited are the files an editor step wrote (docs/spec.md §7).
	Edited []result.Edit `json:"edited,omitempty"`
	// FirstFailure and AfterFailure: check --continue's marks.
	FirstFailure bool `json:"first_failure,omitempty"`
	AfterFailure bool `json:"after_failure,omitempty"`
}

type jsonFake struct {
	Command string   `json:"command"`
	Args    []string `json:"args"` // [] rather than null for a call with none
}

// JSON writes one object per module, one per line (JSON Lines: `check
// --json-lines`), so a consumer can stream them and `jq` reads them as
// they are; `check --json` is one document instead (JSONDocument). The modules of
// a course are one object instead, {"course": DIR, ..., "modules": [...]},
// at the place of its first module (docs/spec.md §6). Output is plain
// text: escape sequences are removed (see Plain).
func JSON(w io.Writer, results []*result.Module, courses ...*result.Course) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // output holds <, > and & often; keep it readable
	inCourse := map[*result.Module]*result.Course{}
	for _, c := range courses {
		for _, m := range c.Modules {
			inCourse[m] = c
		}
	}
	written := map[*result.Course]bool{}
	for _, mr := range results {
		if c := inCourse[mr]; c != nil {
			if !written[c] {
				written[c] = true
				if err := enc.Encode(jsonForCourse(c)); err != nil {
					return err
				}
			}
			continue
		}
		if err := enc.Encode(jsonFor(mr)); err != nil {
			return err
		}
	}
	return nil
}

// jsonCourse is a course's object in `check --json`: the counts over its
// modules, and each module's object in order.
type jsonCourse struct {
	Course      string       `json:"course"`
	Title       string       `json:"title,omitempty"`
	Passed      int          `json:"passed"`
	Failed      int          `json:"failed"`
	Skipped     int          `json:"skipped"`
	DurationMS  int64        `json:"duration_ms"`
	Modules     []jsonModule `json:"modules"`
	Interrupted bool         `json:"interrupted,omitempty"`
	Sandbox     string       `json:"sandbox,omitempty"` // as a module's
}

func jsonForCourse(c *result.Course) jsonCourse {
	out := jsonCourse{Course: c.Dir, Title: c.Title, DurationMS: c.Duration.Milliseconds(), Interrupted: c.Interrupted, Sandbox: c.Sandbox,
		Modules: make([]jsonModule, 0, len(c.Modules))}
	for _, mr := range c.Modules {
		jm := jsonFor(mr)
		out.Passed += jm.Passed
		out.Failed += jm.Failed
		out.Skipped += jm.Skipped
		out.Modules = append(out.Modules, jm)
	}
	return out
}

// CheckpointNote is the note of a step that did not run because a valid
// checkpoint from an earlier run stands for it (--resume, --from).
const CheckpointNote = "from checkpoint"

func jsonFor(mr *result.Module) jsonModule {
	steps := Steps(mr)
	c := count(steps)
	out := jsonModule{
		File:        mr.File,
		Passed:      c.passed,
		Failed:      c.failed,
		Skipped:     c.skipped,
		DurationMS:  mr.Duration.Milliseconds(),
		Steps:       make([]jsonStep, 0, len(steps)),
		Interrupted: mr.Interrupted,
		Warnings:    mr.Warnings,
		Sandbox:     mr.Sandbox,
	}
	for _, sr := range steps {
		js := jsonStep{
			ID:         sr.ID,
			Line:       sr.Line,
			Kind:       kind(sr),
			Status:     string(sr.Status),
			ExitCode:   sr.ExitCode,
			DurationMS: sr.Duration.Milliseconds(),
			Output:     Plain(sr.Output),
			Error:      sr.Error,
			Note:       sr.Note,
			Diff:       Plain(sr.Diff),
			OutputFile: sr.OutputFile,
			Edited:     sr.Edits,
		}
		if sr.File != "" && sr.File != mr.File {
			js.File = sr.File
		}
		if sr.FromCheckpoint && js.Note == "" {
			// "passed" with duration_ms 0 would otherwise read as a step
			// that ran in no time.
			js.Note = CheckpointNote
		}
		for _, fc := range sr.Fakes {
			args := fc.Args
			if args == nil {
				args = []string{}
			}
			js.Fakes = append(js.Fakes, jsonFake{Command: fc.Command, Args: args})
		}
		if failed(sr) {
			js.FailLine = sr.FailLine
			js.FailCommand = sr.FailCommand
			js.FirstFailure, js.AfterFailure = sr.FirstFailure, sr.AfterFailure
		}
		out.Steps = append(out.Steps, js)
	}
	return out
}
