// Package watch is `coursectl watch`: the loop that turns every save of a
// module into a new page (the module drawn, its lint findings) and, with
// Run, into a run from the first changed step in a sandbox. The command
// wires it (cmd/coursectl/cmd_watch.go); docs/watch.md has the decisions.
package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/fsnotify/fsnotify"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/lint"
	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
)

// Options are `coursectl watch`'s flags.
type Options struct {
	Path     string        // the module as the user named it
	Run      bool          // run the changed steps on every save
	StateDir string        // checkpoints and the sandbox
	Debounce time.Duration // quiet time after the last change before updating
	// Docker runs in the container sandbox (--sandbox=docker) instead
	// of the dir sandbox.
	Docker *runner.Docker
}

// ErrStopped is how the loop ends at Ctrl-C: the command exits 130,
// interrupted (docs/spec.md §4), as every command stopped by Ctrl-C does,
// and prints nothing more ("stopped watching" said it).
var ErrStopped = errors.New("stopped watching")

// Watcher is one `coursectl watch`: the loop that turns file changes into
// updates of the screen and, with --run, into runs. The loop goroutine owns
// every field but screen, which the runner's callbacks also write to.
type Watcher struct {
	opts   Options
	screen *watchScreen
	// width and color settle how the module is drawn.
	width int
	color bool
	links bool // OSC 8 hyperlinks, as `coursectl render` decides
	// Resized delivers a new terminal width (nil when not a terminal).
	Resized <-chan int

	// last is the module of the last good parse; lastInput is the bytes it
	// came from (module and coursectl.yaml), to tell a real edit from a
	// touch or an editor's second write of the same text.
	last      *course.Module
	lastInput []byte
	// run is the run in progress, nil when none; runs counts them so the
	// callbacks of a stopped run can tell they are stale.
	run  *watchRun
	runs int
}

// watchRun is one run of the module in the background.
type watchRun struct {
	gen    int
	mod    *course.Module
	cancel context.CancelFunc
	done   chan struct{} // closed when RunModule has returned
	result *result.Module
	err    error
}

// New is a watch of opts.Path writing to streams.
func New(opts Options, streams *iostreams.IOStreams) *Watcher {
	return &Watcher{
		opts:   opts,
		screen: &watchScreen{w: streams.Out, tty: streams.OutTTY},
		width:  streams.Width,
		color:  streams.Color,
		links:  streams.Hyperlinks(),
	}
}

func (w *Watcher) terminal() render.Terminal {
	return render.Terminal{Width: w.width, Color: w.color, Hyperlinks: w.links}
}

// Loop watches until ctx is cancelled (Ctrl-C), then stops the run in
// progress and returns ErrStopped.
func (w *Watcher) Loop(ctx context.Context) error {
	abs, err := filepath.Abs(w.opts.Path)
	if err != nil {
		return err
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: cannot watch files: %w", err)
	}
	defer fw.Close()
	// The directory, not the file: editors save by writing a new file and
	// renaming it over the old one, which would end a watch on the file.
	if err := fw.Add(filepath.Dir(abs)); err != nil {
		return &course.PosError{File: w.opts.Path, Err: fmt.Errorf("cannot watch its directory: %v", err)}
	}

	w.update(ctx)
	var quiet *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			if w.run != nil {
				w.screen.note("stopping the run… (Ctrl-C again to stop at once)")
			}
			w.stopRun()
			w.screen.leave()
			return ErrStopped
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if !savesModule(abs, ev) {
				continue
			}
			// Debounce: an editor's save is a burst (write, rename,
			// chmod...); update once it has been quiet for a moment.
			if quiet == nil {
				quiet = time.NewTimer(w.opts.Debounce)
			} else {
				quiet.Reset(w.opts.Debounce)
			}
			fire = quiet.C
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			// An overflowed event queue means changes were missed: look
			// at the file again rather than trust the last render.
			w.screen.note(fmt.Sprintf("coursectl: watch: %v; looking at the file again", err))
			w.update(ctx)
		case <-fire:
			fire = nil
			w.update(ctx)
		case width := <-w.Resized:
			w.width = width
			if w.last != nil {
				w.redraw(w.last, true)
			}
		case <-w.runDone():
			w.finishRun()
		}
	}
}

// savesModule tells whether ev (in the module's directory) changes what
// the module at abs parses to: the file itself or the coursectl.yaml beside
// it, written, created, renamed or removed. A chmod alone changes nothing.
func savesModule(abs string, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	name := filepath.Clean(ev.Name)
	return name == abs || name == filepath.Join(filepath.Dir(abs), course.SidecarName)
}

// runDone is the current run's done channel; nil (never ready) when no run.
func (w *Watcher) runDone() <-chan struct{} {
	if w.run == nil {
		return nil
	}
	return w.run.done
}

// update reads the module again and shows it; with --run it restarts the
// run from the first changed step.
func (w *Watcher) update(ctx context.Context) {
	input, readErr := w.readInput()
	if readErr == nil && w.last != nil && bytes.Equal(input, w.lastInput) && w.run != nil {
		// Nothing changed (a touch, a second write of the same text): the
		// run going on is not stale, so leave it be.
		return
	}
	mod, err := course.Load(w.opts.Path)
	if err != nil {
		w.showError(err)
		// The run going on is of a text that is no longer on disk.
		w.stopRun()
		return
	}
	if w.opts.Docker != nil {
		// Before lint: in the container sudo is no warning, and the
		// docker: settings are the ones that run.
		mod.ForSandbox("docker")
	}
	if w.opts.Run {
		if err := lint.Unrunnable(mod); err != nil {
			// check refuses this module (a value the parser had to drop,
			// such as timeout=banana): running it would run something
			// other than the author wrote, and could pass. Shown as a
			// parse error is, and the watch goes on.
			w.stopRun()
			w.showError(fmt.Errorf("%w\nrun: not run, as coursectl check would not run it", err))
			return
		}
	}
	w.last, w.lastInput = mod, input
	w.redraw(mod, false)
	if w.opts.Run {
		w.stopRun()
		w.startRun(ctx, mod)
	}
}

// readInput is what a module's parse depends on: its bytes and those of
// the coursectl.yaml beside it.
func (w *Watcher) readInput() ([]byte, error) {
	b, err := course.ReadFile(w.opts.Path)
	if err != nil {
		return nil, err
	}
	side, _ := course.ReadFile(filepath.Join(filepath.Dir(w.opts.Path), course.SidecarName))
	return append(append(b, 0), side...), nil
}

// redraw draws the module and the footer: when it was drawn, the lint
// findings, and how to leave. keepRun draws the current run's lines again
// under it (a resize); otherwise they belong to an older text and go.
func (w *Watcher) redraw(mod *course.Module, keepRun bool) {
	var b strings.Builder
	b.WriteString(w.terminal().Module(mod, nil))
	b.WriteString("\n")
	b.WriteString(w.footer(mod))
	w.screen.show(w.opts.Path, b.String(), keepRun)
}

// footer is the watch's status under the module: the time of the update,
// the step count, and the lint findings, one a line (as `coursectl lint`
// prints them).
func (w *Watcher) footer(mod *course.Module) string {
	findings := lint.Module(mod)
	var errs, warns int
	for _, f := range findings {
		if f.Severity == lint.Error {
			errs++
		} else {
			warns++
		}
	}
	summary := "lint: clean"
	if len(findings) > 0 {
		summary = "lint: " + plural(errs, "error") + ", " + plural(warns, "warning")
	}
	_, shown := mod.Number(nil) // hidden setup steps are not counted, as on the page
	head := fmt.Sprintf("watching %s · %s · %s · %s · Ctrl-C to stop",
		w.opts.Path, time.Now().Format("15:04:05"), plural(shown, "step"), summary)
	var b strings.Builder
	b.WriteString(rule(head, w.width) + "\n")
	for _, f := range findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

func (w *Watcher) showError(err error) {
	msg := fmt.Sprintf("coursectl: %v\n\n", err)
	if errors.Is(err, os.ErrNotExist) || !fileExists(w.opts.Path) {
		msg = fmt.Sprintf("coursectl: %s is gone (renamed or deleted); waiting for it to come back\n\n", w.opts.Path)
	}
	head := fmt.Sprintf("watching %s · %s · fix it and save again · Ctrl-C to stop", w.opts.Path, time.Now().Format("15:04:05"))
	w.last = nil
	w.screen.show(w.opts.Path, msg+rule(head, w.width)+"\n", false)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// startRun runs mod in the background from its first step with no valid
// checkpoint (an edited step and those after it have none).
func (w *Watcher) startRun(ctx context.Context, mod *course.Module) {
	load := runner.LoadSandboxProgress
	if w.opts.Docker != nil {
		load = runner.LoadDockerProgress
	}
	prog, err := load(w.opts.StateDir, mod)
	if err != nil {
		w.screen.note(fmt.Sprintf("coursectl: run: %v", err))
		return
	}
	if prog.Next >= len(mod.Steps) {
		_, shown := mod.Number(nil)
		w.screen.note(fmt.Sprintf("run: nothing to run: all %s passed before and none changed since", plural(shown, "step")))
		return
	}
	w.runs++
	gen := w.runs
	first := mod.Steps[prog.Next]
	if prog.Next == 0 {
		w.screen.startRun(gen, fmt.Sprintf("run: from the first step, %s (line %d), in a sandbox under %s", first.ID, first.Line, w.opts.StateDir))
	} else {
		w.screen.startRun(gen, fmt.Sprintf("run: from step %s (line %d): %s before it unchanged, not run again; shell state restored from the checkpoint",
			first.ID, first.Line, plural(prog.Next, "step")))
	}
	runCtx, cancel := context.WithCancel(ctx)
	r := &watchRun{gen: gen, mod: mod, cancel: cancel, done: make(chan struct{})}
	t := w.terminal()
	opts := runner.Options{
		StateDir: w.opts.StateDir,
		Sandbox:  true,
		Docker:   w.opts.Docker,
		Resume:   true,
		Events: runner.Events{
			StepStarted: func(s *course.Step) {
				w.screen.status(gen, fmt.Sprintf("  ▸ %s (line %d) running…", s.ID, s.Line))
			},
			StepDone: func(res *result.Step) {
				w.screen.runLine(gen, stepLine(t, mod, res))
			},
			Warning: func(msg string) {
				w.screen.runLine(gen, "  warning: "+msg+"\n")
			},
		},
	}
	w.run = r
	go func() {
		defer close(r.done)
		r.result, r.err = runner.RunModule(runCtx, mod, opts)
	}()
}

// stepLine is one step's result as it lands: a line for a pass or skip;
// a failure also shows the step with what went wrong.
func stepLine(t render.Terminal, mod *course.Module, r *result.Step) string {
	s := mod.Step(r.ID)
	if s == nil || s.Hidden || !r.Status.Failed() {
		return fmt.Sprintf("  %s  %s (line %d)\n", t.Status(r), r.ID, r.Line)
	}
	return t.StepResult(mod, s, r)
}

// stopRun stops the run in progress, if any, and waits until every process
// it started is gone, so the next run never meets the last one's.
func (w *Watcher) stopRun() {
	if w.run == nil {
		return
	}
	w.screen.silence()
	w.run.cancel()
	<-w.run.done
	w.run = nil
}

// finishRun reports the end of a run that was not stopped.
func (w *Watcher) finishRun() {
	r := w.run
	w.run = nil
	r.cancel()
	if r.err != nil {
		w.screen.runLine(r.gen, fmt.Sprintf("coursectl: run: %v\n", r.err))
		return
	}
	var ran, passed, failed, skipped, restored int
	for _, s := range r.result.Steps {
		if s.FromCheckpoint {
			restored++
			continue
		}
		switch s.Status {
		case result.Passed:
			passed++
		case result.Failed, result.Timeout:
			failed++
		case result.Skipped:
			skipped++
		default:
			continue
		}
		ran++
	}
	verdict := "passed"
	if failed > 0 {
		verdict = "FAILED"
	}
	w.screen.runLine(r.gen, fmt.Sprintf("run: %s in %s: %d passed, %d failed, %d skipped; %d unchanged\n",
		verdict, r.result.Duration.Round(time.Millisecond), passed, failed, skipped, restored))
}

// rule is a line of text between dashes, as wide as the screen.
func rule(text string, width int) string {
	if width <= 0 {
		width = render.DefaultWidth
	}
	// Too long a text wraps rather than being cut: its end (the lint
	// count, what to do) matters more than a straight line.
	s := "── " + text + " "
	if n := width - xansi.StringWidth(s); n > 0 {
		s += strings.Repeat("─", n)
	}
	return s
}

// plural is "1 step" or "3 steps".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
