package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/coursectl/coursectl/course"
)

// FuzzLint: lint never panics on a module that parses, its findings lie
// inside the file, and the mojibake fix keeps UTF-8 valid and every line
// where it was (so --fix --diff hunks stay line for line).
//
//	go test ./lint -run '^$' -fuzz FuzzLint -fuzztime 60s
func FuzzLint(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/corpus/*/*.md")
	seeds = append(seeds, "../testdata/module1.md")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Ã\u00a0â€\u009dðŸ\n```sh\nsudo nano x | less\n```\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := course.Parse("f.md", src)
		if err != nil {
			return
		}
		lines := bytes.Count(m.Source, []byte("\n")) + 1
		for _, fd := range Module(m) {
			if fd.Line < 0 || fd.Line > lines {
				t.Errorf("finding at line %d outside 1-%d: %s", fd.Line, lines, fd)
			}
		}
		fixed, _ := FixMojibake(m.Source)
		if !utf8.Valid(fixed) {
			t.Errorf("fix made invalid UTF-8: %q", fixed)
		}
		if bytes.Count(fixed, []byte("\n")) != bytes.Count(m.Source, []byte("\n")) {
			t.Errorf("fix moved lines")
		}
	})
}
