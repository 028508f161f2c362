package main

// check's run of the modules it was given, up to -j at once, and Ctrl-C.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coursectl/coursectl/course"
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
	"golang.org/x/sys/unix"
)

// The parser and the runner, as variables so the command's own logic
// (paths, shards, -j, exit codes, reports) is tested with stand-ins.
var (
	loadModule = course.Load
	runModule  = runner.RunModule
)

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
		StateDir:     f.state,
		Sandbox:      !f.noSandbox,
		Workdir:      f.workdir,
		Home:         f.home,
		Timeout:      f.timeout,
		IdleTimeout:  f.idleTimeout,
		Resume:       f.resume,
		From:         f.fromIDs[mod],
		NoFakes:      f.noFakes,
		NoInheritEnv: f.noInheritEnv,
		Update:       f.update,
		Continue:     f.cont,
		Docker:       f.sandboxes[mod].dockerOptions(),
	}
	c := f.courses.course(mod)
	var finishCourse func(*result.Course)
	if c != nil {
		ev, finish := live.Course(c, mod)
		opts.Events, finishCourse = runner.Events(ev), finish
		opts.From, opts.FromIndex = "", f.courses.from[mod]
	} else {
		opts.Events = runner.Events(live.Module(mod))
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
		mr.Steps = withFailure(mod, mr, err)
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		mr.Interrupted = true
	}
	if len(mr.Steps) < len(mod.Steps) {
		mr.Steps = withFailure(mod, mr, nil)
	}
	if c != nil {
		finishCourse(reports.SplitCourse(mod, mr))
	} else {
		live.Done(mr)
	}
	return mr
}

// withFailure lists a result for every step of mod: the runner's, then,
// for the first step it gave none for, a failure carrying err (when not
// nil), then not run.
func withFailure(mod *course.Module, mr *result.Module, err error) []*result.Step {
	have := map[int]*result.Step{}
	for i, sr := range mr.Steps {
		have[i] = sr
	}
	out := make([]*result.Step, 0, len(mod.Steps))
	for i, st := range mod.Steps {
		if sr := have[i]; sr != nil && sr.ID == st.ID && (sr.Status != result.NotRun || err == nil) {
			out = append(out, sr)
			continue
		}
		if err != nil {
			out = append(out, runnerFailure(st, err))
			err = nil
			continue
		}
		out = append(out, reports.StepFor(st, result.NotRun))
	}
	if err != nil {
		out = append(out, &result.Step{Status: result.Failed, ExitCode: -1, Error: err.Error(), ID: "(module)", Finished: time.Now()})
	}
	return out
}

// runnerFailure is a failed result for st carrying err: the runner could
// not run it.
func runnerFailure(st *course.Step, err error) *result.Step {
	sr := reports.StepFor(st, result.Failed)
	sr.ExitCode, sr.Error, sr.Finished = -1, err.Error(), time.Now()
	return sr
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
// and exits 130 (docs/spec.md §4's "interrupted", whichever signal it was).
func interruptible(ctx context.Context, stderr io.Writer, notice string, exitNow func()) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case sig = <-sigs:
			}
			if n == 1 {
				if notice != "" {
					if s, ok := sig.(syscall.Signal); ok && sig != os.Interrupt {
						// Said as it came: a CI job's cancel is no Ctrl-C.
						notice = strings.Replace(notice, "Ctrl-C again", unix.SignalName(s)+" again", 1)
					}
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
