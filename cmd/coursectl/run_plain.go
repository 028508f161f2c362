package main

import (
	"context"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
)

// runUnattended is `run` without a terminal (a pipe, CI): `check --yes`, as
// docs/spec.md §4 has it — check's code path and report, no questions — but where
// the learner stands (--no-sandbox: the current directory, the real HOME)
// and resuming as run does.
func (c *cli) runUnattended(ctx context.Context, mod *course.Module, f runFlags) error {
	if f.only != "" {
		return runOnlyUnattended(ctx, c.streams, mod, f)
	}
	cf := checkFlags{noSandbox: f.sandbox.kind == "", sandbox: f.sandbox, state: f.state, from: f.from, resume: f.from == "" && !f.fresh,
		timeout: defaultTimeout, idleTimeout: defaultIdleTimeout, jobs: 1, everyDirACourse: true}
	return c.check(ctx, cf, []string{mod.Path})
}

// runOnlyUnattended is --only without a terminal: check has no such flag, so
// the one step runs in a session here and is reported by check's report.
func runOnlyUnattended(ctx context.Context, streams *iostreams.IOStreams, mod *course.Module, f runFlags) error {
	ctx, stopSignals := interruptible(ctx, streams.Err, interruptNotice, exitAtOnce)
	defer stopSignals()
	live := reports.NewLive(streams.Out)
	live.Text = reports.Text{Color: streams.Color}
	live.Width = streams.Width
	// The report is of the one step asked for: the others were not meant
	// to run, so they are left out rather than reported as not run.
	at := mod.Step(f.only).Index - 1
	only := *mod
	only.Steps = mod.Steps[at : at+1]
	if st := mod.Steps[at]; mod.Modules != nil && st.Module != nil {
		// In a course the step is reported under its module's file, as
		// check reports it, not under the course's directory.
		only.Path = st.Module.Path
	}
	opts := runner.Options{StateDir: f.state, From: f.only, KeepLaterCheckpoints: true, Timeout: defaultTimeout,
		IdleTimeout: defaultIdleTimeout, Events: runner.Events(live.Module(&only))}
	start := time.Now()
	live.Start()
	sess, err := runner.Open(ctx, mod, opts)
	if err != nil {
		live.Stop()
		return err
	}
	r := sess.Exec(ctx, mod.Steps[at])
	closeErr := sess.Close()
	mr := *sess.Result()
	mr.File, mr.Steps = only.Path, []*result.Step{r}
	live.Done(&mr)
	live.Stop()
	reports.Text{Color: streams.Color}.WriteSummary(streams.Out, []*result.Module{&mr}, time.Since(start))
	switch {
	case closeErr != nil:
		return closeErr
	case ctx.Err() != nil || mr.Interrupted:
		return silentExit(exitInterrupted)
	case !mr.OK():
		return silentExit(exitFailed)
	}
	return nil
}
