package report

import (
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// SplitCourse turns the result of a course's run — one module, the
// course's Flatten — into one result per module, each step back at its
// place in its own module, so every report shows a course as its modules.
// The step results are mr's own, renumbered in their modules.
// The course's hidden setup step belongs to the first module (shown only
// when it failed, like any setup step).
func SplitCourse(c *course.Course, run *course.Module, mr *result.Module) *result.Course {
	out := &result.Course{Dir: c.Dir, Title: run.Title, Started: mr.Started, Duration: mr.Duration, Interrupted: mr.Interrupted}
	mods := make([]*result.Module, len(c.Modules))
	for i, m := range c.Modules {
		mods[i] = &result.Module{File: m.Path}
	}
	if len(mods) > 0 {
		mods[0].Warnings = mr.Warnings
	}
	stopAt := -1 // the module the run stopped in, when interrupted
	for i, sr := range mr.Steps {
		if i >= len(run.Steps) {
			break
		}
		mi, li := c.Locate(run, i)
		m := mods[mi]
		// The same values the live report saw, so it knows them as printed.
		sr.Index = li + 1
		m.Steps = append(m.Steps, sr)
		if sr.Status != result.NotRun {
			if m.Started.IsZero() && !sr.Finished.IsZero() {
				m.Started = sr.Finished.Add(-sr.Duration)
			}
			m.Duration += sr.Duration
			stopAt = mi
		}
	}
	if mr.Interrupted && stopAt >= 0 {
		mods[stopAt].Interrupted = true
	}
	for _, m := range mods {
		if m.Started.IsZero() && m.Duration > 0 {
			m.Started = mr.Started
		}
	}
	out.Modules = mods
	return out
}

// Course reports a course's run (one module, the course's Flatten) module
// by module: each module's block starts when its first step does and ends
// when the next module begins. Call the returned finish with the run's
// result: it ends the last block and writes the blocks of the modules the
// run never reached.
func (l *Live) Course(c *course.Course, run *course.Module) (Events, func(*result.Course)) {
	cur := -1
	var ev Events
	done := map[*course.Module][]*result.Step{}
	index := map[*course.Module]int{}
	for i, m := range c.Modules {
		index[m] = i
	}
	moduleOf := func(st *course.Step) int {
		if i, ok := index[st.Module]; ok {
			return i
		}
		return 0
	}
	// endBlock ends module i's block with what ran of it so far, the rest
	// not run (the next module only starts once this one is through).
	endBlock := func(i int) {
		m := c.Modules[i]
		mr := &result.Module{File: m.Path, Started: time.Now()}
		got := map[string]*result.Step{}
		for _, sr := range done[m] {
			got[sr.ID] = sr
		}
		for _, st := range m.Steps {
			if sr := got[st.ID]; sr != nil {
				mr.Steps = append(mr.Steps, sr)
			} else {
				mr.Steps = append(mr.Steps, StepFor(st, result.NotRun))
			}
		}
		l.Done(mr)
	}
	enter := func(st *course.Step) {
		mi := moduleOf(st)
		if mi == cur {
			return
		}
		if cur >= 0 {
			endBlock(cur)
		}
		cur = mi
		ev = l.Module(c.Modules[mi])
	}
	events := Events{
		StepStarted: func(st *course.Step) {
			enter(st)
			ev.StepStarted(st)
		},
		StepOutput: func(st *course.Step, b []byte) {
			if ev.StepOutput != nil {
				ev.StepOutput(st, b)
			}
		},
		StepDone: func(sr *result.Step) {
			if ev.StepDone == nil {
				return
			}
			if cur >= 0 {
				done[c.Modules[cur]] = append(done[c.Modules[cur]], sr)
			}
			ev.StepDone(sr)
		},
		Warning: func(msg string) {
			if ev.Warning != nil {
				ev.Warning(msg)
				return
			}
			if l.Warn != nil {
				l.Write([]byte("coursectl: warning: " + msg + "\n"))
			}
		},
	}
	finish := func(cr *result.Course) {
		for i, mr := range cr.Modules {
			if i < cur {
				continue // its block is written
			}
			l.Done(mr)
		}
	}
	return events, finish
}
