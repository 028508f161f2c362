// Package lazyre holds regular expressions compiled on first use.
//
// A package-level regexp.MustCompile runs before every command's main,
// whether the command needs the expression or not; with some thirty of
// them that was a millisecond of each `coursectl` start, and page faults
// cost most of a start on a small VM (docs/benchmarks.md, "Start-up").
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call and returns
// the same *regexp.Regexp from then on; it panics, as MustCompile does, if
// expr is not valid.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
