package course

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCounts pins, for every real page in testdata/corpus, how many
// steps, script/transcript steps and commands the parser finds. A change
// here is a change in what coursectl runs on real courses: look before
// updating.
var corpusCounts = map[string]struct{ steps, commands, blocks, problems int }{
	"getting-started/docs__tutorial__multi-container-apps__index.md": {7, 7, 15, 0},
	"getting-started/docs__tutorial__using-docker-compose__index.md": {3, 3, 16, 0},
	"git-novice/episodes__04-changes.md":                             {42, 59, 67, 0},
	"git-novice/episodes__11-licensing.md":                           {0, 0, 0, 0},
	"labs/developer-tools__java-debugging__NetBeans-README_es.md":    {0, 0, 2, 0},
	"labs/dockercon-us-2017__docker-networking__README.md":           {0, 0, 52, 0},
	"labs/dockercon-us-2017__template.md":                            {0, 0, 0, 0},
	"labs/networking__tutorials.md":                                  {2, 7, 6, 1},
	"labs/security__apparmor__README.md":                             {0, 0, 30, 0},
	"labs/windows__registry__part-4.md":                              {0, 0, 8, 0},
	"shell-novice/episodes__05-loop.md":                              {31, 33, 44, 0},
	// The `bash` fence after `nano do-stats.sh` is that file's content
	// (docs/spec.md §7), not a step.
	"shell-novice/episodes__06-script.md": {32, 35, 47, 0},
}

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../testdata/corpus/*/*.md")
	if len(files) != len(corpusCounts) {
		t.Errorf("%d corpus pages, %d pinned: pin the new ones", len(files), len(corpusCounts))
	}
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), "../testdata/corpus/")
		t.Run(rel, func(t *testing.T) {
			m, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			cmds := 0
			for _, s := range m.Steps {
				cmds += len(s.Commands)
			}
			got := struct{ steps, commands, blocks, problems int }{len(m.Steps), cmds, len(m.Blocks), len(m.Problems)}
			want, ok := corpusCounts[rel]
			if !ok {
				t.Fatalf("not pinned: %+v", got)
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			checkInvariants(t, m)
		})
	}
}

// checkInvariants holds for any module: lines inside the file, ids unique,
// indexes in order, no \r in anything bash or a comparison will see.
func checkInvariants(t *testing.T, m *Module) {
	t.Helper()
	lines := strings.Count(string(m.Source), "\n") + 1
	seen := map[string]bool{}
	for i, s := range m.Steps {
		if s.Index != i+1 {
			t.Errorf("step %s index %d, want %d", s.ID, s.Index, i+1)
		}
		if s.ID == "" || seen[s.ID] {
			t.Errorf("step %d id %q empty or repeated", s.Index, s.ID)
		}
		seen[s.ID] = true
		if s.Line < 1 || s.Line > lines || s.EndLine < s.Line || s.EndLine > lines {
			t.Errorf("step %s lines %d-%d outside 1-%d", s.ID, s.Line, s.EndLine, lines)
		}
		for _, c := range s.Commands {
			if c.Line < s.Line || c.Line > s.EndLine {
				t.Errorf("step %s command %q at line %d outside the step %d-%d", s.ID, c.Text, c.Line, s.Line, s.EndLine)
			}
			if strings.ContainsRune(c.Text, '\r') {
				t.Errorf("step %s command %q holds \\r", s.ID, c.Text)
			}
		}
	}
	for _, b := range m.Blocks {
		if b.Line < 1 || b.Line > lines || b.EndLine < b.Line || b.EndLine > lines {
			t.Errorf("block lines %d-%d outside 1-%d", b.Line, b.EndLine, lines)
		}
	}
}

func TestSeedInvariants(t *testing.T) {
	src, err := os.ReadFile("../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse("module1.md", src)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, m)
}
