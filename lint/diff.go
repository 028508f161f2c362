package lint

import "github.com/rogpeppe/go-internal/diff"

// Diff is the unified diff `lint --fix --diff` prints, in the same form as
// `check --update --diff` (expect.UpdateDiff); empty when nothing changed.
func Diff(name string, before, after []byte) string {
	return string(diff.Diff("a/"+name, before, "b/"+name, after))
}
