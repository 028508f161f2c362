package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the width help is wrapped to: it fits an 80-column terminal.
const helpWidth = 80

func (c *cli) helpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "list the commands, or show one's flags and examples",
		Long: `Without COMMAND, lists every command with a line about it. With one, shows
its usage, flags and examples (as 'coursectl COMMAND --help' does).`,
		Example: `  coursectl help
  coursectl help check`,
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			if len(args) == 0 {
				writeHelp(c.streams.Out, root)
				return nil
			}
			target, _, err := root.Find(args)
			if err != nil || target == root || target.Name() != args[0] {
				return c.unknownCommand(root, args[:1])
			}
			writeHelp(c.streams.Out, target)
			return nil
		},
	}
}

// writeHelp writes a command's help: the synopsis, what it does, its flags
// (each flag's help is written beside the flag, in cmd_*.go) and examples;
// for coursectl itself, the list of commands.
func writeHelp(w io.Writer, cmd *cobra.Command) {
	if !cmd.HasParent() {
		writeRootHelp(w, cmd)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: coursectl %s\n\n", cmd.Use)
	if cmd.Long != "" {
		b.WriteString(strings.TrimRight(cmd.Long, "\n") + "\n\n")
	}
	if flags := listedFlags(cmd); flags != "" {
		b.WriteString("Flags:\n" + flags + "\n")
	}
	if cmd.Example != "" {
		b.WriteString("Examples:\n" + strings.TrimRight(cmd.Example, "\n") + "\n")
	}
	io.WriteString(w, b.String())
}

func writeRootHelp(w io.Writer, root *cobra.Command) {
	var b strings.Builder
	b.WriteString(root.Long + "\n\nUsage: coursectl COMMAND [flags] [args]\n\nCommands:\n")
	width := 0
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.Name() == "help" {
			width = max(width, len(c.Name()))
		}
	}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.Name() == "help" {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Name(), c.Short)
		}
	}
	b.WriteString("\nGlobal flags:\n" + listedFlags(root))
	b.WriteString("\nRun 'coursectl help COMMAND' for a command's flags and examples.\n")
	io.WriteString(w, b.String())
}

// listedFlags is the help of cmd's own flags, wrapped, in the order the
// command lists them; without -h/--help (every command has it, and saying
// so on each page says nothing) and the global flags (the list of commands
// shows them).
func listedFlags(cmd *cobra.Command) string {
	shown := pflag.NewFlagSet("", pflag.ContinueOnError)
	shown.SortFlags = cmd.Flags().SortFlags
	inherited := cmd.InheritedFlags()
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && (!cmd.HasParent() || inherited.Lookup(f.Name) == nil) {
			shown.AddFlag(f)
		}
	})
	return shown.FlagUsagesWrapped(helpWidth)
}
