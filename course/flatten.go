package course

import (
	"path/filepath"
)

// Flatten is the course as one run for the runner: the course's hidden
// setup (its workdir and setup), then every module's steps in order, as
// steps of one module whose path is the course's directory. One shell runs
// them all, so the files, HOME and the shell's state at the end of one
// module are there at the start of the next, and the checkpoints form one
// chain: an edit of module 2 invalidates module 2 on and nothing before.
//
// The steps are copies renumbered in the run (Index); each keeps its
// module (Module, File) and id, so messages name the module's file and
// line. A step's position in its own module is Local(i).
func (c *Course) Flatten() *Module {
	abs, _ := filepath.Abs(c.Dir)
	run := &Module{Path: c.Dir, Title: c.Title(), CourseDir: abs, Modules: c.Modules}
	run.Settings.Timeout = c.Settings.Timeout
	if d := c.Settings.Docker; d != nil && (d.Timeout > 0 || d.RunTimeout > 0) {
		run.Settings.Docker = &Settings{Timeout: d.Timeout, RunTimeout: d.RunTimeout}
	}
	run.Settings.Sandbox, run.Settings.SandboxAt = c.Settings.Sandbox, c.Settings.SandboxAt
	// The shell starts with every module's environment and fakes: one
	// shell serves the whole course (docs/courses.md).
	for _, m := range c.Modules {
		run.Settings.Env = mergeMap(run.Settings.Env, m.Settings.Env)
		run.Settings.Fakes = mergeMap(run.Settings.Fakes, m.Settings.Fakes)
		if d := m.Settings.Docker; d != nil {
			// The container's fakes, for ForSandbox of the one shell.
			if run.Settings.Docker == nil {
				run.Settings.Docker = &Settings{}
			}
			run.Settings.Docker.Fakes = mergeMap(run.Settings.Docker.Fakes, d.Fakes)
			run.Settings.Docker.Env = mergeMap(run.Settings.Docker.Env, d.Env)
		}
		if run.Settings.Source == "" {
			run.Settings.Source = m.Settings.Source
		}
	}
	if st := c.setupStep(); st != nil {
		run.Steps = append(run.Steps, st)
	}
	c.flat, c.locs = run, nil
	if len(run.Steps) > 0 {
		c.locs = append(c.locs, place{0, -1})
	}
	for mi, m := range c.Modules {
		for li, st := range m.Steps {
			cp := *st
			cp.Origin = st
			run.Steps = append(run.Steps, &cp)
			c.locs = append(c.locs, place{mi, li})
		}
	}
	for i, st := range run.Steps {
		st.Index = i + 1
	}
	return run
}

// Alone is module m of the course as a run of its own, what `check
// DIR/m.md` runs (docs/courses.md, "A module alone"): the course's settings
// (fakes, env, compare, …) are m's already, and the course's workdir and
// setup run first, as in the course's run; the modules before m do not run,
// so what they leave is not there. Its steps keep their ids (no MODULE:
// prefix): it is one module.
func (c *Course) Alone(m *Module) *Module {
	cp := *m
	cp.AloneIn, cp.Steps = c, nil
	if st := setupAndWorkdir("setup-course", c.Settings, m); st != nil {
		cp.Steps = append(cp.Steps, st)
	}
	// Copies: the course's module (which a later Alone may ask for again)
	// keeps its own steps whatever this run does to them (ForSandbox).
	for _, st := range m.Steps {
		stc := *st
		cp.Steps = append(cp.Steps, &stc)
	}
	for i, st := range cp.Steps {
		st.Index = i + 1
		if st.Module == m {
			st.Module = &cp
		}
	}
	cp.number, cp.numberedFirst = nil, nil
	return &cp
}

// Position is m's place in the course, 1-based, 0 when it is not one of
// its modules.
func (c *Course) Position(m *Module) int {
	for i, cm := range c.Modules {
		if cm == m || cm.Path == m.Path {
			return i + 1
		}
	}
	return 0
}

// place is where a step of the flattened run comes from.
type place struct{ module, local int }

// Title is the course's name: the title of a Carpentries config.yaml, else
// its directory's name.
func (c *Course) Title() string {
	if top, err := readYAMLMapping(filepath.Join(c.Dir, "config.yaml")); err == nil && top != nil {
		if t := mappingValue(top, "title"); t != nil && t.Value != "" {
			return t.Value
		}
	}
	return filepath.Base(filepath.Clean(c.Dir))
}

// setupStep is the course's workdir and setup as one hidden step, nil when
// it has neither. Its lines count in the coursectl.yaml.
func (c *Course) setupStep() *Step {
	if len(c.Modules) == 0 {
		return nil
	}
	return setupAndWorkdir("setup-course", c.Settings, c.Modules[0])
}

// Locate maps step index i (0-based) of the flattened run back to its
// module (its index in Modules) and its 0-based index in that module; the
// course's setup step maps to the first module with local index -1.
func (c *Course) Locate(run *Module, i int) (module, local int) {
	// The map holds while the run's steps are Flatten's (ForSandbox may
	// insert setups).
	if run == c.flat && len(run.Steps) == len(c.locs) && i >= 0 && i < len(c.locs) {
		return c.locs[i].module, c.locs[i].local
	}
	st := run.Steps[i]
	for mi, m := range c.Modules {
		if st.Module != m {
			continue
		}
		for li, orig := range m.Steps {
			if orig.ID == st.ID && orig.Line == st.Line && orig.File == st.File {
				return mi, li
			}
		}
		return mi, -1
	}
	return 0, -1
}
