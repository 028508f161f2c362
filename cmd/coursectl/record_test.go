package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/iostreams"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// An author records a session of five commands — one failing on purpose,
// a vim edit, one printing the date — with a heading, prose and empty
// Enters between; Ctrl-D writes the module. It equals the golden file (the
// date generalised, the edit an editor step with the file's content) and
// check passes it straight away, in a fresh sandbox.
func TestRecordASessionThenCheckIt(t *testing.T) {
	if _, err := exec.LookPath("vim"); err != nil {
		t.Skip("no vim")
	}
	p := newPlace(t, nil)
	l := p.start(t, p.env("EDITOR=vim"), "record", "demo.md")
	const prompt = "(recording) work "
	l.waitFor("Ctrl-D or exit writes the file", 1)
	prompts := 1
	enter := func(line string) {
		t.Helper()
		l.waitFor(prompt, prompts)
		l.typeKeys(line + "\r")
		prompts++
	}
	enter("## Make a file")
	enter("# We write a greeting, and a file that is not there fails.")
	enter("echo hello > greeting.txt")
	enter("ls missing")
	enter("")
	enter("## Take notes")
	enter("vim notes.txt")
	l.waitFor("[New]", 1)
	l.typeKeys("ifirst line\rsecond line\x1b")
	l.waitFor("second line", 1)
	l.typeKeys(":wq\r")
	enter("cat notes.txt greeting.txt")
	enter("")
	enter("## When")
	enter("date")
	l.waitFor(prompt, prompts)
	l.typeKeys("\x04") // Ctrl-D
	l.waitFor("Wrote demo.md: 4 steps recorded", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("record: exit %d; the terminal shows:\n%s", code, l.text())
	}

	got, err := os.ReadFile(filepath.Join(p.dir, "demo.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "record", "demo.md")
	if *updateGolden {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("demo.md differs from %s (go test ./cmd/coursectl -run TestRecord -update rewrites it):\n%s", golden, got)
	}

	var out, errb bytes.Buffer
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Width: 80}
	args := []string{"check", "--state", p.state, "--timeout", "1m", "--idle-timeout", "5s", filepath.Join(p.dir, "demo.md")}
	if code := exitCode(Run(context.Background(), args, streams), streams); code != 0 {
		t.Errorf("check of the recorded module: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
