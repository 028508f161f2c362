package runner

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/shellsyntax"
)

const (
	defaultTimeout     = 10 * time.Minute
	defaultIdleTimeout = 60 * time.Second
	// stopGrace is how long a signalled step gets before the next, firmer signal.
	stopGrace = 2 * time.Second
	// tokenGrace is how long the end token may trail the step's end
	// record: they travel different ways (the pty, a pipe). Normally
	// microseconds; on a starved CI machine seconds, and the output still
	// in flight (the step's tail) would be cut if the wait gave up early.
	// It ends at once when the shell exits.
	tokenGrace = 30 * time.Second
	// minStepTimeout is the shortest timeout a step gets (timeout=1us
	// counts as this). A stop signal that reaches the shell while the
	// wrapper, not the step, is running (the step's last builtin just
	// returned) can leave the step unfinished until the shell is killed;
	// a step that ends within this much time is never signalled.
	minStepTimeout = 100 * time.Millisecond
	// outputCap is how much of a step's output a result keeps (the tail).
	outputCap = 64 << 10
)

// RunModule runs mod from its start (or as Options.Resume/From say) until a
// step fails or the module ends, saving a checkpoint after every passing
// step and a run record at the end. Every process the run started is gone
// when it returns. ctx cancellation (Ctrl-C) interrupts the running step and
// returns a result with Interrupted set.
func RunModule(ctx context.Context, mod *course.Module, opts Options) (*result.Module, error) {
	s, err := Open(ctx, mod, opts)
	if err != nil {
		return nil, err
	}
	for i := s.Start(); i < len(mod.Steps); i++ {
		if ctx.Err() != nil {
			s.result.Interrupted = true
			break
		}
		r := s.Exec(ctx, mod.Steps[i])
		if s.result.Interrupted {
			break
		}
		if (r.Status == result.Failed || r.Status == result.Timeout) && !(opts.Update && r.OutputMismatch) && !opts.Continue {
			break
		}
	}
	err = s.Close()
	return s.result, err
}

// Session is one live shell for one module, driven step by step.
type Session struct {
	mod    *course.Module
	opts   Options
	store  *store
	runDir string
	// runLock holds the scratch directory's lock while the session lives:
	// a sweep by another run never removes a live run's directory.
	runLock *os.File
	sh      *shell
	start   int

	// sandboxLock is held while the session uses its sandbox (lock.go).
	sandboxLock *os.File
	// procs records the run's processes so they end with it, and so the
	// next run ends them if this process is killed (procs.go).
	procs *runProcs
	// spill takes the running step's whole output (spill.go).
	spill *spill

	workdir, home string
	env           []string

	result  *result.Module
	byIndex map[int]*result.Step
	// fakes are the module's command shims (nil when off).
	fakes *Fakes
	// restored is the index of the last step whose state the live shell
	// holds, -1 for none: a shell that died is restarted from its checkpoint.
	restored int
	closed   bool
	saves    chan saveJob
	pending  sync.WaitGroup
	mu       sync.Mutex // result.Warnings: the writer goroutine warns too
	// dropFrom is the first step whose checkpoints this session already
	// dropped; running an earlier step drops from there.
	dropFrom int
	// history is the live shell's history list as checkpoints store it: the
	// wrapper hands over each step's new lines (history -a), so no step
	// rewrites the whole list.
	history []byte

	// failed is set once a step of this session failed: with
	// Options.Continue, the failures after it are marked AfterFailure.
	failed bool

	// lastState is the state the last step left (a checkpoint's bytes),
	// passed or failed, nil when the shell did not write one: Shell's.
	lastState []byte
}

// Open starts the shell for mod, restoring the checkpoint that
// Options.Resume/From select. Start tells which step index (0-based) the
// session stands at.
func Open(ctx context.Context, mod *course.Module, opts Options) (*Session, error) {
	return openSession(ctx, mod, opts, false)
}

// openSession is Open; inspect is for Shell, which only looks at the state a
// run left: it neither re-seeds the sandbox nor drops checkpoints.
func openSession(ctx context.Context, mod *course.Module, opts Options, inspect bool) (*Session, error) {
	if opts.StateDir == "" {
		opts.StateDir = DefaultStateDir()
	}
	st, err := openStore(opts.StateDir, mod, opts.Sandbox)
	if err != nil {
		return nil, err
	}
	s := &Session{
		mod: mod, opts: opts, store: st, restored: -1,
		result:  &result.Module{File: mod.Path, Started: time.Now()},
		byIndex: map[int]*result.Step{},
	}
	// What a killed run left running ends before this one starts: it may
	// still be writing in the sandbox this run is about to empty.
	stateAbs, err := filepath.Abs(opts.StateDir)
	if err != nil {
		return nil, err
	}
	endDeadRuns(stateAbs)
	if opts.Sandbox && !inspect {
		if s.sandboxLock, err = lockSandbox(opts.StateDir, st.dir, mod); err != nil {
			return nil, err
		}
		defer func() {
			if s.sh == nil { // Open failed: no Close will let go
				unlockSandbox(s.sandboxLock)
			}
		}()
	}
	switch {
	case opts.FromIndex > 0 && opts.FromIndex <= len(mod.Steps):
		s.start = opts.FromIndex - 1
	case opts.From != "":
		step := mod.Step(opts.From)
		if step == nil {
			return nil, &course.PosError{File: mod.Path, Err: fmt.Errorf("no step %q in this module — `coursectl list %s` shows the ids", opts.From, mod.Path)}
		}
		// A step's own setup (its setup attribute) runs before it.
		s.start = mod.StartOf(step.Index - 1)
	case opts.Resume:
		p, err := loadProgress(opts.StateDir, mod, opts.Sandbox)
		if err != nil {
			return nil, err
		}
		for _, w := range p.Warnings {
			s.warn(w)
		}
		s.start = p.Next
	}
	// A run that starts at the first step starts from nothing: a fresh
	// sandbox, and no checkpoint of an earlier run left to stand for a step.
	fresh := s.start == 0 && !inspect
	if err := s.prepareDirs(fresh); err != nil {
		return nil, err
	}
	// The steps a run executes are judged again: their old checkpoints,
	// and those after them, must not outlive it (a step that fails now
	// would otherwise still count as done for --resume). Exec drops them
	// as it reaches the first step it runs — not here, so a session opened
	// and closed without running anything (`run`, then q) keeps them —
	// except when the sandbox was just emptied: then none of them holds.
	s.dropFrom = len(mod.Steps)
	if !inspect {
		if fresh && s.opts.Sandbox && (s.opts.Workdir == "" || s.opts.Home == "") {
			if err := st.drop(0, len(mod.Steps)); err != nil {
				return nil, err
			}
			_ = os.RemoveAll(filepath.Dir(s.outputPath(0))) // spill.go
			s.dropFrom = 0
		}
		if err := st.prune(); err != nil {
			return nil, err
		}
	}
	s.env = s.environment()
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return nil, err
	}
	if err := s.setupFakes(); err != nil {
		return nil, err
	}
	s.runDir, s.runLock, err = scratchDir(st.dir)
	if err != nil {
		return nil, err
	}
	if s.procs, err = newRunProcs(stateAbs); err != nil {
		s.removeScratch()
		return nil, err
	}
	if err := s.startShell(); err != nil {
		s.removeScratch()
		return nil, err
	}
	if s.start > 0 {
		if err := s.restore(ctx, s.start-1); err != nil {
			s.warn(fmt.Sprintf("%s: %v; starting at step %s with a fresh shell", mod.Path, err, mod.Steps[s.start].ID))
		}
	}
	// A step a checkpoint stands for passed, or was skipped in the run
	// that made it: the record keeps which, from run to run.
	last, _ := st.readRecord(mod)
	for i := 0; i < s.start && i < len(mod.Steps); i++ {
		r := s.stepResult(mod.Steps[i])
		if _, err := st.valid(i); err == nil {
			r.Status, r.FromCheckpoint = result.Passed, true
			if status, note := carriedStatus(last, i+1); status == result.Skipped {
				r.Status, r.Note = status, note
			}
		}
	}
	return s, nil
}

// file is the file a step's lines count in, for messages: its own module's
// (a course runs many), or the coursectl.yaml of a setup step it gave.
func (s *Session) file(step *course.Step) string {
	if step != nil && step.File != "" {
		return step.File
	}
	return s.mod.Path
}

// Start is the index of the first step this session will run.
func (s *Session) Start() int { return s.start }

// Workdir and Home are where the shell started and its HOME.
func (s *Session) Workdir() string { return s.workdir }
func (s *Session) Home() string    { return s.home }

func (s *Session) warn(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.Warnings = append(s.result.Warnings, msg)
	if s.opts.Events.Warning != nil {
		s.opts.Events.Warning(msg)
	}
}

type saveJob struct {
	step *course.Step
	data []byte
	// dropFrom >= 0 makes the job drop the checkpoints of steps
	// dropFrom.. instead (ordered with the writes before it); with
	// dropOne, of step dropFrom alone.
	dropFrom int
	dropOne  bool
}

// save hands a checkpoint to the writer goroutine: creating a file on a busy
// disk can take longer than a step, and nothing waits for it but a restore
// and Close (flush).
func (s *Session) save(step *course.Step, data []byte) {
	s.queue(saveJob{step: step, data: data, dropFrom: -1})
}

// dropBefore makes sure no checkpoint of step index i or later survives from
// before this run of step i: a step run again is judged again.
func (s *Session) dropBefore(i int) {
	if s.opts.KeepLaterCheckpoints {
		// Only the step's own checkpoint is judged again.
		if i < s.dropFrom {
			s.queue(saveJob{dropFrom: i, dropOne: true})
		}
		return
	}
	if i >= s.dropFrom {
		return
	}
	s.dropFrom = i
	s.queue(saveJob{dropFrom: i})
}

func (s *Session) queue(job saveJob) {
	if s.saves == nil {
		s.saves = make(chan saveJob, 64)
		go func(jobs chan saveJob) {
			for j := range jobs {
				if err := noLinksUnder(s.opts.StateDir, s.store.dir); err != nil {
					// A step replaced the state directory by a link: write
					// and remove nothing there.
					s.warn(fmt.Sprintf("%s: checkpoint not saved: %v", s.mod.Path, err))
				} else if j.dropFrom >= 0 {
					to := len(s.mod.Steps)
					if j.dropOne {
						to = j.dropFrom + 1
					}
					if err := s.store.drop(j.dropFrom, to); err != nil {
						s.warn(fmt.Sprintf("%s: removing old checkpoints: %v", s.mod.Path, err))
					}
				} else if err := s.store.write(j.step.Index-1, j.data); err != nil {
					s.warn(fmt.Sprintf("%s:%d: step %s: checkpoint not saved: %v", s.file(j.step), j.step.Line, j.step.ID, err))
				}
				s.pending.Done()
			}
		}(s.saves)
	}
	s.pending.Add(1)
	s.saves <- job
}

// flush waits until every checkpoint handed to save is on disk.
func (s *Session) flush() { s.pending.Wait() }

// Flush waits until the checkpoints of the steps run so far are on disk
// (they are written in the background; Close flushes too). Call it before
// reading progress of a live session with LoadProgress.
func (s *Session) Flush() { s.flush() }

// prepareDirs sets up the workdir and HOME; fresh re-seeds the sandbox's
// own directories (never ones the caller named).
func (s *Session) prepareDirs(fresh bool) error {
	// Never through a link a step planted (safepath.go).
	if err := guardStateDir(s.opts.StateDir, s.store.dir); err != nil {
		return err
	}
	if s.opts.Sandbox {
		if err := os.MkdirAll(s.store.dir, 0o755); err != nil {
			return err
		}
		sb := filepath.Join(s.store.dir, "sandbox")
		if err := ownDir(sb); err != nil {
			return err
		}
		s.workdir = filepath.Join(sb, "work")
		s.home = filepath.Join(sb, "home")
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		s.workdir = wd
		s.home = os.Getenv("HOME")
	}
	if s.opts.Workdir != "" {
		s.workdir = s.opts.Workdir
	} else if s.opts.Sandbox && fresh {
		if err := removeTree(s.workdir); err != nil {
			return fmt.Errorf("emptying the sandbox: %w", err)
		}
	}
	if s.opts.Home != "" {
		s.home = s.opts.Home
	} else if s.opts.Sandbox && fresh {
		if err := removeTree(s.home); err != nil {
			return fmt.Errorf("emptying the sandbox: %w", err)
		}
	}
	var err error
	if s.workdir, err = filepath.Abs(s.workdir); err != nil {
		return err
	}
	if err := os.MkdirAll(s.workdir, 0o755); err != nil {
		return err
	}
	if s.opts.Sandbox || s.opts.Home != "" {
		if s.home, err = filepath.Abs(s.home); err != nil {
			return err
		}
		if _, err := os.Stat(s.home); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(s.home, 0o755); err != nil {
				return err
			}
			if err := os.CopyFS(s.home, os.DirFS("/etc/skel")); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("seeding %s from /etc/skel: %w", s.home, err)
			}
		}
	}
	return nil
}

// removeTree removes dir even when a step left directories without write
// permission in it (a course's `chmod -R a-w`).
func removeTree(dir string) error {
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d != nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

// environment is the caller's, with the shell's own settings pinned and the
// module's and the options' additions on top.
func (s *Session) environment() []string {
	drop := map[string]bool{"PROMPT_COMMAND": true, "BASH_ENV": true, "ENV": true, "PS1": true,
		"PS2": true, "HISTFILE": true, "COLUMNS": true, "LINES": true, "CDPATH": true}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if drop[k] || strings.HasPrefix(k, "BASH_FUNC_") {
			continue
		}
		env = append(env, kv)
	}
	if s.opts.Terminal == nil {
		env = append(env, "TERM=xterm-256color")
	} else if os.Getenv("TERM") == "" {
		env = append(env, "TERM=xterm-256color")
	}
	env = append(env, "HOME="+s.home)
	if s.opts.Sandbox || s.opts.Home != "" {
		env = sandboxEnv(env, s.home) // sandboxenv.go
	}
	if s.mod.CourseDir != "" {
		env = append(env, "COURSE_DIR="+s.mod.CourseDir)
	} else if abs, err := filepath.Abs(s.mod.Path); err == nil {
		env = append(env, "COURSE_DIR="+filepath.Dir(abs))
	}
	for k, v := range s.mod.Settings.Env {
		env = append(env, k+"="+v)
	}
	return append(env, s.opts.Env...)
}

func (s *Session) startShell() error {
	rows, cols := 24, 80
	if s.opts.Terminal != nil {
		if r, c, ok := termSize(s.opts.Terminal); ok {
			rows, cols = r, c
		}
	}
	sh, err := startShell(shellConfig{dir: s.runDir, workdir: s.workdir, env: s.env, rows: rows, cols: cols, owner: s})
	if err != nil {
		return err
	}
	s.procs.shellStarted(sh.pid)
	s.sh = sh
	s.restored = -1
	s.history = nil
	return nil
}

// restore puts the checkpoint of step i into the live shell.
func (s *Session) restore(ctx context.Context, i int) error {
	s.flush()
	if _, err := s.store.valid(i); err != nil {
		if errors.Is(err, errNoCheckpoint) {
			return fmt.Errorf("no checkpoint for step %s (never passed, or edited since)", s.mod.Steps[i].ID)
		}
		return fmt.Errorf("ignoring the checkpoint of step %s: %v", s.mod.Steps[i].ID, err)
	}
	histFile := filepath.Join(s.runDir, "restore.hist")
	script, history, err := restoreScript(s.store.checkpointPath(i), histFile)
	if err != nil {
		return err
	}
	script += s.fakesPathLine() + restoreHistory(histFile)
	path := filepath.Join(s.runDir, "restore.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(histFile, []byte(history), 0o600); err != nil {
		return err
	}
	if err := s.sync(ctx, "source "+shellQuote(path)+" 247>&- 248<&- 249>&- >/dev/null 2>&1; __cc_sync"); err != nil {
		return err
	}
	s.history = []byte(history)
	s.restored = i
	return nil
}

// sync types line (ending in __cc_sync) and waits for its round trip.
func (s *Session) sync(ctx context.Context, line string) error {
	t1, t2 := newToken(), newToken()
	endSeen := s.sh.pump.arm(t1, t2, nil)
	if err := s.sh.send(line, t1, t2); err != nil {
		return err
	}
	deadline := time.After(time.Minute)
	for {
		select {
		case r, ok := <-s.sh.recs:
			if !ok {
				return errShellGone
			}
			if r.kind == 'Y' {
				select {
				case <-endSeen:
				case <-time.After(tokenGrace):
				case <-s.sh.exited:
				}
				s.sh.pump.disarm()
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return errors.New("the shell did not answer")
		}
	}
}

// Exec runs one step in the session's shell and saves its checkpoint when
// it passes. The phases, in order: plan (skip? what to run), run (the shell
// round trip), judge (status from exit code and expectations), keep
// (checkpoint, events, record).
func (s *Session) Exec(ctx context.Context, step *course.Step) *result.Step {
	// A fresh result each time: a retried step must not show the last try's
	// fields, and a caller may keep the previous result.
	r := newResult(step)
	s.byIndex[step.Index] = r
	if s.closed {
		r.Status, r.Error = result.Failed, fmt.Sprintf("step %s (%s:%d): the session is closed", step.ID, s.file(step), step.Line)
		return r
	}
	if s.opts.Events.StepStarted != nil {
		s.opts.Events.StepStarted(step)
	}
	began := time.Now()
	if err := s.ensureShell(ctx, step); err != nil {
		r.Status, r.Error = result.Failed, fmt.Sprintf("step %s (%s:%d): cannot start the shell: %v", step.ID, s.file(step), step.Line, err)
		return s.finish(r, began)
	}
	s.dropBefore(step.Index - 1)
	s.startSpill(step.Index - 1)
	plan := s.plan(step)
	var out *outcome
	if step.Kind == course.Transcript && plan.skip == "" {
		out = s.runTranscript(ctx, step, plan)
	} else {
		out = s.run(ctx, step, plan)
	}
	s.judge(step, plan, out, r)
	s.judgeAuthor(ctx, step, plan, out, r)
	s.keepOutput(step, r)
	if out.lostInput {
		// The shell would read end-of-file at its next prompt and exit;
		// end it now so the next Exec starts a new one from the last
		// checkpoint (this step's state is not saved).
		s.collectHistory()
		s.sh.kill()
		return s.finish(r, began)
	}
	s.collectHistory()
	tmp := filepath.Join(s.runDir, "checkpoint.tmp")
	data, err := prepareCheckpoint(tmp, s.history)
	// The state the step left, failed or not, for a debug shell (Shell).
	s.lastState = nil
	if err == nil {
		s.lastState = data
	}
	if r.Status == result.Passed || r.Status == result.Skipped {
		if err != nil {
			s.warn(fmt.Sprintf("%s:%d: step %s: checkpoint not saved: %v", s.file(step), step.Line, step.ID, err))
		} else {
			s.save(step, data)
			s.restored = step.Index - 1
		}
	}
	// Never let a later step find this one's state.
	_ = os.Remove(tmp)
	return s.finish(r, began)
}

func (s *Session) collectHistory() {
	p := filepath.Join(s.runDir, "checkpoint.tmp.hist")
	if b, err := os.ReadFile(p); err == nil {
		s.history = append(s.history, b...)
		_ = os.Remove(p)
	}
}

func (s *Session) finish(r *result.Step, began time.Time) *result.Step {
	if r.Status.Failed() && s.opts.Continue {
		r.FirstFailure, r.AfterFailure = !s.failed, s.failed
		s.failed = true
	}
	r.Duration = time.Since(began)
	r.Finished = time.Now()
	if s.opts.Events.StepDone != nil {
		s.opts.Events.StepDone(r)
	}
	return r
}

func (s *Session) stepResult(step *course.Step) *result.Step {
	if r, ok := s.byIndex[step.Index]; ok {
		return r
	}
	r := newResult(step)
	s.byIndex[step.Index] = r
	return r
}

// newResult is a not-run result for step, carrying what reports read of it.
func newResult(step *course.Step) *result.Step {
	return &result.Step{ID: step.ID, Line: step.Line, File: step.File, Index: step.Index, Kind: string(step.Kind),
		Hidden: step.Hidden, Command: step.OnlyCommand(), Status: result.NotRun}
}

// ensureShell restarts a shell that a step ended (exit, exec, kill),
// restoring the last checkpoint it held.
func (s *Session) ensureShell(ctx context.Context, step *course.Step) error {
	if s.sh != nil && s.sh.alive() {
		return nil
	}
	last := s.restored
	if s.sh != nil {
		s.sh.kill()
	}
	if err := s.startShell(); err != nil {
		return err
	}
	if last >= 0 {
		if err := s.restore(ctx, last); err != nil {
			s.warn(fmt.Sprintf("%s: restarted the shell without state: %v", s.mod.Path, err))
		}
	}
	return nil
}

// plan is what running a step means: the script bash sources and how its
// lines map back to the markdown. Author features (fakes, file blocks,
// verify) extend it.
type plan struct {
	skip string // why the step is not run ("" = run it)
	// ownTrace: the script sets its own PS4 marker (verify): its output is
	// not rewritten as a course's set -x is.
	ownTrace bool
	script   string
	// history is what the step adds to the shell's history: the course's
	// commands, never the runner's wrapping ("" for hidden work).
	history string
	lineMap []int // script line (1-based) → markdown line; index 0 unused
	cmdAt   []int // script line → index into step.Commands, -1 for none
	timeout time.Duration
	idle    time.Duration // 0: no idle detection
	attach  bool
	// wantExit is the expected exit status (the exit attribute, or the
	// `[N]` of an output fence); nil means 0 — or, with wantFail (an
	// `error` fence), any status but 0.
	wantExit *int
	wantFail bool
	// pipefail: the course turns pipefail on for the step.
	pipefail bool
	// edit is an editor step's edit as check makes it (nil in run, where
	// the editor opens): its command's index and the file as written.
	edit *course.Edit
	// Author features (author.go): work before the round trip (a file
	// block), prompts to answer, a background job.
	before     func() error
	interact   *Interactor
	background *backgroundJob

	// scriptCalls are the script's simple commands, parsed on first use
	// (calls, stepcalls.go).
	scriptCalls []shellsyntax.Call
	parsed      bool
}

func (s *Session) plan(step *course.Step) *plan {
	p := &plan{lineMap: []int{0}, cmdAt: []int{-1}}
	p.timeout = s.opts.Timeout
	settings := s.mod.Settings
	if step.Module != nil {
		// In a course, the step's own module's settings.
		settings = step.Module.Settings
	}
	p.attach = s.opts.Terminal != nil
	// The course's and module's timeout is a CI machine's limit (check);
	// with a person at the terminal only run-timeout applies, so a CI
	// timeout never cuts a learner off in nano. A step's own timeout is
	// the step's, wherever it runs.
	switch {
	case p.attach && settings.RunTimeout > 0:
		p.timeout = settings.RunTimeout
	case !p.attach && settings.Timeout > 0:
		p.timeout = settings.Timeout
	}
	if step.Attrs.Timeout > 0 {
		p.timeout = step.Attrs.Timeout
	}
	if p.timeout > 0 && p.timeout < minStepTimeout {
		p.timeout = minStepTimeout
	}
	if p.timeout <= 0 && !p.attach {
		// With a person at the terminal (run) there is no default limit:
		// nano or a long read must not be killed after ten minutes. A
		// run-timeout or the step's own timeout still applies.
		p.timeout = defaultTimeout
	}
	if !p.attach {
		p.idle = s.opts.IdleTimeout
		if p.idle == 0 {
			p.idle = defaultIdleTimeout
		}
	}
	switch {
	case step.Attrs.Skip:
		p.skip = "skip: marked skip"
	case step.NeedsPerson() && s.opts.Terminal == nil:
		p.skip = "interactive: needs a person at the keyboard"
		if e := step.Edit; e != nil && !step.Attrs.Interactive {
			p.skip = fmt.Sprintf("interactive: `%s` needs a person at the keyboard: the page shows no content for %s (give it in coursectl.yaml: steps: {%s: {content: ...}})",
				step.Commands[e.Command].Text, course.Unquote(e.File), step.ID)
		}
	}
	if p.skip != "" {
		return p
	}
	var b strings.Builder
	for ci, c := range step.Commands {
		lines := strings.Split(c.Text, "\n")
		for k, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
			p.lineMap = append(p.lineMap, c.Line+k)
			p.cmdAt = append(p.cmdAt, ci)
		}
	}
	p.script = b.String()
	p.history = historyEntries(step.Commands)
	p.pipefail = step.Pipefail()
	s.planAuthor(step, p)
	return p
}

// outcome is what the shell round trip gave.
type outcome struct {
	status   int
	failLine int // line in the script, 0 when unknown
	output   string
	timedOut bool
	idle     string // the command waiting for input, when idle-stopped
	idleLine int    // its markdown line, 0 when unknown
	// idleProgram is the full-screen program that waited for keys (vim,
	// less), "" for a plain read.
	idleProgram string
	syntaxErr   string // bash's syntax error in the step, if any
	syntaxLine  int    // its markdown line
	capture     *tail  // the output so far (wait looks at the last prompt)
	outputLines int    // lines printed in all, kept or not
	interrupted bool
	died        *result.Stop // how the shell ended, when it did
	lostInput   bool         // the step left the shell without its terminal input
	typedAbort  bool         // the runner typed abortLine to finish the step
	// signalled holds the signals the runner sent to stop the step, so the
	// shell's report of them can be taken out of the output.
	signalled []syscall.Signal
	// authorErr is a failure of an author feature around the round trip:
	// a file block that could not be written, an unanswered interact.
	authorErr error
	// perCommand holds a transcript's commands' outcomes, in order.
	perCommand []*commandOutcome
}

const abortLine = `{ __cc_abort;} 2>/dev/null`

// stepPrefix is the step file's first line, before the step's script: it
// turns a course's set -x back on (see __cc_pre), so that neither the
// wrapper nor the `. step.sh` line is traced, and puts back the course's
// DEBUG trap — last, so it fires for none of this, and at the file's top
// level, so a `trap - DEBUG` in the step lasts.
// It also tells the wrapper whether the step turns pipefail on or off
// (pipefailIntent): __cc_post keeps that instead of the setting the step
// began with.
// With pipefail (the course's `pipefail: true`) it turns pipefail on for
// the step; a learner's shell has it off, and so does the wrapper's.
func stepPrefix(script string, pipefail bool) string {
	on := ""
	if pipefail {
		on = "__cc_pfon=1; set -o pipefail; "
	}
	return `{ ` + on + `__cc_pfw=` + pipefailIntent(script) + `; __cc_arm; if [[ -s $__cc_dir/dbgtrap ]]; then . "$__cc_dir/dbgtrap"; fi;} 2>/dev/null` + "\n"
}

func (s *Session) run(ctx context.Context, step *course.Step, p *plan) *outcome {
	o := &outcome{}
	// The wrapper sources step.sh and reads it into history; rewriting one
	// open file costs less than creating files per step.
	if err := s.sh.writeStep(stepPrefix(p.script, p.pipefail) + p.script); err != nil {
		o.status, o.died = 1, &result.Stop{Kind: result.StopShellLost, Detail: "cannot write the step: " + err.Error()}
		return o
	}
	if p.before != nil {
		if err := p.before(); err != nil {
			o.authorErr = err
			return o
		}
	}
	tail := newTail(outputCap)
	var termOut io.Writer
	if p.attach {
		termOut = s.opts.Terminal.Out
	}
	paths := &scriptPaths{
		needle: []byte(filepath.Join(s.runDir, "step.sh") + ": line "),
		name:   s.file(step), mapLine: func(n int) int { return p.markdownLine(n - 1) },
	}
	paths.out = func(b []byte) {
		tail.Write(b)
		s.spill.Write(b)
		if s.opts.Events.StepOutput != nil {
			s.opts.Events.StepOutput(step, b)
		}
		if termOut != nil {
			termOut.Write(b)
		}
		if p.interact != nil {
			p.interact.Write(b)
		}
	}
	sink := paths.Write
	trace := &xtraceLevels{out: paths.Write}
	if !p.ownTrace {
		sink = trace.Write
	}
	o.capture = tail
	t1, t2 := newToken(), newToken()
	endSeen := s.sh.pump.arm(t1, t2, sink)
	if p.attach {
		detach := attach(s.opts.Terminal, s.sh.pty, s.sh.keyboard())
		defer detach()
	}
	// Short: bash reads a terminal one byte per read(2). $__cc_f is step.sh.
	// The braces keep a course's `set -x` from tracing __cc_post into the
	// step's output (the wrapper's records and tokens use their own fds).
	if err := s.sh.send(`__cc_pre;. "$__cc_f" 247>&- 248<&- 249>&-;{ __cc_post $?;} 2>/dev/null`, t1, t2, p.history); err != nil {
		o.status, o.died = 1, &result.Stop{Kind: result.StopShellLost, Detail: "cannot reach the shell: " + err.Error()}
		return o
	}
	s.wait(ctx, step, p, o, endSeen)
	trace.flush()
	paths.flush()
	if o.failLine > 0 {
		o.failLine-- // the script's line, past stepPrefix
	}
	o.syntaxErr, o.syntaxLine = paths.syntaxErr, paths.syntaxLine
	o.output, o.outputLines = tail.String(), int(tail.Lines())
	if o.typedAbort {
		// The terminal echoed the line the runner typed.
		o.output = strings.Replace(o.output, abortLine+"\n", "", 1)
	}
	if len(o.signalled) > 0 {
		var dropped int
		o.output, dropped = dropStopReports(o.output, o.signalled)
		o.outputLines -= dropped
	}
	return o
}

// wait follows a running step to its end: its end record, the shell's death,
// a timeout, an idle terminal read, or ctx cancellation.
func (s *Session) wait(ctx context.Context, step *course.Step, p *plan, o *outcome, endSeen chan struct{}) {
	var timeoutC <-chan time.Time
	if p.timeout > 0 {
		timeout := time.NewTimer(p.timeout)
		defer timeout.Stop()
		timeoutC = timeout.C
	}
	// A timeout that passes before the step has begun (timeout=1us) waits
	// for it to begin: a signal while bash still reads the typed line
	// would drop the line, and nothing would then end the step.
	begun, timeoutDue := s.sh.pump.started(), (<-chan struct{})(nil)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	// Stopping escalates: the first signal (INT for Ctrl-C, TERM for a
	// timeout), then firmer ones a grace period apart, then the shell itself.
	var escalation []syscall.Signal
	var aborted bool
	var nextStop time.Time
	ctxDone := ctx.Done()
	var interactFailed <-chan error
	if p.interact != nil {
		interactFailed = p.interact.Failures()
	}
	stop := func(seq ...syscall.Signal) {
		if escalation == nil {
			o.signalled = append(o.signalled, s.sh.signalStep(seq[0]))
			escalation = seq[1:]
			nextStop = time.Now().Add(stopGrace)
		}
	}
	for {
		select {
		case r, ok := <-s.sh.recs:
			if !ok {
				o.died, o.status = s.shellDeath()
				return
			}
			if r.kind != 'E' {
				continue
			}
			o.status, o.failLine, o.lostInput = r.status, r.failLine, r.lostInput
			select {
			case <-endSeen:
			case <-time.After(tokenGrace):
			case <-s.sh.exited:
			}
			s.sh.pump.disarm()
			return
		case <-ctxDone:
			ctxDone = nil
			o.interrupted = true
			stop(syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL)
		case <-timeoutC:
			timeoutC = nil
			select {
			case <-begun:
			default:
				timeoutDue = begun
				continue
			}
			o.timedOut = true
			stop(syscall.SIGTERM, syscall.SIGKILL)
		case <-timeoutDue:
			timeoutDue = nil
			o.timedOut = true
			stop(syscall.SIGTERM, syscall.SIGKILL)
		case err := <-interactFailed:
			interactFailed = nil
			o.authorErr = err
			stop(syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL)
		case <-tick.C:
			if escalation != nil && !aborted && s.sh.foreground() == s.sh.pid && blockedOnTTY(s.sh.pid) {
				// Our signal ended the line and the shell waits at its
				// prompt, but nothing finished the step: finish it.
				aborted = true
				o.typedAbort = true
				// Not glued to a half-typed line of the learner's.
				s.sh.flushInput()
				_ = s.sh.send(abortLine)
				continue
			}
			if escalation != nil && time.Now().After(nextStop) {
				if len(escalation) == 0 {
					o.status = -1
					o.died = &result.Stop{Kind: result.StopUnstoppable}
					s.sh.kill()
					return
				}
				o.signalled = append(o.signalled, s.sh.signalStep(escalation[0]))
				escalation = escalation[1:]
				nextStop = time.Now().Add(stopGrace)
				continue
			}
			// While a prompt is still to be answered, its expect's timeout
			// speaks for the wait, more precisely than idle detection.
			if p.idle > 0 && escalation == nil && !p.interact.Pending() {
				last := time.Unix(0, s.sh.pump.lastOutput.Load())
				if time.Since(last) >= p.idle {
					pg := s.sh.foreground()
					if leader, prog, ok := fullScreenWaiting(s.sh.pty, s.sh.pid, pg); ok {
						o.idle, o.idleLine = s.waitingCommand(step, p, leader.pid, readCmdline(leader.pid), o.capture)
						o.idleProgram = prog
						// vim and less take SIGINT as a key; SIGTERM ends them.
						stop(syscall.SIGTERM, syscall.SIGKILL)
					} else if pid, cmdline, ok := readingTTY(s.sh.pid, pg); ok {
						o.idle, o.idleLine = s.waitingCommand(step, p, pid, cmdline, o.capture)
						stop(syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL)
					}
				}
			}
		}
	}
}

// markdownLine maps line n of the step's script to the markdown: past the
// end (a syntax error at "end of file") is the line after the last, which is
// the closing fence.
func (p *plan) markdownLine(n int) int {
	last := len(p.lineMap) - 1
	switch {
	case last < 1:
		return 0
	case n < 1:
		return p.lineMap[1]
	case n > last:
		return p.lineMap[last] + 1
	}
	return p.lineMap[n]
}

// scriptLine is line i (1-based) of the step's script.
func (p *plan) scriptLine(i int) string {
	lines := strings.Split(p.script, "\n")
	if i < 1 || i > len(lines) {
		return ""
	}
	return lines[i-1]
}

// oneLine shows a command in a one-line message: continuation lines joined,
// long commands cut.
func oneLine(cmd string) string {
	cmd = strings.ReplaceAll(cmd, "\\\n", " ")
	cmd = strings.Join(strings.Fields(cmd), " ")
	if len(cmd) > 80 {
		cmd = cmd[:77] + "..."
	}
	return cmd
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

// shellDeath says how the shell ended and with which status — the step's
// exit code, as a terminal's `$?` would have shown it: `exit 3` is 3, a
// signal is 128+N (`kill -9 $$` is 137), -1 when it cannot be known (a
// program the step exec'd is still running) — and kills what is left of its
// session and collects the last output.
func (s *Session) shellDeath() (*result.Stop, int) {
	select {
	case <-s.sh.exited:
	case <-time.After(300 * time.Millisecond):
	}
	stop := &result.Stop{Kind: result.StopExited}
	code := -1
	if s.sh.alive() {
		stop.Kind = result.StopExec
	} else {
		var ee *exec.ExitError
		if errors.As(s.sh.waitErr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				stop.Kind, stop.Signal = result.StopSignalled, ws.Signal().String()
				code = 128 + int(ws.Signal())
			} else {
				code = ee.ExitCode()
			}
		} else {
			code = 0
		}
		stop.Status = code
	}
	s.sh.kill()
	s.sh.pump.disarm()
	return stop, code
}

// judge turns the outcome into the result's status and message. Expected
// output and verify checks plug in after the exit status check.
func (s *Session) judge(step *course.Step, p *plan, o *outcome, r *result.Step) {
	r.Output, r.OutputLines = o.output, o.outputLines
	where := fmt.Sprintf("%s:%d", s.file(step), step.Line)
	if p.skip != "" {
		r.Status, r.Note = result.Skipped, p.skip
		if o.died != nil || o.status != 0 {
			// The empty round trip for the checkpoint failed: the shell is gone.
			r.Status, r.Error = result.Failed, fmt.Sprintf("step %s (%s): %s", step.ID, where, o.died.Phrase())
			r.Stop = o.died
		}
		return
	}
	r.ExitCode = o.status
	if o.failLine > 0 && o.failLine < len(p.lineMap) {
		r.FailLine = p.lineMap[o.failLine]
		if ci := p.cmdAt[o.failLine]; ci >= 0 {
			// A command spanning lines is named by its first line.
			r.FailLine = step.Commands[ci].Line
			r.FailCommand = step.Commands[ci].Text
		}
		where = fmt.Sprintf("%s:%d", s.file(step), r.FailLine)
	}
	if o.lostInput && o.died == nil {
		o.died = &result.Stop{Kind: result.StopInputClosed}
	}
	if o.died != nil && r.FailLine == 0 {
		// The shell is gone, so no ERR trap said where: the step's only
		// line that could end it is the one (when there is one).
		if i := p.lineCalling(endsShell(o.died)); i > 0 {
			r.FailLine = p.lineMap[i]
			if ci := p.cmdAt[i]; ci >= 0 {
				r.FailCommand = step.Commands[ci].Text
			}
			where = fmt.Sprintf("%s:%d", s.file(step), r.FailLine)
		}
	}
	switch {
	case o.died != nil:
		r.Status, r.Stop = result.Failed, o.died
		r.Error = fmt.Sprintf("step %s (%s): %s", step.ID, where, o.died.Phrase())
		if o.interrupted {
			s.result.Interrupted = true
		}
	case o.authorErr != nil:
		r.Status = result.Failed
		r.Error = authorError(step, where, o.authorErr)
	case o.idle != "":
		r.Status = result.Failed
		if o.idleLine > 0 {
			r.FailLine, r.FailCommand = o.idleLine, o.idle
			where = fmt.Sprintf("%s:%d", s.file(step), o.idleLine)
		}
		r.Stop = &result.Stop{Kind: result.StopWaiting, Command: o.idle, Program: o.idleProgram, Limit: p.idle}
		r.Error = fmt.Sprintf("step %s (%s) %s: add `interact` or `interactive`", step.ID, where, r.Stop.Phrase())
		// The status bash gave is that of our own SIGINT (130), not the
		// step's: it has none.
		r.ExitCode = -1
	case o.timedOut:
		r.Status = result.Timeout
		r.ExitCode = -1 // likewise: our SIGTERM's 143 or SIGINT's 130
		r.Stop = &result.Stop{Kind: result.StopTimedOut, Limit: p.timeout}
		r.Error = fmt.Sprintf("step %s (%s) %s", step.ID, where, r.Stop.Phrase())
	case o.interrupted:
		r.Status = result.Failed
		r.Stop = &result.Stop{Kind: result.StopInterrupted}
		r.Error = fmt.Sprintf("step %s (%s) interrupted", step.ID, where)
		s.result.Interrupted = true
		if r.ExitCode == 0 {
			r.ExitCode = 130
		}
	case o.syntaxErr != "" && o.status != 0 && o.failLine == 0:
		// bash stopped reading the step: whatever the exit status was
		// meant to be, the step is not valid shell.
		r.Status, r.FailLine = result.Failed, o.syntaxLine
		where = fmt.Sprintf("%s:%d", s.file(step), o.syntaxLine)
		r.Error = fmt.Sprintf("step %s (%s): %s", step.ID, where, o.syntaxErr)
	case step.Attrs.ExitAny:
		r.Status = result.Passed
	case p.wantFail && p.wantExit == nil:
		if o.status != 0 {
			r.Status = result.Passed
		} else {
			r.Status = result.Failed
			r.Error = fmt.Sprintf("step %s (%s): exit status 0, want a failure (the page shows an error at line %d)", step.ID, where, step.Error.FenceLine)
		}
	case p.wantExit != nil:
		if o.status == *p.wantExit {
			r.Status = result.Passed
		} else {
			r.Status = result.Failed
			r.Error = fmt.Sprintf("step %s (%s): exit status %d, want %d", step.ID, where, o.status, *p.wantExit)
		}
	case o.status != 0:
		r.Status = result.Failed
		if r.FailCommand != "" {
			r.Error = fmt.Sprintf("step %s (%s): `%s` failed with exit status %d", step.ID, where, oneLine(r.FailCommand), o.status)
		} else {
			r.Error = fmt.Sprintf("step %s (%s): exit status %d", step.ID, where, o.status)
		}
	default:
		r.Status = result.Passed
	}
}

// Close ends the shell and every process the session started, and writes
// the run record.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.sh != nil {
		s.sh.kill()
	}
	s.flush()
	if s.saves != nil {
		close(s.saves)
	}
	s.removeScratch()
	s.result.Duration = time.Since(s.result.Started)
	s.result.Steps = s.result.Steps[:0]
	for _, step := range s.mod.Steps {
		s.result.Steps = append(s.result.Steps, s.stepResult(step))
	}
	defer unlockSandbox(s.sandboxLock)
	if err := noLinksUnder(s.opts.StateDir, s.store.dir); err != nil {
		s.warn(fmt.Sprintf("%s: run record not saved: %v", s.mod.Path, err))
		return nil
	}
	return s.store.writeRecord(s.result)
}

// Result is the session's module result so far (complete after Close).
func (s *Session) Result() *result.Module { return s.result }

func removeAll(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// removeScratch removes the session's scratch directory, then lets go of
// its lock.
func (s *Session) removeScratch() {
	s.procs.close() // what left the shell's session, where a cgroup holds it
	removeAll(s.runDir)
	if s.runLock != nil {
		s.runLock.Close()
		s.runLock = nil
	}
}

// scratchDir is where the shell and the runner exchange files during a run
// (the step, the state the wrapper dumps after each step): on tmpfs when the
// machine has one, since bash writes its builtins' output a line per write(2).
//
// Runs of other processes sweep away the scratch directories of runs that
// were killed before they could (sweepScratch), so a live one must be told
// apart reliably. A pid in the name cannot do it: pids are reused (pid_max
// is often 32768, and a busy CI machine wraps it in minutes), and another
// pid namespace sharing /dev/shm (containers) sees none of ours. So a live
// run holds an exclusive flock(2) on the file `lock` in its directory for
// as long as the directory exists; the kernel drops it when the process
// dies, however it dies. The directory is made and locked under a name the
// sweep ignores (`.coursectl-new-*`) and only then renamed into view, so no
// sweep ever sees it unlocked. The pid stays in the name for people.
func scratchDir(stateModDir string) (string, *os.File, error) {
	prefix := fmt.Sprintf("coursectl-run-%d-", os.Getpid())
	for _, d := range scratchParents() {
		sweepScratch(d)
		if dir, lock, err := lockedDir(d, prefix); err == nil {
			return dir, lock, nil
		}
	}
	if err := os.MkdirAll(stateModDir, 0o755); err != nil {
		return "", nil, err
	}
	return lockedDir(stateModDir, prefix)
}

// scratchParents are the tmpfs directories scratch directories go in.
func scratchParents() []string {
	var out []string
	for _, d := range []string{os.Getenv("XDG_RUNTIME_DIR"), "/dev/shm"} {
		if d == "" {
			continue
		}
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// lockedDir makes a directory in parent named prefix+random, locked.
func lockedDir(parent, prefix string) (string, *os.File, error) {
	tmp, err := os.MkdirTemp(parent, ".coursectl-new-")
	if err != nil {
		return "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(tmp, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err == nil {
		err = unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != nil {
			lock.Close()
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	for i := 0; i < 100; i++ {
		dir := filepath.Join(parent, prefix+strconv.FormatUint(uint64(randUint32()), 10))
		if err = os.Rename(tmp, dir); err == nil {
			return dir, lock, nil
		}
		if !errors.Is(err, os.ErrExist) && !errors.Is(err, syscall.ENOTEMPTY) {
			break
		}
	}
	lock.Close()
	os.RemoveAll(tmp)
	return "", nil, err
}

// sweepScratch removes the scratch directories in parent that no live run
// holds (their lock can be taken). A directory without a lock file (a
// coursectl from before the lock) is judged by the pid in its name, and
// only when that process is certainly gone.
func sweepScratch(parent string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "coursectl-run-")
		if !ok || !e.IsDir() {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
		if err == nil {
			if unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
				// Ours now: no run can be using it.
				_ = os.RemoveAll(dir)
			}
			lock.Close()
			continue
		}
		if !errors.Is(err, os.ErrNotExist) {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); errors.Is(err, os.ErrNotExist) {
			_ = os.RemoveAll(dir)
		}
	}
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
