package main

import (
	"context"
	"fmt"

	"github.com/coursectl/coursectl/runner"
)

func init() {
	register(&command{
		name:    "run",
		summary: "walk through a module step by step in your terminal",
		usage: `Usage: coursectl run FILE [flags]

The learner's walkthrough. Shows the module's prose and each step's
commands, then waits for a key:

  Enter  run the step here (your keyboard goes to it: nano, sudo, read
         work; Ctrl-C stops the step, not coursectl)
  s      skip the step        e  edit it in $EDITOR, then run your version
  q      quit (progress is kept)                     ?  help

After a failed step: r retries, e edits, s skips, h opens a shell with the
state the step left, q quits. Steps run in the current directory with your
real HOME, in one bash, so variables and cd carry from step to step. The next
'coursectl run FILE' resumes at the first step not done, with the shell state
of the last one restored.

When stdin or stdout is not a terminal (a pipe, CI) the module runs
unattended with plain output, as 'coursectl check' does, but in the current
directory.

Flags:
  --fresh       forget this module's progress and start at step 1
  --from ID     start at step ID, restoring the checkpoint before it
  --only ID     run step ID alone (with the checkpoint before it)
  --yes         ask nothing: run every step (still in your terminal);
                stop at the first failure
  --state DIR   checkpoints (default $XDG_STATE_HOME/coursectl, else
                ~/.local/state/coursectl)

Examples:
  coursectl run testdata/module1.md
  coursectl run module1.md --from install-docker
  coursectl run module1.md --fresh --yes
`,
		run: runRun,
	})
}

type runFlags struct {
	fresh, yes bool
	from, only string
	state      string
}

func runRun(ctx context.Context, streams *IOStreams, args []string) error {
	c := commands["run"]
	var f runFlags
	fs := newFlagSet(c)
	fs.BoolVar(&f.fresh, "fresh", false, "")
	fs.BoolVar(&f.yes, "yes", false, "")
	fs.StringVar(&f.from, "from", "", "")
	fs.StringVar(&f.only, "only", "", "")
	fs.StringVar(&f.state, "state", "", "")
	pos, err := parseFlags(c, fs, args, streams)
	if err != nil {
		return err
	}
	if f.from != "" && f.only != "" {
		return usageError("run: --from and --only both say where to start: use one")
	}
	mod, err := moduleArg(c, pos)
	if err != nil {
		return err
	}
	for _, id := range []string{f.from, f.only} {
		if id != "" && mod.Step(id) == nil {
			return noStepError(mod, id)
		}
	}
	if f.state, err = stateDir(f.state); err != nil {
		return err
	}
	if f.fresh {
		if err := runner.Reset(f.state, mod); err != nil {
			return fmt.Errorf("--fresh: forgetting progress: %w", err)
		}
	}
	if !streams.InTTY || !streams.OutTTY || streams.InFile == nil || streams.OutFile == nil {
		return runUnattended(ctx, streams, mod, f)
	}
	w := &walkthrough{mod: mod, streams: streams, yes: f.yes, only: f.only != "", stateDir: f.state}
	return w.run(ctx, runOptions(f, &runner.Terminal{In: streams.InFile, Out: streams.OutFile}))
}

// runOptions are the runner options of `run`: where the learner stands
// (current directory, real HOME), resuming unless told where to start.
func runOptions(f runFlags, t *runner.Terminal) runner.Options {
	opts := runner.Options{StateDir: f.state, Terminal: t}
	switch {
	case f.only != "":
		// The learner retries one step: the later steps they did stay done.
		opts.From, opts.KeepLaterCheckpoints = f.only, true
	case f.from != "":
		opts.From = f.from
	default:
		opts.Resume = true
	}
	if t != nil {
		// The learner runs the real commands: fakes stand in for them only
		// in check, and in run without a terminal, which is check. With a
		// terminal the runner sets no default timeout: a person may sit in
		// nano as long as they like.
		opts.NoFakes = true
	}
	return opts
}
