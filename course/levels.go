package course

// What a step's settings come to once every level is asked (SPEC §7): the
// step's own attributes (which carry what the page, a comment or
// `steps:` gave it), else the module's settings, else the default.

// Compare is how step s's expected output is compared: exact, blanks or
// none (CompareExact...). Default blanks.
func (m *Module) Compare(s *Step) string {
	if s.Attrs.Compare != "" {
		return s.Attrs.Compare
	}
	if m.Settings.Attrs.Compare != "" {
		return m.Settings.Attrs.Compare
	}
	return CompareBlanks
}

// Normalize is the rewrites applied to step s's expected and actual
// output before comparing: the module's, then the step's own.
func (m *Module) Normalize(s *Step) []Normalize {
	if len(m.Settings.Attrs.Normalize) == 0 {
		return s.Attrs.Normalize
	}
	out := append([]Normalize(nil), m.Settings.Attrs.Normalize...)
	return append(out, s.Attrs.Normalize...)
}

// Pipefail reports whether step s runs with bash's pipefail turned on by
// the course (a learner's shell has it off; a step that runs
// `set -o pipefail` itself turns it on whatever this says).
func (m *Module) Pipefail(s *Step) bool {
	if s.Attrs.Pipefail != nil {
		return *s.Attrs.Pipefail
	}
	if m.Settings.Attrs.Pipefail != nil {
		return *m.Settings.Attrs.Pipefail
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
