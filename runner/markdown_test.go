package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

func parse(t *testing.T, src string) *course.Module {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lesson.md")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, err := course.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

// The failing command is reported at its markdown line, through prompts,
// continuation lines and text lines that are not commands.
func TestFailingLineMapsToMarkdown(t *testing.T) {
	mod := parse(t, "# Lesson\n\n## Setup\n\n"+ // lines 1-4
		"```sh\n"+ // 5
		"$ echo one\n"+ // 6
		"this line is prose in a prompted block\n"+ // 7
		"$ ls \\\n"+ // 8
		"    /no/such/dir\n"+ // 9
		"$ echo never\n"+ // 10
		"```\n")
	res, err := RunModule(ctxT(t), mod, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Steps[0]
	if r.Status != result.Failed || r.FailLine != 8 || !strings.HasPrefix(r.FailCommand, "ls \\") {
		t.Fatalf("%s line %d cmd %q: %s", r.Status, r.FailLine, r.FailCommand, r.Error)
	}
	if !strings.Contains(r.Error, "lesson.md:8): `ls /no/such/dir` failed with exit status 2") {
		t.Errorf("error: %s", r.Error)
	}
	if strings.Contains(r.Output, "never") || !strings.Contains(r.Output, "one\n") {
		t.Errorf("output %q", r.Output)
	}
}

// A syntax error in a step is reported at its markdown line, in bash's words,
// and the output names the course's file, never the runner's temp file.
func TestSyntaxErrorMapsToMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		line            int
	}{
		{"end of file", "# Syn\n\n## A\n```sh\necho start\nif true; then\n  echo x\n```\n", // the if never ends: the fence, line 8
			"syntax error: unexpected end of file", 8},
		{"token", "# Syn\n\n## A\n```sh\necho start\nfor x in 1 2; do\n  echo $x )\ndone\n```\n",
			"syntax error near unexpected token `)'", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := parse(t, tc.src)
			res, err := RunModule(ctxT(t), mod, testOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			r := res.Steps[0]
			where := fmt.Sprintf("(%s:%d): %s", mod.Path, tc.line, tc.want)
			if r.Status != result.Failed || r.FailLine != tc.line || !strings.Contains(r.Error, where) {
				t.Fatalf("%s line %d: %s\nwant %q", r.Status, r.FailLine, r.Error, where)
			}
			if strings.Contains(r.Output, "step.sh") || strings.Contains(r.Output, "coursectl-run") ||
				!strings.Contains(r.Output, fmt.Sprintf("%s: line %d: %s", mod.Path, tc.line, tc.want)) {
				t.Errorf("output:\n%s", r.Output)
			}
		})
	}
}
