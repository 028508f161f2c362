package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manCmd writes the man pages, for packagers: it is hidden from the list of
// commands a learner reads.
func (c *cli) manCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "write coursectl's man pages (coursectl.1, coursectl-run.1, ...) into DIR",
		Hidden: true,
		Long: `Writes a man page for coursectl and one for each command into DIR (made
if missing), from the same text as 'coursectl help'.`,
		Example: `  coursectl man /usr/local/share/man/man1
  coursectl man docs/man && man -l docs/man/coursectl-check.1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("man: want one DIR (see 'coursectl help man')")
			}
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return usageError("man: %v", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true // the same text on every build
			header := &doc.GenManHeader{Title: "COURSECTL", Section: "1", Source: "coursectl " + versionString()}
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return usageError("man: %v", err)
			}
			return nil
		},
	}
}
