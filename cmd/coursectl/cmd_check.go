package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"

	// Aliased: app.go has a func named report.
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/runner"
)

func init() {
	register(&command{
		name:    "check",
		summary: "run modules unattended and report (CI)",
		usage:   checkUsage,
		run:     runCheck,
	})
}

const checkUsage = `Usage: coursectl check [flags] PATH...

Runs every step of each module unattended, in a sandbox, and reports. PATH is
a module (.md) or a directory searched for .md files (hidden directories are
skipped). Modules run in sorted order; within a module the first failing step
ends the module, and the steps after it are reported as not run.

Flags:
  --json             one JSON object per module on stdout (the text report
                     goes to stderr)
  --junit FILE       also write a JUnit XML report to FILE
  --resume           start each module at its first step with no valid
                     checkpoint
  --from ID          start at step ID (every module checked must have it)
  --keep-going       after a module fails, still check the remaining modules
  --timeout D        per-step timeout unless the step sets one (default 10m)
  --idle-timeout D   fail a step silent and waiting for input this long
                     (default 60s)
  -j N               check N modules in parallel (default 1)
  --shard K/N        check only the K-th of N slices of the sorted modules
                     (CI matrix)
  --state DIR        checkpoints and sandboxes (default
                     $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl)
  --workdir DIR      run in DIR instead of a fresh sandbox workdir
  --home DIR         use DIR as HOME instead of a fresh sandbox home
  --no-sandbox       run in the current directory with the real HOME
  --no-fakes         run the real commands instead of the module's fakes
  --update           rewrite transcripts with the real output (--diff: only
                     show it)
  --html FILE        also write an HTML report to FILE

Exit status: 0 every step passed or was skipped, 1 a step failed, 2 bad usage
or unreadable input, 130 interrupted (Ctrl-C stops the running step and keeps
the checkpoints of finished steps; a second Ctrl-C stops at once; SIGTERM and
SIGHUP do the same).
Under GitHub Actions (GITHUB_ACTIONS=true) failures are also printed as
::error annotations.

Examples:
  coursectl check testdata/module1.md
  coursectl check docs/ --keep-going --junit report.xml
  coursectl check docs/ --json | jq '.steps[] | select(.status=="failed")'
  coursectl check docs/ --shard 2/4 -j 2
  coursectl check module1.md --from install-docker --timeout 2m
`

// The parser and the runner, as variables so the command's own logic
// (paths, shards, -j, exit codes, reports) is tested with stand-ins.
var (
	loadModule = course.Load
	runModule  = runner.RunModule
)

// shard is --shard K/N: the K-th (1-based) of N slices.
type shard struct{ k, n int }

func (s *shard) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.k, s.n)
}

func (s *shard) Set(v string) error {
	ks, ns, ok := strings.Cut(v, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return fmt.Errorf("want K/N with 1 <= K <= N, like 2/4")
	}
	s.k, s.n = k, n
	return nil
}

// pick returns the modules of this shard. Sorted paths are dealt out in
// turn (the i-th goes to shard i mod N), so every machine of a CI matrix
// computes the same slices and the slices differ in size by at most one.
func (s shard) pick(paths []string) []string {
	if s.n == 0 {
		return paths
	}
	var out []string
	for i, p := range paths {
		if i%s.n == s.k-1 {
			out = append(out, p)
		}
	}
	return out
}

// durationFlag is a time.Duration flag whose error says what to write.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("want a duration like 30s, 2m or 1h30m")
	}
	*d = durationFlag(x)
	return nil
}

// check's --timeout and --idle-timeout defaults, which run without a
// terminal keeps too: it is check.
const (
	defaultTimeout     = 10 * time.Minute
	defaultIdleTimeout = 60 * time.Second
)

type checkFlags struct {
	json, resume, keepGoing bool
	noSandbox, noFakes      bool
	update, diff            bool
	junit, html, from       string
	state, workdir, home    string
	timeout, idleTimeout    time.Duration
	jobs                    int
	shard                   shard
}

func runCheck(ctx context.Context, streams *IOStreams, args []string) error {
	c := commands["check"]
	var f checkFlags
	fs := newFlagSet(c)
	fs.BoolVar(&f.json, "json", false, "")
	fs.StringVar(&f.junit, "junit", "", "")
	fs.BoolVar(&f.resume, "resume", false, "")
	fs.StringVar(&f.from, "from", "", "")
	fs.BoolVar(&f.keepGoing, "keep-going", false, "")
	f.timeout, f.idleTimeout = defaultTimeout, defaultIdleTimeout
	fs.Var((*durationFlag)(&f.timeout), "timeout", "")
	fs.Var((*durationFlag)(&f.idleTimeout), "idle-timeout", "")
	fs.IntVar(&f.jobs, "j", 1, "")
	fs.Var(&f.shard, "shard", "")
	fs.StringVar(&f.state, "state", "", "")
	fs.StringVar(&f.workdir, "workdir", "", "")
	fs.StringVar(&f.home, "home", "", "")
	fs.BoolVar(&f.noSandbox, "no-sandbox", false, "")
	fs.BoolVar(&f.noFakes, "no-fakes", false, "")
	fs.BoolVar(&f.update, "update", false, "")
	fs.BoolVar(&f.diff, "diff", false, "")
	fs.StringVar(&f.html, "html", "", "")
	paths, err := parseFlags(c, fs, args, streams)
	if err != nil {
		return err
	}
	if err := f.validate(paths); err != nil {
		return err
	}
	files, err := modulePaths(paths)
	if err != nil {
		return err
	}
	total := len(files)
	files = f.shard.pick(files)
	mods := make([]*course.Module, 0, len(files))
	for _, file := range files {
		mod, err := loadModule(file)
		if err != nil {
			return inputError(err)
		}
		if err := invalidAnnotations(mod); err != nil {
			return inputError(err)
		}
		if f.from != "" && mod.Step(f.from) == nil {
			return usageError("%s: --from %s: no step with that id (%s)", file, f.from, stepIDs(mod))
		}
		mods = append(mods, mod)
	}
	if err := f.checkPlaces(); err != nil {
		return err
	}
	if !f.noSandbox {
		// Another run using a module's sandbox would have it emptied under
		// it: refuse before anything runs (docs/check.md).
		for _, mod := range mods {
			if err := runner.SandboxBusy(f.state, mod); err != nil {
				return inputError(err)
			}
		}
	}
	var junit *os.File
	if f.junit != "" {
		// Opened before anything runs so a bad path costs nothing.
		if junit, err = os.Create(f.junit); err != nil {
			return inputError(fmt.Errorf("--junit: %w", err))
		}
		defer junit.Close()
	}

	ctx, stopSignals := interruptible(ctx, streams.Err, interruptNotice, exitAtOnce)
	defer stopSignals()

	// The human report goes to stdout, or to stderr when stdout carries
	// JSON, so `--json | jq` still shows progress.
	textOut, textTTY, width, color := streams.Out, streams.OutTTY, streams.Width, streams.Color
	if f.json {
		textOut, textTTY, width, color = stderrText(streams)
	}
	live := reports.NewLive(textOut)
	live.Text = reports.Text{Color: color}
	live.Status, live.Width, live.Buffered = textTTY, width, f.jobs > 1
	live.Warn = streams.Err
	if f.resume || f.from != "" {
		live.Checkpointed = func(mod *course.Module) []bool {
			// The runner settled these steps from the same checkpoints
			// when it opened the module.
			load := runner.LoadSandboxProgress // check's own checkpoints, not the learner's
			if f.noSandbox {
				load = runner.LoadProgress
			}
			p, err := load(f.state, mod)
			if err != nil {
				return nil
			}
			return p.Done
		}
	}
	if f.shard.n > 0 && len(mods) == 0 {
		fmt.Fprintf(live, "shard %s: no modules (%d in all)\n", f.shard.String(), total)
	}

	start := time.Now()
	live.Start()
	results := runModules(ctx, mods, f, live)
	live.Stop()

	// Modules never started have no block of their own (a long list of
	// "not checked" says nothing); the summary counts them.
	reports.Text{Color: color}.WriteSummary(textOut, results, time.Since(start))

	if err := writeReports(ctx, streams, f, mods, results, junit); err != nil {
		return err
	}

	interrupted, failed := ctx.Err() != nil, false
	for _, mr := range results {
		interrupted = interrupted || mr.Interrupted
		failed = failed || !mr.OK()
	}
	switch {
	case interrupted:
		fmt.Fprintln(streams.Err, "coursectl: interrupted; the checkpoints of finished steps are kept (--resume continues)")
		return silentExit(exitInterrupted)
	case failed:
		return silentExit(exitFailed)
	}
	return nil
}

// writeReports writes the machine-read reports the flags ask for, and runs
// --update, after the text report.
func writeReports(ctx context.Context, streams *IOStreams, f checkFlags, mods []*course.Module, results []*result.Module, junit *os.File) error {
	if f.json {
		if err := reports.JSON(streams.Out, results); err != nil {
			return err
		}
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		// Workflow commands are read from both streams; stdout unless it
		// carries JSON.
		w := streams.Out
		if f.json {
			w = streams.Err
		}
		reports.GitHub(w, results, os.Getenv("GITHUB_WORKSPACE"))
	}
	if junit != nil {
		if err := reports.JUnit(junit, results); err != nil {
			return fmt.Errorf("--junit %s: %w", f.junit, err)
		}
		if err := junit.Close(); err != nil {
			return fmt.Errorf("--junit %s: %w", f.junit, err)
		}
	}
	if f.html != "" {
		if err := writeCheckHTML(f.html, mods, results); err != nil {
			return fmt.Errorf("--html %s: %w", f.html, err)
		}
	}
	if f.update && ctx.Err() == nil {
		if err := runUpdate(streams, mods, results, f.diff); err != nil {
			return err
		}
	}
	return nil
}

func (f *checkFlags) validate(paths []string) error {
	switch {
	case len(paths) == 0:
		return usageError("check: name at least one module or directory (see 'coursectl help check')")
	case f.timeout <= 0:
		return usageError("check: --timeout %v: want a positive duration like 30s or 10m", f.timeout)
	case f.idleTimeout <= 0:
		return usageError("check: --idle-timeout %v: want a positive duration like 30s or 2m", f.idleTimeout)
	case f.jobs < 1:
		return usageError("check: -j %d: want at least 1", f.jobs)
	case f.resume && f.from != "":
		return usageError("check: --resume and --from both say where to start: use one")
	case f.diff && !f.update:
		return usageError("check: --diff shows what --update would change: use --update --diff")
	case f.noSandbox && (f.workdir != "" || f.home != ""):
		return usageError("check: --no-sandbox already uses the current directory and HOME: drop --workdir/--home")
	}
	return nil
}

// checkPlaces settles the state directory and makes sure every place the
// check writes to can be written, before anything runs: finding out after
// an hour of checking that the report cannot be saved, or failing the
// first step over a mistyped --workdir, helps no one.
func (f *checkFlags) checkPlaces() error {
	var err error
	if f.state, err = stateDir(f.state); err != nil {
		return err
	}
	// The state directory is coursectl's own store, made with its parents
	// like the XDG directory it defaults to (on a fresh machine
	// ~/.local/state is missing; run passes that default explicitly).
	if err := writableDir("--state", f.state, true); err != nil {
		return err
	}
	if err := writableDir("--workdir", f.workdir, false); err != nil {
		return err
	}
	if err := writableDir("--home", f.home, false); err != nil {
		return err
	}
	if f.html != "" {
		// The page, or the index and a page per module, go in FILE's
		// directory, which is not created: a missing one is a typo.
		if fi, err := os.Stat(f.html); err == nil && fi.IsDir() {
			return usageError("--html %s: is a directory — name the page to write, like %s", f.html, filepath.Join(f.html, "report.html"))
		}
		dir := filepath.Dir(f.html)
		fi, err := os.Stat(dir)
		switch {
		case err != nil:
			return usageError("--html %s: directory %s does not exist — create it first", f.html, dir)
		case !fi.IsDir():
			return usageError("--html %s: %s is not a directory", f.html, dir)
		case !canWriteIn(dir):
			return usageError("--html %s: cannot write in %s — name a writable place", f.html, dir)
		}
	}
	return nil
}

// writableDir checks a directory flag: dir is a directory check can write
// in, or is missing and can be made. --workdir and --home may name a new
// directory, but not one under a missing parent: that is a typo more likely
// than a wish for a new tree, and the steps would run somewhere else than
// meant. withParents allows it, for the state directory.
func writableDir(flag, dir string, withParents bool) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return usageError("%s %s: not a directory — name a directory (a missing one is created)", flag, dir)
		}
		if !canWriteIn(dir) {
			return usageError("%s %s: cannot write in it — name a writable directory", flag, dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return usageError("%s %s: %v", flag, dir, pathless(err))
	}
	parent := filepath.Dir(filepath.Clean(dir))
	for withParents {
		if _, err := os.Stat(parent); err == nil || parent == filepath.Dir(parent) {
			break
		}
		parent = filepath.Dir(parent)
	}
	fi, err = os.Stat(parent)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("%s %s: directory %s does not exist — create it first", flag, dir, parent)
	case err != nil:
		return usageError("%s %s: %v", flag, dir, pathless(err))
	case !fi.IsDir():
		return usageError("%s %s: %s is not a directory", flag, dir, parent)
	case !canWriteIn(parent):
		return usageError("%s %s: cannot create it: %s is not writable — name a writable directory", flag, dir, parent)
	}
	return nil
}

// canWriteIn tries what check will do there: create a file. Permission
// bits alone do not tell (root ignores them; /proc and read-only mounts
// refuse root too).
func canWriteIn(dir string) bool {
	f, err := os.CreateTemp(dir, ".coursectl-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// fatalProblems are the parse problems check will not run a module with:
// an annotation or setting whose value cannot be used. The parser drops
// such a value, so running anyway would check something other than the
// author wrote ({exit=foo} expects 0, {timeout=banana} becomes the default
// timeout, settings for a renamed step apply to nothing) and could pass.
// Lint calls the other problems errors or warnings too, but the module
// still runs as written (an unterminated fence is still a step, a
// duplicate name gets a -2 id), so check runs it and leaves them to lint.
var fatalProblems = map[string]bool{
	course.ProblemBadAttr:     true,
	course.ProblemUnknownStep: true,
	course.ProblemUnknownKey:  true, // `timout:` or `fakse:` under coursectl: settings
}

// invalidAnnotations is the first fatal problem of mod, as the one-line
// error check exits 2 with, or nil.
func invalidAnnotations(mod *course.Module) error {
	var first *course.Problem
	for i := range mod.Problems {
		p := &mod.Problems[i]
		if !fatalProblems[p.Code] {
			continue
		}
		if first == nil || problemBefore(p, first) {
			first = p
		}
	}
	if first == nil {
		return nil
	}
	file := mod.Path
	if first.File != "" { // in the module's coursectl.yaml
		file = first.File
	}
	msg := first.Message
	if strings.Contains(msg, " — ") { // it already says what to do
		msg += fmt.Sprintf(" (coursectl lint %s shows all)", mod.Path)
	} else {
		msg += fmt.Sprintf(" — fix the annotation (coursectl lint %s shows all)", mod.Path)
	}
	return &course.PosError{File: file, Line: first.Line, Err: errors.New(msg)}
}

// problemBefore orders problems as a reader meets them: the module's own by
// line, then those in its coursectl.yaml by line; no line comes last.
func problemBefore(a, b *course.Problem) bool {
	if (a.File == "") != (b.File == "") {
		return a.File == ""
	}
	if (a.Line == 0) != (b.Line == 0) {
		return a.Line > 0
	}
	return a.Line < b.Line
}

// stepIDs lists a module's step ids for an error message, shortened when
// there are many.
func stepIDs(mod *course.Module) string {
	if len(mod.Steps) == 0 {
		return "it has no steps"
	}
	ids := make([]string, 0, len(mod.Steps))
	for _, st := range mod.Steps {
		ids = append(ids, st.ID)
	}
	const most = 8
	if len(ids) > most {
		return "its steps: " + strings.Join(ids[:most], ", ") + fmt.Sprintf(", ... (%d in all; see 'coursectl list %s')", len(ids), mod.Path)
	}
	return "its steps: " + strings.Join(ids, ", ")
}

// modulePaths expands the arguments into a sorted list of module files:
// a file as named, a directory as every .md file under it, hidden
// directories (.git, .github) skipped.
func modulePaths(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		p = filepath.Clean(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, pathError(arg, err)
		}
		if !info.IsDir() {
			add(arg)
			continue
		}
		found := 0
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			hidden := p != arg && strings.HasPrefix(d.Name(), ".")
			switch {
			case d.IsDir() && (hidden || d.Name() == "node_modules"):
				return filepath.SkipDir
			case !d.IsDir() && !hidden && strings.EqualFold(filepath.Ext(p), ".md"):
				add(p)
				found++
			}
			return nil
		})
		if err != nil {
			return nil, inputError(err)
		}
		if found == 0 {
			return nil, noModulesError(arg)
		}
	}
	sort.Strings(out)
	return out, nil
}

// stderrText settles how the text report looks on stderr (used with --json).
func stderrText(streams *IOStreams) (w io.Writer, tty bool, width int, color bool) {
	w, width = streams.Err, 80
	if f, ok := streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			width = cols
		}
	}
	// --color=always shows as Color without a terminal on stdout.
	color = (streams.Color && !streams.OutTTY) ||
		(tty && streams.Color && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb")
	return w, tty, width, color
}

// runModules checks mods with up to f.jobs at once and returns a result for
// each, in order. A module never started (an earlier failure without
// --keep-going, or Ctrl-C) has a result with every step not run.
func runModules(ctx context.Context, mods []*course.Module, f checkFlags, live *reports.Live) []*result.Module {
	results := make([]*result.Module, len(mods))
	var stop atomic.Bool // a module failed and --keep-going is off
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(f.jobs, max(1, len(mods))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil || stop.Load() {
					continue
				}
				mr := checkModule(ctx, mods[i], f, live)
				results[i] = mr
				if !mr.OK() && !f.keepGoing {
					stop.Store(true)
				}
			}
		}()
	}
	for i := range mods {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, mr := range results {
		if mr == nil {
			results[i] = reports.NotRunModule(mods[i])
		}
	}
	return results
}

// checkModule runs one module, its progress shown by live.
func checkModule(ctx context.Context, mod *course.Module, f checkFlags, live *reports.Live) *result.Module {
	opts := runner.Options{
		StateDir:    f.state,
		Sandbox:     !f.noSandbox,
		Workdir:     f.workdir,
		Home:        f.home,
		Timeout:     f.timeout,
		IdleTimeout: f.idleTimeout,
		Resume:      f.resume,
		From:        f.from,
		NoFakes:     f.noFakes,
		Update:      f.update,
		Events:      runner.Events(live.Module(mod)),
	}
	started := time.Now()
	mr, err := runModule(ctx, mod, opts)
	if mr == nil {
		mr = &result.Module{Started: started, Duration: time.Since(started)}
	}
	if mr.File == "" {
		mr.File = mod.Path
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		// The runner could not run the module at all (no bash, an
		// unwritable state directory): the step it stood at fails with
		// the reason, so every report shows it.
		mr.Steps = append(mr.Steps, runnerFailure(mod, mr, err))
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		mr.Interrupted = true
	}
	live.Done(mr)
	return mr
}

// runnerFailure is a failed result for the first step of mod that has no
// result yet, carrying err.
func runnerFailure(mod *course.Module, mr *result.Module, err error) *result.Step {
	done := map[string]bool{}
	for _, sr := range mr.Steps {
		done[sr.ID] = true
	}
	for _, st := range mod.Steps {
		if !done[st.ID] {
			sr := reports.StepFor(st, result.Failed)
			sr.ExitCode, sr.Error, sr.Finished = -1, err.Error(), time.Now()
			return sr
		}
	}
	return &result.Step{Status: result.Failed, ExitCode: -1, Error: err.Error(), ID: "(module)", Finished: time.Now()}
}

// interruptNotice is what check and run say at the first Ctrl-C.
const interruptNotice = "coursectl: interrupting the running step (Ctrl-C again to stop at once)"

// exitAtOnce is interruptible's exitNow outside tests.
func exitAtOnce() { os.Exit(exitInterrupted) }

// interruptible wires Ctrl-C for a command that runs steps (check, run
// without a terminal, watch --run): the first interrupt cancels the
// returned context, so the runner stops the running step and keeps the
// checkpoints of finished ones, and prints notice unless it is empty; a
// second one kills every process of every run (runner.KillAll) and calls
// exitNow, for a step that will not stop. Main's NotifyContext sees the
// first interrupt too. SIGTERM and SIGHUP count as interrupts: a CI job
// cancelled, or a hung-up ssh session, still gets the report of what ran,
// and exits 130 (SPEC §4's "interrupted", whichever signal it was).
func interruptible(ctx context.Context, stderr io.Writer, notice string, exitNow func()) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-sigs:
			}
			if n == 1 {
				if notice != "" {
					fmt.Fprintln(stderr, notice)
				}
				cancel()
				continue
			}
			fmt.Fprintln(stderr, "coursectl: stopped at once")
			// Exiting alone would leave the shells to the pty hang-up,
			// which a step that ignores SIGHUP survives: kill them first.
			runner.KillAll()
			exitNow()
			return
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
