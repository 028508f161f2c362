package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// The walkthrough is tested as a learner meets it: coursectl on a pty of
// its own (the test binary re-run as coursectl, see TestMain), its screen
// kept by a virtual terminal, keys typed into the pty. Every wait is on what
// the screen shows, with a generous deadline; none is a fixed sleep. What a
// test waits for must be text the step prints, not text of the step's frame
// ('name''? ' in the frame, "name? " on the screen).

const (
	termCols = 80
	termRows = 30
	// deadline is how long a wait on the screen may take: generous, since
	// the machine is shared and a step starts a bash.
	deadline = 60 * time.Second
)

// learner is a person at a terminal running coursectl.
type learner struct {
	t    *testing.T
	pty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex // guards em and raw: the copy goroutine writes, waits read
	em   *vt.Emulator
	raw  []byte        // every byte coursectl wrote, escapes and all
	out  chan struct{} // closed when the pty's output ends
	exit chan error
}

// place is a test's world: a work directory (the current directory of
// run), a HOME and a state directory, all temporary.
type place struct {
	dir, home, state string
}

func newPlace(t *testing.T, files map[string]string) place {
	t.Helper()
	root := t.TempDir()
	p := place{dir: filepath.Join(root, "work"), home: filepath.Join(root, "home"), state: filepath.Join(root, "state")}
	for _, d := range []string{p.dir, p.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// env pins what the screen depends on: TERM, HOME, the prompt, colour.
func (p place) env(extra ...string) []string {
	env := []string{
		mainEnv + "=1",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + p.home,
		"TERM=xterm-256color",
		"PS1=$ ",
		"NO_COLOR=1",
		"LANG=C.UTF-8",
		"XDG_STATE_HOME=" + p.state,
	}
	return append(env, extra...)
}

// start runs `coursectl args...` in p on a termCols×termRows pty.
func (p place) start(t *testing.T, env []string, args ...string) *learner {
	t.Helper()
	return p.startSized(t, termCols, termRows, env, args...)
}

// startSized is start on a cols×rows pty.
func (p place) startSized(t *testing.T, cols, rows int, env []string, args ...string) *learner {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir, cmd.Env = p.dir, env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	l := &learner{t: t, pty: f, cmd: cmd, em: vt.NewEmulator(cols, rows),
		out: make(chan struct{}), exit: make(chan error, 1)}
	l.em.SetScrollbackSize(5000)
	go func() {
		defer close(l.out)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				l.mu.Lock()
				_, _ = l.em.Write(buf[:n])
				l.raw = append(l.raw, buf[:n]...)
				l.mu.Unlock()
			}
			if err != nil { // EIO: the program and its children are gone
				return
			}
		}
	}()
	// The terminal's answers (cursor position reports...) go back to the
	// program, as a real terminal's do.
	go func() { _, _ = io.Copy(f, l.em) }()
	go func() { l.exit <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-l.exit
		f.Close()
		l.em.Close()
	})
	return l
}

// text is everything the terminal has shown: the scrollback, then the screen.
func (l *learner) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, line := range l.em.Scrollback().Lines() {
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	for _, line := range strings.Split(l.em.String(), "\n") {
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// waitFor waits until s has been shown n times in all.
func (l *learner) waitFor(s string, n int) {
	l.t.Helper()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		if strings.Count(l.text(), s) >= n {
			return
		}
		select {
		case <-l.out:
			if strings.Count(l.text(), s) >= n {
				return
			}
			l.t.Fatalf("coursectl ended before %q was shown %d times; the terminal shows:\n%s", s, n, l.text())
		case <-time.After(20 * time.Millisecond):
		}
	}
	l.t.Fatalf("%q was not shown %d times within %s; the terminal shows:\n%s", s, n, deadline, l.text())
}

// output is every byte coursectl wrote so far.
func (l *learner) output() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.raw)
}

// typeKeys types s as the learner would.
func (l *learner) typeKeys(s string) {
	l.t.Helper()
	if _, err := l.pty.WriteString(s); err != nil {
		l.t.Fatal(err)
	}
}

// resize changes the window, as dragging its corner does.
func (l *learner) resize(cols, rows int) {
	l.t.Helper()
	l.mu.Lock()
	l.em.Resize(cols, rows)
	l.mu.Unlock()
	if err := pty.Setsize(l.pty, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)}); err != nil {
		l.t.Fatal(err)
	}
}

// wait waits for coursectl to exit and returns its exit status.
func (l *learner) wait() int {
	l.t.Helper()
	select {
	case err := <-l.exit:
		l.exit <- err // for Cleanup
		<-l.out
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			l.t.Fatal(err)
		}
		return 0
	case <-time.After(deadline):
		l.t.Fatalf("coursectl did not exit within %s; the terminal shows:\n%s", deadline, l.text())
	}
	return -1
}

const hint = "Enter run · s skip"

const stateModule = `# State

Some *intro* prose with ` + "`code`" + ` and **bold** words.

## Set things up

` + "```sh" + `
export GREETING=hello
mkdir -p sub && cd sub
` + "```" + `

## Use them

` + "```sh" + `
echo "got $GREETING in $(basename "$PWD")"
` + "```" + `
`

func TestRunShowsProseWithoutMarkers(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": stateModule})
	// Colour on: the markers must be gone, not merely uncoloured.
	var env []string
	for _, kv := range p.env() {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			env = append(env, kv)
		}
	}
	l := p.start(t, env, "run", "m.md")
	l.waitFor(hint, 1)
	got := l.text()
	for _, want := range []string{"Step 1/2 · Set things up", "Some intro prose with code and bold words.", "│ export GREETING=hello"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
	for _, marker := range []string{"**", "`", "# State", "## ", "```"} {
		if strings.Contains(got, marker) {
			t.Errorf("screen shows the markdown marker %q:\n%s", marker, got)
		}
	}
	// Ctrl-C at a question quits as q does (progress kept), but says it
	// was interrupted and exits 130 (docs/spec.md §4); q exits 0.
	l.typeKeys("\x03")
	l.waitFor("Progress kept: 0/2 steps done", 1)
	l.waitFor("Interrupted (Ctrl-C)", 1)
	if code := l.wait(); code != 130 {
		t.Errorf("Ctrl-C at a question: exit %d, want 130", code)
	}
}

func TestRunEnterRunsAndQuitKeepsProgressForResume(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": stateModule})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("✓ passed", 1)
	l.waitFor("Step 2/2 · Use them", 2) // the header and the frame
	l.waitFor(hint, 2)
	l.typeKeys("q")
	l.waitFor("Progress kept: 1/2 steps done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("q: exit %d, want 0", code)
	}

	// The next run resumes at step 2 with the variable and the directory
	// step 1 left.
	l = p.start(t, p.env(), "run", "m.md")
	l.waitFor("Resuming at step 2/2 · Use them; step 1 done on ", 1)
	l.waitFor(hint, 1)
	if strings.Contains(l.text(), "Step 1/2") {
		t.Errorf("the resumed run shows step 1 again:\n%s", l.text())
	}
	l.typeKeys("\r")
	l.waitFor("got hello in sub", 1)
	l.waitFor("m.md: all 2 steps done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, l.text())
	}
	// The directory was made where the learner stands.
	if _, err := os.Stat(filepath.Join(p.dir, "sub")); err != nil {
		t.Errorf("step 1 did not run in the current directory: %v", err)
	}

	// With every step done, run says so and how to start again.
	l = p.start(t, p.env(), "run", "m.md")
	l.waitFor("m.md: all 2 steps done on ", 1)
	l.waitFor("'coursectl run --fresh m.md' starts again", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}

	// --from starts at a step with the state the one before it left.
	l = p.start(t, p.env(), "run", "m.md", "--from", "use-them")
	l.waitFor("Starting at step 2/2 · Use them (--from), with the shell state step 1 left.", 1)
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("got hello in sub", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("--from: exit %d, want 0", code)
	}
}

// status is coursectl status run as a command of its own (no terminal).
func (p place) status(t *testing.T, file string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "status", file)
	cmd.Dir, cmd.Env = p.dir, p.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	return string(out)
}

func TestRunSIGTERMStopsTheRunKeepingProgress(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# Term\n\n## One\n\n```sh\ntrue\n```\n\n## Long\n\n```sh\nsh -c 'echo sta\"\"rted; exec sleep 600'\n```\n"})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor(hint, 2)
	l.typeKeys("\r")
	l.waitFor("started", 1)
	if err := l.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := l.wait(); code != 130 {
		t.Fatalf("SIGTERM: exit %d, want 130:\n%s", code, l.text())
	}
	l = p.start(t, p.env(), "run", "m.md")
	l.waitFor("Resuming at step 2/2 · Long; step 1 done on ", 1)
}

func TestRunStepGetsTheKeyboardAndResizes(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# Keys\n\n## Ask\n\n```sh {interactive}\n" +
		"read -r -p 'name''? ' name\necho \"hi $name\"\n```\n\n## Size\n\n```sh\n" +
		"read -r -p 'resize me,'' then Enter ' _\necho \"cols=$(tput cols)\"\n```\n"})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("name?", 1)
	l.typeKeys("Ada\r")
	l.waitFor("hi Ada", 1)
	l.waitFor(hint, 2)
	l.typeKeys("\r")
	l.waitFor("resize me, then Enter", 1)
	l.resize(100, termRows)
	l.typeKeys("\r")
	l.waitFor("cols=100", 1)
	l.waitFor("m.md: all 2 steps done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
}

func TestRunCtrlCStopsOnlyTheStep(t *testing.T) {
	// "started" comes from the long command itself, so when it shows, that
	// command holds the terminal: a Ctrl-C a moment earlier would reach
	// bash between two commands, which bash (as in any terminal) does not
	// treat as stopping the command it starts next.
	p := newPlace(t, map[string]string{"m.md": "# Stop\n\n## Long\n\n```sh\nsh -c 'echo sta\"\"rted; exec sleep 600'\necho fin''ished\n```\n"})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("started", 1)
	l.typeKeys("\x03")
	l.waitFor("✗ failed (exit 130)", 1)
	l.waitFor("r retry", 1)
	if strings.Contains(l.text(), "finished") {
		t.Errorf("the step went on after Ctrl-C:\n%s", l.text())
	}
	// coursectl is still there, asking; q quits at the failure: exit 1.
	l.typeKeys("q")
	l.waitFor("Progress kept: 0/1 steps done", 1)
	if code := l.wait(); code != 1 {
		t.Fatalf("q after a failure: exit %d, want 1", code)
	}
}

const keysModule = `# Keys

## Broken

` + "```sh" + `
VAR=set
mkdir -p made && cd made
false
` + "```" + `

## Skip me

` + "```sh" + `
echo must not run > skipped.txt
` + "```" + `

## Marked

` + "```sh {skip}" + `
echo must not run > marked.txt
` + "```" + `

<!-- coursectl:setup
echo SECRET-SETUP-OUTPUT
SETUP_VAR=from-setup
-->

## Last

` + "```sh" + `
echo "last: $SETUP_VAR"
` + "```" + `
`

func TestRunFailureMenuShellEditSkip(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": keysModule})
	// The learner's editor, scripted: it turns `false` into `true`.
	l := p.start(t, p.env("EDITOR=sed -i s/^false$/true/"), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("✗ failed (exit 1)", 1)
	l.waitFor("r retry", 1)

	// h: a shell with the state the failed step left.
	l.typeKeys("h")
	l.waitFor("Type exit to come back", 1)
	l.typeKeys(`echo "in $(basename "$PWD") with VAR=$VAR"` + "\r")
	l.waitFor("in made with VAR=set", 1)
	l.typeKeys("exit\r")
	l.waitFor("Back in coursectl", 1)
	l.waitFor("r retry", 2)

	// e: the edited step is shown, then Enter runs it; the file is untouched.
	l.typeKeys("e")
	l.waitFor("(your version", 1)
	l.waitFor("│ true", 1)
	l.waitFor(hint, 2)
	l.typeKeys("\r")
	l.waitFor("✓ passed", 1)

	// s skips; a step marked skip passes by without a question.
	l.waitFor("Step 2/4 · Skip me", 2)
	l.waitFor(hint, 3)
	l.typeKeys("s")
	l.waitFor("skipped by you", 1)
	l.waitFor("Step 3/4 · Marked", 2)
	l.waitFor("· marked skip", 1)

	// The hidden setup step ran unseen before the last step.
	l.waitFor("Step 4/4 · Last", 2)
	l.waitFor(hint, 4)
	l.typeKeys("\r")
	l.waitFor("last: from-setup", 1)
	// Every step is settled, but two were skipped: not "all done".
	l.waitFor("m.md: 2/4 steps done, 2 skipped.", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	got := l.text()
	if strings.Contains(got, "SECRET-SETUP-OUTPUT") || strings.Contains(got, "coursectl:setup") {
		t.Errorf("the hidden setup step shows:\n%s", got)
	}
	for _, f := range []string{"skipped.txt", "marked.txt", "made/skipped.txt", "made/marked.txt"} {
		if _, err := os.Stat(filepath.Join(p.dir, f)); err == nil {
			t.Errorf("a skipped step ran: %s exists", f)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(p.dir, "m.md")); string(b) != keysModule {
		t.Errorf("the edit changed the module file")
	}
	// An edited step counts as done; skipped and marked-skip steps are
	// skipped, not done.
	st := p.status(t, "m.md")
	for _, want := range []string{"m.md: 2/4 steps done, 2 skipped", "✓  1  broken", "–  2  skip-me", "–  3  marked", "✓  4  last"} {
		if !strings.Contains(st, want) {
			t.Errorf("status lacks %q:\n%s", want, st)
		}
	}
}

func TestRunYesAsksNothing(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# Yes\n\n## One\n\n```sh\necho o''ne-ran\n```\n\n## Two\n\n```sh\nexit_with() { return 4; }\nexit_with\n```\n\n## Three\n\n```sh\necho th''ree-ran\n```\n"})
	l := p.start(t, p.env(), "run", "m.md", "--yes")
	l.waitFor("one-ran", 1)
	l.waitFor("✗ failed (exit 4)", 1)
	if code := l.wait(); code != 1 {
		t.Fatalf("--yes with a failing step: exit %d, want 1", code)
	}
	got := l.text()
	if strings.Contains(got, hint) || strings.Contains(got, "r retry") {
		t.Errorf("--yes asked a question:\n%s", got)
	}
	if strings.Contains(got, "three-ran") {
		t.Errorf("--yes went on after a failure:\n%s", got)
	}
}

func TestRunFullScreenProgramInAStep(t *testing.T) {
	if _, err := exec.LookPath("vi"); err != nil {
		t.Skip("no vi on this machine")
	}
	p := newPlace(t, map[string]string{"m.md": "# Edit\n\n## Write a file\n\n```sh\nvi notes.txt\necho \"sav\"\"ed: $(cat notes.txt)\"\n```\n"})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	// vi draws its screen: the empty buffer's tildes.
	l.waitFor("~", 3)
	l.typeKeys("ihello from vi\x1b")
	l.typeKeys(":wq\r")
	l.waitFor("saved: hello from vi", 1)
	l.waitFor("m.md: all 1 step done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
}

// A line the learner types during a step that the step does not read is
// dropped when the step ends: the run's shell never executes it.
func TestRunTypeAheadDuringAStepIsNotExecuted(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# Ahead\n\n## Wait\n\n```sh\necho wa''iting; until [ -e go ]; do sleep 0.05; done\n```\n\n## List\n\n```sh\nls\n```\n"})
	l := p.start(t, p.env(), "run", "m.md", "--yes")
	l.waitFor("waiting", 1)
	l.typeKeys("touch typed-ahead\r")
	l.waitFor("touch typed-ahead", 1) // echoed: queued in the step's terminal
	if err := os.WriteFile(filepath.Join(p.dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l.waitFor("m.md: all 2 steps done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, l.text())
	}
	if _, err := os.Stat(filepath.Join(p.dir, "typed-ahead")); err == nil {
		t.Errorf("the shell executed a line typed during a step:\n%s", l.text())
	}
}

// `run --only ID` on a terminal retries one step: the later steps the
// learner did stay done.
func TestRunOnlyKeepsLaterSteps(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": stateModule})
	l := p.start(t, p.env(), "run", "m.md", "--yes")
	l.waitFor("m.md: all 2 steps done", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, l.text())
	}
	l = p.start(t, p.env(), "run", "m.md", "--yes", "--only", "set-things-up")
	l.waitFor("✓ passed", 1)
	if code := l.wait(); code != 0 {
		t.Fatalf("--only: exit %d, want 0:\n%s", code, l.text())
	}
	if got := p.status(t, "m.md"); !strings.Contains(got, "2/2 steps done") {
		t.Errorf("after --only of step 1:\n%s", got)
	}
}

// An edited step (e) that fails is reported at the failing line of the
// learner's text with that line's command, not the whole text at the fence;
// quitting the editor without a change runs the step as written, and says
// nothing of "your version".
func TestRunEditedStepFailsAtItsOwnLine(t *testing.T) {
	const module = "# Edit\n\n## Keep\n\n```sh\necho orig''inal-ran\n```\n\n## Two\n\n```sh\necho two-orig\n```\n"
	// The learner's editor, scripted: it leaves the first step alone (as
	// quitting without saving does) and replaces the second one's text.
	editor := "#!/bin/sh\ngrep -q orig.*inal-ran \"$1\" && exit 0\nprintf 'echo EDITED-before\\nfalse\\necho after\\n' > \"$1\"\n"
	p := newPlace(t, map[string]string{"m.md": module, "ed.sh": editor})
	if err := os.Chmod(filepath.Join(p.dir, "ed.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	l := p.start(t, p.env("EDITOR="+filepath.Join(p.dir, "ed.sh")), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("e")
	l.waitFor("No change: the step runs as it was", 1)
	l.waitFor(hint, 2)
	l.typeKeys("\r")
	l.waitFor("original-ran", 1)
	l.waitFor("✓ passed", 1)
	if got := l.text(); strings.Contains(got, "your version") {
		t.Fatalf("an unchanged edit is called your version:\n%s", got)
	}

	l.waitFor("Step 2/2 · Two", 2)
	l.waitFor(hint, 3)
	l.typeKeys("e")
	l.waitFor("(your version", 1)
	l.waitFor(hint, 4)
	l.typeKeys("\r")
	l.waitFor("✗ failed (exit 1)", 1)
	l.waitFor("r retry", 1)
	got := l.text()
	if !strings.Contains(got, "EDITED-before") || strings.Contains(got, "\nafter\n") {
		t.Errorf("the edited step did not run up to its failing line:\n%s", got)
	}
	if !strings.Contains(got, "step two (m.md:13): `false` failed") {
		t.Errorf("the failure does not name the edited text's failing line and command (want m.md:13, `false`):\n%s", got)
	}
	if !strings.Contains(got, "line 2 of your version") {
		t.Errorf("the failure does not say which line of the learner's version failed:\n%s", got)
	}
	l.typeKeys("q")
	if code := l.wait(); code != 1 {
		t.Errorf("exit %d after quitting at a failed step, want 1", code)
	}
}

// run --from a step whose previous step has no checkpoint says once that
// it starts with a fresh shell and why: no separate warning, and never "with
// the shell state step N left".
func TestRunFromWithoutCheckpointSaysItOnce(t *testing.T) {
	p := newPlace(t, map[string]string{"m.md": "# From\n\n## One\n\n```sh\nX=1\n```\n\n## Two\n\n```sh\necho two\n```\n\n## Three\n\n```sh\necho \"three X=$X\"\n```\n"})
	l := p.start(t, p.env(), "run", "m.md", "--from", "three")
	l.waitFor(hint, 1)
	got := l.text()
	// The line is longer than the window: the terminal wraps it.
	if !strings.Contains(strings.ReplaceAll(got, "\n", ""), "Starting at step 3/3 · Three (--from), with a fresh shell: no checkpoint for step two") {
		t.Errorf("the start is not announced with the fresh shell and its reason:\n%s", got)
	}
	if strings.Contains(got, "warning") || strings.Contains(got, "shell state step") {
		t.Errorf("a second, contradicting message about the start:\n%s", got)
	}
	l.typeKeys("q")
	if code := l.wait(); code != 0 {
		t.Errorf("exit %d after q, want 0", code)
	}
}

// A background step's output goes to a log, not the terminal: run says the
// step went on in the background and shows what it printed until ready.
func TestRunBackgroundStepShowsItsStart(t *testing.T) {
	module := "# Bg\n\n## Serve\n\n```sh {background ready=\"Listening on [0-9]+\"}\necho \"boot\"\"ing\"\necho \"Listening on 8080\"\nwhile :; do sleep 1; done\n```\n\n## Talk\n\n```sh\necho ta''lked\n```\n"
	p := newPlace(t, map[string]string{"m.md": module})
	l := p.start(t, p.env(), "run", "m.md")
	l.waitFor(hint, 1)
	l.typeKeys("\r")
	l.waitFor("✓ passed", 1)
	got := l.text()
	for _, want := range []string{"runs on in the background", "What it printed until ready:", "│ booting", "│ Listening on 8080"} {
		if !strings.Contains(got, want) {
			t.Errorf("the background step's start does not show %q:\n%s", want, got)
		}
	}
	l.waitFor(hint, 2)
	l.typeKeys("\r")
	l.waitFor("talked", 1)
	if code := l.wait(); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
}

// An editor step in run (docs/spec.md §7): the page says `nano notes.txt` and shows
// the content after it; run shows that content as what to type, then opens
// the learner's own editor ($EDITOR, here a real vim) on the file with the
// keyboard theirs, and the step after it sees what they saved.
func TestRunEditorStepOpensTheLearnersEditor(t *testing.T) {
	if _, err := exec.LookPath("vim"); err != nil {
		t.Skip("no vim")
	}
	page := "# Notes\n\n```bash\n$ nano notes.txt\n```\n\nType this:\n\n```text\nshare and thrive\n```\n\n" +
		"## Look\n\n```bash\n$ cat notes.txt\n```\n\n```output\nshare and thrive\n```\n"
	p := newPlace(t, map[string]string{"notes.md": page})
	l := p.start(t, p.env("EDITOR=vim -u NONE -N"), "run", "notes.md")
	l.waitFor(hint, 1)
	l.waitFor("✎ This opens vim -u NONE -N ($EDITOR) on notes.txt.", 1)
	l.waitFor("Type this into it, save, and quit the editor:", 1)
	l.waitFor("│ share and thrive", 1)
	l.typeKeys("\r")
	l.waitFor(`"notes.txt" [New]`, 1)
	l.typeKeys("ishare and thrive\x1b")
	l.typeKeys(":wq\r")
	l.waitFor("✓ passed", 1)
	l.waitFor(hint, 2)
	l.typeKeys("\r")
	l.waitFor("✓ passed", 2)
	if code := l.wait(); code != 0 {
		t.Errorf("exit %d, want 0; the terminal shows:\n%s", code, l.text())
	}
	b, err := os.ReadFile(filepath.Join(p.dir, "notes.txt"))
	if err != nil || string(b) != "share and thrive\n" {
		t.Errorf("notes.txt: %q, %v", b, err)
	}
}
