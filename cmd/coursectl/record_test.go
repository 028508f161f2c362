package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// record --after ID runs the steps up to ID first: the recording starts
// with their files and shell state, and is inserted right after ID, in
// the style asked for; the module still passes check.
func TestRecordAfterAStepStartsWithItsState(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# M\n\n## One\n\n```sh\nexport GREETING=hello\necho made > made.txt\n```\n\n## Two\n\n```sh\ntest -f made.txt\n```\n"})
	l := p.start(t, p.env(), "record", "m.md", "--after", "one", "--style", "carpentries")
	l.waitFor("Running the 1 step before the recording", 1)
	l.waitFor("where its steps left off.", 1)
	l.waitFor("(recording) work ", 1)
	l.typeKeys(`echo "$GREETING, $(cat made.txt)"` + "\r")
	l.waitFor("hello, made", 1)
	l.waitFor("(recording) work ", 2)
	l.typeKeys("exit\r")
	l.waitFor("Wrote m.md: 1 step recorded", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("record: exit %d; the terminal shows:\n%s", code, l.text())
	}
	got, err := os.ReadFile(filepath.Join(p.dir, "m.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# M\n\n## One\n\n```sh\nexport GREETING=hello\necho made > made.txt\n```\n\n" +
		"```bash\n$ echo \"$GREETING, $(cat made.txt)\"\n```\n\n```output\nhello, made\n```\n\n" +
		"## Two\n\n```sh\ntest -f made.txt\n```\n"
	if string(got) != want {
		t.Errorf("m.md:\n%s\nwant:\n%s", got, want)
	}
	var out, errb bytes.Buffer
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Width: 80}
	if code := exitCode(Run(context.Background(), []string{"check", "--state", p.state, filepath.Join(p.dir, "m.md")}, streams), streams); code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// docs/authoring.md shows the recorded example as the test records it.
func TestAuthoringDocShowsTheRecordedExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/authoring.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "<!-- recorded-example -->\n````markdown\n")
	sample, _, ok2 := strings.Cut(after, "````\n")
	if !ok || !ok2 {
		t.Fatal("docs/authoring.md has no recorded example (<!-- recorded-example --> then a ````markdown fence)")
	}
	want, err := os.ReadFile(filepath.Join("testdata", "record", "demo.md"))
	if err != nil {
		t.Fatal(err)
	}
	if sample != string(want) {
		t.Errorf("docs/authoring.md's recorded example differs from testdata/record/demo.md:\n%s", sample)
	}
	// The session shown beside it types what the test types.
	for _, line := range []string{"## Make a file", "echo hello > greeting.txt", "ls missing", "vim notes.txt", "cat notes.txt greeting.txt", "date"} {
		if !strings.Contains(string(doc), "(recording) work $ "+line) {
			t.Errorf("the session in docs/authoring.md lacks %q", line)
		}
	}
}

// A recording cut short by a hang-up (the ssh session went away) still
// writes what was recorded, and exits 130; one with nothing in it writes
// nothing.
func TestRecordInterruptedStillWrites(t *testing.T) {
	p := newPlace(t, nil)
	l := p.start(t, p.env(), "record", "cut.md")
	l.waitFor("(recording) work ", 1)
	l.typeKeys("echo kept\r")
	l.waitFor("(recording) work ", 2)
	if err := l.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	l.waitFor("Wrote cut.md: 1 step recorded", 1)
	if code := l.wait(); code != 130 {
		t.Errorf("exit %d after a hang-up, want 130", code)
	}
	got, err := os.ReadFile(filepath.Join(p.dir, "cut.md"))
	if want := "# Cut\n\n```console\n$ echo kept\nkept\n```\n"; err != nil || string(got) != want {
		t.Errorf("cut.md: %q %v, want %q", got, err, want)
	}

	l = p.start(t, p.env(), "record", "empty.md")
	l.waitFor("(recording) work ", 1)
	l.typeKeys("\x04")
	l.waitFor("Nothing recorded: empty.md not written.", 1)
	if code := l.wait(); code != 0 {
		t.Errorf("exit %d with nothing recorded", code)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "empty.md")); err == nil {
		t.Error("empty.md was written")
	}
}
