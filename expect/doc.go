// Package expect decides whether a step's output is what its page expects,
// and rewrites the page when it is not and the author asks (`check
// --update`). It knows markdown only as the course model gives it and output
// only as text: it imports no pty and no shell, so the runner, the recorder
// and the reports share one notion of "the lines a reader sees" (Plain,
// OutputLines) and of a match (Comparison), as docs/spec.md §1 and §7 define
// them.
package expect
