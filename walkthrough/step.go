package walkthrough

import (
	"context"
	"fmt"
	"os"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/sgr"
)

// show draws step i's screen: the header, the prose before it, the step.
func (w *walkthrough) show(i int, step *course.Step) {
	rt := w.renderer()
	var b strings.Builder
	if end := rt.ModuleEnd(w.mod, i); strings.TrimSpace(end) != "" {
		b.WriteString("\n" + strings.TrimRight(end, "\n") + "\n")
	}
	b.WriteString(w.moduleBanner(i))
	b.WriteString("\n" + rt.Header(w.mod, i) + "\n")
	prose := append(w.pending, rt.Prose(w.mod, i))
	w.pending = nil
	for _, p := range prose {
		if strings.TrimSpace(p) != "" {
			b.WriteString(strings.TrimRight(p, "\n") + "\n\n")
		}
	}
	b.WriteString(w.frame(rt, i, step))
	b.WriteString(w.editNote(step))
	fmt.Fprint(w.out(), b.String())
}

// editNote tells the learner what an editor step wants typed (docs/spec.md
// §7): the editor covers the screen while it runs, so the content the page
// shows after the step is shown here, before it opens; and which editor
// opens (theirs, when $VISUAL or $EDITOR names one).
func (w *walkthrough) editNote(step *course.Step) string {
	e := step.Edit
	content, ok := step.EditContent()
	if e == nil || !ok || len(step.Attrs.Interact) > 0 {
		return ""
	}
	editor := e.Editor
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if ed := os.Getenv(v); ed != "" && !strings.HasPrefix(e.Editor, "$") {
			editor = fmt.Sprintf("%s ($%s)", ed, v)
			break
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %s\n", w.paint(fmt.Sprintf("✎ This opens %s on %s.", editor, course.Unquote(e.File)), sgr.Dim))
	fmt.Fprintf(&b, "  %s\n", w.paint("  Type this into it, save, and quit the editor:", sgr.Dim))
	for _, l := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		fmt.Fprintf(&b, "  │ %s\n", l)
	}
	return b.String()
}

// frame is the step's code in its frame; an edited step is drawn in the
// original's place, so its number and title stay.
func (w *walkthrough) frame(rt render.Terminal, i int, step *course.Step) string {
	mod := w.mod
	if step != mod.Steps[i] {
		cp := *mod
		cp.Steps = append([]*course.Step(nil), mod.Steps...)
		cp.Steps[i] = step
		mod = &cp
	}
	return rt.Step(mod, step)
}

// visit is one shown step: its screen, the learner's choice, the run, and
// what to do after a failure.
func (w *walkthrough) visit(ctx context.Context, i int) (next, error) {
	step := w.mod.Steps[i]
	w.show(i, step)
	if step.Attrs.Skip {
		r := w.sess.Exec(ctx, step)
		w.status(r)
		return nextStep, nil
	}
	current := step
	for {
		key := byte('\r')
		if !w.yes {
			var err error
			if key, err = w.ask(ctx, runKeys, "\r\nseqc?"); err != nil {
				return quit, err
			}
		}
		switch key {
		case 'q':
			return quit, nil
		case '?':
			fmt.Fprint(w.out(), w.help(false, true))
			continue
		case 'c':
			w.copy(current)
			continue
		case 's':
			w.skip(ctx, step)
			return nextStep, nil
		case 'e':
			edited, err := w.edit(ctx, i, current)
			if err != nil {
				fmt.Fprintf(w.streams.Err, "coursectl: %v\n", err)
			} else if edited != nil {
				current = edited
			}
			continue
		}
		// Enter: run, then after a failure ask until the learner moves on.
		// An edit after a failure goes back to the first question, so the
		// learner sees their version before it runs.
		for {
			r := w.exec(ctx, current)
			if ctx.Err() != nil {
				return quit, nil
			}
			if r.Status == result.Passed || r.Status == result.Skipped {
				return nextStep, nil
			}
			if current != step && r.FailLine > 0 {
				// The line is where the learner's text sits in place of the
				// step's; the file itself is unchanged, so say so.
				first := step.BodyLine
				if first == 0 {
					first = step.Line + 1
				}
				fmt.Fprintf(w.out(), "  %s\n", w.paint(fmt.Sprintf("(line %d of your version; %s is not changed)", r.FailLine-first+1, w.mod.Path), sgr.Dim))
			}
			if w.yes {
				return quitFailed, nil
			}
			n, rerun, edited, err := w.failed(ctx, i, current)
			if err != nil || !rerun {
				return n, err
			}
			if edited != nil {
				current = edited
				break
			}
		}
	}
}

// failed asks what to do after step i (as current) failed: retry, edit and
// retry, skip, a shell with the state it left, or quit.
func (w *walkthrough) failed(ctx context.Context, i int, current *course.Step) (n next, rerun bool, edited *course.Step, err error) {
	allowed := "rsqhc?"
	keys := failKeys
	if !current.Hidden {
		allowed += "e"
		keys = failKeysEdit
	}
	for {
		key, err := w.ask(ctx, keys, allowed)
		if err != nil {
			return quit, false, nil, err
		}
		switch key {
		case 'r':
			return nextStep, true, nil, nil
		case 'e':
			ed, err := w.edit(ctx, i, current)
			if err != nil {
				fmt.Fprintf(w.streams.Err, "coursectl: %v\n", err)
				continue
			}
			if ed == nil {
				continue
			}
			return nextStep, true, ed, nil
		case 's':
			w.skip(ctx, w.mod.Steps[i])
			return nextStep, false, nil, nil
		case 'h':
			fmt.Fprintf(w.out(), "%s\n", w.paint("  A shell with the state the step left. Type exit to come back.", sgr.Dim))
			if err := w.sess.Shell(ctx); err != nil {
				if ctx.Err() != nil {
					return quit, false, nil, nil
				}
				fmt.Fprintf(w.streams.Err, "coursectl: shell: %v\n", err)
			}
			fmt.Fprintf(w.out(), "%s\n", w.paint("  Back in coursectl (what you changed in files stays; shell variables do not carry back).", sgr.Dim))
		case 'q':
			return quitFailed, false, nil, nil
		case 'c':
			w.copy(current)
		case '?':
			fmt.Fprint(w.out(), w.help(true, !current.Hidden))
		}
	}
}

// hidden runs a setup step the learner does not see; they only hear of it
// when it fails.
func (w *walkthrough) hidden(ctx context.Context, i int) (next, error) {
	step := w.mod.Steps[i]
	if p := w.renderer().Prose(w.mod, i); p != "" {
		w.pending = append(w.pending, p)
	}
	for {
		r := w.sess.Exec(ctx, step)
		if ctx.Err() != nil {
			return quit, nil
		}
		if r.Status == result.Passed || r.Status == result.Skipped {
			return nextStep, nil
		}
		fmt.Fprintf(w.out(), "\n  %s\n  %s\n", w.paint(fmt.Sprintf("✗ A hidden setup step (%s:%d) failed:", w.mod.Path, step.Line), sgr.Bold, sgr.Red),
			render.WrapMessage(r.Error, w.renderer().Width, "  "))
		for _, l := range tailLines(r.Output, 10) {
			fmt.Fprintf(w.out(), "  │ %s\n", l)
		}
		if w.yes {
			return quitFailed, nil
		}
		n, rerun, _, err := w.failed(ctx, i, step)
		if err != nil || !rerun {
			return n, err
		}
	}
}

// exec runs step with the learner's terminal attached and prints the outcome.
func (w *walkthrough) exec(ctx context.Context, step *course.Step) *result.Step {
	fmt.Fprintf(w.out(), "%s\n", w.paint("  ▶ running — your keyboard goes to the step; Ctrl-C stops it", sgr.Dim))
	r := w.sess.Exec(ctx, step)
	// A step may leave the terminal's pen coloured or its cursor hidden (a
	// program that was stopped mid-draw): put both back.
	fmt.Fprint(w.out(), "\x1b[0m\x1b[?25h")
	if step.Attrs.Background {
		w.background(step, r)
	} else if r.Output != "" && !strings.HasSuffix(r.Output, "\n") {
		fmt.Fprint(w.out(), "\n")
	}
	w.status(r)
	return r
}

// background tells the learner what a background step did: its output goes
// to the runner's log, not the terminal (so it cannot mix with the steps
// after it), so nothing appeared while it ran. r.Output is what the job had
// logged by the time it was ready (or failed): its first lines are shown.
func (w *walkthrough) background(step *course.Step, r *result.Step) {
	fmt.Fprintf(w.out(), "  %s\n", w.paint("⇢ runs on in the background (`jobs` lists it); its output goes to a log.", sgr.Dim))
	what := "What it printed until ready:"
	if r.Status != result.Passed || step.Attrs.Ready == "" {
		what = "What it printed so far:"
	}
	fmt.Fprintf(w.out(), "  %s\n", w.paint("  "+what, sgr.Dim))
	lines := headLines(r.Output, backgroundLines)
	if len(lines) == 0 {
		fmt.Fprintf(w.out(), "  │ %s\n", w.paint("(nothing yet)", sgr.Dim))
	}
	for _, l := range lines {
		fmt.Fprintf(w.out(), "  │ %s\n", l)
	}
}

// backgroundLines is how many lines of a background step's output run
// shows: enough for a server's start-up banner.
const backgroundLines = 10

func (w *walkthrough) status(r *result.Step) {
	rt := w.renderer()
	fmt.Fprintf(w.out(), "  %s\n", rt.Status(r))
	if r.Status == result.Failed || r.Status == result.Timeout {
		if r.Error != "" {
			// At words, indented under the status: a terminal's own wrap
			// would cut a word, and start the next line at column 0.
			for _, l := range strings.Split(render.WrapMessage(r.Error, rt.Width, "  "), "\n") {
				fmt.Fprintf(w.out(), "  %s\n", w.paint(strings.TrimLeft(l, " "), sgr.Red))
			}
		}
	}
}

// copy puts the step's commands on the learner's clipboard with OSC 52,
// each command whole on its line however the frame wrapped it, so it can
// be pasted into another terminal. A terminal that does not take OSC 52
// ignores it; the line printed says so.
func (w *walkthrough) copy(step *course.Step) {
	text := strings.TrimRight(editableText(step), "\n")
	if text == "" {
		return
	}
	n := len(step.Commands)
	what := plural(n, "command")
	if step.Kind == course.File {
		what = "the file's text"
	}
	fmt.Fprint(w.out(), xansi.SetSystemClipboard(text))
	fmt.Fprintf(w.out(), "  %s\n", w.paint(fmt.Sprintf("⧉ copied %s to the clipboard (if your terminal allows OSC 52)", what), sgr.Dim))
}

// skip passes over step at the learner's word, as a step marked skip is
// passed over: the checkpoint is the state as it stands, so the next run
// resumes after it, but the step is skipped, not done (Counts).
func (w *walkthrough) skip(ctx context.Context, step *course.Step) {
	cp := *step
	cp.Attrs.Skip = true
	r := w.sess.Exec(ctx, &cp)
	if r.Status == result.Skipped {
		// The time of an empty round trip says nothing to the learner.
		r.Note, r.Duration = "skipped by you", 0
	}
	w.status(r)
}

// goodbye says what is kept and how to go on.
func (w *walkthrough) goodbye(after *runner.Progress) {
	done, skipped := Counts(w.mod, after, len(w.mod.Steps))
	msg := fmt.Sprintf("\n  Progress kept: %s.", Tally(done, skipped, w.total))
	if after.Next < len(w.mod.Steps) {
		msg += fmt.Sprintf("\n  '%s' resumes at %sstep %d/%d.", w.runCommand(), w.moduleLabel(after.Next), w.number(after.Next), w.total)
	}
	fmt.Fprintln(w.out(), msg)
}

// moduleLabel is "module 3/7 · " for step i of a course's run, "" for a
// module.
func (w *walkthrough) moduleLabel(i int) string {
	if w.mod.Modules == nil || i < 0 || i >= len(w.mod.Steps) {
		return ""
	}
	_, n := w.mod.ModuleOf(w.mod.Steps[i])
	return fmt.Sprintf("module %d/%d · ", n+1, len(w.mod.Modules))
}

// moduleBanner says which module comes next when step i of a course's run
// is the first the learner sees of its module (docs/courses.md).
func (w *walkthrough) moduleBanner(i int) string {
	if w.mod.Modules == nil {
		return ""
	}
	mod, n := w.mod.ModuleOf(w.mod.Steps[i])
	if w.shownModule == mod {
		return ""
	}
	first := w.shownModule == nil
	w.shownModule = mod
	verb := "Next"
	if first {
		verb = "Now"
	}
	line := fmt.Sprintf("%s: module %d/%d · %s (%s)", verb, n+1, len(w.mod.Modules), mod.Title, mod.Path)
	return "\n  " + w.paint(line, sgr.Bold) + "\n"
}
