package course

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A module of a course loaded alone has the course's settings; the course
// is parsed once for many of its modules, and again when a file of it
// changes (watch reloads on every save).
func TestLoadModuleOfCourse(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		// A later write must change the stamp even within the clock's tick.
		later := time.Now().Add(time.Duration(len(body)) * time.Second)
		_ = os.Chtimes(p, later, later)
	}
	write("coursectl.yaml", "course:\n  modules: [a.md, b.md]\n  fakes: {wget: 'true'}\n")
	write("a.md", "# A\n\n```sh\necho a\n```\n")
	write("b.md", "# B\n\n```sh\nwget x\n```\n")

	b, err := Load(filepath.Join(dir, "b.md"))
	if err != nil {
		t.Fatal(err)
	}
	if b.AloneIn == nil || b.Settings.Fakes["wget"] != "true" {
		t.Fatalf("b.md alone: course %v, fakes %v", b.AloneIn, b.Settings.Fakes)
	}
	a, err := Load(filepath.Join(dir, "a.md"))
	if err != nil {
		t.Fatal(err)
	}
	if a.AloneIn != b.AloneIn {
		t.Error("the course was parsed again for its second module")
	}
	// The steps are the run's own: changing them leaves the course's.
	b.Steps[0].Attrs.Skip = true
	if again, _ := Load(filepath.Join(dir, "b.md")); again.Steps[0].Attrs.Skip {
		t.Error("a module alone shares its steps with the cached course")
	}

	write("coursectl.yaml", "course:\n  modules: [a.md, b.md]\n  fakes: {wget: 'echo changed'}\n")
	b, err = Load(filepath.Join(dir, "b.md"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Settings.Fakes["wget"] != "echo changed" {
		t.Errorf("after the course's yaml changed: fakes %v", b.Settings.Fakes)
	}
}
