package report

import (
	"fmt"

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
// when the next module begins; a module the run starts after (--resume,
// --from) is written whole, its steps from checkpoints. Call the returned
// finish with the run's result: it ends the last block and writes the
// blocks of the modules the run never reached. Checkpointed, when set, is
// asked for the run's steps.
func (l *Live) Course(c *course.Course, run *course.Module) (Events, func(*result.Course)) {
	cur := -1
	var ev Events
	done := map[*course.Step]*result.Step{} // by the module's own step
	offset := map[*course.Module]int{}      // run index of each module's first step
	for i := range run.Steps {
		mi, li := c.Locate(run, i)
		if li == 0 {
			offset[c.Modules[mi]] = i
		}
	}
	var runDone []bool
	asked := false
	doneFlags := func() []bool {
		if !asked && l.Checkpointed != nil {
			runDone, asked = l.Checkpointed(run), true
		}
		return runDone
	}
	// moduleDone are module i's done flags, cut from the run's.
	moduleDone := func(i int) []bool {
		m := c.Modules[i]
		flags := doneFlags()
		out := make([]bool, len(m.Steps))
		for li := range m.Steps {
			if k := offset[m] + li; k < len(flags) {
				out[li] = flags[k]
			}
		}
		return out
	}
	// block is module i's result as far as the run went: what ran, what a
	// checkpoint stands for, the rest not run.
	block := func(i int) *result.Module {
		m := c.Modules[i]
		mr := &result.Module{File: m.Path}
		flags := moduleDone(i)
		for li, st := range m.Steps {
			switch sr := done[st]; {
			case sr != nil:
				mr.Steps = append(mr.Steps, sr)
				if mr.Started.IsZero() {
					mr.Started = sr.Finished
				}
			case flags[li]:
				r := StepFor(st, result.Passed)
				r.FromCheckpoint = true
				mr.Steps = append(mr.Steps, r)
			default:
				mr.Steps = append(mr.Steps, StepFor(st, result.NotRun))
			}
		}
		return mr
	}
	var curStep *course.Step // the module's own step now running
	enter := func(st *course.Step) *course.Step {
		mi, li := c.Locate(run, st.Index-1)
		own := st
		if li >= 0 {
			own = c.Modules[mi].Steps[li]
		}
		if mi != cur {
			if cur >= 0 {
				l.Done(block(cur))
			}
			for j := cur + 1; j < mi; j++ {
				l.Done(block(j)) // passed over: restored from checkpoints
			}
			cur = mi
			ev = l.module(c.Modules[mi], func() []bool { return moduleDone(mi) })
		}
		return own
	}
	events := Events{
		StepStarted: func(st *course.Step) {
			curStep = enter(st)
			ev.StepStarted(curStep)
		},
		StepOutput: func(st *course.Step, b []byte) {
			if ev.StepOutput != nil {
				ev.StepOutput(curStep, b)
			}
		},
		StepDone: func(sr *result.Step) {
			if ev.StepDone == nil {
				return
			}
			if curStep != nil {
				done[curStep] = sr
			}
			ev.StepDone(sr)
		},
		Warning: func(msg string) {
			if ev.Warning != nil {
				ev.Warning(msg)
				return
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.Warn != nil {
				fmt.Fprintf(l.Warn, "coursectl: warning: %s\n", firstLine(msg))
			}
		},
	}
	finish := func(cr *result.Course) {
		for i, mr := range cr.Modules {
			if i >= cur {
				l.Done(mr)
			}
		}
	}
	return events, finish
}
