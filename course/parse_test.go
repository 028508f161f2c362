package course

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLineEndings: CRLF, a BOM and mixed endings give the same steps and
// lines as LF, and no command, body or expected line keeps a \r.
func TestLineEndings(t *testing.T) {
	lf := "# T\n\n```sh\necho a \\\n  b\n```\n\n```console\n$ echo x\nx\n[1]\n```\n\n```bash\n$ nano f\nshown\n$ cat f\n```\n```output\nout\n```\n"
	cases := map[string]string{
		"lf":               lf,
		"crlf":             strings.ReplaceAll(lf, "\n", "\r\n"),
		"bom":              "\ufeff" + strings.ReplaceAll(lf, "\n", "\r\n"),
		"mixed":            strings.Replace(strings.ReplaceAll(lf, "\n", "\r\n"), "\r\n", "\n", 5),
		"no-final-newline": strings.TrimSuffix(lf, "\n"),
	}
	want, err := Parse("lf.md", []byte(lf))
	if err != nil {
		t.Fatal(err)
	}
	wantDump := dump(want)
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := Parse(name+".md", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(m); got != wantDump {
				t.Errorf("dump differs from LF:\n%s", lineDiff(wantDump, got))
			}
			if strings.HasPrefix(string(m.Source), "\ufeff") {
				t.Error("Source keeps the BOM")
			}
			for _, s := range m.Steps {
				if strings.Contains(s.Body, "\r") {
					t.Errorf("step %s body holds \\r", s.ID)
				}
				for _, c := range s.Commands {
					if strings.Contains(c.Text, "\r") {
						t.Errorf("step %s command %q holds \\r", s.ID, c.Text)
					}
					if c.Want != nil {
						for _, l := range c.Want.Lines {
							if strings.Contains(l, "\r") {
								t.Errorf("step %s want %q holds \\r", s.ID, l)
							}
						}
					}
				}
				if s.Expected != nil {
					for _, l := range s.Expected.Lines {
						if strings.Contains(l, "\r") {
							t.Errorf("step %s expected %q holds \\r", s.ID, l)
						}
					}
				}
			}
		})
	}
}

// TestBadInput: binary and non-UTF-8 files are a PosError naming the file
// and the line, wrapping ErrNotText.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
	}{
		{"nul", "# ok\n\nsome\x00binary", 3},
		{"latin1", "# caf\xe9\n", 1},
		{"cp1252-later", "# T\n\nline\n\x93quoted\x94\n", 4},
		{"utf16", "\xff\xfe#\x00 \x00T\x00", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.md", []byte(c.src))
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PosError", err)
			}
			if pe.File != "bad.md" || pe.Line != c.line {
				t.Errorf("error at %s:%d, want bad.md:%d (%v)", pe.File, pe.Line, c.line, err)
			}
			if !errors.Is(err, ErrNotText) {
				t.Errorf("err %v does not wrap ErrNotText", err)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing.md")); err == nil || !strings.Contains(err.Error(), "missing.md: no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	// A broken coursectl.yaml is an error naming it.
	md := filepath.Join(dir, "m.md")
	os.WriteFile(md, []byte("# M\n```sh\necho\n```\n"), 0o644)
	os.WriteFile(filepath.Join(dir, SidecarName), []byte("m.md:\n  timeout: [\n"), 0o644)
	_, err := Load(md)
	var pe *PosError
	if !errors.As(err, &pe) || !strings.HasSuffix(pe.File, SidecarName) {
		t.Errorf("broken sidecar: %v", err)
	}
	os.WriteFile(filepath.Join(dir, SidecarName), []byte("m.md:\n  timeout: 3m\n  steps:\n    m:\n      skip: true\n"), 0o644)
	m, err := Load(md)
	if err != nil {
		t.Fatal(err)
	}
	if m.Settings.Timeout.String() != "3m0s" || !m.Steps[0].Attrs.Skip {
		t.Errorf("sidecar not applied: %+v %+v", m.Settings, m.Steps[0].Attrs)
	}
}

// TestShellComplete pins where one command ends, as bash would see it.
func TestShellComplete(t *testing.T) {
	cases := []struct {
		lines    []string
		complete bool
	}{
		{[]string{"echo hi"}, true},
		{[]string{"echo 'it''s'"}, true},
		{[]string{"echo \"a"}, false},
		{[]string{"echo \"a", "b\""}, true},
		{[]string{"echo a \\"}, false},
		{[]string{"echo a \\\\"}, true},
		{[]string{"ls |"}, false},
		{[]string{"make &&"}, false},
		{[]string{"cat <<EOF"}, false},
		{[]string{"cat <<EOF", "x", "EOF"}, true},
		{[]string{"cat <<-EOF", "\tx", "\tEOF"}, true},
		{[]string{"cat <<< 'here string'"}, true},
		{[]string{"for i in 1 2; do"}, false},
		{[]string{"for i in 1 2; do", "echo $i", "done"}, true},
		{[]string{"echo done"}, true},
		{[]string{"echo for if"}, true},
		{[]string{"if true; then"}, false},
		{[]string{"while read l; do echo $l; done < f"}, true},
		{[]string{"x=$(date"}, false},
		{[]string{"x=$(date)"}, true},
		{[]string{"echo ${HOME}"}, true},
		{[]string{"f() {"}, false},
		{[]string{"f() {", "  :", "}"}, true},
		{[]string{"case $a in", "x) echo ;;", "esac"}, true},
		{[]string{"echo # it's a comment"}, true},
		{[]string{"echo a#b 'c"}, false},
		{[]string{"(cd /tmp"}, false},
		{[]string{"(cd /tmp; ls)"}, true},
		{[]string{"echo `date"}, false},
	}
	for _, c := range cases {
		var s shellState
		for _, l := range c.lines {
			s.feed(l)
		}
		if got := s.complete(); got != c.complete {
			t.Errorf("%q: complete = %v, want %v", c.lines, got, c.complete)
		}
	}
}

func TestAttrText(t *testing.T) {
	cases := []struct {
		in   string
		want string // attrsString
		bad  int    // problems
	}{
		{`name=x timeout=2m exit=1 skip`, `exit="1" name="x" skip="" timeout="2m" Timeout=2m0s Exit=1`, 0},
		{`name="a b" ready='up and running'`, `name="a b" ready="up and running"`, 0},
		{`"name":"x","interactive":"false"`, `interactive="false" name="x"`, 0},
		{`"name":"x","timeout":"1s","exit":2`, `exit="2" name="x" timeout="1s" Timeout=1s Exit=2`, 0},
		{`name="unclosed`, ``, 1},
		{`exit=any`, `exit="any" ExitAny`, 0},
		{`exit=256`, `exit="256"`, 1},
		{`skip=maybe`, `skip="maybe"`, 1},
		{`.class #id`, `class="" id=""`, 0},
		{`name=a, skip`, `name="a" skip=""`, 0},
	}
	for _, c := range cases {
		var a Attrs
		probs := parseAttrText(&a, c.in, 1)
		if got := attrsString(a); got != c.want || len(probs) != c.bad {
			t.Errorf("%s: got %s (%d problems %v), want %s (%d)", c.in, got, len(probs), probs, c.want, c.bad)
		}
	}
}

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"4. Install Docker Compose":                "4-install-docker-compose",
		"[Optional] Run Docker without sudo":       "optional-run-docker-without-sudo",
		"Setup & Install!":                         "setup--install",
		"  Trim me  ":                              "trim-me",
		"Überschrift_mit Unterstrich":              "überschrift_mit-unterstrich",
		"ðŸ“‹ Module 1: Intro & Environment Setup": "ðÿ-module-1-intro--environment-setup",
	}
	for in, want := range cases {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// A YAML error in coursectl.yaml or front matter names the file and the
// line yaml.v3 found it at, as FILE:LINE (docs/spec.md §4), not "yaml: line N".
func TestSettingsYAMLErrorLines(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "m.md")
	if err := os.WriteFile(mod, []byte("# M\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	side := filepath.Join(dir, "coursectl.yaml")
	if err := os.WriteFile(side, []byte("m.md:\n  timeout: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(mod)
	if err == nil || !strings.HasPrefix(err.Error(), side+":2: ") || strings.Contains(err.Error(), "yaml: line") {
		t.Errorf("coursectl.yaml error = %v", err)
	}
	_, err = Parse("fm.md", []byte("---\ntitle: x\ncoursectl:\n  timeout: [\n---\n# M\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "fm.md:4: front matter: ") || strings.Contains(err.Error(), "yaml: line") {
		t.Errorf("front matter error = %v", err)
	}
}

// A bad step setting in coursectl.yaml is reported at its own line — the
// attribute's, else the step id's — not at the `steps:` above them.
func TestStepSettingErrorLines(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "m.md")
	if err := os.WriteFile(mod, []byte("# M\n\n## a\n\n```sh\ntrue\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	side := filepath.Join(dir, "coursectl.yaml")
	for _, tc := range []struct{ yaml, want string }{
		{"# c\nm.md:\n  timeout: 5m\n  steps:\n    a:\n      skip: true\n      skp: true\n", ":7: steps.a: unknown attribute \"skp\""},
		{"m.md:\n  steps:\n    a:\n      timeout: 5s\n      exit: many\n", ":5: steps.a: attribute exit=\"many\""},
		{"m.md:\n  steps:\n    x: 1\n    a: 5\n", ":3: steps.x: want a mapping"},
		{"m.md:\n  steps:\n    a:\n      timeout: 5s\n      append: true\n", ":5: steps.a: append adds"},
		{"m.md:\n  steps:\n    a:\n      timeout: 5s\n      content: hello\n", ":5: steps: a: content is for a step that opens an editor"},
		{"m.md:\n  steps:\n    a:\n      name: b\n", ":4: steps.a: name renames nothing here"},
	} {
		if err := os.WriteFile(side, []byte(tc.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(mod)
		if err == nil && len(m.Problems) > 0 {
			// Reported by check and lint, not by the load.
			p := m.Problems[0]
			err = fmt.Errorf("%s:%d: %s", p.File, p.Line, p.Message)
		}
		if err == nil || !strings.HasPrefix(err.Error(), side+tc.want) {
			t.Errorf("%q: error = %v, want %s%s", tc.yaml, err, side, tc.want)
		}
	}
}
