package main

import (
	"fmt"

	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/walkthrough"
	"github.com/spf13/cobra"
)

func (c *cli) resetCmd() *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "reset FILE [--state DIR]",
		Short: "forget a module's progress (checkpoints, last run, sandbox)",
		Long: `Forgets what coursectl keeps for a module: the checkpoints of its steps, the
record of its last run, and check's sandbox. The next 'coursectl run FILE'
starts at step 1. Files the steps made where you ran them are not touched.`,
		Example: `  coursectl reset testdata/module1.md
  coursectl reset module1.md --state /tmp/course-state`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.reset(cmd, state, args)
		},
	}
	cmd.Flags().StringVar(&state, "state", "", stateFlagHelp)
	return cmd
}

func (c *cli) reset(cmd *cobra.Command, state string, args []string) error {
	streams := c.streams
	mod, dir, p, err := progressArgs(cmd, state, args)
	if err != nil {
		return err
	}
	done, skipped := walkthrough.Counts(mod, p, len(mod.Steps))
	if err := runner.Reset(dir, mod); err != nil {
		return err
	}
	switch {
	case done+skipped == 0 && p.LastRun == nil:
		fmt.Fprintf(streams.Out, "%s: no progress to forget\n", mod.Path)
	case skipped > 0:
		fmt.Fprintf(streams.Out, "%s: forgot %s done, %d skipped, and the last run; 'coursectl run %s' starts at step 1\n", mod.Path, plural(done, "step"), skipped, mod.Path)
	default:
		fmt.Fprintf(streams.Out, "%s: forgot %s done and the last run; 'coursectl run %s' starts at step 1\n", mod.Path, plural(done, "step"), mod.Path)
	}
	return nil
}
