package lint

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

// BenchmarkLintTestdata is `coursectl lint testdata` without the process:
// load and lint every .md under the repository's testdata (the seed and
// the corpus). Target: under 100 ms.
//
//	go test ./lint -run '^$' -bench LintTestdata
func BenchmarkLintTestdata(b *testing.B) {
	var files []string
	filepath.WalkDir("../testdata", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 13 {
		b.Fatalf("found %d .md files under testdata", len(files))
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, f := range files {
			m, err := course.Load(f)
			if err != nil {
				b.Fatal(err)
			}
			n += len(Module(m))
		}
		if n == 0 {
			b.Fatal("no findings: the checks are not running")
		}
	}
}
