package report

import (
	"fmt"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/sgr"
)

// SplitCourse turns the result of a course's run — one module, the
// course's Flatten — into one result per module, each step back at its
// place in its own module, so every report shows a course as its modules.
// The step results are mr's own, renumbered in their modules. The course's
// hidden setup step belongs to the first module (shown only when it
// failed, like any setup step). mr may be nil (no run yet): every step is
// then not run.
func SplitCourse(run *course.Module, mr *result.Module) *result.Course {
	if mr == nil {
		mr = &result.Module{File: run.Path}
	}
	out := &result.Course{Dir: run.Path, Title: run.Title, Started: mr.Started, Duration: mr.Duration, Interrupted: mr.Interrupted, Sandbox: mr.Sandbox}
	mods := make([]*result.Module, len(run.Modules))
	index := map[*course.Module]int{}
	for i, m := range run.Modules {
		mods[i] = &result.Module{File: m.Path, Sandbox: mr.Sandbox}
		index[m] = i
	}
	if len(mods) == 0 {
		return out
	}
	mods[0].Warnings = mr.Warnings
	byID := map[string]*result.Step{} // a record of an older run: matched by place
	for _, sr := range mr.Steps {
		byID[sr.File+"\x00"+sr.ID] = sr
	}
	stopAt := -1 // the module the run stopped in, when interrupted
	for i, st := range run.Steps {
		_, mi := run.ModuleOf(st)
		m := mods[mi]
		var sr *result.Step
		if i < len(mr.Steps) && mr.Steps[i].ID == st.ID {
			sr = mr.Steps[i]
		} else if r := byID[st.File+"\x00"+st.ID]; r != nil {
			sr = r
		} else {
			sr = StepFor(st, result.NotRun)
		}
		sr.File = st.File
		// The same values the live report saw, so it knows them as printed.
		sr.Index = 0
		if st.Origin != nil {
			sr.Index = st.Origin.Index
		}
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
	var runDone []Settled
	asked := false
	doneFlags := func() []Settled {
		if !asked && l.Checkpointed != nil {
			runDone, asked = l.Checkpointed(run), true
		}
		return runDone
	}
	// moduleDone are module i's settled steps, cut from the run's.
	moduleDone := func(i int) []Settled {
		m := c.Modules[i]
		flags := doneFlags()
		out := make([]Settled, len(m.Steps))
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
			case flags[li].done():
				mr.Steps = append(mr.Steps, flags[li].result(st))
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
			ev = l.module(c.Modules[mi], func() []Settled { return moduleDone(mi) })
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
				fmt.Fprintf(l.Warn, "coursectl: warning: %s\n", sgr.Printable(firstLine(msg)))
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
