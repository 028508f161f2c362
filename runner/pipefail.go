package runner

import "github.com/coursectl/coursectl/shellsyntax"

// The wrapper turns pipefail on for every step and puts the course's own
// setting back at the step's end. A course that turns pipefail on (or off)
// in a step means it to last, like any other option; the wrapper cannot see
// that in the shell (its own pipefail is already on), so the step's text
// says it: the last `set [-+]o pipefail` (any option cluster ending in o,
// `set -euo pipefail`) or `shopt -[su]o pipefail` in the script wins, read
// by shellsyntax as bash would (not in a string, a comment, a heredoc or a
// child shell). A course that sets pipefail inside a function defined in
// another step is not seen — a known limit (docs/design.md).

// pipefailIntent is "on" or "off" when the script sets pipefail, "" when it
// leaves it alone.
func pipefailIntent(script string) string {
	switch on, set := shellsyntax.Pipefail(script); {
	case !set:
		return ""
	case on:
		return "on"
	}
	return "off"
}
