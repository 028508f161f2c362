package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/iostreams"
)

// Main runs coursectl with args and returns the exit status.
func Main(args []string, streams *iostreams.IOStreams) int {
	// A hang-up (the ssh session or CI agent went away) stops a command
	// the way Ctrl-C does, so check still reports what ran and every
	// process it started is ended.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return exitCode(Run(ctx, args, streams), streams)
}

// Run runs one command line. The command tree is made anew for each, so
// flag values never carry from one call to the next (tests call Run many
// times in one process).
func Run(ctx context.Context, args []string, streams *iostreams.IOStreams) error {
	// Every write to stdout is checked (the caller's streams stay as they
	// are): a report that did not reach its reader is an error.
	checked := *streams
	checked.CheckWrites()
	c := &cli{streams: &checked, args: args}
	root := c.root()
	// Not nil: cobra would read os.Args instead.
	root.SetArgs(append([]string{}, args...))
	return withOutputError(root.ExecuteContext(ctx), checked.OutError())
}

// cli is what every command shares: the streams, and the command line as
// typed (to name a bad flag as the user spelt it).
type cli struct {
	streams *iostreams.IOStreams
	args    []string
	color   string // --color
}

// root is the command tree. Each command is a value with its flags and help
// beside it (cmd_*.go); here they are listed, once.
func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "coursectl",
		Short: "coursectl makes a course's markdown the program",
		Long: `coursectl makes a course's markdown the program: it lists, checks and
walks a learner through the shell steps of a module.`,
		Version:       versionString(),
		Args:          cobra.ArbitraryArgs,
		RunE:          c.unknownCommand,
		SilenceErrors: true,
		SilenceUsage:  true,
		// The completion command is ours (cmd_completion.go), with the
		// help every command has.
		CompletionOptions:          cobra.CompletionOptions{DisableDefaultCmd: true},
		DisableFlagsInUseLine:      true,
		SuggestionsMinimumDistance: 2,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := emptyStepFlags(cmd); err != nil {
				return err
			}
			return c.streams.SetColorMode(c.color)
		},
	}
	root.SetIn(c.streams.In)
	root.SetOut(c.streams.Out)
	root.SetErr(c.streams.Err)
	root.SetVersionTemplate("coursectl {{.Version}}")
	root.SetFlagErrorFunc(c.flagError)
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) { writeHelp(cmd.OutOrStdout(), cmd) })
	c.color = "auto"
	root.Flags().BoolP("version", "v", false, "print coursectl's version (as 'coursectl version' does)")
	root.PersistentFlags().Var(&colorMode{&c.color}, "color", "colour the output: auto (on a terminal), always or never; NO_COLOR is honoured")

	root.AddCommand(
		c.checkCmd(),
		c.completionCmd(),
		c.lintCmd(),
		c.listCmd(),
		c.manCmd(),
		c.newCmd(),
		c.recordCmd(),
		c.renderCmd(),
		c.resetCmd(),
		c.runCmd(),
		c.shellCmd(),
		c.statusCmd(),
		c.versionCmd(),
		c.watchCmd(),
	)
	root.SetHelpCommand(c.helpCmd())
	for _, cmd := range root.Commands() {
		// Use is the whole synopsis, as the help shows it.
		cmd.DisableFlagsInUseLine = true
	}
	return root
}

// emptyStepFlags refuses a flag that names a step given as "" (--from ""
// from a script's unset variable): it would otherwise read as not given,
// and the whole module would run instead of the part asked for.
func emptyStepFlags(cmd *cobra.Command) error {
	for _, name := range []string{"from", "only", "at"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return usageError("--%s: give a step (an id, a number or a unique prefix of an id) — 'coursectl list FILE' shows them", name)
		}
	}
	return nil
}

// unknownCommand is the root's own run: with no command, the help on
// stderr and exit 2; with a word that is not a command, one line that
// suggests the nearest (`coursectl runn` → run).
func (c *cli) unknownCommand(root *cobra.Command, args []string) error {
	if len(args) == 0 {
		writeHelp(c.streams.Err, root)
		return silentExit(exitUsage)
	}
	if near := root.SuggestionsFor(args[0]); len(near) > 0 {
		return usageError("unknown command %q — did you mean %s? (run 'coursectl help' for the list)", args[0], strings.Join(near, " or "))
	}
	return usageError("unknown command %q: run 'coursectl help' for the list", args[0])
}

// plural is "1 step" or "3 steps", for messages.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
