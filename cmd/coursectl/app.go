package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Exit statuses (SPEC §4).
const (
	exitOK          = 0
	exitFailed      = 1 // a step failed, or lint found an error
	exitUsage       = 2 // usage or unreadable input
	exitInterrupted = 130
)

// IOStreams is where a command reads and writes; tests pass their own, so no
// command touches os.Stdout directly.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InFile/OutFile are the real files when the streams are a terminal
	// (run needs raw mode and the window size); nil otherwise.
	InFile, OutFile *os.File
	InTTY, OutTTY   bool
	// Color says whether Out may carry ANSI escapes (--color, NO_COLOR, tty).
	Color bool
	// Width is the terminal width for wrapping (80 when not a terminal).
	Width int
}

func stdStreams() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Width: 80}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		s.InTTY, s.InFile = true, os.Stdin
	}
	if term.IsTerminal(int(os.Stdout.Fd())) {
		s.OutTTY, s.OutFile = true, os.Stdout
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			s.Width = w
		}
	}
	return s
}

// exitError carries an exit status up to Main; its message (if any) has
// already been printed or is printed by Main as `coursectl: msg`.
type exitError struct {
	code int
	err  error // nil: nothing more to print
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError is a bad flag, argument or input: exit 2.
func usageError(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// inputError wraps an unreadable-input error (missing file, binary file): exit 2.
func inputError(err error) error { return &exitError{code: exitUsage, err: err} }

// silentExit ends with code, having printed everything already.
func silentExit(code int) error { return &exitError{code: code} }

// plural is "1 step" or "3 steps", for messages.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// command is one subcommand. Each lives in its own cmd_*.go file and
// registers itself in init, so adding one touches nothing else.
type command struct {
	name    string
	summary string // one line, for `coursectl help`
	usage   string // full usage text, ending with examples
	run     func(ctx context.Context, io *IOStreams, args []string) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Main runs coursectl with args and returns the exit status.
func Main(args []string, streams *IOStreams) int {
	// A hang-up (the ssh session or CI agent went away) stops a command
	// the way Ctrl-C does, so check still reports what ran and every
	// process it started is ended.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	err := Run(ctx, args, streams)
	return report(err, streams)
}

func report(err error, streams *IOStreams) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(streams.Err, "coursectl: %v\n", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(streams.Err, "coursectl: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(streams.Err, "coursectl: %v\n", err)
	return exitFailed
}

// Run dispatches to the subcommand named by args[0]. Global flags
// (--color) may come anywhere.
func Run(ctx context.Context, args []string, streams *IOStreams) error {
	args, err := globalFlags(args, streams)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		printHelp(streams.Err)
		return silentExit(exitUsage)
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		name = "help"
	case "--version":
		name = "version"
	}
	c := commands[name]
	if c == nil {
		return usageError("unknown command %q: run 'coursectl help' for the list", name)
	}
	return c.run(ctx, streams, args[1:])
}

// globalFlags removes --color[=...] from args and settles streams.Color.
func globalFlags(args []string, streams *IOStreams) ([]string, error) {
	mode := "auto"
	rest := args[:0:0]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i:]...)
			i = len(args)
		case a == "--color" || a == "-color":
			if i+1 >= len(args) {
				return nil, usageError("--color needs a value: auto, always or never")
			}
			mode = args[i+1]
			i++
		case strings.HasPrefix(a, "--color=") || strings.HasPrefix(a, "-color="):
			mode = a[strings.Index(a, "=")+1:]
		default:
			rest = append(rest, a)
		}
	}
	switch mode {
	case "auto":
		streams.Color = streams.OutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	case "always":
		streams.Color = true
	case "never":
		streams.Color = false
	default:
		return nil, usageError("--color=%s: want auto, always or never", mode)
	}
	return rest, nil
}

// newFlagSet makes a flag set for a subcommand whose errors become usage errors.
func newFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("coursectl "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// goFlagName finds the flag name in the flag package's errors ("flag
// provided but not defined: -shard", "invalid value "x" for flag -shard: ...",
// "flag needs an argument: -o", "invalid boolean value "x" for -json: ...").
var goFlagName = regexp.MustCompile(`((?:flag provided but not defined|flag needs an argument): |for (?:flag )?)-([A-Za-z0-9][\w-]*)`)

// dashDash rewrites the flag package's one-dash names into the spelling
// the help uses: --shard for long names, -o and -j for one letter.
func dashDash(msg string) string {
	return goFlagName.ReplaceAllStringFunc(msg, func(m string) string {
		sub := goFlagName.FindStringSubmatch(m)
		if len(sub[2]) == 1 {
			return m
		}
		return sub[1] + "--" + sub[2]
	})
}

// parseFlags parses flags that may be interspersed with positional
// arguments (`coursectl check docs/ --json`), as users of other CLIs expect.
func parseFlags(c *command, fs *flag.FlagSet, args []string, streams *IOStreams) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(streams.Out, c.usage)
				return nil, silentExit(exitOK)
			}
			return nil, usageError("%s: %s (see 'coursectl help %s')", c.name, dashDash(err.Error()), c.name)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
