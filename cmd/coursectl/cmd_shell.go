package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/runner"
)

func init() {
	register(&command{
		name:    "shell",
		summary: "an interactive bash with the state before a step, to debug a module",
		usage: `Usage: coursectl shell FILE [--at ID] [--state DIR]

Opens an interactive bash with the shell state of the checkpoint before step
ID: the variables, working directory, functions, aliases and options the
steps before it left. Try the step's commands by hand, look around, then
type exit. Nothing you do in this shell changes the checkpoints.

Without --at, the state is the one 'coursectl run FILE' would resume with
(before the first step not done).

Flags:
  --at ID       the step to stand before ('coursectl list FILE' shows ids)
  --state DIR   checkpoints (default $XDG_STATE_HOME/coursectl, else
                ~/.local/state/coursectl)

Examples:
  coursectl shell testdata/module1.md --at install-docker
  coursectl shell module1.md
`,
		run: runShell,
	})
}

func runShell(ctx context.Context, streams *IOStreams, args []string) error {
	c := commands["shell"]
	fs := newFlagSet(c, streams)
	at := fs.String("at", "", "")
	state := fs.String("state", "", "")
	pos, err := parseFlags(c, fs, args, streams)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("shell: want one FILE (see 'coursectl help shell')")
	}
	mod, err := course.Load(pos[0])
	if err != nil {
		return inputError(err)
	}
	if len(mod.Steps) == 0 {
		return usageError("%s: no steps, so no state to stand in", mod.Path)
	}
	if *state == "" {
		*state = runner.DefaultStateDir()
	}
	idx := 0
	if *at != "" {
		s := mod.Step(*at)
		if s == nil {
			return usageError("%s: no step %q in this module — 'coursectl list %s' shows the ids", mod.Path, *at, mod.Path)
		}
		idx = s.Index - 1
	} else {
		p, err := runner.LoadProgress(*state, mod)
		if err != nil {
			return err
		}
		idx = p.Next
	}
	switch {
	case idx == 0:
		step := mod.Steps[0]
		fmt.Fprintf(streams.Out, "A fresh shell, before the first step %s (%s:%d). Type exit to leave.\n", step.ID, mod.Path, step.Line)
	case idx == len(mod.Steps):
		fmt.Fprintf(streams.Out, "A shell with the state after the last step %s. Type exit to leave.\n", mod.Steps[idx-1].ID)
	default:
		step := mod.Steps[idx]
		fmt.Fprintf(streams.Out, "A shell with the state before step %s (%s:%d), as step %s left it. Type exit to leave.\n",
			step.ID, mod.Path, step.Line, mod.Steps[idx-1].ID)
	}
	in, out := streams.InFile, streams.OutFile
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	opts := runner.Options{StateDir: *state, Terminal: &runner.Terminal{In: in, Out: out}}
	err = runner.Shell(ctx, mod, idx, opts)
	// A missing checkpoint is a request for a state that does not exist.
	var pe *course.PosError
	if errors.As(err, &pe) {
		return usageError("%v", pe)
	}
	return err
}
