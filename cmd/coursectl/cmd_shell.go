package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/runner"
)

func (c *cli) shellCmd() *cobra.Command {
	var f shellFlags
	cmd := &cobra.Command{
		Use:   "shell FILE [--at ID] [--state DIR]",
		Short: "a bash with the state just before a step, to debug a module",
		Long: `Opens an interactive bash with the shell state of the checkpoint before step
ID: the variables, working directory, functions, aliases and options the
steps before it left. Try the step's commands by hand, look around, then
type exit. Nothing you do in this shell changes the checkpoints. With stdin
not a terminal (a pipe, a file) the commands in it run and the shell ends
at its end, like 'bash < script'.

Without --at, the state is the one 'coursectl run FILE' would resume with
(before the first step not done).`,
		Example: `  coursectl shell testdata/module1.md --at 3-install-docker
  coursectl shell testdata/module1.md --at 3
  coursectl shell module1.md`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.shell(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVar(&f.at, "at", "", "stand before step `ID` (an id, a step number or a unique prefix of an id)")
	addSandboxFlag(fl, &f.sandbox, "stand in the checkpoints of 'run --sandbox[=KIND]' and check in that sandbox: KIND dir (the default) or docker[:IMAGE], whose container gets the files of the steps before too", true)
	fl.StringVar(&f.state, "state", "", stateFlagHelp)
	_ = cmd.RegisterFlagCompletionFunc("at", completeStepIDs)
	return cmd
}

type shellFlags struct {
	at, state string
	sandbox   sandboxChoice
}

func (c *cli) shell(cmd *cobra.Command, f shellFlags, args []string) error {
	streams := c.streams
	mod, err := moduleArg(cmd, args)
	if err != nil {
		return err
	}
	if len(mod.Steps) == 0 {
		return usageError("%s: no steps, so no state to stand in", mod.Path)
	}
	dir, err := stateDir(f.state)
	if err != nil {
		return err
	}
	mod.ForSandbox(f.sandbox.kind)
	if err := readySandbox(cmd.Context(), f.sandbox); err != nil {
		return err
	}
	load := runner.LoadProgress
	switch {
	case f.sandbox.docker():
		load = runner.LoadDockerProgress
	case f.sandbox.kind != "":
		load = runner.LoadSandboxProgress
	}
	id := f.at
	if id == "" {
		// Where run would resume: before the first step not done.
		p, err := load(dir, mod)
		if err != nil {
			return err
		}
		if p.Next >= len(mod.Steps) {
			return usageError("%s: every step is done, so there is no next step to stand before: name one with --at ID", mod.Path)
		}
		id = mod.Steps[p.Next].ID
	}
	step, err := stepArg(mod, id)
	if err != nil {
		return err
	}
	if i := step.Index - 1; i > 0 {
		p, err := load(dir, mod)
		if err != nil {
			return err
		}
		if !p.Done[i-1] {
			prev := mod.Steps[i-1]
			flag := ""
			if f.sandbox.kind != "" {
				flag = "--sandbox=" + f.sandbox.String() + " "
			}
			if f.sandbox.kind == "" {
				// check runs in the directory sandbox by default and keeps
				// its checkpoints apart from a learner's run (docs/sandbox.md).
				if sp, err := runner.LoadSandboxProgress(dir, mod); err == nil && sp.Done[i-1] {
					return usageError("%s:%d: step %s has no checkpoint outside the sandbox, where check and run --sandbox keep theirs — coursectl shell --sandbox %s --at %s",
						stepFile(mod, prev), prev.Line, prev.ID, mod.Path, mod.Ref(step))
				}
			}
			return usageError("%s:%d: step %s has no checkpoint (never passed, or edited since) — run the module up to it first: coursectl run %s%s",
				stepFile(mod, prev), prev.Line, prev.ID, flag, mod.Path)
		}
	}
	// Commands piped in print to stdout what they print, as `bash <
	// script` does: the banner is for a person, on stderr then.
	banner := streams.Out
	if streams.InFile == nil {
		banner = streams.Err
	}
	if i := step.Index - 1; i == 0 {
		fmt.Fprintf(banner, "A fresh shell, before the first step %s (%s:%d). Type exit to leave.\n", step.ID, stepFile(mod, step), step.Line)
	} else {
		fmt.Fprintf(banner, "A shell with the state before step %s (%s:%d), as step %s left it. Type exit to leave.\n",
			step.ID, stepFile(mod, step), step.Line, mod.Steps[i-1].ID)
	}
	in := streams.InFile
	if in == nil {
		// Not a terminal (piped, or </dev/null): the runner copies what it
		// reads into the shell's pty, but a pipe's end of input is not a
		// byte and is lost there, so bash would wait for more forever. End
		// the input the way a person at the keyboard does, with Ctrl-D at
		// the start of a line: the shell ends at the end of the script,
		// like `bash < script`.
		var err error
		if in, err = endWithCtrlD(streams.In); err != nil {
			return err
		}
		defer in.Close()
	}
	out := streams.OutFile
	var plainDone chan struct{}
	if out == nil {
		// Not a terminal (a script pipes commands in): the shell's terminal
		// output goes through a pipe that drops escapes and \r.
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		plainDone = make(chan struct{})
		go func() {
			defer close(plainDone)
			pw := &plainWriter{w: streams.Out}
			_, _ = io.Copy(pw, r)
			pw.flush()
			r.Close()
		}()
		out = w
		defer func() {
			w.Close()
			<-plainDone
		}()
	}
	opts := runner.Options{StateDir: dir, Terminal: &runner.Terminal{In: in, Out: out},
		Sandbox: f.sandbox.kind != "", Docker: f.sandbox.dockerOptions()}
	// The reference, not the bare id: in a course two modules may have it.
	err = runner.Shell(cmd.Context(), mod, opts, mod.Ref(step))
	// A missing checkpoint is a request for a state that does not exist.
	var pe *course.PosError
	if errors.As(err, &pe) {
		return usageError("%v", pe)
	}
	return err
}

// endWithCtrlD is a pipe that gives what r holds and then ends the line
// discipline's input: a newline if the last line has none (so it runs, as
// bash runs a script's unterminated last line), then Ctrl-D, which the pty
// turns into end of file for the shell reading it. The runner turns the
// terminal's echo and the prompts off for such input (runner.Shell).
func endWithCtrlD(r io.Reader) (*os.File, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	go func() {
		defer pw.Close()
		last := byte('\n')
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				last = buf[n-1]
				if _, werr := pw.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				break
			}
		}
		if last != '\n' {
			_, _ = pw.Write([]byte{'\n'})
		}
		// bash says "exit" on stderr as Ctrl-D ends it, which `bash <
		// script` does not: its stderr goes first (the leading space
		// keeps the line out of history).
		_, _ = pw.Write([]byte(" exec 2>/dev/null\n\x04"))
	}()
	return pr, nil
}

// plainWriter passes terminal output on as plain lines: escape sequences
// dropped, \r\n made \n and a \r redraw reduced to its last state. It holds
// a partial line until its end (or flush), so an escape split across two
// writes is whole when it is stripped.
type plainWriter struct {
	w       io.Writer
	partial []byte
}

func (p *plainWriter) Write(b []byte) (int, error) {
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		if _, err := io.WriteString(p.w, plainLine(string(p.partial[:i]))+"\n"); err != nil {
			return 0, err
		}
		p.partial = p.partial[i+1:]
	}
}

func (p *plainWriter) flush() {
	if len(p.partial) > 0 {
		_, _ = io.WriteString(p.w, plainLine(string(p.partial)))
		p.partial = nil
	}
}

func plainLine(l string) string {
	l = xansi.Strip(strings.TrimSuffix(l, "\r"))
	if i := strings.LastIndexByte(l, '\r'); i >= 0 {
		l = l[i+1:]
	}
	return l
}

// stepFile is the file a step's line counts in: its own module's in a
// course.
func stepFile(mod *course.Module, s *course.Step) string {
	if s.File != "" {
		return s.File
	}
	return mod.Path
}
