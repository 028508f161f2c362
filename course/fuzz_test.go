package course

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzParse: any input either is rejected with a PosError or parses
// without panicking into a module whose every step and command line lies
// inside the file. Seeded from the seed module, the corpus and the cases:
//
//	go test ./course -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/corpus/*/*.md")
	seeds = append(seeds, "../testdata/module1.md")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	cases, _ := filepath.Glob("testdata/cases/*.txtar")
	for _, c := range cases {
		ar, err := txtar.ParseFile(c)
		if err != nil {
			continue
		}
		for _, file := range ar.Files {
			if file.Name == "module.md" {
				f.Add(file.Data)
			}
		}
	}
	f.Add([]byte("```sh\n$ a \\\n"))
	f.Add([]byte("<!-- coursectl\n-->\n```\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("fuzz.md", src)
		if err != nil {
			if _, ok := err.(*PosError); !ok {
				t.Fatalf("error %T is not a *PosError: %v", err, err)
			}
			return
		}
		checkInvariants(t, m)
	})
}
