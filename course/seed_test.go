package course

import (
	"testing"
)

// TestSeedModule pins what docs/spec.md §1–§2 say about the seed module1.md.
func TestSeedModule(t *testing.T) {
	m, err := Load("../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Steps) != 9 {
		t.Fatalf("got %d steps, want 9", len(m.Steps))
	}
	for _, s := range m.Steps {
		if s.Kind != Script || s.Lang != "sh" {
			t.Errorf("step %s: kind %s lang %q, want script sh", s.ID, s.Kind, s.Lang)
		}
	}
	if m.Steps[0].Line != 21 {
		t.Errorf("first step at line %d, want 21", m.Steps[0].Line)
	}
	nano := m.Step("4-install-docker-compose-4")
	if nano == nil {
		t.Fatalf("no step 4-install-docker-compose-4; ids: %v", ids(m))
	}
	if nano.Line != 53 {
		t.Errorf("nano step at line %d, want 53", nano.Line)
	}
	want := []Command{{Text: "nano .bashrc", Line: 54}, {Text: "source .bashrc", Line: 58}}
	if len(nano.Commands) != len(want) {
		t.Fatalf("nano step commands %+v, want %+v", nano.Commands, want)
	}
	for i := range want {
		if nano.Commands[i].Text != want[i].Text || nano.Commands[i].Line != want[i].Line {
			t.Errorf("command %d = %+v, want %+v", i, nano.Commands[i], want[i])
		}
	}
	if !nano.Prompted {
		t.Error("nano step not prompted")
	}
}

func ids(m *Module) []string {
	var out []string
	for _, s := range m.Steps {
		out = append(out, s.ID)
	}
	return out
}
