package runner

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coursectl/coursectl/result"
)

// bash's "Terminated" for the runner's own SIGTERM is coursectl's noise and
// is not in the result; a course's own kill keeps its report.
func TestStopReportNotInOutput(t *testing.T) {
	mod := module(t,
		"echo before\nsleep 60\n",
		"sleep 5 & kill $!; wait\n",
	)
	// Long enough for echo to run on a loaded machine before the stop.
	mod.Steps[0].Attrs.Timeout = 3 * time.Second
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Timeout {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
	if strings.Contains(r.Output, "Terminated") || r.Output != "before\n" {
		t.Errorf("output of a timed-out step %q, want %q (bash's report of our SIGTERM taken out)", r.Output, "before\n")
	}
	if r.OutputLines != 1 {
		t.Errorf("OutputLines %d, want 1", r.OutputLines)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "Terminated") {
		t.Errorf("a step's own kill lost its report: %q", r.Output)
	}
}

func TestDropStopReports(t *testing.T) {
	term := []syscall.Signal{syscall.SIGTERM}
	for _, c := range []struct {
		in   string
		sent []syscall.Signal
		want string
	}{
		{"x\nTerminated\n", term, "x\n"},
		{"x\nTerminated\n", nil, "x\nTerminated\n"},
		{"x\nTerminated\n", []syscall.Signal{syscall.SIGINT}, "x\nTerminated\n"},
		{"x\nTerminated\nKilled\n", []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL}, "x\n"},
		{"x\nmod.md: line 3:  1234 Terminated              sleep 5\n", term, "x\n"},
		{"x\nbash: line 1: 99 Killed sleep 60\n", []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL}, "x\n"},
		{"Terminated\nx\n", term, "Terminated\nx\n"},                                                       // not at the end
		{"x\n[1]+  Terminated              sleep 5\n", term, "x\n[1]+  Terminated              sleep 5\n"}, // a job of the course's
		{"x\nTerminated by the user\n", term, "x\nTerminated by the user\n"},
		{"Terminated", term, ""},
		{"", term, ""},
	} {
		got, n := dropStopReports(c.in, c.sent)
		if got != c.want {
			t.Errorf("dropStopReports(%q, %v) = %q, want %q", c.in, c.sent, got, c.want)
		}
		if want := strings.Count(c.in, "\n") - strings.Count(c.want, "\n"); c.in != "Terminated" && n != want {
			t.Errorf("dropStopReports(%q): %d lines dropped, want %d", c.in, n, want)
		}
	}
}
