package main

import (
	"context"
	"fmt"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/runner"
)

// runUnattended is `run` without a terminal (a pipe, CI): every step runs
// with no questions, where the learner stands, and the output is plain.
// TODO(check): print through check's report once the check command lands on
// main, so `run | cat` and `check` read alike.
func runUnattended(ctx context.Context, streams *IOStreams, mod *course.Module, f runFlags) error {
	opts := runOptions(f, nil)
	rt := render.Terminal{Width: streams.Width}
	opts.Events.Warning = func(msg string) { fmt.Fprintf(streams.Err, "coursectl: warning: %s\n", msg) }
	sess, err := runner.Open(ctx, mod, opts)
	if err != nil {
		return err
	}
	start := sess.Start()
	end := len(mod.Steps)
	if f.only != "" {
		end = start + 1
	}
	if start > 0 && f.from == "" && f.only == "" {
		fmt.Fprintf(streams.Out, "%s: resuming at step %s (steps before it done)\n", mod.Path, mod.Steps[min(start, len(mod.Steps)-1)].ID)
	}
	began := time.Now()
	failed := false
	for i := start; i < end && ctx.Err() == nil; i++ {
		r := sess.Exec(ctx, mod.Steps[i])
		fmt.Fprintf(streams.Out, "%s %s\n", r.ID, rt.Status(r))
		if r.Status == runner.Failed || r.Status == runner.Timeout {
			if r.Error != "" {
				fmt.Fprintf(streams.Out, "  %s\n", r.Error)
			}
			for _, l := range tailLines(r.Output, 20) {
				fmt.Fprintf(streams.Out, "  | %s\n", l)
			}
			failed = true
			break
		}
	}
	if err := sess.Close(); err != nil {
		fmt.Fprintf(streams.Err, "coursectl: warning: the run record was not saved: %v\n", err)
	}
	passed, nfailed, skipped := sess.Result().Counts()
	fmt.Fprintf(streams.Out, "%s: %d passed, %d failed, %d skipped in %s\n", mod.Path, passed, nfailed, skipped, time.Since(began).Round(time.Millisecond))
	switch {
	case ctx.Err() != nil || sess.Result().Interrupted:
		return ctx.Err()
	case failed:
		return silentExit(exitFailed)
	}
	return nil
}
