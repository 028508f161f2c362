package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/sgr"
)

// Text writes the human report: per module its path, then one aligned line
// per step (`✓ install-docker  0.4s`). A passing step is that line alone; a
// failing one is followed by where and what failed, its exit status and the
// tail of its output; a skipped one by why.
type Text struct {
	// Color allows SGR colour codes. Nothing else in the text report is an
	// escape sequence, so a log or pipe gets plain text when it is false.
	Color bool
}

// paint applies an SGR attribute when Text.Color is set.
func (t Text) paint(attr, s string) string { return sgr.Paint(t.Color, s, attr) }

// maxIDWidth caps the id column so one long name does not push every
// duration off the screen; longer ids simply overflow their column.
const maxIDWidth = 32

// detailIndent lines up failure details under the step's id.
const detailIndent = "    "

// WriteModule writes the whole block of one module.
func (t Text) WriteModule(w io.Writer, mr *result.Module) {
	steps := Steps(mr)
	t.header(w, mr.File)
	idw := idWidth(steps)
	for _, sr := range steps {
		t.step(w, mr.File, sr, idw)
	}
	t.moduleEnd(w, mr, steps)
}

// idWidth is the id column's width: of the steps a reader sees (a hidden
// setup step's line shows only when it fails, and then its id may overflow).
func idWidth(steps []*result.Step) int {
	w := 0
	for _, sr := range steps {
		if !sr.Hidden {
			w = max(w, ansi.StringWidth(sr.ID))
		}
	}
	return min(w, maxIDWidth)
}

func (t Text) header(w io.Writer, file string) {
	fmt.Fprintln(w, t.paint(sgr.Bold, sgr.Printable(file)))
}

// step writes the line of one step and, for a failure or skip, what a
// reader needs to act on it. Not-run steps are counted by moduleEnd
// instead: a list of names nobody ran says nothing.
func (t Text) step(w io.Writer, file string, sr *result.Step, idw int) {
	if sr.Status == result.NotRun {
		return
	}
	id := sgr.Printable(sr.ID)
	id += strings.Repeat(" ", max(0, idw-ansi.StringWidth(id)))
	dur := fmt.Sprintf("%6s", Duration(sr.Duration))
	switch {
	case sr.Status == result.Passed && sr.FromCheckpoint:
		// Nothing ran, so no time: the duration column stays blank and
		// the word stands where a failure's "failed" does.
		fmt.Fprintf(w, "  %s %s  %6s  %s\n", t.paint(sgr.Green, "✓"), id, "", t.paint(sgr.Dim, "(checkpoint)"))
	case sr.Status == result.Passed:
		fmt.Fprintf(w, "  %s %s  %s\n", t.paint(sgr.Green, "✓"), id, t.paint(sgr.Dim, dur))
		// A pass that leaned on fakes says so: what did not really run;
		// and an editor step what it wrote instead of opening the editor.
		t.edits(w, sr)
		t.fakes(w, sr)
	case sr.Status == result.Skipped:
		note := "skipped"
		if sr.Note != "" {
			note += ": " + firstLine(sr.Note)
		}
		fmt.Fprintf(w, "  %s %s  %s\n", t.paint(sgr.Yellow, "-"), id, t.paint(sgr.Yellow, note))
	default: // failed, timeout
		what := "failed"
		if sr.Status == result.Timeout {
			what = "timed out"
		}
		switch {
		case sr.FirstFailure:
			what += " (first failure)"
		case sr.AfterFailure:
			what += " (after an earlier failure)"
		}
		fmt.Fprintf(w, "  %s %s  %s  %s\n", t.paint(sgr.Red, "✗"), id, dur, t.paint(sgr.Red, what))
		t.failure(w, file, sr)
	}
}

// failure writes where and why a step failed: file:line and the message,
// the command, the output tail, a verify's output, a transcript diff and
// the fakes it called.
func (t Text) failure(w io.Writer, file string, sr *result.Step) {
	ind := detailIndent
	fmt.Fprintf(w, "%s%s %s\n", ind, t.paint(sgr.Bold, fmt.Sprintf("%s:%d:", sgr.Printable(failFile(file, sr)), failLine(sr))), message(sr))
	if cmd := failCommand(sr); cmd != "" {
		for i, l := range strings.Split(sgr.Printable(strings.TrimRight(cmd, "\n")), "\n") {
			prompt := "$ "
			if i > 0 {
				prompt = "  "
			}
			fmt.Fprintf(w, "%s%s%s\n", ind, t.paint(sgr.Cyan, prompt), l)
		}
	}
	diff := strings.TrimRight(Plain(sr.Diff), "\n")
	// A mismatch's diff already holds the lines that matter, with context;
	// the whole output is in the JSON and JUnit reports.
	if lines, earlier := tail(sr.Output, TailLines); len(lines) > 0 && diff == "" {
		head := "output:"
		if earlier > 0 {
			head = fmt.Sprintf("output (last %d of %d lines):", len(lines), max(len(lines)+earlier, sr.OutputLines)) // the tail kept may be a fraction
		}
		fmt.Fprintf(w, "%s%s\n", ind, t.paint(sgr.Dim, head))
		t.quote(w, lines, nil)
	}
	if sr.OutputFile != "" {
		fmt.Fprintf(w, "%s%s %s\n", ind, t.paint(sgr.Dim, "full output:"), sgr.Printable(sr.OutputFile))
	}
	if lines, earlier := tail(sr.Verify, TailLines); len(lines) > 0 {
		head := "verify:"
		if earlier > 0 {
			head = fmt.Sprintf("verify (last %d of %d lines):", len(lines), len(lines)+earlier)
		}
		fmt.Fprintf(w, "%s%s\n", ind, t.paint(sgr.Dim, head))
		t.quote(w, lines, nil)
	}
	if diff != "" {
		fmt.Fprintf(w, "%s%s\n", ind, t.paint(sgr.Dim, "output differs (-want +got):"))
		t.quote(w, strings.Split(diff, "\n"), t.diffColor)
	}
	t.edits(w, sr)
	t.fakes(w, sr)
}

// edits lists the files an editor step wrote.
func (t Text) edits(w io.Writer, sr *result.Step) {
	for _, e := range sr.Edits {
		fmt.Fprintf(w, "%s%s\n", detailIndent, t.paint(sgr.Dim, sgr.Printable(e.String())))
	}
}

// fakes lists the calls of faked commands a step made.
func (t Text) fakes(w io.Writer, sr *result.Step) {
	if len(sr.Fakes) > 0 {
		calls := make([]string, len(sr.Fakes))
		for i, f := range sr.Fakes {
			calls[i] = sgr.Printable(strings.Join(append([]string{f.Command}, f.Args...), " "))
		}
		fmt.Fprintf(w, "%s%s %s\n", detailIndent, t.paint(sgr.Dim, "faked:"), strings.Join(calls, "; "))
	}
}

// quote writes lines under a bar so output is told apart from our words.
func (t Text) quote(w io.Writer, lines []string, color func(string) string) {
	bar := t.paint(sgr.Dim, "│")
	for _, l := range lines {
		if color != nil {
			l = color(l)
		}
		fmt.Fprintf(w, "%s%s %s\n", detailIndent, bar, l)
	}
}

func (t Text) diffColor(l string) string {
	switch {
	case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		return t.paint(sgr.Bold, l)
	case strings.HasPrefix(l, "-"):
		return t.paint(sgr.Red, l)
	case strings.HasPrefix(l, "+"):
		return t.paint(sgr.Green, l)
	case strings.HasPrefix(l, "@@"):
		return t.paint(sgr.Cyan, l)
	}
	return l
}

// moduleEnd closes a module's block: the steps that did not run, and an
// interruption.
func (t Text) moduleEnd(w io.Writer, mr *result.Module, steps []*result.Step) {
	c := count(steps)
	switch {
	case len(steps) == 0:
		fmt.Fprintf(w, "  %s\n", t.paint(sgr.Dim, "no steps"))
	case c.notRun == 0:
	case notStarted(mr):
		fmt.Fprintf(w, "  %s\n", t.paint(sgr.Dim, fmt.Sprintf("· not checked (%s)", plural(c.notRun, "step", "steps"))))
	default:
		fmt.Fprintf(w, "  %s\n", t.paint(sgr.Dim, fmt.Sprintf("· %s not run", plural(c.notRun, "step", "steps"))))
	}
	if mr.Interrupted {
		fmt.Fprintf(w, "  %s\n", t.paint(sgr.Yellow, "interrupted: checkpoints of the finished steps are kept"))
	}
}

// notStarted tells a module that never ran from one that stopped early.
func notStarted(mr *result.Module) bool {
	if !mr.Started.IsZero() {
		return false
	}
	for _, sr := range mr.Steps {
		if sr.Status != result.NotRun {
			return false
		}
	}
	return true
}

// WriteSummary writes the last line of a check: the verdict, the counts
// and the time; with several modules, one line per failed step below it so
// a long CI log can be read from the end. courses are the courses whose
// modules are among results (a course's failure stops its later modules
// whatever --keep-going says: --continue goes on, docs/courses.md).
func (t Text) WriteSummary(w io.Writer, results []*result.Module, elapsed time.Duration, courses ...*result.Course) {
	courseOf := map[*result.Module]*result.Course{}
	for _, c := range courses {
		for _, m := range c.Modules {
			courseOf[m] = c
		}
	}
	var all tally
	interrupted, failedModules, unchecked := false, 0, 0
	courseFailed := map[*result.Course]bool{}
	var stopped []*result.Course // courses with modules left after a failure, in order
	courseUnchecked := map[*result.Course]int{}
	for _, mr := range results {
		c := count(Steps(mr))
		all.add(c)
		if mr.Interrupted {
			interrupted = true
		}
		// Only modules after a failure count as left unchecked by it: a
		// course's modules before --from did not start either.
		crs := courseOf[mr]
		switch {
		case !notStarted(mr) || c.notRun == 0:
		case crs != nil && courseFailed[crs]:
			if courseUnchecked[crs] == 0 {
				stopped = append(stopped, crs)
			}
			courseUnchecked[crs]++
		case failedModules > 0:
			unchecked++
		}
		if c.failed > 0 {
			failedModules++
			if crs != nil {
				courseFailed[crs] = true
			}
		}
	}
	verdict := t.paint(sgr.Green+";"+sgr.Bold, "PASS")
	switch {
	case interrupted:
		verdict = t.paint(sgr.Yellow+";"+sgr.Bold, "INTERRUPTED")
	case all.failed > 0:
		verdict = t.paint(sgr.Red+";"+sgr.Bold, "FAIL")
	}
	parts := []string{plural(all.passed, "passed", "passed")}
	if all.failed > 0 {
		f := plural(all.failed, "failed", "failed")
		if all.after > 0 {
			f += fmt.Sprintf(" (%d after an earlier failure)", all.after)
		}
		parts = append(parts, f)
	}
	if all.skipped > 0 {
		parts = append(parts, plural(all.skipped, "skipped", "skipped"))
	}
	if all.notRun > 0 {
		parts = append(parts, plural(all.notRun, "not run", "not run"))
	}
	mods := plural(len(results), "module", "modules")
	if failedModules > 0 && len(results) > 1 {
		mods += fmt.Sprintf(" (%d failed)", failedModules)
	}
	fmt.Fprintf(w, "%s  %s, %s: %s  %s\n", verdict, mods,
		plural(all.passed+all.failed+all.skipped+all.notRun, "step", "steps"),
		strings.Join(parts, ", "), Duration(elapsed))
	if unchecked > 0 && !interrupted {
		fmt.Fprintf(w, "%s not checked after the first failure; --keep-going checks every module\n",
			plural(unchecked, "module", "modules"))
	}
	for _, c := range stopped {
		if interrupted {
			break
		}
		fmt.Fprintf(w, "%s of the course in %s not checked after its first failure; 'coursectl check --continue %s' goes on after it\n",
			plural(courseUnchecked[c], "module", "modules"), sgr.Printable(c.Dir), sgr.Printable(c.Dir))
	}
	if len(results) > 1 {
		for _, mr := range results {
			for _, sr := range mr.Steps {
				if failed(sr) {
					fmt.Fprintf(w, "  %s %s:%d %s: %s\n", t.paint(sgr.Red, "✗"), sgr.Printable(failFile(mr.File, sr)), failLine(sr), sgr.Printable(sr.ID), message(sr))
				}
			}
		}
	}
}
