package main

import (
	"regexp"
	"strings"
	"testing"
)

// Every command reads the same in 'coursectl help' and 'coursectl help
// COMMAND': a one-line summary, and usage that starts with the synopsis
// and ends with examples of the command itself.
func TestEveryCommandHasSummaryAndExamples(t *testing.T) {
	example := regexp.MustCompile(`(?m)^  coursectl `)
	for name, c := range commands {
		if c.summary == "" || strings.Contains(c.summary, "\n") {
			t.Errorf("%s: summary %q: want one line", name, c.summary)
		}
		if !strings.HasPrefix(c.usage, "Usage: coursectl "+name) {
			t.Errorf("%s: usage does not start with 'Usage: coursectl %s'", name, name)
		}
		i := strings.LastIndex(c.usage, "\nExamples:\n")
		if i < 0 {
			t.Errorf("%s: usage has no Examples: section", name)
			continue
		}
		tail := c.usage[i+len("\nExamples:\n"):]
		for _, line := range strings.Split(strings.TrimSuffix(tail, "\n"), "\n") {
			if !example.MatchString(line) {
				t.Errorf("%s: usage goes on after the examples: %q", name, line)
			}
		}
	}
}
