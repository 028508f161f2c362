package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/spf13/pflag"
)

// helpTexts is what 'coursectl help' and 'coursectl help COMMAND' print,
// for every command (hidden ones too), as Run prints them.
func helpTexts(t *testing.T) map[string]string {
	t.Helper()
	texts := map[string]string{}
	help := func(args ...string) string {
		var out, errb bytes.Buffer
		streams := &iostreams.IOStreams{Out: &out, Err: &errb, Width: 80}
		if err := Run(context.Background(), append([]string{"help"}, args...), streams); err != nil {
			t.Fatalf("coursectl help %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String()
	}
	texts[""] = help()
	c := &cli{streams: &iostreams.IOStreams{}}
	for _, cmd := range c.root().Commands() {
		texts[cmd.Name()] = help(cmd.Name())
	}
	texts["help"] = help("help")
	return texts
}

// Every command reads the same in 'coursectl help' and 'coursectl help
// COMMAND': a one-line summary, and usage that starts with the synopsis
// and ends with examples of the command itself.
func TestEveryCommandHasSummaryAndExamples(t *testing.T) {
	example := regexp.MustCompile(`(?m)^  coursectl `)
	c := &cli{streams: &iostreams.IOStreams{}}
	root := c.root()
	root.SetHelpCommand(c.helpCmd())
	cmds := append(root.Commands(), c.helpCmd())
	texts := helpTexts(t)
	for _, cmd := range cmds {
		name := cmd.Name()
		if cmd.Short == "" || strings.Contains(cmd.Short, "\n") {
			t.Errorf("%s: summary %q: want one line", name, cmd.Short)
		}
		usage := texts[name]
		if !strings.HasPrefix(usage, "Usage: coursectl "+name) {
			t.Errorf("%s: usage does not start with 'Usage: coursectl %s':\n%s", name, name, usage)
		}
		i := strings.LastIndex(usage, "\nExamples:\n")
		if i < 0 {
			t.Errorf("%s: usage has no Examples: section", name)
			continue
		}
		tail := usage[i+len("\nExamples:\n"):]
		for _, line := range strings.Split(strings.TrimSuffix(tail, "\n"), "\n") {
			if !example.MatchString(line) {
				t.Errorf("%s: usage goes on after the examples: %q", name, line)
			}
		}
	}
}

// Help fits an 80-column terminal, flags wrapped included.
func TestHelpFitsEightyColumns(t *testing.T) {
	for name, text := range helpTexts(t) {
		for _, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("coursectl help %s: a line of %d columns: %q", name, n, line)
			}
		}
	}
}

// Each flag's help is beside the flag: every flag of every command says
// what it does, and the page lists it.
func TestEveryFlagIsDescribed(t *testing.T) {
	c := &cli{streams: &iostreams.IOStreams{}}
	texts := helpTexts(t)
	for _, cmd := range c.root().Commands() {
		cmd.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if f.Usage == "" {
				t.Errorf("%s --%s has no help", cmd.Name(), f.Name)
			}
			if !strings.Contains(texts[cmd.Name()], "--"+f.Name) {
				t.Errorf("coursectl help %s does not list --%s", cmd.Name(), f.Name)
			}
		})
	}
}

// The examples that name a step of the seed name one it has: a learner who
// copies `--at 3-install-docker` gets a shell, not "no step".
func TestHelpExamplesNameRealSteps(t *testing.T) {
	seed, err := course.Load("../../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	stepFlag := regexp.MustCompile(`(?:--from|--only|--at)[ =](\S+)`)
	docs := map[string]string{}
	for name, text := range helpTexts(t) {
		docs["coursectl help "+name] = text
	}
	for _, f := range []string{"../../docs/check.md", "../../docs/walkthrough.md", "../../README.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	for where, text := range docs {
		for _, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, "coursectl ") || !strings.Contains(line, "testdata/module1.md") {
				continue
			}
			for _, m := range stepFlag.FindAllStringSubmatch(line, -1) {
				if _, err := seed.Lookup(strings.Trim(m[1], "`'\"")); err != nil {
					t.Errorf("%s: %q: %v", where, strings.TrimSpace(line), err)
				}
			}
		}
	}
}
