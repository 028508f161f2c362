package course

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// The model's own answers to what every view of a step asks — its title,
// its number as a learner counts, the flags worth noticing — so that list,
// render, status and the walkthrough never work them out differently.

// Title is what a step is called on screen: its nearest heading, else its
// first command (an id like "step-2", made up for a step with no heading,
// tells a reader nothing), else its id.
func (s *Step) Title() string {
	if len(s.Heading) > 0 {
		if h := strings.TrimSpace(s.Heading[len(s.Heading)-1]); h != "" {
			return h
		}
	}
	if s.Attrs.Name == "" && len(s.Commands) > 0 {
		if c := strings.TrimSpace(strings.SplitN(s.Commands[0].Text, "\n", 2)[0]); c != "" {
			return c
		}
	}
	return s.ID
}

// Number is the learner-facing position of step s and the count of steps a
// learner sees: hidden setup steps are not counted, so "Step 3/9" matches
// the page; a hidden step takes the number of the shown step after it (the
// last one's when none follows). n is 0 when s is nil or not in the
// module.
func (m *Module) Number(s *Step) (n, total int) {
	pos := m.numbers()
	total = pos[len(pos)-1]
	if s == nil {
		return 0, total
	}
	i := s.Index - 1
	if i < 0 || i >= len(m.Steps) || m.Steps[i] != s {
		i = -1
		for k, t := range m.Steps {
			if t == s {
				i = k
			}
		}
		if i < 0 {
			return 0, total
		}
	}
	return pos[i], total
}

// numbers holds, for each step index, its learner-facing number, and at the
// end the total; computed once per set of steps (render numbers every step
// of a 20,000-step module).
func (m *Module) numbers() []int {
	// Renderers number steps from several goroutines (a check's reports,
	// watch's redraw): the cache is read and filled under one lock.
	numbersMu.Lock()
	defer numbersMu.Unlock()
	if len(m.number) == len(m.Steps)+1 && (len(m.Steps) == 0 || m.numberedFirst == m.Steps[0]) {
		return m.number
	}
	pos := make([]int, len(m.Steps)+1)
	total := 0
	for i, s := range m.Steps {
		if !s.Hidden {
			total++
			pos[i] = total
		}
	}
	next := total
	for i := len(m.Steps) - 1; i >= 0; i-- {
		if m.Steps[i].Hidden {
			pos[i] = next
		} else {
			next = pos[i]
		}
	}
	pos[len(m.Steps)] = total
	m.number = pos
	if len(m.Steps) > 0 {
		m.numberedFirst = m.Steps[0]
	}
	return pos
}

// numbersMu guards every Module's number cache (numbers).
var numbersMu sync.Mutex

// Flag is an annotation of a step that makes it run differently, for views
// to word as they need (list: `timeout=2m`; render: "timeout 2m0s").
type Flag struct {
	// Name is one of hidden, skip, interactive, interact, background,
	// timeout, exit, file, append, setup, prompted, edit, output, error,
	// verify, unterminated.
	Name string
	// Value is the flag's value ("2m0s" for timeout, "any" or "1" for exit,
	// the path for file, append and edit), "" when it has none.
	Value string
}

// Flags are the step's flags in a fixed order.
func (s *Step) Flags() []Flag {
	var f []Flag
	add := func(name, value string) { f = append(f, Flag{name, value}) }
	a := s.Attrs
	if s.Hidden {
		add("hidden", "")
	}
	if a.Skip {
		add("skip", "")
	}
	if a.Interactive || (s.Edit != nil && s.NeedsPerson()) {
		add("interactive", "")
	}
	if len(a.Interact) > 0 {
		add("interact", "")
	}
	if a.Background {
		add("background", "")
	}
	if a.Timeout > 0 {
		add("timeout", a.Timeout.String())
	}
	if a.ExitAny {
		add("exit", "any")
	} else if a.Exit != nil {
		add("exit", strconv.Itoa(*a.Exit))
	}
	if s.Kind == File {
		if a.Append {
			add("append", a.File)
		} else {
			add("file", a.File)
		}
	}
	if a.Setup != "" && !a.Skip {
		add("setup", "")
	}
	if s.Prompted && s.Kind == Script {
		add("prompted", "")
	}
	if _, ok := s.EditContent(); ok && len(a.Interact) == 0 {
		// check writes the file the page shows (an editor step).
		add("edit", Unquote(s.Edit.File))
	}
	if s.Expected != nil {
		add("output", "")
	}
	if s.Error != nil {
		add("error", "")
	}
	if len(s.Verify) > 0 {
		add("verify", "")
	}
	if s.Unterminated {
		add("unterminated", "")
	}
	return f
}

// ShortDuration writes 2m rather than 2m0s, as an author writes it.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// FrontMatter finds a YAML front matter block at the start of src (`---` on
// the first line to the next `---` or `...` line; trailing blanks allowed on
// both). It returns the YAML, the number of bytes the block takes (closing
// line included) and whether there was one.
func FrontMatter(src []byte) (yml []byte, end int, ok bool) { return frontMatter(src) }
