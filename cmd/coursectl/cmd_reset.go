package main

import (
	"context"
	"fmt"

	"github.com/coursectl/coursectl/runner"
)

func init() {
	register(&command{
		name:    "reset",
		summary: "forget a module's progress (checkpoints, last run, sandbox)",
		usage: `Usage: coursectl reset FILE [--state DIR]

Forgets what coursectl keeps for a module: the checkpoints of its steps, the
record of its last run, and check's sandbox. The next 'coursectl run FILE'
starts at step 1. Files the steps made where you ran them are not touched.

Flags:
  --state DIR   checkpoints (default $XDG_STATE_HOME/coursectl, else
                ~/.local/state/coursectl)

Examples:
  coursectl reset testdata/module1.md
  coursectl reset module1.md --state /tmp/course-state
`,
		run: runReset,
	})
}

func runReset(ctx context.Context, streams *IOStreams, args []string) error {
	c := commands["reset"]
	mod, dir, p, err := progressArgs(c, streams, args)
	if err != nil {
		return err
	}
	done := 0
	for i, d := range p.Done {
		if d && !mod.Steps[i].Hidden {
			done++
		}
	}
	if err := runner.Reset(dir, mod); err != nil {
		return err
	}
	switch {
	case done == 0 && p.LastRun == nil:
		fmt.Fprintf(streams.Out, "%s: no progress to forget\n", mod.Path)
	default:
		fmt.Fprintf(streams.Out, "%s: forgot %s done and the last run; 'coursectl run %s' starts at step 1\n", mod.Path, plural(done, "step"), mod.Path)
	}
	return nil
}
