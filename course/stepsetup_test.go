package course

import (
	"strings"
	"testing"
)

// A step's own setup (the setup attribute) is a hidden step just before
// it, from whichever level gave it; a skipped step loses it; --from starts
// at it (StartOf).
func TestStepSetups(t *testing.T) {
	yml := "course:\n" +
		"  sections: {\"exercise*\": {setup: cd /tmp}}\n" +
		"a.md:\n" +
		"  divs:\n" +
		"    challenge:\n" +
		"      setup: |\n" +
		"        mkdir -p raw\n" +
		"        touch raw/a.dat\n"
	c := mustCourse(t, yml)
	a := c.Modules[0]
	var got []string
	for _, st := range a.Steps {
		got = append(got, st.ID)
	}
	want := "alpha setup-exercise-1 exercise-1 setup-exercise-1-2 exercise-1-2"
	if strings.Join(got, " ") != want {
		t.Fatalf("steps %v, want %s", got, want)
	}
	sec, div := a.Steps[1], a.Steps[3]
	if !sec.Hidden || sec.Kind != Setup || sec.SetupFor != "exercise-1" || sec.Commands[0].Text != "cd /tmp" ||
		sec.Line != 2 || !strings.HasSuffix(sec.File, "coursectl.yaml") {
		t.Errorf("section setup %+v", sec)
	}
	// The div's rule is nearer than the section's: its setup wins. A block
	// scalar's commands count from the line after `setup: |`.
	if div.SetupFor != "exercise-1-2" || len(div.Commands) != 2 || div.Commands[1].Text != "touch raw/a.dat" || div.Commands[1].Line != 8 {
		t.Errorf("div setup %+v", div)
	}
	for i, st := range a.Steps {
		if st.Index != i+1 {
			t.Errorf("step %s has index %d, want %d", st.ID, st.Index, i+1)
		}
	}
	if a.StartOf(2) != 1 || a.StartOf(4) != 3 || a.StartOf(0) != 0 || a.StartOf(1) != 1 {
		t.Errorf("StartOf: %d %d %d %d", a.StartOf(2), a.StartOf(4), a.StartOf(0), a.StartOf(1))
	}
	// In the course's run too: --from MODULE:ID starts at the setup.
	run := c.Flatten()
	for i, st := range run.Steps {
		if st.ID == "exercise-1" && run.Steps[run.StartOf(i)].ID != "setup-exercise-1" {
			t.Errorf("run.StartOf(%d) = %d", i, run.StartOf(i))
		}
	}

	// skip: the scenario goes with the step.
	c = mustCourse(t, yml+"  steps: {exercise-1: {skip: true}}\n")
	if st := c.Modules[0].Steps[1]; st.ID != "exercise-1" {
		t.Errorf("a skipped step kept its setup: %s", st.ID)
	}
}

// A fence's own {setup=...} counts at the fence's line, in the module.
func TestStepSetupOnFence(t *testing.T) {
	m, err := Parse("m.md", []byte("# M\n\n```sh {setup=\"mkdir -p data\"}\nls data\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Steps) != 2 {
		t.Fatalf("%d steps", len(m.Steps))
	}
	st := m.Steps[0]
	if st.File != "m.md" || st.Line != 3 || st.Commands[0].Text != "mkdir -p data" || st.ID != "setup-m" {
		t.Errorf("fence setup %+v", st)
	}
	if fl := m.Steps[1].Flags(); len(fl) == 0 || fl[0].Name != "setup" {
		t.Errorf("flags %v, want setup first", fl)
	}
	if _, err := Parse("m.md", []byte("# M\n\n```sh {setup=\"\"}\nls\n```\n")); err != nil {
		t.Fatal(err)
	} else if m, _ := Parse("m.md", []byte("# M\n\n```sh {setup=\"\"}\nls\n```\n")); len(m.Problems) == 0 {
		t.Error("an empty setup is not a problem")
	}
}

// file: in steps: is for a plain script fence; on anything else it is a
// problem at its line in coursectl.yaml, which check refuses.
func TestFileFromSettings(t *testing.T) {
	for _, c := range []struct{ md, why string }{
		{"```sh\n$ echo b\n```\n", "`$ ` command lines"},
		{"```console\n$ echo b\nb\n```\n", "transcript block"},
		{"```sh\nnano b.txt\n```\n\n```\nhello\n```\n", "opens an editor"},
		{"```sh {file=b.txt}\nhello\n```\n", "file step already"},
	} {
		side, ok, err := parseSidecar("coursectl.yaml", []byte("m.md:\n  steps:\n    b: {file: x.sh}\n"), "m.md", nil)
		if err != nil || !ok {
			t.Fatal(err)
		}
		m, err := parseLayered("m.md", []byte("# B\n\n"+c.md), nil, &side)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range m.Problems {
			if p.File == "coursectl.yaml" && p.Line == 3 && strings.Contains(p.Message, c.why) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: problems %+v, want one saying %q", c.md, m.Problems, c.why)
		}
	}
}
