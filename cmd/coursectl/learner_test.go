package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The learner's machine: what a person meets running `coursectl run` on a
// module as the README says to. pty tests, as in walkthrough_test.go.

// A console transcript step runs in `run` as in check: with a person at
// the terminal there is no step timeout, which is no limit at all, not one
// already past.
func TestRunTranscriptStepPasses(t *testing.T) {
	p := newPlace(t, map[string]string{"t1.md": "# T\n\n```console\n$ echo hi\nhi\n```\n"})
	l := p.start(t, p.env(), "run", "t1.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("t1.md: all 1 step done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, l.text())
	}
	if got := l.text(); !strings.Contains(got, "✓ passed") || strings.Contains(got, "timed out") {
		t.Errorf("the transcript step did not pass:\n%s", got)
	}

	// --yes, the same.
	p = newPlace(t, map[string]string{"t1.md": "# T\n\n```console\n$ echo hi\nhi\n```\n"})
	l = p.start(t, p.env(), "run", "--yes", "t1.md")
	l.waitFor("t1.md: all 1 step done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("--yes: exit %d, want 0:\n%s", code, l.text())
	}
}

// A module's `timeout:` is a CI machine's limit: it never cuts off a learner
// in run. `run-timeout:` is run's, and a step's own timeout applies in both.
func TestRunIgnoresTheCITimeout(t *testing.T) {
	const module = "# T\n\n## Slow\n\n```sh\nsleep 2; echo slow-done\n```\n"
	p := newPlace(t, map[string]string{"m.md": module, "coursectl.yaml": "m.md:\n  timeout: 1s\n"})
	l := p.start(t, p.env(), "run", "--yes", "m.md")
	l.waitFor("m.md: all 1 step done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("timeout: 1s cut the learner off: exit %d:\n%s", code, l.text())
	}

	p = newPlace(t, map[string]string{"m.md": module, "coursectl.yaml": "m.md:\n  timeout: 10m\n  run-timeout: 1s\n"})
	l = p.start(t, p.env(), "run", "--yes", "m.md")
	l.waitFor("timed out after 1s", 1)
	if code := l.wait(); code != 1 {
		t.Fatalf("run-timeout: 1s: exit %d, want 1:\n%s", code, l.text())
	}

	p = newPlace(t, map[string]string{"m.md": "# T\n\n## Slow\n\n```sh {timeout=1s}\nsleep 2; echo slow-done\n```\n"})
	l = p.start(t, p.env(), "run", "--yes", "m.md")
	l.waitFor("timed out after 1s", 1)
	if code := l.wait(); code != 1 {
		t.Fatalf("the step's own timeout=1s: exit %d, want 1:\n%s", code, l.text())
	}
}

// A skipped step is skipped, not done: only passed steps count as done, in
// the walkthrough's words, in status, and in the next run's, after the
// skip was made in an earlier run.
func TestRunSkippedIsNotDone(t *testing.T) {
	const module = "# S\n\n## One\n\n```sh\necho one\n```\n\n## Two\n\n```sh\nfalse\n```\n\n" +
		"## Three\n\n```sh\necho three\n```\n\n## Four\n\n```sh\necho fo''ur-ran\n```\n\n## Five\n\n```sh\necho five\n```\n"
	p := newPlace(t, map[string]string{"m.md": module})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("s") // skip one
	l.waitFor(hint, 2)
	l.typeKeys("\r") // two fails...
	l.waitFor("r retry", 1)
	l.typeKeys("s") // ...and is skipped
	l.waitFor(hint, 3)
	l.typeKeys("s") // skip three
	l.waitFor(hint, 4)
	l.typeKeys("\r") // four passes
	l.waitFor("four-ran", 1)
	l.waitFor(hint, 5)
	l.typeKeys("q")
	l.waitFor("Progress kept: 1/5 steps done, 3 skipped.", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("q: exit %d, want 0:\n%s", code, l.text())
	}
	st := p.status(t, "m.md")
	for _, want := range []string{"m.md: 1/5 steps done, 3 skipped", "skipped", "✓  4  four"} {
		if !strings.Contains(st, want) {
			t.Errorf("status lacks %q:\n%s", want, st)
		}
	}

	// The next run resumes at five and says what was skipped; after it,
	// the earlier skips are still skips.
	l = p.start(t, p.env(), "run", "m.md")
	l.waitFor("Resuming at step 5/5 · Five; 1 step done, 3 skipped, on ", 1)
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("m.md: 2/5 steps done, 3 skipped", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, l.text())
	}
	st = p.status(t, "m.md")
	if !strings.Contains(st, "m.md: 2/5 steps done, 3 skipped") || strings.Count(st, "skipped ") < 3 {
		t.Errorf("after the second run, status:\n%s", st)
	}
	// The page of the last run shows the skips as skips, not passes.
	cmd := exec.Command(os.Args[0], "render", "--html", "-o", "-", "m.md")
	cmd.Dir, cmd.Env = p.dir, p.env()
	page, err := cmd.Output()
	if err != nil {
		t.Fatalf("render --html: %v", err)
	}
	for _, id := range []string{"one", "two", "three"} {
		if want := `<section class="step skipped" id="step-` + id + `">`; !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if want := `<section class="step passed" id="step-four">`; !strings.Contains(string(page), want) {
		t.Errorf("the page lacks %s", want)
	}
}

// The step's frame and its failure do not give two numbers for one thing:
// the frame spans the step's lines, the failure names the failing command's
// line, which is inside that span.
func TestRunFailureLineIsInsideTheFrame(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# F\n\n## A\n\n```sh\necho one\nfalse\necho two\n```\n"})
	l := p.start(t, p.env(), "run", "--yes", "m.md")
	l.waitFor("✗ failed (exit 1)", 1)
	if code := l.wait(); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	got := l.text()
	for _, want := range []string{"sh · lines 5–9 ─", "(m.md:7): `false` failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("the screen lacks %q:\n%s", want, got)
		}
	}
}

// run --sandbox tries a module without touching the machine: a fresh HOME
// and working directory, the module's fakes in place of the real commands,
// and progress apart from the learner's own.
func TestRunSandboxTouchesNothing(t *testing.T) {
	module := "# S\n\n## Try\n\n```sh\ntouch made-here \"$HOME/home-file\"\nsudo whoami\necho \"home is $HOME\"\n```\n"
	p := newPlace(t, map[string]string{"m.md": module, "coursectl.yaml": "m.md:\n  fakes:\n    sudo: 'echo \"(fake sudo) $*\"'\n"})
	l := p.start(t, p.env(), "run", "--sandbox", "m.md")
	l.waitFor("In a sandbox, away from your own files: HOME and the working", 1)
	l.waitFor("the module's fakes stand in for sudo.", 1)
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("(fake sudo) whoami", 1)
	l.waitFor("m.md: all 1 step done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, l.text())
	}
	for _, f := range []string{filepath.Join(p.dir, "made-here"), filepath.Join(p.home, "home-file")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("run --sandbox wrote %s", f)
		}
	}
	if strings.Contains(l.text(), "home is "+p.home) {
		t.Errorf("the step ran with the real HOME:\n%s", l.text())
	}
	// Its progress is its own.
	if st := p.status(t, "m.md"); !strings.Contains(st, "m.md: 0/1 steps done") {
		t.Errorf("status of the learner's own runs:\n%s", st)
	}
	cmd := exec.Command(os.Args[0], "status", "--sandbox", "m.md")
	cmd.Dir, cmd.Env = p.dir, p.env()
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "m.md: 1/1 steps done") {
		t.Errorf("status --sandbox: %v\n%s", err, out)
	}
	l = p.start(t, p.env(), "run", "--sandbox", "m.md")
	l.waitFor("'coursectl run --fresh --sandbox m.md' starts again", 1)
	l.wait()
}

// In a 100-column terminal nothing runs past the frame or splits where it
// should not: a long command wraps inside the frame, each further line
// marked; a failure's message wraps at words under it; c puts the command,
// whole, on the clipboard with OSC 52.
func TestRunWrapsInsideTheFrameAt100Columns(t *testing.T) {
	const long = "wget https://github.com/docker/compose/releases/download/v2.5.0/docker-compose-linux-x86_64 -O docker-compose"
	module := "# W\n\n## Download\n\n```sh\n" + long + "\n```\n"
	fake := "#!/bin/sh\necho \"wget: unable to resolve host address 'github.com' for the release of docker-compose-linux-x86_64\"\nexit 4\n"
	p := newPlace(t, map[string]string{"m.md": module})
	bin := filepath.Join(p.dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "wget"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	env := p.env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + bin + ":" + strings.TrimPrefix(kv, "PATH=")
		}
	}
	l := p.startSized(t, 100, 30, env, "run", "m.md")
	l.waitFor(hint, 1)
	got := l.text()
	want := "  │ wget https://github.com/docker/compose/releases/download/v2.5.0/docker-compose-linux-x86_64 -O\n" +
		"  │ ↪ docker-compose\n"
	if !strings.Contains(got, want) {
		t.Errorf("the command does not wrap inside the frame as\n%s\nthe screen:\n%s", want, got)
	}
	// c: the command whole, on one line, to the clipboard.
	l.typeKeys("c")
	l.waitFor("copied 1 command to the clipboard", 1)
	if osc := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(long)) + "\x07"; !strings.Contains(l.output(), osc) {
		t.Errorf("c did not write the command with OSC 52 (%q)", osc)
	}
	l.typeKeys("\r")
	l.waitFor("r retry", 1)
	got = l.text()
	// The failure's message, from the status line to the question: every
	// line indented, none cut inside a word by the terminal.
	block := got[strings.Index(got, "✗ failed (exit 4)"):strings.Index(got, "r retry")]
	lines := strings.Split(strings.TrimRight(block, " \n"), "\n")
	for _, line := range lines[1:] {
		if !strings.HasPrefix(line, "  ") || strings.TrimSpace(line) == "" {
			t.Errorf("the failure's line %q is not under the status:\n%s", line, got)
		}
	}
	if !strings.Contains(block, "` failed with exit") || !strings.Contains(block, "step download (m.md:6): `wget") {
		t.Errorf("the failure is not there whole:\n%s", block)
	}
	l.typeKeys("q")
	l.wait()
}
