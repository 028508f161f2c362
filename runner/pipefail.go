package runner

import (
	"regexp"
	"strings"
)

// The wrapper turns pipefail on for every step and puts the course's own
// setting back at the step's end. A course that turns pipefail on (or off)
// in a step means it to last, like any other option; the wrapper cannot see
// that in the shell (its own pipefail is already on), so the step's text
// says it: the last `set [-+]o pipefail` (any option cluster ending in o,
// `set -euo pipefail`) or `shopt -[su]o pipefail` in the script wins. A
// course that sets pipefail inside a function defined in another step, or
// under a condition, is not seen — a known limit (docs/design.md).
var (
	setCmd   = regexp.MustCompile(`(?m)(?:^|[;&|({!]|\bthen|\bdo|\belse)\s*(?:builtin\s+)?set\s+([^;&|#)\n]*)`)
	shoptCmd = regexp.MustCompile(`(?m)(?:^|[;&|({!]|\bthen|\bdo|\belse)\s*(?:builtin\s+)?shopt\s+([^;&|#)\n]*)`)
)

// pipefailIntent is "on" or "off" when the script sets pipefail, "" when it
// leaves it alone.
func pipefailIntent(script string) string {
	type hit struct {
		at    int
		value string
	}
	var last hit
	note := func(at int, v string) {
		if at >= last.at {
			last = hit{at, v}
		}
	}
	for _, m := range setCmd.FindAllStringSubmatchIndex(script, -1) {
		args := strings.Fields(script[m[2]:m[3]])
		for i := 0; i+1 < len(args); i++ {
			a := args[i]
			if a == "--" || a == "-" {
				break
			}
			if len(a) < 2 || (a[0] != '-' && a[0] != '+') || !strings.HasSuffix(a, "o") {
				continue
			}
			if args[i+1] == "pipefail" {
				if a[0] == '-' {
					note(m[0], "on")
				} else {
					note(m[0], "off")
				}
			}
		}
	}
	for _, m := range shoptCmd.FindAllStringSubmatchIndex(script, -1) {
		args := strings.Fields(script[m[2]:m[3]])
		var flags string
		named := false
		for _, a := range args {
			if strings.HasPrefix(a, "-") {
				flags += a[1:]
			} else if a == "pipefail" {
				named = true
			}
		}
		if !named || !strings.Contains(flags, "o") {
			continue
		}
		switch {
		case strings.Contains(flags, "s"):
			note(m[0], "on")
		case strings.Contains(flags, "u"):
			note(m[0], "off")
		}
	}
	return last.value
}
