package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionString() string { return version }

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print coursectl's version",
		Long: `Prints the version of this coursectl build ("dev" when built from source
without one).`,
		Example: `  coursectl version`,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(c.streams.Out, "coursectl", versionString())
			return nil
		},
	}
}
