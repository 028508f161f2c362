package render

import (
	"os"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

// handModule builds a Module from markdown and the line ranges of its steps,
// the way course.Parse will, for tests that must not wait on the parser.
// Headings are found by a line prefix, good enough for test fixtures.
func handModule(t testing.TB, path string, src string, spans ...[2]int) *course.Module {
	t.Helper()
	lines := strings.Split(src, "\n")
	mod := &course.Module{Path: path, Source: []byte(src)}
	for _, l := range lines {
		if strings.HasPrefix(l, "# ") {
			mod.Title = strings.TrimPrefix(l, "# ")
			break
		}
	}
	for i, sp := range spans {
		open := lines[sp[0]-1]
		info := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(open), "`~"))
		lang := strings.Fields(info + " ")[0]
		if j := strings.IndexByte(lang, '{'); j >= 0 {
			lang = lang[:j]
		}
		s := &course.Step{
			Index: i + 1, Line: sp[0], EndLine: sp[1], Info: info, Lang: lang,
			Kind: course.Script, BodyLine: sp[0] + 1,
			Body: strings.Join(lines[sp[0]:sp[1]-1], "\n") + "\n",
		}
		if lang == "console" {
			s.Kind = course.Transcript
		}
		for _, l := range lines[sp[0] : sp[1]-1] {
			if strings.HasPrefix(strings.TrimSpace(l), "$ ") {
				s.Prompted = s.Kind == course.Script
			}
		}
		for n := sp[0] - 1; n >= 1; n-- {
			if h := lines[n-1]; strings.HasPrefix(h, "#") {
				s.Heading = []string{strings.TrimSpace(strings.TrimLeft(h, "#"))}
				break
			}
		}
		s.ID = slugForTest(s.Heading, i)
		mod.Steps = append(mod.Steps, s)
	}
	return mod
}

func slugForTest(h []string, i int) string {
	if len(h) == 0 {
		return "step-" + string(rune('1'+i))
	}
	var b strings.Builder
	for _, r := range strings.ToLower(h[0]) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-") + "-" + string(rune('1'+i))
}

// seedModule is testdata/module1.md with its nine sh steps.
func seedModule(t testing.TB) *course.Module {
	t.Helper()
	src, err := os.ReadFile("../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	return handModule(t, "testdata/module1.md", string(src),
		[2]int{21, 24}, [2]int{27, 29}, [2]int{31, 33}, [2]int{38, 41}, [2]int{45, 47},
		[2]int{49, 51}, [2]int{53, 59}, [2]int{62, 65}, [2]int{67, 69})
}
