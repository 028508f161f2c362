package expect

// How output is compared, as a page writes it (docs/spec.md §7): `compare` picks
// exact (§1's rules), blanks (runs of blanks are one, leading blanks and
// blank lines at either end do not count) or none (only the exit status
// counts); `normalize` rewrites expected and actual lines alike first, so
// `/Users/nelle` on the page and the sandbox's HOME in the output read the
// same; words compares the words alone, in any layout and order (a
// listing `ls` laid out in the terminal's columns and sorted by the
// author's locale). Carpentries `error` fences are checked here too: each
// of their lines must appear in what the step printed.

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/internal/lazyre"
)

// Comparison is how one step's output is compared. A nil *Comparison
// compares exactly, with no rewrites.
type Comparison struct {
	Mode     string // course.CompareExact, CompareBlanks, CompareWords or CompareNone
	rewrites []rewrite
}

type rewrite struct {
	re   *regexp.Regexp
	with string // a regexp.Expand template, the variables already bound
}

// stepVars are the variables a normalize `with` may name.
var stepVars = lazyre.New(`\$(?:\{(HOME|PWD|USER)\}|(HOME|PWD|USER)\b)`)

// NewComparison binds mode and the normalize pairs to a step's values of
// $HOME, $PWD and $USER (vars). A bad regexp is an error naming it.
func NewComparison(mode string, norm []course.Normalize, vars map[string]string) (*Comparison, error) {
	c := &Comparison{Mode: mode}
	for _, n := range norm {
		re, err := regexp.Compile(n.Match)
		if err != nil {
			return nil, fmt.Errorf("normalize: match %q is not a Go regexp: %v", n.Match, err)
		}
		with := stepVars().ReplaceAllStringFunc(n.With, func(v string) string {
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

// blanks reports whether blanks are folded: under blanks, and under
// words, whose lines are read as blanks reads them before their words are
// counted.
func (c *Comparison) blanks() bool {
	return c != nil && (c.Mode == course.CompareBlanks || c.Mode == course.CompareWords)
}
func (c *Comparison) words() bool { return c != nil && c.Mode == course.CompareWords }
func (c *Comparison) none() bool  { return c != nil && c.Mode == course.CompareNone }

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
var shellPrefix = lazyre.New(`^(?:-?bash: (?:line \d+: )?)`)

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
		w := strings.TrimSpace(shellPrefix().ReplaceAllString(strings.TrimSpace(l), ""))
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

// compareWords is Compare under words: want's words (its lines rewritten,
// `...` lines left out) and the output's must be the same multiset; with a
// `...` line in want, the output may have more. The exit status is checked
// as in the other modes: want's `[N]`, else 0. A mismatch is shown as the
// words missing (`-`) and those not on the page (`+`), in the order
// written and printed, since a line diff of a re-flowed listing says
// nothing.
func (c *Comparison) compareWords(file string, want *course.Expected, raw string, exit int) OutputMatch {
	match, _ := c.gotLines(OutputLines(raw))
	missing, extra := c.wordsDiff(want.Lines, match)
	wantExit := 0
	if want.Exit != nil {
		wantExit = *want.Exit
	}
	if len(missing) == 0 && len(extra) == 0 && exit == wantExit {
		return OutputMatch{OK: true}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- want %s:%d (the same words, in any layout and order)\n+++ got (output)\n", file, want.Line)
	for _, w := range missing {
		fmt.Fprintf(&b, "-%s\n", w)
	}
	for _, w := range extra {
		fmt.Fprintf(&b, "+%s\n", w)
	}
	if exit != wantExit {
		fmt.Fprintf(&b, "-[%d]\n+[%d]\n", wantExit, exit)
	}
	return OutputMatch{Diff: b.String()}
}

// sameWords reports whether the expected lines and the (rewritten) output
// lines hold the same words, as compareWords counts them.
func (c *Comparison) sameWords(wantLines, got []string) bool {
	missing, extra := c.wordsDiff(wantLines, got)
	return len(missing) == 0 && len(extra) == 0
}

// wordsDiff compares the words of the expected lines (rewritten here;
// `...` lines left out) with those of the output lines (already
// rewritten). It returns the expected words the output lacks and the
// output's words the page lacks, counting repeats (a multiset
// difference), each in its own order; with a `...` line the output may
// have more, and extra is nil.
func (c *Comparison) wordsDiff(wantLines, got []string) (missing, extra []string) {
	count := map[string]int{}
	for _, l := range got {
		for _, w := range strings.Fields(l) {
			count[w]++
		}
	}
	more := false
	for _, l := range wantLines {
		l = c.rewrite(l)
		if isEllipsis(l) {
			more = true
			continue
		}
		for _, w := range strings.Fields(l) {
			if count[w] > 0 {
				count[w]--
				continue
			}
			missing = append(missing, w)
		}
	}
	if more {
		return missing, nil
	}
	for _, l := range got {
		for _, w := range strings.Fields(l) {
			if count[w] > 0 {
				count[w]--
				extra = append(extra, w)
			}
		}
	}
	return missing, extra
}
