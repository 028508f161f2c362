package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/lint"
	reports "github.com/coursectl/coursectl/report"
	"github.com/spf13/cobra"
)

func (c *cli) lintCmd() *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:   "lint PATH... [--json] [--strict] [--fix [--diff]]",
		Short: "static checks of modules; never runs anything",
		Long: `Checks modules without running them: untagged fences that look like shell,
prompts mixed with other lines, interactive programs and servers with no
annotation, sudo, mojibake, broken relative links and images, duplicate
names, unterminated fences, unknown attribute keys. Directories are
searched for .md files. Each finding is one line:

  FILE:LINE: error|warning: what is wrong — what to do

Exit status: 0 no errors (warnings alone pass), 1 errors (or warnings with
--strict), 2 a path could not be read. See docs/lint.md for every check.`,
		Example: `  coursectl lint testdata/module1.md
  coursectl lint docs/ --strict
  coursectl lint --fix --diff module1.md`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return c.lint(cmd.Context(), f, paths)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&f.json, "json", false, `print {"schema": "coursectl/v1", "files", "errors", "warnings", "findings": [...]} (docs/json.md)`)
	fl.BoolVar(&f.strict, "strict", false, "warnings fail too")
	fl.BoolVar(&f.fix, "fix", false, "repair what is safe (mojibake back to UTF-8) in place")
	fl.BoolVar(&f.diff, "diff", false, "with --fix: print the repair as a unified diff, change nothing (exit 1 when there is something to fix)")
	return cmd
}

type lintFlags struct{ json, strict, fix, diff bool }

// lintReport is the `lint --json` document (docs/json.md).
type lintReport struct {
	Schema   string         `json:"schema"`
	Files    int            `json:"files"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Findings []lint.Finding `json:"findings"`
}

func (c *cli) lint(ctx context.Context, f lintFlags, paths []string) error {
	streams := c.streams
	if len(paths) == 0 {
		return usageError("lint: want at least one PATH (see 'coursectl help lint')")
	}
	if f.diff && !f.fix {
		return usageError("lint: --diff shows what --fix would change: use --fix --diff")
	}
	files, err := modulePaths(paths)
	if err != nil {
		return err
	}
	// A course's modules are linted with its coursectl.yaml (its divs,
	// sections and setup say which steps are skipped or answered).
	inCourse := map[string]*course.Module{}
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() || !course.IsCourse(p) {
			continue
		}
		cs, err := course.LoadCourse(p)
		if err != nil {
			return inputError(err)
		}
		for _, m := range cs.Modules {
			inCourse[filepath.Clean(m.Path)] = m
		}
	}

	rep := lintReport{Schema: reports.Schema, Files: len(files), Findings: []lint.Finding{}}
	unreadable := false
	pendingFix := false
	// Without --fix the files are independent: they are read and linted
	// on every core, and reported in order.
	var ahead []lintResult
	if !f.fix {
		ahead = lintAll(ctx, files, inCourse)
	}
	for i, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.fix {
			changed, err := fixFile(streams, file, f.diff)
			if err != nil {
				fmt.Fprintf(streams.Err, "coursectl: %v\n", err)
				unreadable = true
				continue
			}
			pendingFix = pendingFix || changed
		}
		var res lintResult
		if ahead != nil {
			res = ahead[i]
		} else {
			res = lintOne(file, inCourse[filepath.Clean(file)], pendingFix)
		}
		if res.err != nil {
			fmt.Fprintf(streams.Err, "coursectl: %v\n", res.err)
			unreadable = true
			continue
		}
		for _, fd := range res.findings {
			if f.fix && !f.diff && fd.Check == lint.CheckMojibake {
				continue
			}
			if fd.Severity == lint.Error {
				rep.Errors++
			} else {
				rep.Warnings++
			}
			rep.Findings = append(rep.Findings, fd)
		}
	}

	switch {
	case f.diff:
		// The diff is the output; findings would only be in its way.
	case f.json:
		if err := reports.EncodeDocument(streams.Out, rep, streams.OutTTY); err != nil {
			return err
		}
	default:
		for _, fd := range rep.Findings {
			fmt.Fprintln(streams.Out, fd.String())
		}
		if rep.Errors+rep.Warnings > 0 {
			fmt.Fprintf(streams.Err, "%s, %s in %s\n", plural(rep.Errors, "error"), plural(rep.Warnings, "warning"), plural(rep.Files, "file"))
		}
	}

	switch {
	case unreadable:
		return silentExit(exitUsage)
	case f.diff:
		if pendingFix {
			return silentExit(exitFailed)
		}
		return nil
	case rep.Errors > 0 || (f.strict && rep.Warnings > 0):
		return silentExit(exitFailed)
	}
	return nil
}

// fixFile repairs mojibake in file, or with showDiff prints the repair.
// It reports whether there was anything to repair.
func fixFile(streams *iostreams.IOStreams, file string, showDiff bool) (bool, error) {
	src, err := course.ReadFile(file)
	if err != nil {
		return false, &course.PosError{File: file, Err: course.ReadError(err)}
	}
	// Parse first: a binary or non-UTF-8 file is reported, not rewritten.
	if _, err := course.Parse(file, src); err != nil {
		return false, err
	}
	fixed, fixes := lint.FixMojibake(src)
	if len(fixes) == 0 {
		return false, nil
	}
	if showDiff {
		fmt.Fprint(streams.Out, lint.Diff(filepath.ToSlash(file), src, fixed))
		return true, nil
	}
	if bytes.Equal(src, fixed) {
		return false, nil
	}
	if err := replaceFile(file, fixed); err != nil {
		return false, &course.PosError{File: file, Err: fmt.Errorf("writing the fix: %w", err)}
	}
	fmt.Fprintf(streams.Err, "%s: fixed %s\n", file, plural(len(fixes), "mojibake sequence"))
	return true, nil
}

// lintResult is one file's findings, or why it could not be read.
type lintResult struct {
	findings []lint.Finding
	err      error
}

// lintOne loads and lints one file; cm is its module as its course loaded
// it (nil when it is in no course named on the command line), which a
// pending --fix makes stale.
func lintOne(file string, cm *course.Module, pendingFix bool) lintResult {
	if cm != nil && !pendingFix {
		return lintResult{findings: lint.Module(cm)}
	}
	m, err := course.Load(file)
	if err != nil {
		return lintResult{err: err}
	}
	return lintResult{findings: lint.Module(m)}
}

// lintAll lints files on as many goroutines as there are cores, each
// file's result at its index.
func lintAll(ctx context.Context, files []string, inCourse map[string]*course.Module) []lintResult {
	out := make([]lintResult, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = lintOne(files[i], inCourse[filepath.Clean(files[i])], false)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
