package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/walkthrough"
)

func (c *cli) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE [flags]",
		Short: "walk through a module step by step in your terminal",
		Long: `The learner's walkthrough. Shows the module's prose and each step's
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

With --sandbox the steps run where they cannot touch your machine: a fresh
HOME and working directory kept in the state directory (so the next run
--sandbox resumes with what the steps made), and the module's fakes (from
its coursectl.yaml or front matter) in place of sudo, apt, wget and the
like, as 'coursectl check' runs it. Its progress is its own: 'coursectl
status --sandbox FILE' shows it.

When stdin or stdout is not a terminal (a pipe, CI) the module runs
unattended with plain output, as 'coursectl check' does, but in the current
directory.

A step (--from, --only) is named by its id ('coursectl list FILE' shows
them), by its number as the walkthrough shows it (Step 3/9: 3), or by the
start of its id when only one id starts so.`,
		Example: `  coursectl run testdata/module1.md
  coursectl run --sandbox testdata/module1.md
  coursectl run testdata/module1.md --from 3-install-docker
  coursectl run testdata/module1.md --only 5
  coursectl run module1.md --fresh --yes`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.run(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&f.fresh, "fresh", false, "forget this module's progress and start at step 1")
	fl.StringVar(&f.from, "from", "", "start at step `ID`, restoring the checkpoint before it")
	fl.StringVar(&f.only, "only", "", "run step `ID` alone (with the checkpoint before it)")
	addSandboxFlag(fl, &f.sandbox, "try the module safely: a fresh HOME and working directory under the state directory (--sandbox, or =dir), or a container (=docker[:IMAGE]), and the module's fakes (sudo, apt, wget...) in place of the real commands; progress of its own", true)
	fl.BoolVar(&f.yes, "yes", false, "ask nothing: run every step (still in your terminal); stop at the first failure")
	fl.StringVar(&f.state, "state", "", stateFlagHelp)
	_ = cmd.RegisterFlagCompletionFunc("from", completeStepIDs)
	_ = cmd.RegisterFlagCompletionFunc("only", completeStepIDs)
	return cmd
}

type runFlags struct {
	fresh, yes bool
	sandbox    sandboxChoice
	from, only string
	state      string
}

func (c *cli) run(cmd *cobra.Command, f runFlags, args []string) error {
	if f.from != "" && f.only != "" {
		return usageError("run: --from and --only both say where to start: use one")
	}
	mod, err := moduleArg(cmd, args)
	if err != nil {
		return err
	}
	// --from and --only take an id, a step number or a unique prefix: the
	// runner is given the id (MODULE:ID in a course, where ids repeat).
	for _, ref := range []*string{&f.from, &f.only} {
		if *ref != "" {
			step, err := stepArg(mod, *ref)
			if err != nil {
				return err
			}
			*ref = mod.Ref(step)
		}
	}
	if f.state, err = stateDir(f.state); err != nil {
		return err
	}
	// Where the learner runs it is theirs to say: a course's sandbox:
	// setting is check's.
	mod.ForSandbox(f.sandbox.kind)
	if err := readySandbox(cmd.Context(), f.sandbox); err != nil {
		return err
	}
	if f.fresh {
		if err := runner.Reset(f.state, mod); err != nil {
			return fmt.Errorf("--fresh: forgetting progress: %w", err)
		}
	}
	streams := c.streams
	if !streams.InTTY || !streams.OutTTY || streams.InFile == nil || streams.OutFile == nil {
		return c.runUnattended(cmd.Context(), mod, f)
	}
	return walkthrough.Run(cmd.Context(), walkthrough.Options{
		Module: mod, Streams: streams, Yes: f.yes, Only: f.only != "", StateDir: f.state, Sandbox: f.sandbox.kind != "",
		Runner: runOptions(f, &runner.Terminal{In: streams.InFile, Out: streams.OutFile}),
	})
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
	if t != nil && f.sandbox.kind == "" {
		// The learner runs the real commands: fakes stand in for them only
		// in check, in run without a terminal, which is check, and in a
		// sandbox, where trying the module must not touch the machine.
		// With a terminal the runner sets no default timeout: a person may
		// sit in nano as long as they like.
		opts.NoFakes = true
	}
	// --sandbox: check's sandbox (a fresh workdir and HOME in the state
	// directory, kept across runs so a resume finds what earlier steps
	// made) and its own checkpoints, apart from the learner's.
	opts.Sandbox = f.sandbox.kind != ""
	opts.Docker = f.sandbox.dockerOptions()
	return opts
}
