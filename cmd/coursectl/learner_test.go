package main

import (
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
