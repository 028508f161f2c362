// Package walkthrough is the learner's `coursectl run` on a terminal: the
// module's prose, each step framed, a key from the learner, then the step
// in the runner's one shell with the learner's terminal attached; and the
// words for progress that `run` and `status` share. docs/walkthrough.md has
// the keys and the decisions behind them.
//
// The command wires it (cmd/coursectl/cmd_run.go); it reads and writes only
// the streams it is given.
package walkthrough

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/sgr"
)

// Options are one walkthrough's module, terminal and flags.
type Options struct {
	Module *course.Module
	// Streams must be a terminal both ways (InFile and OutFile set): the
	// learner's keys are read one at a time and steps get the terminal.
	Streams *iostreams.IOStreams
	Yes     bool // --yes: run every step, ask nothing
	// Sandbox: the run is in a sandbox (a fresh workdir and HOME, the
	// module's fakes on), with checkpoints of its own; Runner.Sandbox too.
	Sandbox  bool
	Only     bool // --only: the one step the session starts at
	StateDir string
	// Runner are the runner's options: where to start, the terminal.
	Runner runner.Options
}

// The ends of a walkthrough that are not success; the command maps them to
// exit statuses (1 and 130, docs/spec.md §4) and prints nothing more.
var (
	// ErrStepFailed: the learner quit at a failed step, or --yes stopped
	// at one.
	ErrStepFailed = errors.New("a step failed")
	// ErrInterrupted: Ctrl-C at a question. The walkthrough ends as with q
	// (progress kept), but the exit status says interrupted, as a shell's
	// does; q is the learner's ordinary way out and exits 0.
	ErrInterrupted = errors.New("interrupted at a question")
)

// Run is `coursectl run` on a terminal: for each step the prose before it
// and its commands, then a key from the learner, then the step in the
// runner's shell with the learner's terminal attached.
func Run(ctx context.Context, o Options) error {
	w := &walkthrough{mod: o.Module, streams: o.Streams, yes: o.Yes, only: o.Only, stateDir: o.StateDir, sandbox: o.Sandbox, docker: o.Runner.Docker != nil}
	if o.Runner.Docker != nil {
		w.image = o.Runner.Docker.Image
	}
	return w.run(ctx, o.Runner)
}

// walkthrough is one run of Run.
type walkthrough struct {
	// noRestore is why the checkpoint before a --from/--only start could
	// not be restored ("" when it was, or there is none to restore).
	noRestore string
	mod       *course.Module
	streams   *iostreams.IOStreams
	yes       bool
	only      bool
	stateDir  string
	sandbox   bool
	docker    bool   // in the container sandbox (Runner.Docker)
	image     string // the container's image as the learner named it, "" for the default

	sess *runner.Session
	// pos is each shown step's learner-facing number ("Step 3/9"): hidden
	// setup steps are not counted, as render numbers them.
	total int
	// pending is prose from before hidden steps, shown with the next step.
	pending []string
	// shownModule is, in a course, the module of the last step shown.
	shownModule *course.Module
	// cooked gives the terminal back as it was (for $EDITOR); keys puts it
	// back in keys mode.
	cooked, keys func()
}

// next is what the walkthrough does after a step's screen.
type next int

const (
	nextStep    next = iota
	quit             // the learner quit; progress kept
	quitFailed       // the learner quit at a failed step (or --yes stopped there)
	interrupted      // Ctrl-C at a question: progress kept as with q, exit 130
)

func (w *walkthrough) run(ctx context.Context, opts runner.Options) error {
	_, w.total = w.mod.Number(nil)
	before, err := w.progress()
	if err != nil {
		return err
	}
	// The terminal stays in keys mode for the whole walkthrough, so a key
	// typed while coursectl is busy is neither lost nor turned into a signal.
	restore, err := keysMode(w.streams.InFile)
	if err != nil {
		return err
	}
	defer restore()
	w.cooked = restore
	w.keys = func() { _, _ = keysMode(w.streams.InFile) }
	// With --from/--only, the checkpoint before the start may not restore.
	// The announcement says where the run starts and with what state, so
	// that is folded into it: one message, not a warning of a fresh shell
	// followed by "with the state step N left".
	opts.FreshStart = func(_ *course.Step, err error) {
		if w.noRestore == "" {
			w.noRestore = err.Error()
		}
	}
	opts.Events.Warning = func(msg string) {
		fmt.Fprintf(w.streams.Err, "coursectl: warning: %s\n", msg)
	}
	sess, err := runner.Open(ctx, w.mod, opts)
	if err != nil {
		return err
	}
	w.sess = sess
	closed := false
	closeSession := func() {
		if closed {
			return
		}
		closed = true
		if err := sess.Close(); err != nil {
			fmt.Fprintf(w.streams.Err, "coursectl: warning: the run record was not saved: %v\n", err)
		}
	}
	defer closeSession()

	start := sess.Start()
	if len(w.mod.Steps) == 0 {
		fmt.Fprintf(w.out(), "%s has no steps to run (fences tagged sh, bash, shell or console).\n", w.mod.Path)
		return nil
	}
	if start >= len(w.mod.Steps) {
		closeSession()
		if done, skipped := Counts(w.mod, before, len(w.mod.Steps)); skipped > 0 {
			fmt.Fprintf(w.out(), "  %s: every step is done or skipped: %s%s.\n  %s; '%s' starts again.\n",
				w.mod.Path, Tally(done, skipped, w.total), DoneOn(before.When), runSkipped(w.runCommand()), w.runCommand("--fresh"))
			return nil
		}
		status := "coursectl status " + SandboxFlag(w.sandboxName()) + w.mod.Path
		fmt.Fprintf(w.out(), "  %s: all %s done%s.\n  '%s' starts again; '%s' shows the last run.\n",
			w.mod.Path, plural(w.total, "step"), DoneOn(before.When), w.runCommand("--fresh"), status)
		return nil
	}
	w.sandboxNote()
	w.announce(start, before, opts)

	end := len(w.mod.Steps)
	if w.only {
		end = start + 1
	}
	res := nextStep
	for i := start; i < end && res == nextStep; i++ {
		if ctx.Err() != nil {
			break
		}
		step := w.mod.Steps[i]
		if step.Hidden {
			res, err = w.hidden(ctx, i)
		} else {
			res, err = w.visit(ctx, i)
		}
		if errors.Is(err, ErrInterrupted) {
			res, err = interrupted, nil
		}
		if err != nil {
			closeSession()
			return err
		}
	}
	closeSession()
	if ctx.Err() != nil {
		fmt.Fprintf(w.out(), "\n")
		return ctx.Err()
	}
	after, err := w.progress()
	if err != nil {
		return err
	}
	switch {
	case res != nextStep:
		w.goodbye(after)
		switch res {
		case quitFailed:
			return ErrStepFailed
		case interrupted:
			fmt.Fprintf(w.out(), "  %s\n", w.paint("Interrupted (Ctrl-C).", sgr.Yellow))
			return ErrInterrupted
		}
		return nil
	case w.only:
		fmt.Fprintf(w.out(), "\n")
		return nil
	}
	if p := w.renderer().Prose(w.mod, len(w.mod.Steps)); p != "" {
		fmt.Fprint(w.out(), "\n"+p)
	}
	done, skipped := Counts(w.mod, after, len(w.mod.Steps))
	switch {
	case done == w.total:
		fmt.Fprintf(w.out(), "\n%s\n", w.paint(fmt.Sprintf("  ✓ %s: all %s done.", w.mod.Path, plural(w.total, "step")), sgr.Bold, sgr.Green))
	case done+skipped == w.total:
		fmt.Fprintf(w.out(), "\n  %s\n  %s.\n", w.paint(fmt.Sprintf("%s: %s.", w.mod.Path, Tally(done, skipped, w.total)), sgr.Bold), runSkipped(w.runCommand()))
	default:
		w.goodbye(after)
	}
	return nil
}

// sandboxNote says where a sandboxed run works and what stands in for the
// real commands, so the learner knows nothing touches their machine.
func (w *walkthrough) sandboxNote() {
	if !w.sandbox {
		return
	}
	home, work := w.sess.Home(), w.sess.Workdir()
	where := "in " + tilde(home) + " and " + tilde(work)
	if dir := filepath.Dir(home); dir == filepath.Dir(work) {
		where = "in " + tilde(dir)
	}
	msg := "In a sandbox, away from your own files: HOME and the working directory are fresh, " + where
	if w.docker {
		image := w.image
		if image == "" {
			image = "the sandbox image"
		}
		msg = "In a container of " + image + ", away from your machine: you are its learner, with sudo"
	}
	if fakes := w.mod.Settings.Fakes; len(fakes) > 0 {
		names := make([]string, 0, len(fakes))
		for n := range fakes {
			names = append(names, n)
		}
		sort.Strings(names)
		msg += "; the module's fakes stand in for " + strings.Join(names, ", ")
	}
	fmt.Fprintf(w.out(), "  %s\n", w.paint(render.WrapMessage(msg+".", w.renderer().Width, "  "), sgr.Dim))
}

// tilde writes a path under the learner's own HOME as ~/...
func tilde(path string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		if rest, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
			return "~/" + rest
		}
	}
	return path
}

// announce says where the run starts when it is not step 1.
func (w *walkthrough) announce(start int, before *runner.Progress, opts runner.Options) {
	at := w.number(start)
	doneBefore := 0
	for _, s := range w.mod.Steps[:start] {
		if !s.Hidden {
			doneBefore++
		}
	}
	passed, skipped := Counts(w.mod, before, start)
	title := ""
	if s := NextShown(w.mod, start); s != nil {
		title = " · " + sgr.Printable(s.Title())
	}
	var msg string
	switch {
	case opts.From != "" && w.only:
		msg = fmt.Sprintf("Running step %d/%d%s alone (--only)", at, w.total, title)
	case opts.From != "":
		msg = fmt.Sprintf("Starting at step %d/%d%s (--from)", at, w.total, title)
	case start == 0:
		return
	default:
		msg = fmt.Sprintf("Resuming at %sstep %d/%d%s", w.moduleLabel(start), at, w.total, title)
		switch {
		case skipped > 0:
			msg += fmt.Sprintf("; %s done, %d skipped,%s", plural(passed, "step"), skipped, DoneOn(before.When[:start]))
		case doneBefore == 0:
		case doneBefore == 1:
			msg += "; step 1 done" + DoneOn(before.When[:start])
		default:
			msg += fmt.Sprintf("; steps 1–%d done%s", doneBefore, DoneOn(before.When[:start]))
		}
	}
	if start > 0 && opts.From != "" {
		if w.noRestore != "" {
			msg += fmt.Sprintf(", with a fresh shell: %s", w.noRestore)
		} else {
			msg += fmt.Sprintf(", with the shell state step %d left", w.number(start-1))
		}
	}
	fmt.Fprintf(w.out(), "  %s\n", w.paint(msg+".", sgr.Bold))
}

// number is the learner-facing number of step i: a hidden step takes the
// number of the shown step after it.
func (w *walkthrough) number(i int) int {
	if i < 0 || i >= len(w.mod.Steps) {
		return w.total
	}
	n, _ := w.mod.Number(w.mod.Steps[i])
	return n
}

func (w *walkthrough) out() io.Writer { return w.streams.Out }

// progress is the module's progress in the walkthrough's checkpoints: the
// learner's own, or the sandbox's.
func (w *walkthrough) progress() (*runner.Progress, error) {
	if w.docker {
		return runner.LoadDockerProgress(w.stateDir, w.mod)
	}
	if w.sandbox {
		return runner.LoadSandboxProgress(w.stateDir, w.mod)
	}
	return runner.LoadProgress(w.stateDir, w.mod)
}

// sandboxName is the run's sandbox as --sandbox names it ("" for none).
func (w *walkthrough) sandboxName() string {
	switch {
	case w.docker:
		if w.image != "" {
			return "docker:" + w.image
		}
		return "docker"
	case w.sandbox:
		return "dir"
	}
	return ""
}

// runCommand is the command that goes on with this progress, with flags after
// "run": coursectl run [flags] [--sandbox] FILE.
func (w *walkthrough) runCommand(flags ...string) string {
	cmd := RunCommand(w.mod, w.sandboxName())
	if len(flags) > 0 {
		cmd = strings.Replace(cmd, " run ", " run "+strings.Join(flags, " ")+" ", 1)
	}
	return cmd
}

func (w *walkthrough) paint(s string, attrs ...string) string {
	return sgr.Paint(w.streams.Color, s, attrs...)
}

// renderer draws at the terminal's width now: the learner may have resized
// the window since the last step.
func (w *walkthrough) renderer() render.Terminal {
	return render.Terminal{Width: w.streams.CurrentWidth(), Color: w.streams.Color, Hyperlinks: w.streams.Hyperlinks()}
}

// plural is "1 step" or "3 steps".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
