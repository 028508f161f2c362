package lint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/coursectl/coursectl/course"
)

// fatalProblems are the parse problems check will not run a module with:
// an annotation or setting whose value cannot be used, and a fence never
// closed. The parser drops such a value, so running anyway would check
// something other than the author wrote ({exit=foo} expects 0,
// {timeout=banana} becomes the default timeout, settings for a renamed step
// apply to nothing) and could pass; an unclosed fence makes whatever
// follows it, prose included, the step's commands (docs/check.md).
// Lint calls the other problems errors or warnings too, but the module
// still runs as written (a duplicate name gets a -2 id), so check runs it
// and leaves them to lint.
var fatalProblems = map[string]bool{
	course.ProblemBadAttr:      true,
	course.ProblemUnknownStep:  true,
	course.ProblemUnknownKey:   true, // `timout:` or `fakse:` under coursectl: settings
	course.ProblemUnterminated: true,
}

// Unrunnable is the first problem of mod that check (and watch --run) will
// not run it with, as the one-line error check exits 2 with; nil when mod
// can run.
func Unrunnable(mod *course.Module) error {
	var first *course.Problem
	for i := range mod.Problems {
		p := &mod.Problems[i]
		if !fatalProblems[p.Code] {
			continue
		}
		if first == nil || problemBefore(p, first) {
			first = p
		}
	}
	if first == nil {
		return nil
	}
	file := mod.Path
	if first.File != "" { // in the module's coursectl.yaml
		file = first.File
	}
	msg := first.Message
	if strings.Contains(msg, " — ") { // it already says what to do
		msg += fmt.Sprintf(" (coursectl lint %s shows all)", mod.Path)
	} else {
		msg += fmt.Sprintf(" — fix the annotation (coursectl lint %s shows all)", mod.Path)
	}
	return &course.PosError{File: file, Line: first.Line, Err: errors.New(msg)}
}

// problemBefore orders problems as a reader meets them: the module's own by
// line, then those in its coursectl.yaml by line; no line comes last.
func problemBefore(a, b *course.Problem) bool {
	if (a.File == "") != (b.File == "") {
		return a.File == ""
	}
	if (a.Line == 0) != (b.Line == 0) {
		return a.Line > 0
	}
	return a.Line < b.Line
}
