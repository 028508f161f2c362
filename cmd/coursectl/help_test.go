package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every command reads the same in 'coursectl help' and 'coursectl help
// COMMAND': a one-line summary, and usage that starts with the synopsis
// and ends with examples of the command itself. Help fits an 80-column
// terminal.
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

func TestHelpFitsEightyColumns(t *testing.T) {
	var list bytes.Buffer
	printHelp(&list)
	texts := map[string]string{"coursectl help": list.String()}
	for name, c := range commands {
		texts["coursectl help "+name] = c.usage
	}
	for what, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("%s: a line of %d columns: %q", what, n, line)
			}
		}
	}
}
