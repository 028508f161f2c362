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
