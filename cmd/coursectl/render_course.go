package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/course"
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/result"
)

// renderCourse is `render DIR` (docs/courses.md): in the terminal, every
// module in order, each with its last run's results; with --html -o FILE,
// an index page with each module's status that links to its page, the
// pages written beside it as check --html writes them.
func (c *cli) renderCourse(run *course.Module, rec *result.Module, f renderFlags, toFile bool) error {
	split := reports.SplitCourse(run, rec)
	if rec == nil {
		// No run yet: pages without statuses, not pages of steps "not run".
		for i := range split.Modules {
			split.Modules[i] = nil
		}
	}
	if f.html {
		if !toFile {
			return usageError("render: --html of a course writes an index page and a page per module: add -o FILE")
		}
		// The module pages go beside FILE: beside /dev/stdout they would
		// land in /dev.
		if fi, err := os.Lstat(f.out); err == nil && !fi.Mode().IsRegular() {
			return usageError("render: -o %s is not a regular file, and --html of a course writes a page per module beside it — name a page in a directory, like %s", f.out, "report/index.html")
		}
		if err := writeCheckHTML(f.out, run.Modules, split.Modules); err != nil {
			return usageError("render: cannot write %s: %v", f.out, err)
		}
		return nil
	}
	streams := c.streams
	t := c.terminal(f, toFile)
	var b strings.Builder
	for i, m := range run.Modules {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(t.Module(m, split.Modules[i]))
	}
	if !toFile {
		_, err := streams.Out.Write([]byte(b.String()))
		return err
	}
	if err := writeFileAtomic(f.out, []byte(b.String()), 0o644); err != nil {
		return usageError("render: cannot write %s: %v", filepath.Clean(f.out), explainWrite(err))
	}
	return nil
}
