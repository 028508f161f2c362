package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/walkthrough"
	"github.com/coursectl/coursectl/watch"
)

// Exit statuses (docs/spec.md §4).
const (
	exitOK          = 0
	exitFailed      = 1 // a step failed, or lint found an error
	exitUsage       = 2 // usage or unreadable input
	exitInterrupted = 130
)

// exitError carries an exit status up to Main; its message (if any) has
// not been printed yet: Main prints it as `coursectl: msg`.
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

// exitCode is the one place an error becomes an exit status and, when it
// has one that was not printed yet, a line on stderr.
func exitCode(err error, streams *iostreams.IOStreams) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintf(streams.Err, "coursectl: %v\n", ee.err)
		}
		return ee.code
	case errors.Is(err, walkthrough.ErrStepFailed):
		return exitFailed
	case errors.Is(err, walkthrough.ErrInterrupted), errors.Is(err, watch.ErrStopped):
		return exitInterrupted
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(streams.Err, "coursectl: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(streams.Err, "coursectl: %v\n", err)
	return exitFailed
}

// withOutputError is err, unless writing standard output failed (a full
// disk, a closed pipe's reader gone): then the output the user asked for
// is lost, which is exit 2 with one line saying why, whatever the command
// would have said — its own error is most likely the same failed write. A
// usage error or an interrupt stands: it says more.
func withOutputError(err, writeErr error) error {
	if writeErr == nil {
		return err
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err != nil && (ee.code == exitUsage || ee.code == exitInterrupted) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("cannot write to standard output: %v", pathless(writeErr))}
}

// flagError is every command's answer to a flag it cannot parse: one line,
// `check: invalid value "x" for flag --shard: want K/N (see 'coursectl help
// check')`, exit 2.
func (c *cli) flagError(cmd *cobra.Command, err error) error {
	msg := c.flagMessage(err)
	var notExist *pflag.NotExistError
	if errors.As(err, &notExist) && notExist.GetSpecifiedShortnames() == "" {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		if near := course.Nearest(notExist.GetSpecifiedName(), names); near != "" {
			msg += " — did you mean --" + near + "?"
		}
	}
	if !cmd.HasParent() {
		return usageError("%s (see 'coursectl help')", msg)
	}
	return usageError("%s: %s (see 'coursectl help %s')", cmd.Name(), msg, cmd.Name())
}

// flagMessage words pflag's error as the rest of coursectl's messages are,
// naming the flag as the user spelt it (-j or --jobs) and saying what to
// write for a bad value.
func (c *cli) flagMessage(err error) string {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
	)
	switch {
	case errors.As(err, &notExist):
		name := "--" + notExist.GetSpecifiedName()
		if notExist.GetSpecifiedShortnames() != "" {
			name = "-" + notExist.GetSpecifiedName()
		}
		return "flag provided but not defined: " + name
	case errors.As(err, &required):
		name := "--" + required.GetSpecifiedName()
		if required.GetSpecifiedShortnames() != "" {
			name = "-" + required.GetSpecifiedName()
		}
		return "flag needs an argument: " + name
	case errors.As(err, &invalid) && invalid.GetFlag().Value.Type() == "bool":
		return fmt.Sprintf("invalid boolean value %q for %s: want true or false", invalid.GetValue(), c.spelling(invalid.GetFlag()))
	case errors.As(err, &invalid):
		return fmt.Sprintf("invalid value %q for flag %s: %s", invalid.GetValue(), c.spelling(invalid.GetFlag()), valueHint(invalid.Unwrap()))
	}
	return err.Error()
}

// spelling is how the command line names f: --jobs if it says --jobs,
// else the one-letter -j when f has one.
func (c *cli) spelling(f *pflag.Flag) string {
	if f.Shorthand == "" {
		return "--" + f.Name
	}
	for _, a := range c.args {
		if a == "--" {
			break
		}
		if a == "--"+f.Name || strings.HasPrefix(a, "--"+f.Name+"=") {
			return "--" + f.Name
		}
	}
	return "-" + f.Shorthand
}

// valueHint says what a flag wants when its value did not parse: our own
// flag types say it themselves; pflag's numbers and booleans give strconv's
// error, which says nothing a user can act on.
func valueHint(cause error) string {
	var ne *strconv.NumError
	if errors.As(cause, &ne) {
		return "want a whole number, like 2"
	}
	return cause.Error()
}
