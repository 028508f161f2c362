package walkthrough

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/sgr"
)

// DoneCount is how many of mod's shown steps p counts as done. Hidden setup
// steps are left out, as the walkthrough and status number steps without
// them.
func DoneCount(mod *course.Module, p *runner.Progress) int {
	done := 0
	for i, s := range mod.Steps {
		if !s.Hidden && p.Done[i] {
			done++
		}
	}
	return done
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
func WriteStatus(w io.Writer, mod *course.Module, p *runner.Progress, color bool) {
	_, total := mod.Number(nil)
	done := DoneCount(mod, p)
	pos := func(s *course.Step) int { n, _ := mod.Number(s); return n }
	results := map[string]*result.Step{}
	if p.LastRun != nil {
		for _, r := range p.LastRun.Steps {
			results[r.ID] = r
		}
	}

	head := fmt.Sprintf("%s: %d/%d steps done", mod.Path, done, total)
	switch {
	case total == 0:
		head = fmt.Sprintf("%s: no steps", mod.Path)
	case done == total:
		head += DoneOn(p.When) + " · 'coursectl run --fresh " + mod.Path + "' starts again"
	default:
		if next := NextShown(mod, p.Next); next != nil {
			head += fmt.Sprintf(" · next: step %d/%d · %s (line %d)", pos(next), total, next.Title(), next.Line)
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
				label := fmt.Sprintf("step %d/%d · %s", n, total, s.Title())
				if s.Hidden {
					label = fmt.Sprintf("a hidden setup step (line %d)", s.Line)
				}
				line += " · " + sgr.Paint(color, "✗ failed at "+label, sgr.Red)
				if r := results[p.Failed]; r != nil && r.Error != "" {
					line += "\n  " + r.Error
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
	for i, s := range mod.Steps {
		if s.Hidden {
			continue
		}
		mark, state := "·", "not done"
		r := results[s.ID]
		switch {
		case p.Done[i] && r != nil && r.Status == result.Skipped:
			mark, state = "–", "skipped "+p.When[i].Local().Format("Jan 2 15:04")
		case p.Done[i]:
			mark, state = sgr.Paint(color, "✓", sgr.Green), "done "+p.When[i].Local().Format("Jan 2 15:04")
		case r != nil && (r.Status == result.Failed || r.Status == result.Timeout):
			mark, state = sgr.Paint(color, "✗", sgr.Red), r.Outcome()
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\tline %d\t%s\n", mark, pos(s), s.ID, s.Line, state)
	}
	tw.Flush()
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
