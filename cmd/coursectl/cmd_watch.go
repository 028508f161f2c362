package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"
)

func init() {
	register(&command{
		name:    "watch",
		summary: "for authors: re-lint and re-render a module on every save",
		usage:   watchUsage,
		run:     runWatch,
	})
}

const watchUsage = `Usage: coursectl watch FILE [--run] [--state DIR] [--debounce D]

Watches FILE (and the coursectl.yaml beside it) and, on every save, parses it
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
130 at once, without waiting.

Flags:
  --run          run the module on every save, from the first changed step
  --state DIR    checkpoints and sandbox (default $XDG_STATE_HOME/coursectl,
                 else ~/.local/state/coursectl)
  --debounce D   wait this long after the last change before updating, so an
                 editor's burst of writes and renames counts once (default 50ms)

Examples:
  coursectl watch testdata/module1.md
  coursectl watch module1.md --run
  coursectl watch module1.md --run --state /tmp/author-state
`

func runWatch(ctx context.Context, streams *IOStreams, args []string) error {
	c := commands["watch"]
	fs := newFlagSet(c)
	opts := watchOptions{Debounce: 50 * time.Millisecond}
	fs.BoolVar(&opts.Run, "run", false, "")
	fs.StringVar(&opts.StateDir, "state", "", "")
	fs.Func("debounce", "", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return errors.New("want a duration like 50ms or 1s")
		}
		opts.Debounce = d
		return nil
	})
	pos, err := parseFlags(c, fs, args, streams)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("watch: want one FILE (see 'coursectl help watch')")
	}
	opts.Path = pos[0]
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
		if opts.StateDir, err = stateDir(opts.StateDir); err != nil {
			return err
		}
	}

	// No notice: the loop says what the first Ctrl-C stops, if anything.
	ctx, stop := interruptible(ctx, streams.Err, "", exitAtOnce)
	defer stop()
	w := newWatcher(opts, streams)
	if streams.OutTTY && streams.OutFile != nil {
		w.resized = windowResizes(ctx, streams)
	}
	return w.loop(ctx)
}

// windowResizes reports the new width of the terminal on every resize, so
// the module is wrapped to the window again.
func windowResizes(ctx context.Context, streams *IOStreams) <-chan int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGWINCH)
	widths := make(chan int, 1)
	go func() {
		defer signal.Stop(sigs)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sigs:
			}
			w, _, err := term.GetSize(int(streams.OutFile.Fd()))
			if err != nil || w <= 0 {
				continue
			}
			select {
			case widths <- w:
			default:
				// The loop has not taken the last width yet: replace it.
				select {
				case <-widths:
				default:
				}
				widths <- w
			}
		}
	}()
	return widths
}
