package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

func fileStep(path, body string, attrs course.Attrs) *course.Step {
	attrs.File = path
	return &course.Step{ID: "f", Line: 12, Kind: course.File, Body: body, Attrs: attrs}
}

func sandbox(t *testing.T) FilePlace {
	root := t.TempDir()
	p := FilePlace{Workdir: filepath.Join(root, "work"), Home: filepath.Join(root, "home"), Confine: true}
	p.Dir = filepath.Join(p.Workdir, "sub")
	for _, d := range []string{p.Dir, p.Home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileStep(t *testing.T) {
	place := sandbox(t)

	// Relative to where the shell stands, parents created.
	got, err := WriteFileStep("m.md", fileStep("app/main.py", "print(1)\n", course.Attrs{}), place)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(place.Dir, "app", "main.py"); got != want {
		t.Errorf("wrote %s, want %s", got, want)
	}
	if s := readFile(t, got); s != "print(1)\n" {
		t.Errorf("content %q", s)
	}

	// Written again: replaced, not appended.
	if _, err := WriteFileStep("m.md", fileStep("app/main.py", "print(2)\n", course.Attrs{}), place); err != nil {
		t.Fatal(err)
	}
	if s := readFile(t, got); s != "print(2)\n" {
		t.Errorf("after rewrite %q", s)
	}

	// ~ is HOME; append adds.
	rc := filepath.Join(place.Home, ".bashrc")
	if err := os.WriteFile(rc, []byte("# skel\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFileStep("m.md", fileStep("~/.bashrc", "export A=1\n", course.Attrs{Append: true}), place); err != nil {
		t.Fatal(err)
	}
	if s := readFile(t, rc); s != "# skel\nexport A=1\n" {
		t.Errorf(".bashrc = %q", s)
	}

	// mode applies exactly, even to an existing file and past the umask.
	script, err := WriteFileStep("m.md", fileStep("run.sh", "#!/bin/sh\n", course.Attrs{Mode: "0755"}), place)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(script); fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if _, err := WriteFileStep("m.md", fileStep("run.sh", "#!/bin/sh\n", course.Attrs{Mode: "0700"}), place); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(script); fi.Mode().Perm() != 0o700 {
		t.Errorf("mode after rewrite %v", fi.Mode().Perm())
	}

	// An absolute path inside the workdir is fine.
	if _, err := WriteFileStep("m.md", fileStep(filepath.Join(place.Workdir, "abs.txt"), "x", course.Attrs{}), place); err != nil {
		t.Error(err)
	}
}

func TestWriteFileStepRefused(t *testing.T) {
	place := sandbox(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(place.Dir, "escape")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, mode, want string
	}{
		{"/etc/coursectl-test", "", "outside the sandbox"},
		{"../../../elsewhere.txt", "", "outside the sandbox"},
		{"escape/through-a-link.txt", "", "outside the sandbox"},
		{"~root/x", "", "not ~user"},
		{"", "", "empty path"},
		{"ok.txt", "rwx", "not a file mode"},
		{"ok.txt", "01777", "not a file mode"},
		{"dir/", "", "names a directory"},
	}
	for _, tt := range tests {
		_, err := WriteFileStep("m.md", fileStep(tt.path, "x", course.Attrs{Mode: tt.mode}), place)
		var pe *course.PosError
		if !errors.As(err, &pe) || pe.Line != 12 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("file=%q mode=%q: err = %v; want m.md:12: ...%s", tt.path, tt.mode, err, tt.want)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("something was written outside: %v", entries)
	}
}

// Without confinement (run: the learner's own machine) any path goes.
func TestWriteFileStepUnconfined(t *testing.T) {
	place := sandbox(t)
	place.Confine = false
	target := filepath.Join(t.TempDir(), "free.txt")
	if _, err := WriteFileStep("m.md", fileStep(target, "x", course.Attrs{}), place); err != nil {
		t.Fatal(err)
	}
	if readFile(t, target) != "x" {
		t.Error("not written")
	}
}
