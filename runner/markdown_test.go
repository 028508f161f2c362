package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
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
	if r.Status != Failed || r.FailLine != 8 || !strings.HasPrefix(r.FailCommand, "ls \\") {
		t.Fatalf("%s line %d cmd %q: %s", r.Status, r.FailLine, r.FailCommand, r.Error)
	}
	if !strings.Contains(r.Error, "lesson.md:8): `ls /no/such/dir` failed with exit status 2") {
		t.Errorf("error: %s", r.Error)
	}
	if strings.Contains(r.Output, "never") || !strings.Contains(r.Output, "one\n") {
		t.Errorf("output %q", r.Output)
	}
}
