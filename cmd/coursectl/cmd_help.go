package main

import (
	"context"
	"fmt"
	"io"
	"sort"
)

func init() {
	register(&command{
		name:    "help",
		summary: "list the commands, or show one's flags and examples",
		usage: `Usage: coursectl help [COMMAND]

Without COMMAND, lists every command with a line about it. With one, shows
its usage, flags and examples (as 'coursectl COMMAND --help' does).

Examples:
  coursectl help
  coursectl help check
`,
		run: runHelp,
	})
}

func runHelp(ctx context.Context, streams *IOStreams, args []string) error {
	if len(args) == 0 {
		printHelp(streams.Out)
		return nil
	}
	c := commands[args[0]]
	if c == nil {
		return usageError("unknown command %q: run 'coursectl help' for the list", args[0])
	}
	fmt.Fprint(streams.Out, c.usage)
	return nil
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `coursectl makes a course's markdown the program: it lists, checks and
walks a learner through the shell steps of a module.

Usage: coursectl COMMAND [flags] [args]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Global flags:
  --color=auto|always|never   colour output (NO_COLOR is honoured)

Run 'coursectl help COMMAND' for a command's flags and examples.
`)
}
