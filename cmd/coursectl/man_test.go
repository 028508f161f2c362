package main

import (
	"strings"
	"testing"
)

// An indented block of a command's help (run's table of keys) is laid out
// by hand: its man page keeps its lines and columns instead of filling
// them into one paragraph, and the prose around it is still filled.
func TestManKeepsIndentedBlocks(t *testing.T) {
	got := roffParagraphs("Waits for a key:\n\n  Enter  run the step\n         (more)\n  s      skip it\n\nAfter a failure.\n")
	want := ".PP\nWaits for a key:\n.PP\n.nf\n  Enter  run the step\n         (more)\n  s      skip it\n.fi\n.PP\nAfter a failure.\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if page := manPage(new(cli).runCmd()); !strings.Contains(page, ".nf\n  Enter  run the step here") {
		t.Errorf("run's keys are filled in its man page:\n%s", page)
	}
}
