package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/cancelreader"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
)

// walkthrough is `coursectl run` on a terminal: for each step the prose
// before it and its commands, then a key from the learner, then the step in
// the runner's shell with the learner's terminal attached. docs/walkthrough.md
// has the keys and the decisions behind them.
type walkthrough struct {
	// noRestore is why the checkpoint before a --from/--only start could
	// not be restored ("" when it was, or there is none to restore).
	noRestore string
	mod       *course.Module
	streams   *IOStreams
	yes       bool // --yes: run every step, ask nothing
	only      bool // --only: the one step the session starts at
	stateDir  string

	sess *runner.Session
	// pos is each shown step's learner-facing number ("Step 3/9"): hidden
	// setup steps are not counted, as render numbers them.
	total int
	// pending is prose from before hidden steps, shown with the next step.
	pending []string
	// cooked gives the terminal back as it was (for $EDITOR); keys puts it
	// back in keys mode.
	cooked, keys func()
}

// next is what the walkthrough does after a step's screen.
type next int

const (
	nextStep    next = iota
	quit             // the learner quit; progress kept
	quitFailed       // the learner quit at a failed step (or --yes stopped there)
	interrupted      // Ctrl-C at a question: progress kept as with q, exit 130
)

func (w *walkthrough) run(ctx context.Context, opts runner.Options) error {
	_, w.total = w.mod.Number(nil)
	before, err := runner.LoadProgress(w.stateDir, w.mod)
	if err != nil {
		return err
	}
	// The terminal stays in keys mode for the whole walkthrough, so a key
	// typed while coursectl is busy is neither lost nor turned into a signal.
	restore, err := keysMode(w.streams.InFile)
	if err != nil {
		return err
	}
	defer restore()
	w.cooked = restore
	w.keys = func() { _, _ = keysMode(w.streams.InFile) }
	// With --from/--only, the runner warns when the checkpoint before the
	// start cannot be restored. The announcement says where the run starts
	// and with what state, so that warning is folded into it: one message,
	// not a warning of a fresh shell followed by "with the state step N
	// left".
	var freshSuffix string
	if opts.From != "" {
		if st := w.mod.Step(opts.From); st != nil && st.Index > 1 {
			freshSuffix = fmt.Sprintf("; starting at step %s with a fresh shell", st.ID)
		}
	}
	opts.Events.Warning = func(msg string) {
		if freshSuffix != "" && w.noRestore == "" && strings.HasSuffix(msg, freshSuffix) {
			w.noRestore = strings.TrimPrefix(strings.TrimSuffix(msg, freshSuffix), w.mod.Path+": ")
			return
		}
		fmt.Fprintf(w.streams.Err, "coursectl: warning: %s\n", msg)
	}
	sess, err := runner.Open(ctx, w.mod, opts)
	if err != nil {
		return err
	}
	w.sess = sess
	closed := false
	closeSession := func() {
		if closed {
			return
		}
		closed = true
		if err := sess.Close(); err != nil {
			fmt.Fprintf(w.streams.Err, "coursectl: warning: the run record was not saved: %v\n", err)
		}
	}
	defer closeSession()

	start := sess.Start()
	if len(w.mod.Steps) == 0 {
		fmt.Fprintf(w.out(), "%s has no steps to run (fences tagged sh, bash, shell or console).\n", w.mod.Path)
		return nil
	}
	if start >= len(w.mod.Steps) {
		closeSession()
		fmt.Fprintf(w.out(), "  %s: all %s done%s.\n  'coursectl run --fresh %s' starts again; 'coursectl status %s' shows the last run.\n",
			w.mod.Path, plural(w.total, "step"), doneOn(before.When), w.mod.Path, w.mod.Path)
		return nil
	}
	w.announce(start, before, opts)

	end := len(w.mod.Steps)
	if w.only {
		end = start + 1
	}
	res := nextStep
	for i := start; i < end && res == nextStep; i++ {
		if ctx.Err() != nil {
			break
		}
		step := w.mod.Steps[i]
		if step.Hidden {
			res, err = w.hidden(ctx, i)
		} else {
			res, err = w.visit(ctx, i)
		}
		if errors.Is(err, errCtrlC) {
			res, err = interrupted, nil
		}
		if err != nil {
			closeSession()
			return err
		}
	}
	closeSession()
	if ctx.Err() != nil {
		fmt.Fprintf(w.out(), "\n")
		return ctx.Err()
	}
	after, err := runner.LoadProgress(w.stateDir, w.mod)
	if err != nil {
		return err
	}
	switch {
	case res != nextStep:
		w.goodbye(after)
		switch res {
		case quitFailed:
			return silentExit(exitFailed)
		case interrupted:
			fmt.Fprintf(w.out(), "  %s\n", w.paint("Interrupted (Ctrl-C).", "33"))
			return silentExit(exitInterrupted)
		}
		return nil
	case w.only:
		fmt.Fprintf(w.out(), "\n")
		return nil
	}
	if p := w.renderer().Prose(w.mod, len(w.mod.Steps)); p != "" {
		fmt.Fprint(w.out(), "\n"+p)
	}
	done := 0
	for i, s := range w.mod.Steps {
		if !s.Hidden && after.Done[i] {
			done++
		}
	}
	if done == w.total {
		fmt.Fprintf(w.out(), "\n%s\n", w.paint(fmt.Sprintf("  ✓ %s: all %s done.", w.mod.Path, plural(w.total, "step")), "1", "32"))
	} else {
		w.goodbye(after)
	}
	return nil
}

// announce says where the run starts when it is not step 1.
func (w *walkthrough) announce(start int, before *runner.Progress, opts runner.Options) {
	at := w.number(start)
	doneBefore := 0
	for _, s := range w.mod.Steps[:start] {
		if !s.Hidden {
			doneBefore++
		}
	}
	title := ""
	if s := nextShown(w.mod, start); s != nil {
		title = " · " + s.Title()
	}
	var msg string
	switch {
	case opts.From != "" && w.only:
		msg = fmt.Sprintf("Running step %d/%d%s alone (--only)", at, w.total, title)
	case opts.From != "":
		msg = fmt.Sprintf("Starting at step %d/%d%s (--from)", at, w.total, title)
	case start == 0:
		return
	default:
		msg = fmt.Sprintf("Resuming at step %d/%d%s", at, w.total, title)
		switch doneBefore {
		case 0:
		case 1:
			msg += "; step 1 done" + doneOn(before.When[:start])
		default:
			msg += fmt.Sprintf("; steps 1–%d done%s", doneBefore, doneOn(before.When[:start]))
		}
	}
	if start > 0 && opts.From != "" {
		if w.noRestore != "" {
			msg += fmt.Sprintf(", with a fresh shell: %s", w.noRestore)
		} else {
			msg += fmt.Sprintf(", with the shell state step %d left", w.number(start-1))
		}
	}
	fmt.Fprintf(w.out(), "  %s\n", w.paint(msg+".", "1"))
}

// doneOn is " on Nov 26", the day of the latest time in when ("" if none).
func doneOn(when []time.Time) string {
	var last time.Time
	for _, t := range when {
		if t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return ""
	}
	return " on " + last.Format("Jan 2")
}

// number is the learner-facing number of step i: a hidden step takes the
// number of the shown step after it.
func (w *walkthrough) number(i int) int {
	if i < 0 || i >= len(w.mod.Steps) {
		return w.total
	}
	n, _ := w.mod.Number(w.mod.Steps[i])
	return n
}

func (w *walkthrough) out() io.Writer { return w.streams.Out }

func (w *walkthrough) paint(s string, sgr ...string) string { return paint(w.streams.Color, s, sgr...) }

// paint applies SGR attributes when color is on (--color, NO_COLOR, a
// terminal): the walkthrough and status mark steps the same way.
func paint(color bool, s string, sgr ...string) string {
	if !color || s == "" {
		return s
	}
	return "\x1b[" + strings.Join(sgr, ";") + "m" + s + "\x1b[0m"
}

// renderer draws at the terminal's width now: the learner may have resized
// the window since the last step.
func (w *walkthrough) renderer() render.Terminal {
	width := w.streams.Width
	if cols, _, err := term.GetSize(int(w.streams.OutFile.Fd())); err == nil && cols > 0 {
		width = cols
	}
	return render.Terminal{Width: width, Color: w.streams.Color, Hyperlinks: w.streams.Color && hyperlinksOK()}
}

// hyperlinksOK: OSC 8 is ignored by terminals that do not know it, except
// the Linux console, which prints it.
func hyperlinksOK() bool { return os.Getenv("TERM") != "linux" }

// show draws step i's screen: the header, the prose before it, the step.
func (w *walkthrough) show(i int, step *course.Step) {
	rt := w.renderer()
	var b strings.Builder
	b.WriteString("\n" + rt.Header(w.mod, i) + "\n")
	prose := append(w.pending, rt.Prose(w.mod, i))
	w.pending = nil
	for _, p := range prose {
		if strings.TrimSpace(p) != "" {
			b.WriteString(strings.TrimRight(p, "\n") + "\n\n")
		}
	}
	b.WriteString(w.frame(rt, i, step))
	fmt.Fprint(w.out(), b.String())
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
			if key, err = w.ask(ctx, runKeys, "\r\nseq?"); err != nil {
				return quit, err
			}
		}
		switch key {
		case 'q':
			return quit, nil
		case '?':
			fmt.Fprint(w.out(), w.help(false, true))
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
				fmt.Fprintf(w.out(), "  %s\n", w.paint(fmt.Sprintf("(line %d of your version; %s is not changed)", r.FailLine-first+1, w.mod.Path), "2"))
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
	allowed := "rsqh?"
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
			fmt.Fprintf(w.out(), "%s\n", w.paint("  A shell with the state the step left. Type exit to come back.", "2"))
			if err := w.sess.Shell(ctx); err != nil {
				if ctx.Err() != nil {
					return quit, false, nil, nil
				}
				fmt.Fprintf(w.streams.Err, "coursectl: shell: %v\n", err)
			}
			fmt.Fprintf(w.out(), "%s\n", w.paint("  Back in coursectl (what you changed in files stays; shell variables do not carry back).", "2"))
		case 'q':
			return quitFailed, false, nil, nil
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
		fmt.Fprintf(w.out(), "\n  %s\n  %s\n", w.paint(fmt.Sprintf("✗ A hidden setup step (%s:%d) failed:", w.mod.Path, step.Line), "1", "31"), r.Error)
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
	fmt.Fprintf(w.out(), "%s\n", w.paint("  ▶ running — your keyboard goes to the step; Ctrl-C stops it", "2"))
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
	fmt.Fprintf(w.out(), "  %s\n", w.paint("⇢ runs on in the background (`jobs` lists it); its output goes to a log.", "2"))
	what := "What it printed until ready:"
	if r.Status != result.Passed || step.Attrs.Ready == "" {
		what = "What it printed so far:"
	}
	fmt.Fprintf(w.out(), "  %s\n", w.paint("  "+what, "2"))
	lines := headLines(r.Output, backgroundLines)
	if len(lines) == 0 {
		fmt.Fprintf(w.out(), "  │ %s\n", w.paint("(nothing yet)", "2"))
	}
	for _, l := range lines {
		fmt.Fprintf(w.out(), "  │ %s\n", l)
	}
}

// backgroundLines is how many lines of a background step's output run
// shows: enough for a server's start-up banner.
const backgroundLines = 10

// headLines is the first n lines of a step's captured output, escapes and
// \r redraws dropped, with a last line counting those left out.
func headLines(out string, n int) []string {
	out = strings.TrimRight(xansi.Strip(out), "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	more := 0
	if len(lines) > n {
		more = len(lines) - n
		lines = lines[:n]
	}
	for i, l := range lines {
		if j := strings.LastIndexByte(l, '\r'); j >= 0 {
			lines[i] = l[j+1:]
		}
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("… %s more", plural(more, "line")))
	}
	return lines
}

func (w *walkthrough) status(r *result.Step) {
	rt := w.renderer()
	fmt.Fprintf(w.out(), "  %s\n", rt.Status(r))
	if r.Status == result.Failed || r.Status == result.Timeout {
		if r.Error != "" {
			fmt.Fprintf(w.out(), "  %s\n", w.paint(r.Error, "31"))
		}
	}
}

// skip passes over step at the learner's word. It counts as done, as a
// step marked skip does: the checkpoint is the state as it stands, so the
// next run resumes after it.
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
	done := 0
	for i, s := range w.mod.Steps {
		if !s.Hidden && after.Done[i] {
			done++
		}
	}
	msg := fmt.Sprintf("\n  Progress kept: %d/%d steps done.", done, w.total)
	if after.Next < len(w.mod.Steps) {
		msg += fmt.Sprintf("\n  'coursectl run %s' resumes at step %d/%d.", w.mod.Path, w.number(after.Next), w.total)
	}
	fmt.Fprintln(w.out(), msg)
}

// The key hints, one line each (SPEC §4).
const (
	runKeys      = "Enter run · s skip · e edit · q quit · ? help"
	failKeys     = "r retry · s skip · h shell here · q quit · ? help"
	failKeysEdit = "r retry · e edit · s skip · h shell here · q quit · ? help"
)

func (w *walkthrough) help(failed, editable bool) string {
	k := func(key, what string) string {
		return "    " + w.paint(fmt.Sprintf("%-6s", key), "1") + " " + what + "\n"
	}
	var b strings.Builder
	b.WriteString("\n")
	if failed {
		b.WriteString(k("r", "run the step again"))
	} else {
		b.WriteString(k("Enter", "run the step here: your keyboard goes to it (nano, sudo, read);"))
		b.WriteString(k("", "Ctrl-C stops the step, not coursectl"))
	}
	if editable {
		b.WriteString(k("e", "edit the step in $EDITOR; Enter then runs your version"))
		b.WriteString(k("", "(only this run uses it: the module file is not changed)"))
	}
	b.WriteString(k("s", "skip the step: it counts as done and the run goes on"))
	if failed {
		b.WriteString(k("h", "open a shell with the state the step left; exit comes back"))
	}
	b.WriteString(k("q", "quit; progress is kept and the next run resumes here"))
	b.WriteString(k("?", "this help"))
	return b.String()
}

// errCtrlC is Ctrl-C at a question: the walkthrough ends as with q (progress
// kept), but the exit status says interrupted (130, SPEC §4), as a shell's
// does; q is the learner's ordinary way out and exits 0.
var errCtrlC = errors.New("interrupted at a question")

// ask shows hint and reads one key of allowed from the learner's terminal
// in raw mode. Ctrl-D quits, as q does; Ctrl-C is errCtrlC; Enter is '\r'.
func (w *walkthrough) ask(ctx context.Context, hint, allowed string) (byte, error) {
	// Keys typed before the question is on screen are dropped (an Enter
	// pressed twice must not run a step the learner has not seen); keys
	// typed after it stand.
	_ = unix.IoctlSetInt(int(w.streams.InFile.Fd()), unix.TCFLSH, unix.TCIFLUSH)
	fmt.Fprintf(w.out(), "  %s ", w.paint(hint, "36"))
	key, err := readKey(ctx, w.streams.InFile, allowed)
	fmt.Fprint(w.out(), "\n")
	return key, err
}

// keysMode makes the learner's terminal read keys one at a time with no
// echo and no signals (Ctrl-C is a key: at a prompt it quits, as q does),
// like raw mode but with output processing kept, so "\n" still starts a new
// line. Staying in this mode between steps matters: a key typed in the
// moment between the learner's Enter and the step taking the keyboard stays
// queued for the step, where a canonical-mode terminal would echo it, turn
// Ctrl-C into a signal for coursectl, or lose a half-typed line when the
// mode changes under it.
func keysMode(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, fmt.Errorf("the terminal: %w", err)
	}
	t := *old
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, fmt.Errorf("the terminal: %w", err)
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}

// readKey reads keys until one of allowed arrives. Escape sequences (arrow
// keys) and other keys are ignored. The terminal is in keys mode.
func readKey(ctx context.Context, in *os.File, allowed string) (byte, error) {
	cr, err := cancelreader.NewReader(in)
	if err != nil {
		return 0, fmt.Errorf("reading a key: %w", err)
	}
	defer cr.Close()
	stop := context.AfterFunc(ctx, func() { cr.Cancel() })
	defer stop()
	buf := make([]byte, 64)
	for {
		n, err := cr.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			if errors.Is(err, cancelreader.ErrCanceled) || errors.Is(err, io.EOF) {
				return 'q', nil
			}
			return 0, err
		}
		if n == 0 || buf[0] == 0x1b {
			continue
		}
		key := buf[0]
		switch key {
		case '\n':
			key = '\r'
		case 0x03: // Ctrl-C
			return 0, errCtrlC
		case 0x04: // Ctrl-D
			key = 'q'
		}
		if key >= 'A' && key <= 'Z' {
			key += 'a' - 'A'
		}
		if strings.IndexByte(allowed, key) >= 0 {
			return key, nil
		}
	}
}

// edit lets the learner change the step in $EDITOR. The edited text runs
// in the step's place for this run only; the module file is not changed,
// and the step's checkpoint stands for it (docs/walkthrough.md). It returns
// nil when there is nothing to run (the file was emptied).
func (w *walkthrough) edit(ctx context.Context, i int, cur *course.Step) (*course.Step, error) {
	f, err := os.CreateTemp("", "coursectl-"+cur.ID+"-*.sh")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	header := fmt.Sprintf("# coursectl: step %d/%d · %s (%s:%d)\n# coursectl: save and quit to run your version; %s is not changed.\n",
		w.number(i), w.total, cur.Title(), w.mod.Path, cur.Line, w.mod.Path)
	if _, err := f.WriteString(header + editableText(cur)); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	editor := editorCommand()
	// The editor is the learner's own tool on their own terminal (as git
	// runs $EDITOR), not a step: it runs here, not in the run's shell.
	cmd := exec.CommandContext(ctx, "sh", "-c", editor+` "$1"`, "sh", f.Name())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = w.streams.InFile, w.streams.OutFile, w.streams.OutFile
	w.cooked()
	err = cmd.Run()
	w.keys()
	if err != nil {
		return nil, fmt.Errorf("editor %q: %v; the step is unchanged", editor, err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, err
	}
	var body []string
	for _, l := range strings.Split(string(b), "\n") {
		if len(body) == 0 && strings.HasPrefix(l, "# coursectl: ") {
			continue
		}
		body = append(body, l)
	}
	text := strings.TrimRight(strings.Join(body, "\n"), "\n \t")
	if strings.TrimSpace(text) == "" {
		fmt.Fprintf(w.out(), "%s\n", w.paint("  Nothing left to run: the step is unchanged.", "2"))
		return nil, nil
	}
	if text == strings.TrimRight(editableText(cur), "\n \t") {
		// Quitting the editor without a change is not a new version: the
		// step runs as it was.
		fmt.Fprintf(w.out(), "%s\n", w.paint("  No change: the step runs as it was.", "2"))
		return nil, nil
	}
	ed := editedStep(cur, text)
	rt := w.renderer()
	fmt.Fprint(w.out(), "\n"+w.frame(rt, i, ed))
	fmt.Fprintf(w.out(), "%s\n", w.paint(fmt.Sprintf("  (your version: it runs in this step's place; %s is not changed)", w.mod.Path), "2"))
	return ed, nil
}

// editableText is what the learner edits: the commands that run, prompts
// and expected output left out; a file step's body.
func editableText(s *course.Step) string {
	if s.Kind == course.File {
		return s.Body
	}
	var b strings.Builder
	for _, c := range s.Commands {
		b.WriteString(c.Text + "\n")
	}
	return b.String()
}

// editedStep is s with text in place of its commands. It runs as a plain
// script: expected output written for the original is not checked. The text
// is split into commands as the module's own blocks are, each at its line
// counted from the step's first body line (the edited text is drawn in the
// step's place), so a failure names the command that failed and its line in
// the learner's version, not the whole text at the fence.
func editedStep(s *course.Step, text string) *course.Step {
	ed := *s
	ed.Body = text + "\n"
	if s.Kind == course.File {
		return &ed
	}
	ed.Kind, ed.Lang, ed.Prompted, ed.Expected = course.Script, "sh", false, nil
	first := s.BodyLine
	if first == 0 {
		first = s.Line + 1
	}
	ed.Commands = editedCommands(text, first)
	return &ed
}

// editedCommands splits text as the parser splits an sh block (a command
// runs until bash would stop asking for more; blank and comment lines go),
// with text's first line at line first. The fence is longer than any run of
// backticks in text, so text cannot close it.
func editedCommands(text string, first int) []course.Command {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	mod, err := course.Parse("edited.md", []byte(fence+"sh\n"+text+"\n"+fence+"\n"))
	if err != nil || len(mod.Steps) != 1 || len(mod.Steps[0].Commands) == 0 {
		return []course.Command{{Text: text, Line: first}}
	}
	cmds := append([]course.Command(nil), mod.Steps[0].Commands...)
	for i := range cmds {
		// The body starts on line 2 of the wrapper.
		cmds[i].Line += first - 2
	}
	return cmds
}

// editorCommand is the learner's editor: $VISUAL, $EDITOR, else the first
// of Debian's `editor`, nano and vi that is installed.
func editorCommand() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := strings.TrimSpace(os.Getenv(v)); e != "" {
			return e
		}
	}
	for _, e := range []string{"editor", "nano", "vi"} {
		if _, err := exec.LookPath(e); err == nil {
			return e
		}
	}
	return "vi"
}

// tailLines is the last n lines of a step's captured output, escapes
// dropped, for a failure the learner did not see happen.
func tailLines(out string, n int) []string {
	out = strings.TrimRight(xansi.Strip(out), "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if j := strings.LastIndexByte(l, '\r'); j >= 0 {
			lines[i] = l[j+1:]
		}
	}
	return lines
}
