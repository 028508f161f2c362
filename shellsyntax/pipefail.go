package shellsyntax

import "strings"

// Pipefail reports whether a script turns bash's pipefail option on or off:
// set reports whether it changes it at all, on what it leaves. The last of
// `set -o pipefail` (or any option cluster ending in o: `set -euo
// pipefail`), `set +o pipefail`, `shopt -so pipefail` and `shopt -uo
// pipefail` wins, wherever it is: under a condition, in a function the
// script defines. One in a child shell (`( )`, `$( )`, a pipeline) changes
// nothing for the script and is not counted.
func Pipefail(src string) (on, set bool) {
	for _, c := range Calls(src) {
		if c.Subshell {
			continue
		}
		switch c.Name {
		case "set":
			args := c.ArgTexts()
			for i := 0; i+1 < len(args); i++ {
				a := args[i]
				if a == "--" || a == "-" {
					break
				}
				if len(a) < 2 || (a[0] != '-' && a[0] != '+') || !strings.HasSuffix(a, "o") || args[i+1] != "pipefail" {
					continue
				}
				on, set = a[0] == '-', true
			}
		case "shopt":
			var flags string
			named := false
			for _, a := range c.ArgTexts() {
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
				on, set = true, true
			case strings.Contains(flags, "u"):
				on, set = false, true
			}
		}
	}
	return on, set
}
