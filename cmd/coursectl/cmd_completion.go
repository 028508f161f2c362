package main

import (
	"github.com/spf13/cobra"
)

func (c *cli) completionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "print the shell completion script for bash, zsh or fish",
		Long: `Prints a script that makes your shell complete coursectl's commands, flags
and, for --from, --only and --at, the step ids of the module named on the
command line. Install it where your shell looks for completions, as the
examples do (bash: with the bash-completion package), or load it in the
shell's start-up file: source <(coursectl completion bash).`,
		Example: `  coursectl completion bash | sudo tee /etc/bash_completion.d/coursectl
  coursectl completion zsh > "${fpath[1]}/_coursectl"
  coursectl completion fish > ~/.config/fish/completions/coursectl.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("completion: name one shell: bash, zsh or fish (see 'coursectl help completion')")
			}
			root, out := cmd.Root(), c.streams.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return usageError("completion: %q: want bash, zsh or fish", args[0])
		},
	}
}
