package course

// What a step's settings come to once every level is asked (docs/spec.md §7): the
// step's attributes (the parser's cascade has laid the course's, module's,
// sections' and divs' under its own), else its module's settings (a step
// built without the parser), else the default.

// moduleAttrs are the module-wide attributes of s's module, if it has one.
func (s *Step) moduleAttrs() Attrs {
	if s.Module == nil {
		return Attrs{}
	}
	return s.Module.Settings.Attrs
}

// Compare is how the step's expected output is compared: exact, blanks,
// words or none (CompareExact...). Default blanks.
func (s *Step) Compare() string {
	if s.Attrs.Compare != "" {
		return s.Attrs.Compare
	}
	if c := s.moduleAttrs().Compare; c != "" {
		return c
	}
	return CompareBlanks
}

// Normalize is the rewrites applied to the step's expected and actual
// output before comparing, outermost level first.
func (s *Step) Normalize() []Normalize {
	if _, ok := s.Attrs.Raw["normalize"]; ok {
		return s.Attrs.Normalize // the cascade's: every level's, in order
	}
	return s.moduleAttrs().Normalize
}

// Pipefail reports whether the step runs with bash's pipefail turned on by
// the course (a learner's shell has it off; a step that runs
// `set -o pipefail` itself turns it on whatever this says).
func (s *Step) Pipefail() bool {
	if s.Attrs.Pipefail != nil {
		return *s.Attrs.Pipefail
	}
	if p := s.moduleAttrs().Pipefail; p != nil {
		return *p
	}
	return false
}

// EditContent is the content an editor step writes to its file, and
// whether there is any: the settings' `content` wins over the fence the
// page shows after the step. Content always ends in a newline, as an
// editor saves a file.
func (s *Step) EditContent() (string, bool) {
	if s.Edit == nil {
		return "", false
	}
	if s.Attrs.Content != nil {
		c := *s.Attrs.Content
		if c != "" && c[len(c)-1] != '\n' {
			c += "\n"
		}
		return c, true
	}
	if s.Edit.FenceLine > 0 {
		return s.Edit.Content, true
	}
	return "", false
}

// NeedsPerson reports whether the step can only run with a person at the
// keyboard: marked interactive, or an editor step whose content neither
// the page nor the settings give. An `interact` list answers either.
func (s *Step) NeedsPerson() bool {
	if len(s.Attrs.Interact) > 0 {
		return false
	}
	if s.Attrs.Interactive {
		return true
	}
	_, ok := s.EditContent()
	return s.Edit != nil && !ok
}
