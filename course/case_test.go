package course

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/cases/*.txtar")

// TestCases parses each testdata/cases/*.txtar: its module.md (and
// coursectl.yaml, when present) in, the dump of the Module in `want`.
// Run with -update to rewrite the wants after checking the diff by eye.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var src []byte
			var side *Settings
			wantIdx := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "module.md":
					src = f.Data
				case "coursectl.yaml":
					s, ok, err := parseSidecar("coursectl.yaml", f.Data, "module.md", nil)
					if err != nil {
						t.Fatal(err)
					}
					if ok {
						side = &s
					}
				case "want":
					wantIdx = i
				}
			}
			if src == nil {
				t.Fatal("case has no module.md")
			}
			got := dumpOrError("module.md", src, side)
			if *update {
				if wantIdx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantIdx = len(ar.Files) - 1
				}
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantIdx < 0 {
				t.Fatal("case has no want section (run go test -run TestCases -update)")
			}
			if want := string(ar.Files[wantIdx].Data); got != want {
				t.Errorf("dump differs (-want +got):\n%s", lineDiff(want, got))
			}
		})
	}
}

func dumpOrError(path string, src []byte, side *Settings) string {
	m, err := parse(path, src, side)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	return dump(m)
}

// dump writes a Module as stable, readable text for golden files.
func dump(m *Module) string {
	var b bytes.Buffer
	if m.Title != "" {
		fmt.Fprintf(&b, "title %q\n", m.Title)
	}
	if s := m.Settings; s.Timeout != 0 || len(s.Fakes) > 0 || len(s.Env) > 0 || s.Workdir != "" || len(s.Steps) > 0 {
		fmt.Fprintf(&b, "settings timeout=%s workdir=%q fakes=%s env=%s steps=%s\n", s.Timeout, s.Workdir, sortedMap(s.Fakes), sortedMap(s.Env), sortedKeys(s.Steps))
	}
	if a := attrsString(m.Settings.Attrs); a != "" {
		fmt.Fprintf(&b, "settings attrs %s\n", a)
	}
	for _, s := range m.Steps {
		fmt.Fprintf(&b, "step %d %s line=%d-%d kind=%s lang=%q", s.Index, s.ID, s.Line, s.EndLine, s.Kind, s.Lang)
		if s.Prompted {
			b.WriteString(" prompted")
		}
		if s.Hidden {
			b.WriteString(" hidden")
		}
		if s.Unterminated {
			b.WriteString(" unterminated")
		}
		b.WriteByte('\n')
		fmt.Fprintf(&b, "  heading %q\n", strings.Join(s.Heading, " > "))
		if a := attrsString(s.Attrs); a != "" {
			fmt.Fprintf(&b, "  attrs %s\n", a)
		}
		if s.Kind == File {
			fmt.Fprintf(&b, "  body %q\n", s.Body)
		}
		for _, c := range s.Commands {
			fmt.Fprintf(&b, "  cmd %d: %q\n", c.Line, c.Text)
			if c.Want != nil {
				dumpExpected(&b, "    want", c.Want)
			}
		}
		if s.Expected != nil {
			dumpExpected(&b, "  expected", s.Expected)
		}
		if s.Error != nil {
			dumpExpected(&b, "  error", s.Error)
		}
		if e := s.Edit; e != nil {
			content, ok := s.EditContent()
			fmt.Fprintf(&b, "  edit cmd=%d editor=%q file=%q fence=%d-%d", e.Command, e.Editor, e.File, e.FenceLine, e.FenceEnd)
			if ok {
				fmt.Fprintf(&b, " content=%q", content)
			}
			if s.NeedsPerson() {
				b.WriteString(" needs-person")
			}
			b.WriteByte('\n')
		}
		for _, v := range s.Verify {
			fmt.Fprintf(&b, "  verify %d:", v.Line)
			for _, c := range v.Commands {
				fmt.Fprintf(&b, " %d:%q", c.Line, c.Text)
			}
			b.WriteByte('\n')
		}
	}
	var blocks []string
	for _, bl := range m.Blocks {
		d := strconv.Itoa(bl.Line)
		if bl.Content != nil {
			d += "(content of " + bl.Content.ID + ")"
		} else if bl.Step == nil {
			d += "(" + bl.Lang + ")"
			if !bl.Fenced {
				d += "(indented)"
			}
		}
		blocks = append(blocks, d)
	}
	fmt.Fprintf(&b, "blocks %s\n", strings.Join(blocks, " "))
	for _, p := range m.Problems {
		if p.File != "" {
			fmt.Fprintf(&b, "problem %s:%d: %s\n", filepath.Base(p.File), p.Line, p.Message)
			continue
		}
		fmt.Fprintf(&b, "problem %d: %s\n", p.Line, p.Message)
	}
	return b.String()
}

func dumpExpected(b *bytes.Buffer, label string, e *Expected) {
	fmt.Fprintf(b, "%s %d: %q", label, e.Line, e.Lines)
	if e.Exit != nil {
		fmt.Fprintf(b, " exit=%d", *e.Exit)
	}
	if e.FenceLine != 0 {
		fmt.Fprintf(b, " fence=%d-%d", e.FenceLine, e.FenceEnd)
	}
	b.WriteByte('\n')
}

func attrsString(a Attrs) string {
	var f []string
	keys := make([]string, 0, len(a.Raw))
	for k := range a.Raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f = append(f, fmt.Sprintf("%s=%q", k, a.Raw[k]))
	}
	if a.Timeout != 0 {
		f = append(f, "Timeout="+a.Timeout.String())
	}
	if a.Exit != nil {
		f = append(f, "Exit="+strconv.Itoa(*a.Exit))
	}
	if a.ExitAny {
		f = append(f, "ExitAny")
	}
	for _, in := range a.Interact {
		f = append(f, fmt.Sprintf("Interact{%q,%q,%s}", in.Expect, in.Send, in.Timeout))
	}
	if a.Compare != "" {
		f = append(f, "Compare="+a.Compare)
	}
	for _, n := range a.Normalize {
		f = append(f, fmt.Sprintf("Normalize{%q,%q}", n.Match, n.With))
	}
	if a.Pipefail != nil {
		f = append(f, fmt.Sprintf("Pipefail=%v", *a.Pipefail))
	}
	if a.Content != nil {
		f = append(f, fmt.Sprintf("Content=%q", *a.Content))
	}
	return strings.Join(f, " ")
}

func sortedMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var f []string
	for _, k := range keys {
		f = append(f, fmt.Sprintf("%s:%q", k, m[k]))
	}
	return "{" + strings.Join(f, ",") + "}"
}

func sortedKeys(m map[string]Attrs) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "[" + strings.Join(keys, ",") + "]"
}

// lineDiff shows the differing lines of two dumps.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  -%s\n  +%s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
