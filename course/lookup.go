package course

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Lookup finds the step a person names on the command line (--from, --only,
// --at): its id; else, for a whole number, the step of that number as the
// walkthrough and list show it ("Step 3/9"; hidden setup steps are not
// counted); else the one step whose id starts with ref. A ref that names no
// step, or several, is a *LookupError that says what to write instead.
func (m *Module) Lookup(ref string) (*Step, error) {
	if m.Modules != nil && !strings.Contains(ref, ":") {
		// In a course's run ids repeat from module to module: an id two
		// modules have names neither, rather than the first one silently.
		var same []string
		for _, s := range m.Steps {
			if s.ID == ref && s.Origin != nil {
				same = append(same, m.Ref(s))
			}
		}
		if len(same) > 1 {
			return nil, &LookupError{Ref: ref, Ambiguous: same, InModules: true}
		}
	}
	if s := m.Step(ref); s != nil {
		return s, nil
	}
	if n, err := strconv.Atoi(ref); err == nil {
		_, total := m.Number(nil)
		for _, s := range m.Steps {
			if k, _ := m.Number(s); k == n && !s.Hidden {
				return s, nil
			}
		}
		return nil, &LookupError{Ref: ref, Total: total}
	}
	var prefixed []*Step
	for _, s := range m.Steps {
		if strings.HasPrefix(s.ID, ref) {
			prefixed = append(prefixed, s)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0], nil
	}
	e := &LookupError{Ref: ref, Total: len(m.Steps)}
	if len(prefixed) > 1 {
		for _, s := range prefixed {
			e.Ambiguous = append(e.Ambiguous, s.ID)
		}
		return nil, e
	}
	e.Near = m.nearestIDs(ref, 3)
	return nil, e
}

// Ref is the reference that names s in m for Step and Lookup: its id, or
// in a course's run MODULE:ID, since ids repeat from module to module.
func (m *Module) Ref(s *Step) string {
	if m.Modules != nil && s.Origin != nil {
		return relTo(m.Path, s.Origin.Module.Path) + ":" + s.ID
	}
	return s.ID
}

// LookupError is a step reference that names no step, or several.
type LookupError struct {
	Ref string
	// Ambiguous are the ids Ref is a prefix of (two or more).
	Ambiguous []string
	// Near are the ids closest to Ref, best first, when it names none.
	Near []string
	// Total is how many steps there are, for a number out of range.
	Total int
	// InModules: Ambiguous are MODULE:ID of one id in several modules of
	// a course.
	InModules bool
}

func (e *LookupError) Error() string {
	switch {
	case e.InModules:
		return fmt.Sprintf("step %q is in %d modules (%s) — name one as MODULE:ID", e.Ref, len(e.Ambiguous), strings.Join(e.Ambiguous, ", "))
	case len(e.Ambiguous) > 0:
		ids := e.Ambiguous
		more := ""
		if len(ids) > 4 {
			ids, more = ids[:4], fmt.Sprintf(", … (%d in all)", len(e.Ambiguous))
		}
		return fmt.Sprintf("step %q is the start of %d ids (%s%s) — give more of the id, or the step's number", e.Ref, len(e.Ambiguous), strings.Join(ids, ", "), more)
	case isNumber(e.Ref):
		return fmt.Sprintf("no step %s: the steps are numbered 1 to %d", e.Ref, e.Total)
	case len(e.Near) > 0:
		return fmt.Sprintf("no step %q — did you mean %s?", e.Ref, strings.Join(e.Near, " or "))
	}
	return fmt.Sprintf("no step %q", e.Ref)
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// nearestIDs are up to n ids near ref: those that hold ref (a heading's
// slug without its number, "install-docker" for "3-install-docker"),
// shortest first, then those a few edits away.
func (m *Module) nearestIDs(ref string, n int) []string {
	type cand struct {
		id   string
		rank int
	}
	var cands []cand
	limit := max(2, len([]rune(ref))/3)
	for _, s := range m.Steps {
		if s.Hidden {
			continue
		}
		switch d := editDistance(ref, s.ID); {
		case ref != "" && strings.Contains(s.ID, ref):
			cands = append(cands, cand{s.ID, len(s.ID) - len(ref)})
		case d <= limit:
			cands = append(cands, cand{s.ID, 1000 + d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].rank < cands[j].rank })
	var out []string
	for _, c := range cands[:min(n, len(cands))] {
		out = append(out, c.id)
	}
	return out
}
