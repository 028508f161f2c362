package runner

// How output is compared, as a page writes it (SPEC §7): `compare` picks
// exact (§1's rules), blanks (runs of blanks are one, leading blanks and
// blank lines at either end do not count) or none (only the exit status
// counts); `normalize` rewrites expected and actual lines alike first, so
// `/Users/nelle` on the page and the sandbox's HOME in the output read the
// same. Carpentries `error` fences are checked here too: each of their
// lines must appear in what the step printed.

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/coursectl/coursectl/course"
)

// Comparison is how one step's output is compared. A nil *Comparison
// compares exactly, with no rewrites.
type Comparison struct {
	Mode     string // course.CompareExact, CompareBlanks or CompareNone
	rewrites []rewrite
}

type rewrite struct {
	re   *regexp.Regexp
	with string // a regexp.Expand template, the variables already bound
}

// stepVars are the variables a normalize `with` may name.
var stepVars = regexp.MustCompile(`\$(?:\{(HOME|PWD|USER)\}|(HOME|PWD|USER)\b)`)

// NewComparison binds mode and the normalize pairs to a step's values of
// $HOME, $PWD and $USER (vars). A bad regexp is an error naming it.
func NewComparison(mode string, norm []course.Normalize, vars map[string]string) (*Comparison, error) {
	c := &Comparison{Mode: mode}
	for _, n := range norm {
		re, err := regexp.Compile(n.Match)
		if err != nil {
			return nil, fmt.Errorf("normalize: match %q is not a Go regexp: %v", n.Match, err)
		}
		with := stepVars.ReplaceAllStringFunc(n.With, func(v string) string {
			name := strings.Trim(v, "${}")
			// A value is text, not a template: its own $ stay $.
			return strings.ReplaceAll(vars[name], "$", "$$")
		})
		c.rewrites = append(c.rewrites, rewrite{re: re, with: with})
		if re.MatchString("") {
			return nil, fmt.Errorf("normalize: match %q matches the empty string — it would rewrite every line", n.Match)
		}
	}
	return c, nil
}

func (c *Comparison) blanks() bool { return c != nil && c.Mode == course.CompareBlanks }
func (c *Comparison) none() bool   { return c != nil && c.Mode == course.CompareNone }

// rewrite is one line as compared: normalized, then blanks folded.
func (c *Comparison) rewrite(line string) string {
	if c == nil {
		return line
	}
	for _, r := range c.rewrites {
		line = r.re.ReplaceAllString(line, r.with)
	}
	if c.blanks() {
		line = strings.Join(strings.FieldsFunc(line, isBlank), " ")
	}
	return line
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' }

// gotLines are the output lines to match (rewritten) and to show (as
// printed), index for index: under blanks without the blank lines at
// either end.
func (c *Comparison) gotLines(lines []string) (match, shown []string) {
	if c.blanks() {
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
		}
		for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
			lines = lines[:len(lines)-1]
		}
	}
	if c == nil || (len(c.rewrites) == 0 && !c.blanks()) {
		return lines, lines
	}
	match = make([]string, len(lines))
	for i, l := range lines {
		match[i] = c.rewrite(l)
	}
	return match, lines
}

// shellPrefix is what a shell puts before its own error messages: pages
// show an interactive shell's (`-bash: `, `bash: `), a script's has
// `bash: line N: `, and coursectl's shell names the module file.
var shellPrefix = regexp.MustCompile(`^(?:-?bash: (?:line \d+: )?)`)

// quoteFold makes the quotes of a message one kind: coreutils quote
// ‘thus’, 'thus' or `thus' by version and locale, which is no part of
// what the message says.
var quoteFold = strings.NewReplacer("‘", "'", "’", "'", "`", "'")

// ErrorLines checks a Carpentries `error` fence: each non-blank line of
// want (without a leading `bash: `, `-bash: ` or `bash: line N: `) must
// appear within a line of the output. It returns the diff of what is
// missing ("" when every line appears): the fence's lines, `-` before the
// missing ones, then what printed as `+` lines.
func (c *Comparison) ErrorLines(file string, want *course.Expected, raw string) string {
	if c.none() {
		return ""
	}
	match, shown := c.gotLines(OutputLines(raw))
	for i := range match {
		match[i] = quoteFold.Replace(match[i])
	}
	var b strings.Builder
	missing := false
	for i, l := range want.Lines {
		w := strings.TrimSpace(shellPrefix.ReplaceAllString(strings.TrimSpace(l), ""))
		if w == "" || isEllipsis(w) {
			continue
		}
		w = quoteFold.Replace(strings.TrimSpace(c.rewrite(w)))
		found := false
		for _, g := range match {
			if strings.Contains(g, w) {
				found = true
				break
			}
		}
		mark := " "
		if !found {
			mark, missing = "-", true
		}
		fmt.Fprintf(&b, "%s%s\n", mark, strings.TrimRight(want.Lines[i], " \t"))
	}
	if !missing {
		return ""
	}
	head := fmt.Sprintf("--- want %s:%d (each line must appear)\n+++ got (output)\n", file, want.Line)
	for _, g := range shown {
		fmt.Fprintf(&b, "+%s\n", g)
	}
	return head + b.String()
}
