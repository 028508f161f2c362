package walkthrough

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/sgr"
)

// DoneCount is how many of mod's shown steps p counts as done: passed, not
// skipped. Hidden setup steps are left out, as the walkthrough and status
// number steps without them.
func DoneCount(mod *course.Module, p *runner.Progress) int {
	done, _ := Counts(mod, p, len(mod.Steps))
	return done
}

// Counts is how many of mod's shown steps before index end passed and how
// many were skipped, by p.
func Counts(mod *course.Module, p *runner.Progress, end int) (done, skipped int) {
	for i, s := range mod.Steps[:min(end, len(mod.Steps))] {
		switch {
		case s.Hidden:
		case p.Skipped(i):
			skipped++
		case p.Passed(i):
			done++
		}
	}
	return done, skipped
}

// Tally is "3/9 steps done", with ", 2 skipped" when steps were skipped.
func Tally(done, skipped, total int) string {
	s := fmt.Sprintf("%d/%d steps done", done, total)
	if skipped > 0 {
		s += fmt.Sprintf(", %d skipped", skipped)
	}
	return s
}

// runSkipped is the hint for a module whose every step is done or
// skipped: how to run a skipped one (run is "coursectl run FILE", with
// --sandbox when the progress is a sandbox's).
func runSkipped(run string) string {
	return "'" + run + " --from ID' runs a skipped step"
}

// RunCommand is the command that goes on with mod's progress: `coursectl
// run FILE`, or `coursectl run --sandbox FILE` for a sandbox's, whose
// checkpoints are kept apart from the learner's own.
func RunCommand(mod *course.Module, sandbox string) string {
	return "coursectl run " + SandboxFlag(sandbox) + mod.Path
}

// SandboxFlag is the --sandbox flag that names sandbox ("dir",
// "docker[:IMAGE]"), with a space after it; "" for none.
func SandboxFlag(sandbox string) string {
	switch sandbox {
	case "":
		return ""
	case "dir":
		return "--sandbox "
	}
	return "--sandbox=" + sandbox + " "
}

// DoneOn is " on Nov 26", the day of the latest time in when ("" if none).
func DoneOn(when []time.Time) string {
	var last time.Time
	for _, t := range when {
		if t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return ""
	}
	return " on " + last.Format("Jan 2")
}

// WriteStatus is `coursectl status`: it prints the progress summary and a line per shown step.
// Hidden setup steps are left out, and not counted, as on the walkthrough.
// Sandbox says the progress is that of `run --sandbox`.
func WriteStatus(w io.Writer, mod *course.Module, p *runner.Progress, color bool, sandbox string) {
	run := RunCommand(mod, sandbox)
	_, total := mod.Number(nil)
	done, skipped := Counts(mod, p, len(mod.Steps))
	pos := func(s *course.Step) int { n, _ := mod.Number(s); return n }
	results := map[string]*result.Step{}
	if p.LastRun != nil {
		for _, r := range p.LastRun.Steps {
			results[r.ID] = r
		}
	}

	// Headings, names and errors are the document's and a step's: shown,
	// never acting on the terminal (sgr.Printable).
	path := sgr.Printable(mod.Path)
	head := fmt.Sprintf("%s: %s", path, Tally(done, skipped, total))
	switch {
	case total == 0:
		head = fmt.Sprintf("%s: no steps", path)
	case done == total:
		head += DoneOn(p.When) + " · '" + sgr.Printable(strings.Replace(run, " run ", " run --fresh ", 1)) + "' starts again"
	case done+skipped == total:
		head += " · " + sgr.Printable(runSkipped(run))
	default:
		if next := NextShown(mod, p.Next); next != nil {
			at := fmt.Sprintf("line %d", next.Line)
			if mod.Modules != nil {
				at = fmt.Sprintf("%s:%d", moduleName(mod, next), next.Line)
			}
			head += fmt.Sprintf(" · next: step %d/%d · %s (%s)", pos(next), total, sgr.Printable(next.Title()), sgr.Printable(at))
		}
	}
	fmt.Fprintln(w, sgr.Paint(color, head, sgr.Bold))
	if p.LastRun == nil {
		fmt.Fprintln(w, "last run: none")
	} else {
		lr := p.LastRun
		line := "last run: " + lr.Started.Local().Format("Jan 2 15:04")
		if d := lr.Duration.Round(100 * 1e6); d > 0 {
			line += fmt.Sprintf(" (%s)", d)
		}
		if lr.Interrupted {
			line += ", interrupted"
		}
		if p.Failed != "" {
			if s := mod.Step(p.Failed); s != nil {
				n := pos(s)
				label := fmt.Sprintf("step %d/%d · %s", n, total, sgr.Printable(s.Title()))
				if s.Hidden {
					label = fmt.Sprintf("a hidden setup step (line %d)", s.Line)
				}
				line += " · " + sgr.Paint(color, "✗ failed at "+label, sgr.Red)
				if r := results[p.Failed]; r != nil && r.Error != "" {
					line += "\n  " + sgr.Printable(r.Error)
				}
			}
		}
		fmt.Fprintln(w, line)
	}
	if total == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var module *course.Module
	for i, s := range mod.Steps {
		if s.Hidden {
			continue
		}
		// A course's steps come under the file of their module: a line
		// number is that file's, and ids repeat across modules.
		if mod.Modules != nil && s.Module != module {
			if module != nil {
				fmt.Fprintln(tw)
			}
			module = s.Module
			fmt.Fprintln(tw, "  "+sgr.Paint(color, sgr.Printable(moduleName(mod, s)), sgr.Bold))
		}
		mark, state := "·", "not done"
		r := results[s.ID]
		switch {
		case p.Skipped(i):
			mark, state = "–", "skipped "+p.When[i].Local().Format("Jan 2 15:04")
		case p.Done[i]:
			mark, state = sgr.Paint(color, "✓", sgr.Green), "done "+p.When[i].Local().Format("Jan 2 15:04")
		case r != nil && (r.Status == result.Failed || r.Status == result.Timeout):
			mark, state = sgr.Paint(color, "✗", sgr.Red), r.Outcome()
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\tline %d\t%s\n", mark, pos(s), sgr.Printable(s.ID), s.Line, sgr.Printable(state))
	}
	tw.Flush()
}

// moduleName is the file of step s of a course's run, from the course's
// directory.
func moduleName(run *course.Module, s *course.Step) string {
	if s.Module == nil {
		return s.File
	}
	if r, err := filepath.Rel(run.Path, s.Module.Path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return s.Module.Path
}

// NextShown is the first shown step at or after index i.
func NextShown(mod *course.Module, i int) *course.Step {
	for ; i >= 0 && i < len(mod.Steps); i++ {
		if !mod.Steps[i].Hidden {
			return mod.Steps[i]
		}
	}
	return nil
}

// StatusDocument is `status --json` (docs/json.md): the counts, the next
// step, the last run, and each shown step's state — "done", "skipped",
// "failed" (in the last run) or "not-done" — as the text says them.
type StatusDocument struct {
	Schema  string       `json:"schema"`
	File    string       `json:"file"`
	Sandbox bool         `json:"sandbox,omitempty"`
	Total   int          `json:"total"`
	Done    int          `json:"done"`
	Skipped int          `json:"skipped"`
	Next    *StatusNext  `json:"next"`     // null when every step is done or skipped
	LastRun *StatusRun   `json:"last_run"` // null when there was none
	Steps   []StatusStep `json:"steps"`
}

// StatusNext is the step `run` resumes at.
type StatusNext struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	Line   int    `json:"line"`
}

// StatusRun is the last run.
type StatusRun struct {
	Started     time.Time `json:"started"`
	DurationMS  int64     `json:"duration_ms"`
	Interrupted bool      `json:"interrupted,omitempty"`
	// Failed is the id of the step that failed in it, and Error why.
	Failed string `json:"failed,omitempty"`
	Error  string `json:"error,omitempty"`
	// Sandbox is the container sandbox it ran in ("docker:IMAGE"), empty
	// for the host's.
	Sandbox string `json:"sandbox,omitempty"`
}

// StatusStep is one shown step.
type StatusStep struct {
	// Module is the step's module file, from the course's directory (a
	// course's status only).
	Module string `json:"module,omitempty"`
	ID     string `json:"id"`
	Number int    `json:"number"`
	Line   int    `json:"line"`
	State  string `json:"state"`
	// When is when its checkpoint was made (done and skipped steps).
	When *time.Time `json:"when,omitempty"`
	// Outcome says how a failed step failed ("failed (exit 1)", "timed
	// out after 2s").
	Outcome string `json:"outcome,omitempty"`
}

// Status is mod's progress as StatusDocument.
func Status(mod *course.Module, p *runner.Progress, sandbox string) StatusDocument {
	_, total := mod.Number(nil)
	done, skipped := Counts(mod, p, len(mod.Steps))
	doc := StatusDocument{Schema: report.Schema, File: mod.Path, Sandbox: sandbox != "", Total: total, Done: done, Skipped: skipped, Steps: []StatusStep{}}
	number := func(s *course.Step) int { n, _ := mod.Number(s); return n }
	if done+skipped < total {
		if next := NextShown(mod, p.Next); next != nil {
			doc.Next = &StatusNext{ID: next.ID, Number: number(next), Line: next.Line}
		}
	}
	results := map[string]*result.Step{}
	if lr := p.LastRun; lr != nil {
		doc.LastRun = &StatusRun{Started: lr.Started, DurationMS: lr.Duration.Milliseconds(), Interrupted: lr.Interrupted, Failed: p.Failed, Sandbox: lr.Sandbox}
		for _, r := range lr.Steps {
			results[r.ID] = r
		}
		if r := results[p.Failed]; r != nil {
			doc.LastRun.Error = r.Error
		}
	}
	for i, s := range mod.Steps {
		if s.Hidden {
			continue
		}
		st := StatusStep{ID: s.ID, Number: number(s), Line: s.Line, State: "not-done"}
		if mod.Modules != nil {
			st.Module = moduleName(mod, s)
		}
		r := results[s.ID]
		switch {
		case p.Skipped(i):
			st.State = "skipped"
		case p.Passed(i):
			st.State = "done"
		case r != nil && r.Status.Failed():
			st.State, st.Outcome = "failed", r.Outcome()
		}
		if p.Done[i] {
			when := p.When[i]
			st.When = &when
		}
		doc.Steps = append(doc.Steps, st)
	}
	return doc
}
