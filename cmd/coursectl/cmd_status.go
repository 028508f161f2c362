package main

import (
	"fmt"

	"github.com/coursectl/coursectl/course"
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/walkthrough"
	"github.com/spf13/cobra"
)

func (c *cli) statusCmd() *cobra.Command {
	var state string
	var asJSON bool
	var sandbox sandboxChoice
	cmd := &cobra.Command{
		Use:   "status FILE [--json] [--sandbox] [--state DIR]",
		Short: "show a module's progress: steps done, the last run, a failed step",
		Long: `Shows how far you are in a module, from its checkpoints: how many steps are
done, where 'coursectl run FILE' resumes, when the last run was and which
step failed in it, then one line per step. A step edited since it ran is no
longer done (its checkpoint no longer matches).`,
		Example: `  coursectl status testdata/module1.md
  coursectl status --sandbox testdata/module1.md
  coursectl status module1.md --json | jq -r '.next.id'
  coursectl status module1.md --state /tmp/course-state`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			mod, dir, p, err := progressArgs(cmd, state, args)
			if err != nil {
				return err
			}
			switch {
			case sandbox.docker():
				if p, err = runner.LoadDockerProgress(dir, mod); err != nil {
					return err
				}
			case sandbox.kind != "":
				if p, err = runner.LoadSandboxProgress(dir, mod); err != nil {
					return err
				}
			}
			for _, w := range p.Warnings {
				fmt.Fprintf(c.streams.Err, "coursectl: warning: %s\n", w)
			}
			if asJSON {
				return reports.EncodeDocument(c.streams.Out, walkthrough.Status(mod, p, sandbox.String()), c.streams.OutTTY)
			}
			walkthrough.WriteStatus(c.streams.Out, mod, p, c.streams.Color, sandbox.String())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"schema": "coursectl/v1", "file", "done", "skipped", "next", "steps": [...]} (docs/json.md)`)
	addSandboxFlag(cmd.Flags(), &sandbox, "the progress of 'coursectl run --sandbox[=KIND] FILE' (and of check in that sandbox), not of your own runs; KIND dir (the default) or docker", true)
	cmd.Flags().StringVar(&state, "state", "", stateFlagHelp)
	return cmd
}

// stateFlagHelp is the help of the --state of the commands that read a
// learner's progress.
const stateFlagHelp = "keep checkpoints in `DIR` (default $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl)"

// progressArgs is how status and reset start: FILE [--state DIR], the
// module loaded, the state directory settled and the module's progress in
// it read.
func progressArgs(cmd *cobra.Command, state string, args []string) (mod *course.Module, dir string, p *runner.Progress, err error) {
	if mod, err = moduleArg(cmd, args); err != nil {
		return nil, "", nil, err
	}
	if dir, err = stateDir(state); err != nil {
		return nil, "", nil, err
	}
	if p, err = runner.LoadProgress(dir, mod); err != nil {
		return nil, "", nil, err
	}
	return mod, dir, p, nil
}
