package lint

import (
	"github.com/rogpeppe/go-internal/diff"

	"github.com/coursectl/coursectl/course"
)

// Diff is the unified diff `lint --fix --diff` prints, in the same form as
// `check --update --diff` (expect.UpdateDiff); empty when nothing changed.
// A lone CR ends a line here as it does everywhere else (docs/spec.md §1):
// the diff's lines are the lines lint's findings name.
func Diff(name string, before, after []byte) string {
	return string(diff.Diff("a/"+name, course.LineFeeds(before), "b/"+name, course.LineFeeds(after)))
}
