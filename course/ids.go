package course

import (
	"strconv"
	"strings"
	"unicode"
)

// Slug turns heading text into an anchor the way GitHub does: lower case,
// letters, digits, '-' and '_' kept, spaces to '-', everything else dropped.
// "4. Install Docker Compose" → "4-install-docker-compose".
func Slug(s string) string {
	var b strings.Builder
	s = strings.ToLower(strings.TrimSpace(s))
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '-':
			b.WriteByte('-')
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// idAllocator hands out unique step ids. Ids from headings count per
// heading, so a step's id only changes when its own section changes.
type idAllocator struct {
	taken map[string]bool
	count map[string]int
}

func newIDAllocator() *idAllocator {
	return &idAllocator{taken: map[string]bool{}, count: map[string]int{}}
}

// reserve marks explicit names first, so a heading-derived id never takes
// a name an author wrote further down.
func (a *idAllocator) reserve(name string) { a.taken[name] = true }

// next returns the id for a step with base (a name or a heading slug).
// explicit is true for names: the first use keeps the name as is.
func (a *idAllocator) next(base string, explicit bool) string {
	if base == "" {
		base = "step"
	}
	a.count[base]++
	n := a.count[base]
	if explicit && n == 1 {
		return base
	}
	id := base
	if n > 1 {
		id = base + "-" + strconv.Itoa(n)
	}
	for a.taken[id] && !(explicit && n == 1) {
		n++
		a.count[base] = n
		id = base + "-" + strconv.Itoa(n)
	}
	a.taken[id] = true
	return id
}
