package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/coursectl/coursectl/result"
)

// Schema names the shape of every JSON document coursectl writes (list,
// lint, check, status): a consumer checks it before reading the rest, and
// a change that would break one gets a new name (docs/json.md).
const Schema = "coursectl/v1"

// EncodeDocument writes v as the one JSON document of a command: indented
// for a person at a terminal, one compact line for a pipe (what jq and
// scripts read). HTML characters stay as they are: output and commands
// hold <, > and & often.
func EncodeDocument(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// checkDocument is `check --json`: the counts over everything checked,
// then each module's object (docs/spec.md §5's fields), and each course's
// object with its modules' inside.
type checkDocument struct {
	Schema      string       `json:"schema"`
	Passed      int          `json:"passed"`
	Failed      int          `json:"failed"`
	Skipped     int          `json:"skipped"`
	DurationMS  int64        `json:"duration_ms"`
	Interrupted bool         `json:"interrupted,omitempty"`
	Modules     []jsonModule `json:"modules"`
	Courses     []jsonCourse `json:"courses,omitempty"`
}

// JSONDocument writes `check --json`: one document for the whole check
// (JSON writes the per-module lines of --json-lines instead). Modules that
// belong to a course are in that course's object, not in modules.
func JSONDocument(w io.Writer, results []*result.Module, courses []*result.Course, took time.Duration, indent bool) error {
	doc := checkDocument{Schema: Schema, DurationMS: took.Milliseconds(), Modules: []jsonModule{}}
	inCourse := map[*result.Module]bool{}
	for _, c := range courses {
		jc := jsonForCourse(c)
		doc.Courses = append(doc.Courses, jc)
		doc.Passed, doc.Failed, doc.Skipped = doc.Passed+jc.Passed, doc.Failed+jc.Failed, doc.Skipped+jc.Skipped
		doc.Interrupted = doc.Interrupted || jc.Interrupted
		for _, m := range c.Modules {
			inCourse[m] = true
		}
	}
	for _, mr := range results {
		if inCourse[mr] {
			continue
		}
		jm := jsonFor(mr)
		doc.Modules = append(doc.Modules, jm)
		doc.Passed, doc.Failed, doc.Skipped = doc.Passed+jm.Passed, doc.Failed+jm.Failed, doc.Skipped+jm.Skipped
		doc.Interrupted = doc.Interrupted || jm.Interrupted
	}
	return EncodeDocument(w, doc, indent)
}
