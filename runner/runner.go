// Package runner executes a module's steps the way a person would type
// them: one bash in one pty for the whole run, a checkpoint of the shell's
// state after every passing step. It is the only package that starts
// processes, owns the pty lifecycle and signals process groups.
//
// Two callers drive it: `check` calls RunModule (unattended, in a sandbox);
// `run` opens a Session with Options.Terminal set and calls Exec step by
// step between its own prompts to the learner.
package runner

import (
	"os"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// Options configure a run of one module.
type Options struct {
	// StateDir holds checkpoints, run records and sandboxes
	// (default $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl).
	StateDir string
	// Sandbox: a fresh workdir and HOME kept in the state directory (check's
	// default). When false the shell starts in Workdir (default: the current
	// directory) with the real HOME (run's behaviour).
	Sandbox bool
	// Workdir and Home override the sandbox's directories when set.
	Workdir, Home string
	// Timeout is the per-step default (10m; none when a Terminal is
	// attached); a step's timeout attribute and the module settings win
	// over it.
	Timeout time.Duration
	// IdleTimeout fails a step that prints nothing while waiting on the
	// terminal for input (60s); only when no Terminal is attached.
	IdleTimeout time.Duration
	// Resume starts at the first step with no valid checkpoint, restoring
	// the one before it. From starts at the step with that id.
	Resume bool
	From   string
	// FromIndex starts at the step with that 1-based index instead: in a
	// course's run, ids repeat from module to module.
	FromIndex int
	// KeepLaterCheckpoints: running a step again drops its own checkpoint
	// only, not those of the steps after it (`run --only ID`: the learner
	// retries one step, and the later steps they did stay done). Otherwise
	// a step run again drops its checkpoint and every later one.
	KeepLaterCheckpoints bool
	// NoFakes runs the real commands instead of the module's fakes.
	NoFakes bool
	// Update is check --update: a step that failed only because its output
	// differed from the expected output does not end the run, and a
	// transcript goes on past a command whose status differed, so one
	// update rewrites every expected output that ran.
	Update bool
	// Continue is check --continue: a failed step does not end the run;
	// the next step runs in the shell it left, and every failure after
	// the first is marked AfterFailure (it may only follow from that one).
	Continue bool
	// Env is added to the environment the shell inherits.
	Env []string
	// NoInheritEnv starts the shell without the caller's environment: only
	// PATH, the locale, TZ, USER, LOGNAME, SHELL and TMPDIR pass
	// (--no-inherit-env), so neither the course's commands nor its
	// checkpoints see the caller's secrets.
	NoInheritEnv bool
	// Docker runs the shell in a container (docs/spec.md §8) instead of
	// on the host; it implies Sandbox.
	Docker *Docker
	// FS keeps the sandbox's files with each checkpoint (a container's);
	// nil for a sandbox whose files stay in place.
	FS FSCheckpointer
	// Terminal, when set, attaches the learner's terminal to the step while
	// it runs: raw mode, window size and resizes passed through, keyboard
	// to the step (nano, sudo, read work). Nil in check.
	Terminal *Terminal
	// Events receives progress as it happens; any field may be nil.
	Events Events
	// FreshStart, when set, is told instead of Events.Warning that the checkpoint
	// before a --from/--only start could not be restored (err says why), so
	// the run starts there with a fresh shell. The walkthrough folds it into
	// its announcement of where the run starts.
	FreshStart func(start *course.Step, err error)
}

// Terminal is the learner's terminal.
type Terminal struct {
	In, Out *os.File
}

// Events are callbacks for live progress (check's status line, watch).
// StepOutput is called from the goroutine that reads the terminal, with the
// raw bytes (escapes and \r\n as the terminal got them): it must not block.
type Events struct {
	StepStarted func(*course.Step)
	StepOutput  func(*course.Step, []byte)
	StepDone    func(*result.Step)
	// Warning reports something wrong but not fatal (a corrupt checkpoint
	// that was ignored, a checkpoint that could not be written). It may be
	// called from the goroutine that writes checkpoints.
	Warning func(string)
}
