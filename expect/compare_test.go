package expect

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
	"github.com/rogpeppe/go-internal/txtar"
)

var updateGolden = flag.Bool("update", false, "rewrite the result sections of testdata/compare/*.txtar")

// TestCompareGolden runs each testdata/compare/*.txtar: an `output` or
// `error` fence's lines as a real page writes them (shell-novice, the file and line named in the case's
// comment), what the command really prints on Linux, and how they are
// compared (docs/spec.md §7); `result` is `ok` or the diff a reader is shown.
// -update rewrites the results, to be checked by eye.
//
// The `case` section: `mode: exact|blanks|none`, `fence: output|error`,
// `exit: N` (the step's status), `normalize: MATCH => WITH` (repeatable),
// `HOME=...`, `PWD=...`, `USER=...`.
func TestCompareGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/compare/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]int{}
			for i, f := range ar.Files {
				sections[f.Name] = i
			}
			for _, need := range []string{"case", "want", "got"} {
				if _, ok := sections[need]; !ok {
					t.Fatalf("no %s section", need)
				}
			}
			mode, fence, exit := course.CompareBlanks, "output", 0
			var norm []course.Normalize
			vars := map[string]string{}
			for _, l := range strings.Split(string(ar.Files[sections["case"]].Data), "\n") {
				k, v, _ := strings.Cut(strings.TrimSpace(l), ":")
				v = strings.TrimSpace(v)
				switch {
				case l == "":
				case k == "mode":
					mode = v
				case k == "fence":
					fence = v
				case k == "exit":
					exit, _ = strconv.Atoi(v)
				case k == "normalize":
					m, w, _ := strings.Cut(v, " => ")
					norm = append(norm, course.Normalize{Match: m, With: w})
				case strings.Contains(l, "="):
					name, val, _ := strings.Cut(l, "=")
					vars[name] = val
				default:
					t.Fatalf("case: bad line %q", l)
				}
			}
			cmp, err := NewComparison(mode, norm, vars)
			if err != nil {
				t.Fatal(err)
			}
			// The want lines go through the parser, in the fence a page
			// writes after its step.
			page := "```bash\n$ cmd\n```\n\n```" + fence + "\n" + string(ar.Files[sections["want"]].Data) + "```\n"
			mod, err := course.Parse("page.md", []byte(page))
			if err != nil || len(mod.Steps) != 1 {
				t.Fatalf("parse: %v %+v", err, mod)
			}
			want := mod.Steps[0].Expected
			if fence == "error" {
				want = mod.Steps[0].Error
			}
			if want == nil {
				t.Fatalf("no %s fence after the step", fence)
			}
			got := string(ar.Files[sections["got"]].Data)
			var res string
			switch fence {
			case "output":
				m, err := cmp.Compare("page.md", want, got, exit)
				if err != nil {
					t.Fatal(err)
				}
				res = "ok\n"
				if !m.OK {
					res = m.Diff
				}
			case "error":
				res = cmp.ErrorLines("page.md", want, got)
				if res == "" {
					res = "ok\n"
				}
			default:
				t.Fatalf("fence %q", fence)
			}
			i, ok := sections["result"]
			if *updateGolden {
				if !ok {
					ar.Files = append(ar.Files, txtar.File{Name: "result"})
					i = len(ar.Files) - 1
				}
				ar.Files[i].Data = []byte(res)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !ok {
				t.Fatal("no result section (go test -run TestCompareGolden -update)")
			}
			if w := string(ar.Files[i].Data); w != res {
				t.Errorf("result differs:\n--- want\n%s--- got\n%s", w, res)
			}
		})
	}
}
