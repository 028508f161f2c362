package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/lint"
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/result"
)

// Courses in check (docs/courses.md): a directory that is a course runs as
// one unit — its modules in order, in one sandbox and one shell — and is
// reported as its modules.

// courseRuns holds the courses of a check by the module that runs each
// (its Flatten), and where --from starts in it.
type courseRuns struct {
	byRun map[*course.Module]*course.Course
	from  map[*course.Module]int // 1-based step of the run; 0 = the start
}

func (cr *courseRuns) course(run *course.Module) *course.Course {
	if cr == nil {
		return nil
	}
	return cr.byRun[run]
}

// splitArgs separates the course directories among the arguments from the
// modules and plain directories of modules; with all, every directory is a
// course.
func splitArgs(args []string, all bool) (courses, rest []string) {
	seen := map[string]bool{}
	for _, a := range args {
		if fi, err := os.Stat(a); err == nil && fi.IsDir() && (all || course.IsCourse(a)) {
			// A course named twice (c, ./c, c/) is checked once, as a
			// module named twice is: two runs would share one sandbox,
			// and the second find it locked by the first.
			if !seen[filepath.Clean(a)] {
				seen[filepath.Clean(a)] = true
				courses = append(courses, a)
			}
			continue
		}
		rest = append(rest, a)
	}
	return courses, rest
}

// loadCourseRun loads the course at dir for check: its modules validated as
// check validates a module, and the run that takes them in order.
func (cr *courseRuns) load(dir, from string) (*course.Module, error) {
	c, err := course.LoadCourse(dir)
	if err != nil {
		return nil, inputError(err)
	}
	for _, m := range c.Modules {
		if err := lint.Unrunnable(m); err != nil {
			return nil, inputError(err)
		}
	}
	run := c.Flatten()
	cr.byRun[run] = c
	if from != "" {
		i, err := courseFrom(c, run, from)
		if err != nil {
			return nil, err
		}
		cr.from[run] = i
	}
	return run, nil
}

// courseFrom finds --from MODULE[:ID] in a course's run: the 1-based index
// of that step (the module's first step without :ID).
func courseFrom(c *course.Course, run *course.Module, from string) (int, error) {
	name, id, _ := strings.Cut(from, ":")
	m := c.Module(name)
	if m == nil {
		var names []string
		for _, m := range c.Modules {
			names = append(names, relPath(c.Dir, m.Path))
		}
		return 0, usageError("%s: --from %s: no module %q in the course (its modules: %s)", c.Dir, from, name, strings.Join(names, ", "))
	}
	if id != "" {
		step, err := fromArg(m, from, id)
		if err != nil {
			return 0, err
		}
		id = step.ID
	}
	for i, st := range run.Steps {
		if st.Module == m && (id == "" || st.ID == id) {
			if id != "" {
				// The step's own setup (its setup attribute) runs first.
				i = run.StartOf(i)
			}
			return i + 1, nil
		}
	}
	return 0, usageError("%s: --from %s: the module has no steps", m.Path, from)
}

// expand replaces each course's run in mods and results by its modules,
// for the reports; courses are the course results, in order.
func (cr *courseRuns) expand(mods []*course.Module, results []*result.Module) ([]*course.Module, []*result.Module, []*result.Course) {
	if cr == nil || len(cr.byRun) == 0 {
		return mods, results, nil
	}
	var outMods []*course.Module
	var outResults []*result.Module
	var courses []*result.Course
	for i, m := range mods {
		c := cr.byRun[m]
		if c == nil {
			outMods, outResults = append(outMods, m), append(outResults, results[i])
			continue
		}
		res := reports.SplitCourse(m, results[i])
		courses = append(courses, res)
		outMods = append(outMods, c.Modules...)
		outResults = append(outResults, res.Modules...)
	}
	return outMods, outResults, courses
}

func relPath(dir, p string) string {
	if r, ok := strings.CutPrefix(p, strings.TrimSuffix(dir, "/")+"/"); ok {
		return r
	}
	return p
}
