package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/lint"
	"github.com/coursectl/coursectl/result"

	// Aliased: reports are what check writes; report is a common word.
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/runner"
)

func (c *cli) checkCmd() *cobra.Command {
	f := checkFlags{timeout: defaultTimeout, idleTimeout: defaultIdleTimeout, jobs: 1}
	cmd := &cobra.Command{
		Use:   "check [flags] PATH...",
		Short: "run modules unattended and report (CI)",
		Long: `Runs every step of each module unattended, in a sandbox, and reports. PATH is
a module (.md) or a directory searched for .md files (hidden directories are
skipped). Modules run in sorted order; within a module the first failing step
ends the module (unless --continue), and the steps after it are reported as
not run.

Exit status: 0 every step passed or was skipped, 1 a step failed, 2 bad usage
or unreadable input, 130 interrupted (Ctrl-C stops the running step and keeps
the checkpoints of finished steps; a second Ctrl-C stops at once; SIGTERM and
SIGHUP do the same).
Under GitHub Actions (GITHUB_ACTIONS=true) failures are also printed as
::error annotations.`,
		Example: `  coursectl check testdata/module1.md
  coursectl check docs/ --keep-going --junit report.xml
  coursectl check docs/ --json | jq '.modules[] | select(.failed > 0)'
  coursectl check docs/ --shard 2/4 -j 2
  coursectl check testdata/module1.md --from 3-install-docker --timeout 2m`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return c.check(cmd.Context(), f, paths)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false // as a reader meets them: reports, where to start, limits, places
	fl.BoolVar(&f.json, "json", false, "one JSON document on stdout, {\"schema\": \"coursectl/v1\", \"modules\": [...]} (docs/json.md); the text report goes to stderr")
	fl.BoolVar(&f.jsonLines, "json-lines", false, "instead of --json: one object per module (per course, for a course) on stdout, a line each (JSON Lines)")
	fl.StringVar(&f.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fl.BoolVar(&f.resume, "resume", false, "start each module at its first step with no valid checkpoint")
	fl.StringVar(&f.from, "from", "", "start at step `ID` (an id, a step number or a unique prefix of an id; every module checked must have it)")
	fl.BoolVar(&f.keepGoing, "keep-going", false, "after a module fails, still check the remaining modules")
	fl.BoolVar(&f.cont, "continue", false, "after a step fails, go on with the next (in the shell it left); the first failure is marked, the rest count as after it")
	fl.Var((*durationFlag)(&f.timeout), "timeout", "fail a step after `D` unless the step sets its own timeout")
	fl.Var((*durationFlag)(&f.idleTimeout), "idle-timeout", "fail a step that is silent and waiting for input for `D`")
	fl.IntVarP(&f.jobs, "jobs", "j", 1, "check `N` modules in parallel")
	fl.Var(&f.shard, "shard", "check only slice `K/N` of the sorted modules (for a CI matrix)")
	fl.StringVar(&f.state, "state", "", "keep checkpoints and sandboxes in `DIR` (default $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl)")
	fl.StringVar(&f.workdir, "workdir", "", "run in `DIR` instead of a fresh sandbox workdir")
	fl.StringVar(&f.home, "home", "", "use `DIR` as HOME instead of a fresh sandbox home")
	addSandboxFlag(fl, &f.sandbox, "run in `KIND`: dir (a fresh workdir and HOME, the default) or docker[:IMAGE] (a container of the Docker engine; image default coursectl-sandbox:latest, built by scripts/sandbox-image.sh)", false)
	fl.BoolVar(&f.noSandbox, "no-sandbox", false, "run in the current directory with the real HOME")
	fl.BoolVar(&f.noFakes, "no-fakes", false, "run the real commands instead of the module's fakes")
	fl.BoolVar(&f.noInheritEnv, "no-inherit-env", false, "start the shell without this environment's variables (PATH, locale, USER and the like pass)")
	fl.BoolVar(&f.update, "update", false, "rewrite transcripts with the real output (--diff: only show it)")
	fl.BoolVar(&f.diff, "diff", false, "with --update: print the change as a diff, write nothing")
	fl.StringVar(&f.html, "html", "", "also write an HTML report to `FILE`")
	_ = cmd.RegisterFlagCompletionFunc("from", completeStepIDs)
	return cmd
}

// check's --timeout and --idle-timeout defaults, which run without a
// terminal keeps too: it is check.
const (
	defaultTimeout     = 10 * time.Minute
	defaultIdleTimeout = 60 * time.Second
)

type checkFlags struct {
	json, resume, keepGoing bool
	jsonLines               bool // --json-lines; json is set too: stdout carries JSON
	cont                    bool // --continue
	noSandbox, noFakes      bool
	noInheritEnv            bool
	update, diff            bool
	junit, html, from       string
	state, workdir, home    string
	timeout, idleTimeout    time.Duration
	jobs                    int
	shard                   shard
	// courses are the courses among the paths, by the module that runs
	// each (check_course.go).
	courses *courseRuns
	// everyDirACourse: a directory is a course even without a course
	// coursectl.yaml or config.yaml (run, which takes one thing).
	everyDirACourse bool
	// fromIDs is the id --from names in each module.
	fromIDs map[*course.Module]string
	// sandbox is --sandbox; sandboxes what each module runs in (the flag,
	// else its sandbox: setting).
	sandbox   sandboxChoice
	sandboxes map[*course.Module]sandboxChoice
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
	case f.noSandbox && f.sandbox.kind != "":
		return usageError("check: --no-sandbox and --sandbox=%s both say where to run: use one", f.sandbox)
	case f.sandbox.docker() && (f.workdir != "" || f.home != ""):
		return usageError("check: --sandbox=%s runs in a container's HOME: drop --workdir/--home", f.sandbox)
	}
	return nil
}

// check runs the modules of paths and writes the reports f asks for.
func (c *cli) check(ctx context.Context, f checkFlags, paths []string) error {
	streams := c.streams
	f.json = f.json || f.jsonLines
	if err := f.validate(paths); err != nil {
		return err
	}
	coursePaths, paths := splitArgs(paths, f.everyDirACourse)
	var files []string
	var err error
	if len(paths) > 0 {
		if files, err = modulePaths(paths); err != nil {
			return err
		}
	}
	// A course is one unit of the shard: its modules run in order, in one
	// sandbox.
	files = append(files, coursePaths...)
	total := len(files)
	files = f.shard.pick(files)
	f.fromIDs = map[*course.Module]string{}
	f.courses = &courseRuns{byRun: map[*course.Module]*course.Course{}, from: map[*course.Module]int{}}
	mods := make([]*course.Module, 0, len(files))
	for _, file := range files {
		if slices.Contains(coursePaths, file) {
			run, err := f.courses.load(file, f.from)
			if err != nil {
				return err
			}
			mods = append(mods, run)
			continue
		}
		mod, err := loadModule(file)
		if err != nil {
			return inputError(err)
		}
		if err := lint.Unrunnable(mod); err != nil {
			return inputError(err)
		}
		if f.from != "" {
			// An id, a number or a prefix: each module's own step.
			step, err := fromArg(mod, f.from, f.from)
			if err != nil {
				return err
			}
			f.fromIDs[mod] = step.ID
		}
		mods = append(mods, mod)
	}
	if f.shard.n == 0 {
		if err := noStepsIn(paths, mods); err != nil {
			return err
		}
	}
	if err := f.checkPlaces(); err != nil {
		return err
	}
	if err := f.pickSandboxes(ctx, mods); err != nil {
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
		textOut, textTTY, width, color = streams.ErrText()
	}
	live := reports.NewLive(textOut)
	live.Text = reports.Text{Color: color}
	live.Status, live.Width, live.Buffered = textTTY, width, f.jobs > 1
	live.Warn = streams.Err
	if f.resume || f.from != "" {
		live.Checkpointed = func(mod *course.Module) []reports.Settled {
			// The runner settled these steps from the same checkpoints
			// when it opened the module.
			load := runner.LoadSandboxProgress // check's own checkpoints, not the learner's
			if f.noSandbox {
				load = runner.LoadProgress
			} else if f.sandboxes[mod].docker() {
				load = runner.LoadDockerProgress
			}
			p, err := load(f.state, mod)
			if err != nil {
				return nil
			}
			out := make([]reports.Settled, len(p.Done))
			for i := range out {
				if status, note := p.Carried(i); status != result.NotRun {
					out[i] = reports.Settled{Status: status, Note: note}
				}
			}
			return out
		}
	}
	if f.shard.n > 0 && len(mods) == 0 {
		fmt.Fprintf(live, "shard %s: no modules (%d in all)\n", f.shard.String(), total)
	}

	start := time.Now()
	live.Start()
	results := runModules(ctx, mods, f, live)
	live.Stop()
	mods, results, courses := f.courses.expand(mods, results)

	// Modules never started have no block of their own (a long list of
	// "not checked" says nothing); the summary counts them.
	reports.Text{Color: color}.WriteSummary(textOut, results, time.Since(start), courses...)

	if err := writeReports(ctx, streams, f, mods, results, courses, junit, time.Since(start)); err != nil {
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
		aloneHints(streams, mods, results)
		return silentExit(exitFailed)
	}
	return nil
}

// aloneHints says, for each failed module of a course checked on its own
// (course.Course.Alone), that the modules before it did not run, and how to
// check it after them: a failure may be only what they leave missing.
func aloneHints(streams *iostreams.IOStreams, mods []*course.Module, results []*result.Module) {
	for i, mr := range results {
		if i >= len(mods) || mr.OK() || mods[i].AloneIn == nil {
			continue
		}
		c, m := mods[i].AloneIn, mods[i]
		if n := c.Position(m); n > 1 {
			before := "module 1 leaves"
			if n > 2 {
				before = fmt.Sprintf("modules 1–%d leave", n-1)
			}
			fmt.Fprintf(streams.Err, "coursectl: %s is module %d of the course in %s and ran alone, without what %s — 'coursectl check %s' runs the modules in order\n",
				m.Path, n, c.Dir, before, c.Dir)
		}
	}
}

// writeReports writes the machine-read reports the flags ask for, and runs
// --update, after the text report.
func writeReports(ctx context.Context, streams *iostreams.IOStreams, f checkFlags, mods []*course.Module, results []*result.Module, courses []*result.Course, junit *os.File, took time.Duration) error {
	switch {
	case f.jsonLines:
		if err := reports.JSON(streams.Out, results, courses...); err != nil {
			return err
		}
	case f.json:
		if err := reports.JSONDocument(streams.Out, results, courses, took, streams.OutTTY); err != nil {
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
		// A report that cannot be written is exit 2, as a file that cannot
		// be read is: the check ran, but what it was run for is lost.
		if err := reports.JUnit(junit, results); err != nil {
			return usageError("--junit %s: %v", f.junit, pathless(err))
		}
		if err := junit.Close(); err != nil {
			return usageError("--junit %s: %v", f.junit, pathless(err))
		}
	}
	if f.html != "" {
		if err := writeCheckHTML(f.html, mods, results); err != nil {
			return usageError("--html %s: %v", f.html, err)
		}
	}
	if f.update && ctx.Err() == nil {
		if err := runUpdate(streams, mods, results, f.diff); err != nil {
			return err
		}
	}
	return nil
}

// noStepsIn refuses a directory argument none of whose modules has a step,
// as list does: a CI job pointed at the wrong folder would pass with
// nothing checked. A file named on its own may have none.
func noStepsIn(paths []string, mods []*course.Module) error {
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			continue
		}
		found, steps := false, 0
		for _, m := range mods {
			if rel, err := filepath.Rel(p, m.Path); err == nil && !strings.HasPrefix(rel, "..") {
				found = true
				for _, st := range m.Steps {
					if !st.Hidden { // a setup alone checks nothing
						steps++
					}
				}
			}
		}
		if found && steps == 0 {
			return usageError("%s: no markdown file in it has a step — tag a fence ```sh to make one, or name a file to check it anyway", p)
		}
	}
	return nil
}
