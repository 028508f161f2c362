package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A course walked through by a learner (docs/courses.md): the header names
// the module and the step of the course, a banner says which module comes
// next, and after q in module 2 the next run resumes in module 2 with what
// module 1 left in the shell.
func TestRunCourseHeaderAndResumeInModule2(t *testing.T) {
	p := newPlace(t, nil)
	course := filepath.Join(p.dir, "c")
	files := map[string]string{
		"coursectl.yaml": "course:\n  modules: [m1.md, m2.md]\n",
		"m1.md":          "# First module\n\n```sh\nmkdir -p work && cd work\nexport GREETING=hello\n```\n\nThat is all for module one.\n",
		"m2.md":          "# Second module\n\n```sh {name=uses}\necho \"$GREETING from $(basename \"$PWD\")\"\n```\n\n```sh {name=again}\necho again\n```\n",
	}
	if err := os.MkdirAll(course, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(course, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	l := p.start(t, p.env(), "run", "c")
	l.waitFor("Now: module 1/2 · First module (c/m1.md)", 1)
	l.waitFor("Module 1/2 · Step 1/3 · First module", 1)
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("Next: module 2/2 · Second module (c/m2.md)", 1)
	l.waitFor("Module 2/2 · Step 2/3 · Second module", 1)
	l.waitFor(hint, 2)
	l.typeKeys("q")
	l.waitFor("resumes at module 2/2 · step 2/3", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("q exited %d", code)
	}
	if !strings.Contains(l.text(), "That is all for module one.") {
		t.Errorf("the end of module 1 was not shown before module 2:\n%s", l.text())
	}

	l = p.start(t, p.env(), "run", "c")
	l.waitFor("Resuming at module 2/2 · step 2/3 · Second module; step 1 done", 1)
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("hello from work", 1)
	l.waitFor(hint, 2)
	l.typeKeys("q")
	l.wait()
}
