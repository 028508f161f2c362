package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/coursectl/coursectl/course"
	reports "github.com/coursectl/coursectl/report"
)

// writeCourseTable is `list DIR`: the course's modules in the order they
// run, each with its step count (hidden setup steps not counted, as a
// learner counts).
func writeCourseTable(w io.Writer, dir string, run *course.Module) error {
	c, err := course.LoadCourse(dir)
	if err != nil {
		return inputError(err)
	}
	_, total := run.Number(nil)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s: %s, %s (order: %s)\n", printable(c.Title()), plural(len(c.Modules), "module"), plural(total, "step"), c.Order)
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tMODULE\tSTEPS\tTITLE")
	for i, m := range run.Modules {
		_, n := m.Number(nil)
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", i+1, printable(relModule(dir, m.Path)), n, printable(m.Title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&buf, "'coursectl list %s' shows a module's steps; their ids in a course are MODULE:ID (--from, --at).\n",
		filepath.Join(dir, relModule(dir, run.Modules[0].Path)))
	_, err = w.Write(trimTrailingBlanks(buf.Bytes()))
	return err
}

// writeCourseJSON is `list DIR --json`: {"schema", "course", "title",
// "modules": [{"file", "steps"}]}, each module as `list FILE --json`
// prints it, without the schema (docs/json.md).
func writeCourseJSON(w io.Writer, run *course.Module, indent bool) error {
	var mods []json.RawMessage
	for _, m := range run.Modules {
		var b bytes.Buffer
		if err := writeModuleJSON(&b, m, false, false); err != nil {
			return err
		}
		mods = append(mods, json.RawMessage(bytes.TrimSpace(b.Bytes())))
	}
	doc := struct {
		Schema  string            `json:"schema"`
		Course  string            `json:"course"`
		Title   string            `json:"title"`
		Modules []json.RawMessage `json:"modules"`
	}{reports.Schema, run.Path, run.Title, mods}
	return reports.EncodeDocument(w, doc, indent)
}

// relModule is a module's path from its course's directory.
func relModule(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

func trimTrailingBlanks(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	var out bytes.Buffer
	for _, l := range lines {
		if len(l) == 0 {
			continue
		}
		out.Write(bytes.TrimRight(l, " \n"))
		out.WriteByte('\n')
	}
	return out.Bytes()
}
