package record

import (
	"regexp"
	"strings"
	"testing"
)

// Each volatile line becomes a pattern that matches the line as recorded
// and the line as a later run prints it; other lines stay as they are.
func TestVolatileLinesMatchALaterRun(t *testing.T) {
	v := newVolatility("/tmp/rec-1/sandbox/work", "/tmp/rec-1/sandbox/home", "ada", "box42")
	cases := []struct {
		now, later string
	}{
		{"Tue Jun 10 09:12:01 UTC 2025", "Wed Jul  2 17:03:59 CEST 2026"},
		{"Thu Dec  3 18:19:42 UTC 2026", "Mon Jan 12 01:02:03 UTC 2027"},
		{"2025-06-10T09:12:01Z", "2026-01-02T10:11:12Z"},
		{"started at 2025-06-10 09:12:01.123+02:00", "started at 2026-01-02 10:11:12.5+00:00"},
		{"-rw-r--r-- 1 ada ada 6 Jun 10 09:12 notes.txt", "-rw-r--r-- 1 runner docker 6 Dec  3 18:19 notes.txt"},
		{"real\t0m0.145s", "real\t0m1.002s"},
		{"done in 0.52s", "done in 12ms"},
		{"took 3 seconds", "took 12 seconds"},
		{"/tmp/rec-1/sandbox/work/sub", "/home/ci/.local/state/coursectl/modules/m-1/sandbox/work/sub"},
		{"HOME is /tmp/rec-1/sandbox/home", "HOME is /x/sandbox/home"},
		{"/tmp/tmp.Xa3b9QkLmZ", "/tmp/tmp.0000000000"},
		{"server pid 4242 listening", "server pid 77 listening"},
		{"box42", "runner-vm"},
		{"   indented at 10:00", "indented at 11:11"},
	}
	for _, c := range cases {
		pat, ok := v.generalise(c.now)
		if !ok {
			t.Errorf("%q: not generalised", c.now)
			continue
		}
		body, found := strings.CutSuffix(pat, " (re)")
		if !found {
			t.Errorf("%q: %q is not a (re) line", c.now, pat)
			continue
		}
		re, err := regexp.Compile("^(?:" + body + ")$")
		if err != nil {
			t.Errorf("%q: %q does not compile: %v", c.now, pat, err)
			continue
		}
		for _, line := range []string{c.now, c.later} {
			if !re.MatchString(line) {
				t.Errorf("%q: pattern %q does not match %q", c.now, pat, line)
			}
		}
	}
	for _, line := range []string{
		"hello", "ls: cannot access 'missing': No such file or directory", "May the force be with you",
		"total 4", "3 files", "version 1.2.3", "a.txt b.txt",
	} {
		if pat, ok := v.generalise(line); ok {
			t.Errorf("%q: generalised to %q, want it as it is", line, pat)
		}
	}
}

func TestMachineStateCommandsAreEllipsis(t *testing.T) {
	for line, want := range map[string]bool{
		"ps aux": true, "df -h": true, "env | sort": true, "uname -a": true, "sudo du -sh /var": true,
		"uname": false, "echo ps": false, "ls": false, "LC_ALL=C ps": true,
	} {
		if got := volatileCommand(line); got != want {
			t.Errorf("volatileCommand(%q) = %v, want %v", line, got, want)
		}
	}
}
