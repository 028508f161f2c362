package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/iostreams"
)

// The README's `coursectl list` sample is what the command prints, line for
// line: a reader compares it with their own terminal. Regenerate it with
// `go run ./cmd/coursectl list testdata/module1.md` from the repo root.
func TestReadmeListSample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ coursectl list testdata/module1.md\n"
	_, after, ok := strings.Cut(string(readme), prompt)
	if !ok {
		t.Fatalf("README has no %q sample", strings.TrimSpace(prompt))
	}
	var sample strings.Builder
	for _, line := range strings.SplitAfter(after, "\n") {
		if strings.HasPrefix(line, "$ ") || strings.HasPrefix(line, "```") {
			break
		}
		sample.WriteString(line)
	}
	var out, errb bytes.Buffer
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Width: 80}
	if err := Run(context.Background(), []string{"list", "../../testdata/module1.md"}, streams); err != nil {
		t.Fatalf("list: %v\n%s", err, errb.String())
	}
	if sample.String() != out.String() {
		t.Errorf("README's list sample differs from the real output:\n%s\nreal:\n%s", sample.String(), out.String())
	}
}

// Every `$ coursectl lint …` sample in docs/lint.md is what the command
// prints (stdout, then the stderr summary, as a terminal shows them): the
// seed in the repository, where testdata/coursectl.yaml answers the nano step,
// and the same markdown alone, where it does not. A sample that is the head of
// a longer output (--json) must be a prefix of it. The samples run in a copy of
// the layout they describe, so the test does not depend on the package's cwd.
func TestLintDocSamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/lint.md")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("../../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	settings, err := os.ReadFile("../../testdata/coursectl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"testdata/module1.md":     seed,
		"testdata/coursectl.yaml": settings,
		"alone/module1.md":        seed,
	} {
		if err := os.MkdirAll(dir+"/"+name[:strings.LastIndex(name, "/")], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+"/"+name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	type sample struct{ cmd, want string }
	var samples []sample
	inConsole := false
	for _, line := range strings.SplitAfter(string(doc), "\n") {
		switch {
		case strings.HasPrefix(line, "```console"):
			inConsole = true
		case strings.HasPrefix(line, "```"):
			inConsole = false
		case !inConsole:
		case strings.HasPrefix(line, "$ coursectl lint"):
			samples = append(samples, sample{cmd: strings.TrimSpace(line[2:])})
		case strings.HasPrefix(line, "$ "):
			// Setup the test has already done (mkdir alone && cp …).
		case len(samples) > 0:
			samples[len(samples)-1].want += line
		}
	}
	if len(samples) < 3 {
		t.Fatalf("docs/lint.md has %d `$ coursectl lint` samples, want the seed with and without coursectl.yaml and --json", len(samples))
	}
	var sawNano, sawNoNano bool
	for _, s := range samples {
		var out, errb bytes.Buffer
		streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Width: 80}
		// The --json sample is what a person at a terminal sees: indented
		// (piped, it is one line).
		streams.OutTTY = strings.Contains(s.cmd, "--json")
		_ = Run(context.Background(), strings.Fields(s.cmd)[1:], streams) // lint exits 1 on errors
		got := out.String() + errb.String()
		if strings.Contains(s.cmd, "--json") {
			if !strings.HasPrefix(got, s.want) {
				t.Errorf("docs/lint.md: %s: the sample is not the head of the real output:\n%s\nreal:\n%s", s.cmd, s.want, got)
			}
			continue
		}
		if got != s.want {
			t.Errorf("docs/lint.md: %s: the sample differs from the real output:\n%s\nreal:\n%s", s.cmd, s.want, got)
		}
		if strings.Contains(got, ":54: warning: step 4-install-docker-compose-4: nano") {
			sawNano = true
		} else {
			sawNoNano = true
		}
	}
	if !sawNano || !sawNoNano {
		t.Errorf("docs/lint.md should show the seed both with its coursectl.yaml (no nano finding) and alone (the nano warning); nano shown=%v, not shown=%v", sawNano, sawNoNano)
	}
}
