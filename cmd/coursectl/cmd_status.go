package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
)

func init() {
	register(&command{
		name:    "status",
		summary: "show a module's progress: steps done, the last run, a failed step",
		usage: `Usage: coursectl status FILE [--state DIR]

Shows how far you are in a module, from its checkpoints: how many steps are
done, where 'coursectl run FILE' resumes, when the last run was and which
step failed in it, then one line per step. A step edited since it ran is no
longer done (its checkpoint no longer matches).

Flags:
  --state DIR   checkpoints (default $XDG_STATE_HOME/coursectl, else
                ~/.local/state/coursectl)

Examples:
  coursectl status testdata/module1.md
  coursectl status module1.md --state /tmp/course-state
`,
		run: runStatus,
	})
}

func runStatus(ctx context.Context, streams *IOStreams, args []string) error {
	c := commands["status"]
	mod, _, p, err := progressArgs(c, streams, args)
	if err != nil {
		return err
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(streams.Err, "coursectl: warning: %s\n", w)
	}
	writeStatus(streams.Out, mod, p, streams.Color)
	return nil
}

// progressArgs is how status and reset start: FILE [--state DIR], the
// module loaded, the state directory settled and the module's progress in
// it read.
func progressArgs(c *command, streams *IOStreams, args []string) (mod *course.Module, dir string, p *runner.Progress, err error) {
	fs := newFlagSet(c)
	state := fs.String("state", "", "")
	pos, err := parseFlags(c, fs, args, streams)
	if err != nil {
		return nil, "", nil, err
	}
	if mod, err = moduleArg(c, pos); err != nil {
		return nil, "", nil, err
	}
	if dir, err = stateDir(*state); err != nil {
		return nil, "", nil, err
	}
	if p, err = runner.LoadProgress(dir, mod); err != nil {
		return nil, "", nil, err
	}
	return mod, dir, p, nil
}

// writeStatus prints the progress summary and a line per shown step.
// Hidden setup steps are left out, and not counted, as on the walkthrough.
func writeStatus(w io.Writer, mod *course.Module, p *runner.Progress, color bool) {
	_, total := mod.Number(nil)
	done := 0
	for i, s := range mod.Steps {
		if !s.Hidden && p.Done[i] {
			done++
		}
	}
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
		head += doneOn(p.When) + " · 'coursectl run --fresh " + mod.Path + "' starts again"
	default:
		if next := nextShown(mod, p.Next); next != nil {
			head += fmt.Sprintf(" · next: step %d/%d · %s (line %d)", pos(next), total, next.Title(), next.Line)
		}
	}
	fmt.Fprintln(w, paint(color, head, "1"))
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
				line += " · " + paint(color, "✗ failed at "+label, "31")
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
			mark, state = paint(color, "✓", "32"), "done "+p.When[i].Local().Format("Jan 2 15:04")
		case r != nil && (r.Status == result.Failed || r.Status == result.Timeout):
			mark, state = paint(color, "✗", "31"), r.Outcome()
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\tline %d\t%s\n", mark, pos(s), s.ID, s.Line, state)
	}
	tw.Flush()
}

// nextShown is the first shown step at or after index i.
func nextShown(mod *course.Module, i int) *course.Step {
	for ; i >= 0 && i < len(mod.Steps); i++ {
		if !mod.Steps[i].Hidden {
			return mod.Steps[i]
		}
	}
	return nil
}
