package main

import (
	"context"
	"fmt"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func init() {
	register(&command{
		name:    "version",
		summary: "print coursectl's version",
		usage: `Usage: coursectl version

Prints the version of this coursectl build ("dev" when built from source
without one).

Examples:
  coursectl version
`,
		run: func(ctx context.Context, streams *IOStreams, args []string) error {
			fmt.Fprintln(streams.Out, "coursectl", version)
			return nil
		},
	})
}
