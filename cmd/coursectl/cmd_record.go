package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/record"
	"github.com/coursectl/coursectl/runner"
)

func (c *cli) recordCmd() *cobra.Command {
	var f recordFlags
	cmd := &cobra.Command{
		Use:   "record FILE [--append | --after ID] [--style STYLE]",
		Short: "write a module from a shell session: each command becomes a step",
		Long: `Gives you a bash in a fresh sandbox (as check runs the module) and writes
what you do into FILE: each command joins the current step, with its output
as the expected output; an empty Enter ends the step. A line typed as
'# text' becomes prose, '## text' a heading. Ctrl-D or exit writes FILE.

Output that will differ when check runs it again (dates, times, durations,
PIDs, temporary and sandbox paths) is written as a (re) pattern or '...', a
failing command's exit status as [N], an editor session (nano F, vim F) as
an editor step with the file's content as you saved it. What you type at a
prompt that does not echo (a password) is never recorded.

With --append or --after the module's steps (up to ID) run first, so the
recording starts where they leave off.`,
		Example: `  coursectl record intro.md
  coursectl record intro.md --append
  coursectl record intro.md --after make-a-directory --style carpentries`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.record(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&f.append, "append", false, "add the recording at the end of FILE, after running its steps")
	fl.StringVar(&f.after, "after", "", "insert the recording after step `ID` (or its number) of FILE, after running the steps up to it")
	fl.Var(&styleFlag{&f.style}, "style", "how steps are written: console (a transcript) or carpentries (bash and output fences)")
	fl.StringVar(&f.title, "title", "", "a new module's `TITLE` (default: from FILE's name)")
	fl.BoolVar(&f.noSandbox, "no-sandbox", false, "record in the current directory with your HOME instead of a fresh sandbox")
	_ = cmd.RegisterFlagCompletionFunc("after", completeStepIDs)
	return cmd
}

type recordFlags struct {
	append, noSandbox bool
	after, title      string
	style             record.Style
}

func (c *cli) record(cmd *cobra.Command, f recordFlags, args []string) error {
	streams := c.streams
	if len(args) != 1 {
		return usageError("record: want one FILE to write (see 'coursectl help record')")
	}
	path := args[0]
	switch {
	case f.append && f.after != "":
		return usageError("record: --append and --after both say where the recording goes: use one")
	case f.title != "" && (f.append || f.after != ""):
		return usageError("record: --title names a new module; %s already has its title", path)
	}
	opts := record.Options{Path: path, After: f.after, Title: f.title, Style: f.style, Sandbox: !f.noSandbox, Out: streams.Out}
	if f.append || f.after != "" {
		mod, err := loadModule(path)
		if err != nil {
			return inputError(err)
		}
		if f.after != "" {
			st, err := stepArg(mod, f.after)
			if err != nil {
				return err
			}
			opts.After = st.ID
		}
		opts.Module = mod
	} else if err := newFileCheck(path, "record --append "+path+" adds to it"); err != nil {
		return err
	}
	if streams.InFile == nil || streams.OutFile == nil {
		return usageError("record: needs a terminal: it gives you a shell to work in")
	}
	opts.Terminal = &runner.Terminal{In: streams.InFile, Out: streams.OutFile}
	res, err := record.Run(cmd.Context(), opts)
	if errors.Is(err, record.ErrReplay) {
		return silentExitWith(exitFailed, err)
	}
	if res == nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintf(streams.Out, "note: %s\n", n)
	}
	if !res.Written {
		fmt.Fprintf(streams.Out, "Nothing recorded: %s not written.\n", path)
		return err
	}
	fmt.Fprintf(streams.Out, "Wrote %s: %s recorded. Check it: coursectl check %s\n", path, plural(res.Steps, "step"), path)
	return err
}

// newFileCheck refuses to write over path, or into a directory that is
// not there: one line, exit 2, before anything runs.
func newFileCheck(path, instead string) error {
	if _, err := os.Lstat(path); err == nil {
		return usageError("%s exists: not overwriting it — %s, or choose another name", path, instead)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError("%s: no directory %s to write it in — create it first", path, dir)
	}
	return nil
}

// silentExitWith ends with code after printing err (a failure that is not
// bad usage).
func silentExitWith(code int, err error) error { return &exitError{code: code, err: err} }

// styleFlag is record's --style.
type styleFlag struct{ s *record.Style }

func (f *styleFlag) String() string {
	if f.s == nil {
		return ""
	}
	return f.s.String()
}

func (f *styleFlag) Type() string { return "style" }

func (f *styleFlag) Set(v string) error {
	switch v {
	case "console":
		*f.s = record.Console
	case "carpentries":
		*f.s = record.Carpentries
	default:
		return errors.New("want console or carpentries")
	}
	return nil
}
