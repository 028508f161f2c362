package course

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// settingsSeeds are settings as authors write them, and the shapes that
// once went wrong: several bad keys (the first by line must be reported,
// every time), aliases, merge keys, negative timeouts, fake names no shim
// can stand for.
func settingsSeeds(f *testing.F) {
	seeds := []string{
		"timeout: 5m\nfakes:\n  wget: 'touch \"${@: -1}\"'\n  sudo: '\"$@\"'\nenv: {LC_ALL: C.UTF-8}\nsteps:\n  install: {interactive: true, timeout: 2m}\n",
		"timeout: -5s\n",
		"timeout: banana\nfakes: 3\nenv: [1]\n",
		"fakes: {/usr/bin/echo: x, ..: y, \"\": z, cd: w}\n",
		"base: &b {timeout: 1m}\nsteps: {a: *b, <<: *b}\n",
		"<<: {timeout: 1m}\nfakes: &f {a: b}\nenv: *f\n",
		"steps: {x: {ready: '(', mode: '07777', file: '~root/x'}}\n",
		"steps: {x: {interact: [{expect: 'a(', send: 'y'}]}}\n",
		"sections: {'Exercise*': {skip: true}, '[': {skip: true}}\ndivs: {challenge: {skip: true}}\n",
		"setup: |\n  mkdir -p ~/x\nworkdir: ~/x\ncompare: blanks\nnormalize: [{match: 'a+', with: b}]\npipefail: true\n",
		"timout: 1m\nfakse: {}\n",
		"[1, 2]\n",
		"!!binary aGVsbG8=\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("../testdata/coursectl.yaml"); err == nil {
		f.Add(b)
	}
}

// FuzzFrontMatterSettings: any YAML between the --- lines either is
// refused with a *PosError or parses into a module — never a panic — and
// the same input gives the same answer every time (map order must not
// choose which bad key is reported).
//
//	go test ./course -run '^$' -fuzz FuzzFrontMatterSettings -fuzztime 60s
func FuzzFrontMatterSettings(f *testing.F) {
	settingsSeeds(f)
	f.Fuzz(func(t *testing.T, yml []byte) {
		// Under coursectl:, indented, as front matter holds it.
		var nested []byte
		nested = append(nested, "coursectl:\n"...)
		for _, line := range splitKeep(yml) {
			nested = append(append(nested, "  "...), line...)
		}
		for _, body := range [][]byte{yml, nested} {
			src := append(append([]byte("---\n"), body...), "\n---\n# T\n\n```sh\ntrue\n```\n"...)
			m1, err1 := Parse("fuzz.md", src)
			m2, err2 := Parse("fuzz.md", src)
			checkSettingsOutcome(t, err1, err2)
			if err1 == nil {
				// (FuzzParse checks the model's invariants; this target is
				// about the settings reader.)
				if len(m1.Problems) != len(m2.Problems) || (len(m1.Problems) > 0 && m1.Problems[0] != m2.Problems[0]) {
					t.Fatalf("problems differ between two parses: %v / %v", m1.Problems, m2.Problems)
				}
			}
		}
	})
}

// FuzzSidecarSettings: any coursectl.yaml beside a module, read for that
// module, and as a course's coursectl.yaml (course: settings), is refused
// with a *PosError or read, never a panic, the same way every time.
//
//	go test ./course -run '^$' -fuzz FuzzSidecarSettings -fuzztime 60s
func FuzzSidecarSettings(f *testing.F) {
	settingsSeeds(f)
	f.Add([]byte("module.md:\n  timeout: 1m\n  fakes: {curl: 'echo x'}\n"))
	f.Add([]byte("course:\n  modules: [module.md]\n  env: {A: b}\nmodule.md: {timeout: 1m}\n"))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "module.md"), []byte("# M\n\n```sh\ntrue\n```\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// As the entry for module.md, and as the whole file.
		entry := append([]byte("module.md:\n"), indent(data)...)
		for _, doc := range [][]byte{data, entry} {
			_, _, err1 := parseSidecar("coursectl.yaml", doc, "module.md", nil)
			_, _, err2 := parseSidecar("coursectl.yaml", doc, "module.md", nil)
			checkSettingsOutcome(t, err1, err2)
		}
		// As course: settings.
		var top yaml.Node
		if yaml.Unmarshal(append([]byte("course:\n"), indent(data)...), &top) == nil && len(top.Content) > 0 && top.Content[0].Kind == yaml.MappingNode && len(top.Content[0].Content) >= 2 {
			_, _, err1 := courseSettings(top.Content[0].Content[1], "coursectl.yaml", dir)
			_, _, err2 := courseSettings(top.Content[0].Content[1], "coursectl.yaml", dir)
			checkSettingsOutcome(t, err1, err2)
		}
	})
}

func checkSettingsOutcome(t *testing.T, err1, err2 error) {
	t.Helper()
	if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
		t.Fatalf("two reads disagree: %v / %v", err1, err2)
	}
	var pe *PosError
	if err1 != nil && !errors.As(err1, &pe) {
		t.Fatalf("error %T is not a *PosError: %v", err1, err1)
	}
}

func splitKeep(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if i < len(b) {
			i++
		}
		out = append(out, b[:i])
		b = b[i:]
	}
	if len(out) > 0 && out[len(out)-1][len(out[len(out)-1])-1] != '\n' {
		out[len(out)-1] = append(out[len(out)-1], '\n')
	}
	return out
}

func indent(b []byte) []byte {
	var out []byte
	for _, l := range splitKeep(b) {
		out = append(append(out, "  "...), l...)
	}
	return out
}
