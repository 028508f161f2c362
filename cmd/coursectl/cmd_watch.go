package main

import (
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/watch"
)

func (c *cli) watchCmd() *cobra.Command {
	opts := watch.Options{Debounce: 50 * time.Millisecond}
	var sandbox sandboxChoice
	cmd := &cobra.Command{
		Use:   "watch FILE [--run] [--state DIR] [--debounce D]",
		Short: "for authors: re-lint and re-render a module on every save",
		Long: `Watches FILE (and the coursectl.yaml beside it) and, on every save, parses it
again, shows the lint findings and draws the module as a learner will see it.
On a terminal the screen is cleared and redrawn; otherwise each update is
printed after a separator line. A file that does not parse is reported and
watching goes on: fix it and save again.

With --run, every save also runs the module the way 'check --resume' does:
from the first step whose text changed (or that has not passed yet), with
the shell state of the checkpoint before it restored; unchanged steps before
it are not run again. Each step's result is shown as it lands. A save while
a run is going stops that run (every process it started) and starts the new
one. Steps run in a sandbox kept in the state directory, as in check: a
fresh workdir and HOME, so writing a module never touches your real HOME.
Files the steps made are not rolled back when a step re-runs.

Ctrl-C stops watching (and a run in progress, waiting for its processes to
end) and exits 130, as an interrupted command does; a second Ctrl-C exits
130 at once, without waiting.`,
		Example: `  coursectl watch testdata/module1.md
  coursectl watch module1.md --run
  coursectl watch module1.md --run --state /tmp/author-state`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			if sandbox.kind != "" && !opts.Run {
				return usageError("watch: --sandbox is where --run runs: add --run")
			}
			opts.Docker = sandbox.dockerOptions()
			if err := readySandbox(cmd.Context(), sandbox); err != nil {
				return err
			}
			return c.watch(cmd, opts, args)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&opts.Run, "run", false, "run the module on every save, from the first changed step")
	fl.Var(sandboxFlag{&sandbox}, "sandbox", "with --run: run in `KIND`, dir (a fresh workdir and HOME, the default) or docker[:IMAGE] (a container)")
	fl.StringVar(&opts.StateDir, "state", "", "keep checkpoints and the sandbox in `DIR` (default $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl)")
	fl.Var(&debounceFlag{&opts.Debounce}, "debounce", "wait `D` after the last change before updating, so an editor's burst of writes and renames counts once")
	return cmd
}

func (c *cli) watch(cmd *cobra.Command, opts watch.Options, args []string) error {
	if len(args) != 1 {
		return usageError("watch: want one FILE (see 'coursectl help watch')")
	}
	opts.Path = args[0]
	// A missing file or a directory is a mistake in the command line, not
	// an edit in progress: refuse it. Whatever is wrong inside the file is
	// shown by the loop, which goes on watching.
	if fi, err := os.Stat(opts.Path); err != nil {
		return pathError(opts.Path, err)
	} else if fi.IsDir() {
		return pathError(opts.Path, syscall.EISDIR)
	}
	if opts.Run {
		// Only a run keeps checkpoints and a sandbox.
		var err error
		if opts.StateDir, err = stateDir(opts.StateDir); err != nil {
			return err
		}
	}

	// No notice: the loop says what the first Ctrl-C stops, if anything.
	ctx, stop := interruptible(cmd.Context(), c.streams.Err, "", exitAtOnce)
	defer stop()
	w := watch.New(opts, c.streams)
	if c.streams.OutTTY && c.streams.OutFile != nil {
		w.Resized = watch.WindowResizes(ctx, c.streams.OutFile)
	}
	err := w.Loop(ctx)
	// The module's directory cannot be watched: bad input, as a missing
	// file is.
	var pe *course.PosError
	if errors.As(err, &pe) {
		return inputError(err)
	}
	return err
}
