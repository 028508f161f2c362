package runner

// A Session's life: Open makes the sandbox's directories and takes its lock,
// the shell starts on first use (ensureShell) from the checkpoint it
// resumes at, and Close ends the shell, its processes and the scratch
// directory. The step's own phases are in exec.go and judge.go.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
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
	// box is the container the shell runs in (the container sandbox,
	// sandbox.go); nil on the host.
	box   *dockerBox
	stage string // its stage directory (container.Options.StageDir)

	result  *result.Module
	byIndex map[int]*result.Step
	// fakes are the module's command shims (nil when off).
	fakes *Fakes
	// restored is the index of the last step whose state the live shell
	// holds, -1 for none: a shell that died is restarted from its checkpoint.
	restored int
	closed   bool
	// unkept: steps run now leave no checkpoint (the setup a fresh start
	// runs in the middle of a course: the steps before it did not run).
	unkept  bool
	saves   chan saveJob
	pending sync.WaitGroup
	mu      sync.Mutex // result.Warnings: the writer goroutine warns too
	// dropFrom is the first step whose checkpoints this session already
	// dropped; running an earlier step drops from there.
	dropFrom int
	// state follows the live shell's state from the wrapper's dumps (the
	// state the last step left, passed or failed: Shell's), and writes
	// checkpoints as the changes since the last ones.
	state *liveState

	// failed is set once a step of this session failed: with
	// Options.Continue, the failures after it are marked AfterFailure.
	failed bool
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
	if opts.Docker != nil {
		// A container is a sandbox: check's semantics, progress of its own.
		opts.Sandbox = true
	}
	st, err := openStore(opts.StateDir, mod, opts.Sandbox)
	if err != nil {
		return nil, err
	}
	st.docker = opts.Docker != nil
	s := &Session{
		mod: mod, opts: opts, store: st, restored: -1,
		result:  &result.Module{File: mod.Path, Started: time.Now(), Sandbox: dockerName(opts)},
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
		p, err := loadStoreProgress(st, mod)
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
	if opts.Docker != nil {
		s.env = s.boxEnvironment()
	} else {
		s.env = s.environment()
	}
	s.state = newLiveState(newEnvPolicy(s.env, s.mod.Settings.EnvExclude))
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return nil, err
	}
	if opts.Docker == nil {
		if err := s.setupFakes(); err != nil {
			return nil, err
		}
	}
	s.runDir, s.runLock, err = scratchDir(st.dir)
	if err != nil {
		return nil, err
	}
	if s.procs, err = newRunProcs(stateAbs); err != nil {
		s.removeScratch()
		return nil, err
	}
	if opts.Docker != nil {
		// The fakes live in the channel, where the container sees them.
		err := s.setupFakes()
		if err == nil {
			err = s.startBox(ctx)
		}
		if err != nil {
			s.removeScratch()
			return nil, err
		}
	}
	if err := s.startShell(); err != nil {
		s.closeBox()
		s.removeScratch()
		return nil, err
	}
	freshAt := false
	if s.start > 0 {
		if err := s.restore(ctx, s.start-1); err != nil {
			freshAt = s.box == nil
			switch {
			case s.box != nil:
				// The container's files are those of no step: only the
				// first step can start there.
				s.warn(fmt.Sprintf("%s: %v; starting from the first step", mod.Path, err))
				s.start = 0
			case opts.FreshStart != nil:
				opts.FreshStart(mod.Steps[s.start], err)
			default:
				// Named by the step's own file: in a course the run's
				// path is the course's directory.
				st := mod.Steps[s.start]
				also := ""
				if len(s.setupBefore()) > 0 && !inspect {
					also = ", after the setup steps it stands on" // runSetupBefore
				}
				s.warn(fmt.Sprintf("%s: %v; starting at step %s with a fresh shell%s", s.file(st), err, st.ID, also))
			}
		}
	}
	done := st.reader() // one reader: each file read once, not once a step
	// A step a checkpoint stands for passed, or was skipped in the run
	// that made it: the record keeps which, from run to run.
	last, _ := st.readRecord(mod)
	for i := 0; i < s.start && i < len(mod.Steps); i++ {
		r := s.stepResult(mod.Steps[i])
		if _, err := done.valid(i); err == nil {
			r.Status, r.FromCheckpoint = result.Passed, true
			if status, note := carriedStatus(last, i+1); status == result.Skipped {
				r.Status, r.Note = status, note
			}
		}
	}
	if freshAt && !inspect {
		s.runSetupBefore(ctx)
	}
	if opts.Sandbox && s.box == nil && s.start > 0 && !inspect && opts.Workdir == "" {
		s.warnLaterFiles(last)
	}
	return s, nil
}

// warnLaterFiles says, when a start in the middle of a directory sandbox
// follows a run that went past it, that the files are that run's: a dir
// checkpoint holds the shell's state, not the files (docs/sandbox.md), so a
// step may meet what a later step made (`cat all.pdb: input file is output
// file`) and fail where a whole run passes.
func (s *Session) warnLaterFiles(last *result.Module) {
	if last == nil {
		return
	}
	latest := 0
	for _, r := range last.Steps {
		if r.Index > s.start+1 && r.Status != result.NotRun && !r.FromCheckpoint { // after the start step
			latest = max(latest, r.Index)
		}
	}
	if latest == 0 || latest > len(s.mod.Steps) {
		return
	}
	// Named by the first step a reader sees: a setup's file is a yaml.
	st := s.mod.Steps[s.start]
	for i := s.start; i < len(s.mod.Steps) && st.Hidden; i++ {
		st = s.mod.Steps[i]
	}
	s.warn(fmt.Sprintf("%s: the sandbox holds the files of the last run, which went on to step %s: a dir checkpoint keeps no files, so step %s may meet files later steps made (a whole check empties the sandbox first; --sandbox=docker keeps each step's files)",
		s.file(st), s.mod.Ref(s.mod.Steps[latest-1]), st.ID))
}

// setupBefore is the hidden setup a fresh start at s.start stands on: the
// steps the run begins with (a course's setup:, a module's
// coursectl:setup) and, in a course, those its module begins with (its
// setup: and workdir:) — what every later step needs: the data unzipped,
// the module's directory.
func (s *Session) setupBefore() []int {
	var idx []int
	i := 0
	for ; i < s.start && s.mod.Steps[i].Hidden; i++ {
		idx = append(idx, i)
	}
	first := s.start
	if o := s.mod.Steps[s.start].Origin; o != nil {
		for first > 0 && s.mod.Steps[first-1].Origin != nil && s.mod.Steps[first-1].Origin.Module == o.Module {
			first--
		}
	}
	for j := max(first, i); j < s.start && s.mod.Steps[j].Hidden; j++ {
		idx = append(idx, j)
	}
	return idx
}

// runSetupBefore runs setupBefore in the fresh shell of a start that had
// no checkpoint to restore, so --from a module's first step passes as a
// whole run does. The run's leading setup keeps its checkpoints (nothing
// came before it); a module's, after steps that did not run, keeps none.
func (s *Session) runSetupBefore(ctx context.Context) {
	defer func() { s.unkept = false }()
	for n, i := range s.setupBefore() {
		s.unkept = i != n // a gap: steps before it did not run
		if r := s.Exec(ctx, s.mod.Steps[i]); r.Status != result.Passed {
			return
		}
	}
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

// environment is the caller's, with the shell's own settings pinned and the
// module's and the options' additions on top.
func (s *Session) environment() []string {
	drop := map[string]bool{"PROMPT_COMMAND": true, "BASH_ENV": true, "ENV": true, "PS1": true,
		"PS2": true, "HISTFILE": true, "COLUMNS": true, "LINES": true, "CDPATH": true,
		"OLDPWD": true} // the caller's last directory: `cd -` in a step is the step's
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if drop[k] || strings.HasPrefix(k, "BASH_FUNC_") || s.opts.NoInheritEnv && !cleanEnv(k) {
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
	cg := s.procs.cgroupDir()
	sh, err := startShell(shellConfig{dir: s.runDir, workdir: s.workdir, env: s.env, rows: rows, cols: cols, owner: s,
		box: s.box, inside: s.inside, perm: s.scratchPerm(), cgroup: cg})
	if cg != nil {
		cg.Close()
	}
	if err != nil {
		return err
	}
	s.procs.shellStarted(sh.pid, sh.inCgroup)
	s.sh = sh
	s.restored = -1
	s.state.reset(-1, "", nil)
	return nil
}

// restore puts the checkpoint of step i into the live shell.
func (s *Session) restore(ctx context.Context, i int) error {
	s.flush()
	r := s.store.reader()
	rs, err := r.state(i)
	if err != nil {
		if errors.Is(err, errNoCheckpoint) {
			return fmt.Errorf("no checkpoint for step %s (never passed, or edited since)", s.mod.Steps[i].ID)
		}
		return fmt.Errorf("ignoring the checkpoint of step %s: %v", s.mod.Steps[i].ID, err)
	}
	if err := s.restoreFS(ctx, rs); err != nil {
		return fmt.Errorf("the checkpoint of step %s: %v", s.mod.Steps[i].ID, err)
	}
	script, notes := restoreScript(rs)
	for _, n := range notes {
		s.warn(fmt.Sprintf("%s: the checkpoint of step %s: %s", s.file(s.mod.Steps[i]), s.mod.Steps[i].ID, n))
	}
	histFile := filepath.Join(s.runDir, "restore.hist")
	script += s.fakesPathLine() + restoreHistory(s.inside(histFile))
	path := filepath.Join(s.runDir, "restore.sh")
	if err := s.writeScratch(path, []byte(script)); err != nil {
		return err
	}
	if err := s.writeScratch(histFile, []byte(historyText(rs.history))); err != nil {
		return err
	}
	if err := s.sync(ctx, "source "+shellQuote(s.inside(path))+" 247>&- 248<&- 249>&- >/dev/null 2>&1; __cc_sync"); err != nil {
		return err
	}
	s.state.reset(i, r.files[i].id, rs)
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
	s.closeBox()
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
