package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// quoteEscapes makes escape sequences visible, so a golden diff shows
// which colour changed instead of invisible bytes.
func quoteEscapes(s string) string {
	return strings.NewReplacer("\x1b", `\x1b`, "\a", `\a`).Replace(s)
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./render -run %s -update rewrites it):\n%s",
			path, t.Name(), lineDiff(string(want), got))
	}
}

// lineDiff lists the first lines that differ, enough to see what broke.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		b.WriteString("line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
		if shown++; shown == 8 {
			b.WriteString("  ...\n")
			break
		}
	}
	return b.String()
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// shapesModule is testdata/shapes.md: one of each shape a module takes.
func shapesModule(t testing.TB) *course.Module { return load(t, "testdata/shapes.md") }

// seedModule is the seed module, testdata/module1.md.
// Its Path is set as a user at the repository root would name it.
func seedModule(t testing.TB) *course.Module {
	mod := load(t, "../testdata/module1.md")
	mod.Path = "testdata/module1.md"
	return mod
}

func load(t testing.TB, path string) *course.Module {
	t.Helper()
	mod, err := course.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

// shapesRecord is a run of shapes.md that failed at the transcript.
func shapesRecord() *result.Module {
	at := time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC)
	return &result.Module{
		File: "testdata/shapes.md", Started: at, Duration: 3200 * time.Millisecond,
		Steps: []*result.Step{
			{ID: "setup-shapes-of-a-module", Status: result.Passed, Duration: 10 * time.Millisecond},
			{ID: "mkdir", Status: result.Passed, Duration: 400 * time.Millisecond},
			{ID: "set-up", Status: result.Skipped, Note: "skip: shown, not run"},
			{ID: "transcript", Status: result.Failed, ExitCode: 0, Duration: 1500 * time.Millisecond,
				Error:       "output differs from the transcript",
				FailLine:    46,
				FailCommand: `printf 'a\nb\n'`,
				Output:      "a\n\x1b[31mc\x1b[0m\n",
				Diff:        "--- want (line 47)\n+++ got\n a\n-b\n+c\n"},
		},
	}
}

func TestTerminalSeedPlain(t *testing.T) {
	mod := seedModule(t)
	got := Terminal{Width: 80}.Module(mod, nil)
	if strings.Contains(got, "\x1b") {
		t.Error("plain output holds an escape sequence")
	}
	golden(t, "module1.plain.golden", got)
}

func TestTerminalSeedColor(t *testing.T) {
	mod := seedModule(t)
	tm := Terminal{Width: 80, Color: true, Hyperlinks: true}
	golden(t, "module1.color.golden", quoteEscapes(tm.Header(mod, 2)+tm.Module(mod, nil)))
}

func TestTerminalShapes(t *testing.T) {
	mod := shapesModule(t)
	for _, tc := range []struct {
		name string
		tm   Terminal
		rec  *result.Module
	}{
		{"shapes.plain.golden", Terminal{Width: 80}, nil},
		{"shapes.color.golden", Terminal{Width: 80, Color: true, Hyperlinks: true}, nil},
		{"shapes.record.plain.golden", Terminal{Width: 80}, shapesRecord()},
		{"shapes.record.color.golden", Terminal{Width: 80, Color: true}, shapesRecord()},
		{"shapes.narrow.plain.golden", Terminal{Width: 40}, shapesRecord()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.tm.Module(mod, tc.rec)
			if !tc.tm.Color && strings.Contains(got, "\x1b") {
				t.Error("plain output holds an escape sequence")
			}
			if hasLink := strings.Contains(got, "\x1b]8;;https://go.dev/doc/"); hasLink != tc.tm.Hyperlinks {
				t.Errorf("OSC 8 link to go.dev: %v, want %v", hasLink, tc.tm.Hyperlinks)
			}
			golden(t, tc.name, quoteEscapes(got))
		})
	}
}

// Prose(0..n) with the steps between them show the document once: front
// matter, hidden steps and annotation comments never, everything else in
// its slice.
func TestProseSlices(t *testing.T) {
	mod := shapesModule(t)
	tm := Terminal{Width: 80}
	if got := tm.Prose(mod, 0); !strings.Contains(got, "Shapes of a module") || strings.Contains(got, "title: Shapes") {
		t.Errorf("Prose(0) = %q", got)
	}
	// Step 0 is the hidden setup: the prose after it holds the "Set up"
	// heading and the list item before the mkdir step.
	if got := tm.Prose(mod, 1); !strings.Contains(got, "Set up") || !strings.Contains(got, "Make a directory") || strings.Contains(got, "GREETING") {
		t.Errorf("Prose(1) = %q", got)
	}
	if got := tm.Prose(mod, 2); !strings.Contains(got, "Then list it.") || strings.Contains(got, "coursectl") {
		t.Errorf("Prose(2) = %q", got)
	}
	if got := tm.Prose(mod, len(mod.Steps)); strings.TrimSpace(got) != "The end." {
		t.Errorf("Prose(last) = %q", got)
	}
	for _, i := range []int{-1, len(mod.Steps) + 1} {
		if got := tm.Prose(mod, i); got != "" {
			t.Errorf("Prose(%d) = %q, want empty", i, got)
		}
	}
	if got := tm.Step(mod, mod.Steps[0]); got != "" {
		t.Errorf("a hidden step renders as %q", got)
	}
}

func TestHeader(t *testing.T) {
	mod := seedModule(t)
	got := Terminal{Width: 60}.Header(mod, 6)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("header has %d lines:\n%s", len(lines), got)
	}
	if !strings.Contains(lines[0], "Step 7/9 · 4. Install Docker") {
		t.Errorf("header line = %q", lines[0])
	}
	// Six of nine steps done: two thirds of the bar is heavy.
	if done, rest := strings.Count(lines[1], "━"), strings.Count(lines[1], "─"); done != 38 || rest != 20 {
		t.Errorf("progress bar %q: %d done, %d to go", lines[1], done, rest)
	}
}

// The header shares its line: a long step title must not starve the
// module title (the seed's first header once read " ðŸ“‹…   Step 1/9 · …"),
// the step title is cut first, and "Step N/M" always stays.
func TestHeaderSharesTheLine(t *testing.T) {
	seed := seedModule(t)
	short, err := course.Parse("short.md", []byte("# Intro\n\n## A very long heading for the only step of this little module here\n\n```sh\necho hi\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod       *course.Module
		step      int
		width     int
		title     string // the module title's start that must show
		wantRight string // what the right side must hold
	}{
		{seed, 0, 80, "ðŸ“‹ Module 1: Intro & Enviro", "Step 1/9 · 1. Download and install"},
		{seed, 3, 80, "ðŸ“‹ Module 1: Intro & Environment Set", "Step 4/9 · 4. Install Docker Compose"},
		{seed, 0, 120, "ðŸ“‹ Module 1: Intro & Environment Setup", "Step 1/9 · 1. Download and install the Anaconda distribution of Python"},
		{seed, 0, 40, "ðŸ“‹ Module 1", "Step 1/9 · 1. Downlo"},
		{seed, 0, 30, "ðŸ“‹ Module 1: I", "Step 1/9"},
		{short, 0, 40, "Intro", "Step 1/1 · A very long head"},
	} {
		got := Terminal{Width: tc.width}.Header(tc.mod, tc.step)
		line, _, _ := strings.Cut(got, "\n")
		if w := xansi.StringWidth(line); w > tc.width {
			t.Errorf("width %d: header is %d columns wide: %q", tc.width, w, line)
		}
		if !strings.HasPrefix(line, " "+tc.title) {
			t.Errorf("width %d, step %d: module title starved: %q, want it to start %q", tc.width, tc.step, line, tc.title)
		}
		if !strings.Contains(line, tc.wantRight) {
			t.Errorf("width %d, step %d: header %q lacks %q", tc.width, tc.step, line, tc.wantRight)
		}
	}
}

func TestStatus(t *testing.T) {
	tm := Terminal{}
	for _, tc := range []struct {
		r    result.Step
		want string
	}{
		{result.Step{Status: result.Passed, Duration: 420 * time.Millisecond}, "✓ passed · 0.4s"},
		{result.Step{Status: result.Passed, Duration: 7 * time.Millisecond}, "✓ passed · 7ms"},
		{result.Step{Status: result.Failed, ExitCode: 2, Duration: 75 * time.Second}, "✗ failed (exit 2) · 1m15s"},
		{result.Step{Status: result.Timeout, Duration: 30 * time.Second}, "✗ timed out · 30s"},
		// -1 is the runner's "I stopped it": the reason shows, never "exit -1".
		{result.Step{Status: result.Timeout, ExitCode: -1, Duration: 2 * time.Second,
			Error: "step s (m.md:3) timed out after 2s", Stop: &result.Stop{Kind: result.StopTimedOut, Limit: 2 * time.Second}}, "✗ timed out after 2s · 2.0s"},
		{result.Step{Status: result.Failed, ExitCode: -1, Duration: time.Second,
			Error: "step s (m.md:3) is waiting for input at `read x`: add `interact` or `interactive`",
			Stop:  &result.Stop{Kind: result.StopWaiting, Command: "read x"}}, "✗ waiting for input · 1.0s"},
		// The words of the message are not read: only Stop says why.
		{result.Step{Status: result.Failed, ExitCode: -1, Duration: time.Second,
			Error: "step s (m.md:3) is waiting for input at `read x`"}, "✗ failed · 1.0s"},
		{result.Step{Status: result.Failed, ExitCode: -1, Duration: time.Second,
			Error: "step s (m.md:3): the step replaced the shell (exec); the shell is gone", Stop: &result.Stop{Kind: result.StopExec}}, "✗ failed · 1.0s"},
		{result.Step{Status: result.Skipped, Note: "interactive"}, "↷ skipped · interactive"},
		{result.Step{Status: result.Passed, FromCheckpoint: true, Duration: time.Second}, "✓ done earlier"},
	} {
		if got := tm.Status(&tc.r); got != tc.want {
			t.Errorf("Status(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
	if got := (Terminal{Color: true}).Status(&result.Step{Status: result.Failed}); !strings.Contains(got, "\x1b[1;31m✗ failed") {
		t.Errorf("colour status = %q", got)
	}
}

// The walkthrough and watch may render from several goroutines; the
// shared parser, chroma styles and CSS must allow it (go test -race).
func TestConcurrentRender(t *testing.T) {
	mod := shapesModule(t)
	done := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func(color bool) {
			page, _ := HTML(mod, shapesRecord())
			done <- Terminal{Width: 80, Color: color}.Module(mod, shapesRecord()) + string(page)
		}(i%2 == 0)
	}
	for i := 0; i < 8; i++ {
		if s := <-done; !strings.Contains(s, "Step 3/6") {
			t.Error("a concurrent render lost its steps")
		}
	}
}

func proseModule(t *testing.T, src string) *course.Module {
	t.Helper()
	mod, err := course.Parse("links.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

// Relative links and images keep their path as the author wrote it: a
// made-up leading "/" (or a ../ cleaned away) points somewhere else.
func TestRelativeLinksAsWritten(t *testing.T) {
	mod := proseModule(t, "See [the guide](docs/guide.md), [up](../README.md#top), [here](#links) and ![diagram](images/arch.png).\n\n"+
		"| a | b |\n|---|---|\n| [x](sub/x.md) | y |\n")
	for _, tm := range []Terminal{{Width: 80}, {Width: 80, Color: true, Hyperlinks: true}} {
		got := xansi.Strip(tm.Prose(mod, 0))
		for _, want := range []string{" docs/guide.md", " ../README.md#top", "images/arch.png", "sub/x.md"} {
			if !strings.Contains(got, want) {
				t.Errorf("color=%v: no %q in\n%s", tm.Color, want, got)
			}
		}
		for _, bad := range []string{"/docs/guide.md", " /README.md", "/images/arch.png", "/sub/x.md", "#links"} {
			if strings.Contains(got, bad) {
				t.Errorf("color=%v: %q in\n%s", tm.Color, bad, got)
			}
		}
	}
}

// A Pandoc lesson gives a figure's alt text as an attribute after the
// image (the Carpentries' figures all do): it reads as the image's text,
// the attribute block is not shown, and the text after it stays.
func TestImageAltFromPandocAttributes(t *testing.T) {
	mod := proseModule(t, "![](fig/tree.svg){alt='The file system is a tree'} and then\n"+
		"![](fig/b.svg){width=\"50%\"\nalt=\"Two\nlines\"}. Done.\n\n![Own alt](fig/c.svg){alt='not this'}\n\n![](fig/d.svg)\n")
	got := Terminal{Width: 200}.Prose(mod, 0)
	for _, want := range []string{
		"Image: The file system is a tree → fig/tree.svg and then Image: Two lines → fig/b.svg. Done.",
		"Image: Own alt → fig/c.svg\n",
		"Image: fig/d.svg\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "{") {
		t.Errorf("an attribute block is shown:\n%s", got)
	}
}

// A URL is never split: glamour wraps prose at hyphens, which cut a long
// image URL into stray fragments, one a line. The URL stays on one line
// (wider than the window when it must be: the terminal shows it on two
// rows, but it copies and clicks whole), the text after it on the next,
// and the prose around it still wraps at words.
func TestURLIsNeverSplit(t *testing.T) {
	const u = "https://user-images.githubusercontent.com/12345/123456789-abcdef01-2345-6789-abcd-ef0123456789.png"
	const link = "https://github.com/docker/compose-long-name/releases/download/v2.5.0/docker-compose-linux-x86_64"
	mod := proseModule(t, "![Screenshot]("+u+")\n\nTo get the latest release of Docker Compose, go to "+link+" and download the release for your OS.\n")
	for _, tm := range []Terminal{{Width: 60}, {Width: 60, Color: true, Hyperlinks: true}, {Width: 100}} {
		got := tm.Prose(mod, 0)
		plain := xansi.Strip(got)
		for _, whole := range []string{u, link} {
			if !strings.Contains(plain, whole) {
				t.Errorf("width %d color=%v: %s is split:\n%s", tm.Width, tm.Color, whole, plain)
			}
		}
		for _, l := range strings.Split(plain, "\n") {
			if w := xansi.StringWidth(l); w > tm.Width && !strings.Contains(l, u) && !strings.Contains(l, link) {
				t.Errorf("width %d: line %q is %d columns wide and holds no URL", tm.Width, l, w)
			}
			if strings.Contains(l, link) && !strings.HasSuffix(l, link) {
				t.Errorf("width %d: the text after the URL stays on its too-wide line: %q", tm.Width, l)
			}
		}
		if !strings.Contains(plain, "and download the release") {
			t.Errorf("width %d: the prose after the URL is lost:\n%s", tm.Width, plain)
		}
		if tm.Hyperlinks && strings.Count(got, xansi.SetHyperlink(u)) != 1 {
			t.Errorf("the image URL is not one link:\n%s", quoteEscapes(got))
		}
	}
}

// A step's command wider than the frame wraps inside it: every line of it
// starts with the frame's bar, and each further line with the continuation
// mark, cut at a blank where one fits. Code that is not a step keeps its
// lines (it is not copied with the walkthrough's c, so a terminal's own
// wrap, which copies whole, serves it better). Prose wraps at words.
func TestStepCodeWrapsInsideTheFrame(t *testing.T) {
	const stepCmd = "echo this-is-a-long-command --with --many --flags that runs well past sixty columns"
	const other = "non-step code that is also long and goes well beyond sixty columns, kept as written"
	mod := proseModule(t, "# Code\n\nSome prose that is long enough to be wrapped at sixty columns, like any paragraph.\n\n"+
		"```sh\n"+stepCmd+"\n```\n\n```\n"+other+"\n```\n")
	for _, tm := range []Terminal{{Width: 60}, {Width: 60, Color: true}} {
		got := xansi.Strip(tm.Module(mod, nil))
		want := "  │ echo this-is-a-long-command --with --many --flags that\n  │ ↪ runs well past sixty columns\n"
		if !strings.Contains(got, want) {
			t.Errorf("color=%v: the command is not wrapped in the frame as\n%s\nin\n%s", tm.Color, want, got)
		}
		for _, l := range strings.Split(got, "\n") {
			if xansi.StringWidth(l) > 60 && !strings.Contains(l, other) {
				t.Errorf("color=%v: line %q is wider than 60", tm.Color, l)
			}
		}
		if !strings.Contains(got, "    "+other+"\n") {
			t.Errorf("color=%v: the code block that is not a step was changed:\n%s", tm.Color, got)
		}
		if !strings.Contains(got, "  Some prose that is long enough to be wrapped at sixty\n") {
			t.Errorf("color=%v: prose not wrapped at 60:\n%s", tm.Color, got)
		}
	}
	// A word longer than the frame (a URL in a command) is cut near the
	// room's end, after a separator, and marked.
	long := "wget https://github.com/docker/compose/releases/download/v2.5.0/docker-compose-linux-x86_64 -O dc"
	m := proseModule(t, "```sh\n"+long+"\n```\n")
	got := xansi.Strip(Terminal{Width: 60}.Step(m, m.Steps[0]))
	want := "  │ wget https://github.com/docker/compose/releases/\n  │ ↪ download/v2.5.0/docker-compose-linux-x86_64 -O dc\n"
	if !strings.Contains(got, want) {
		t.Errorf("a long word is not cut after a separator near the room's end:\n%s\nwant\n%s", got, want)
	}
}

// A failure's message wraps at words under the frame, never inside one.
func TestFailureMessageWrapsAtWords(t *testing.T) {
	mod := proseModule(t, "## A\n\n```sh\nfalse\n```\n")
	r := &result.Step{ID: "a", Status: result.Failed, ExitCode: 1,
		Error: "step a (a-rather/long/directory/name/module1.md:22): `wget https://repo.anaconda.com/archive/Anaconda3-2022.05-Linux-x86_64.sh` failed with exit status 8"}
	got := xansi.Strip(Terminal{Width: 60}.StepResult(mod, mod.Steps[0], r))
	if !strings.Contains(got, "https://repo.anaconda.com/archive/Anaconda3-2022.05-Linux-x86_64.sh`") {
		t.Errorf("the URL in the message is split:\n%s", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "     ") && xansi.StringWidth(l) > 60 && !strings.Contains(l, "https://") {
			t.Errorf("line %q is wider than 60", l)
		}
	}
	if !strings.Contains(got, "\n     failed with exit status 8") && !strings.Contains(got, "\n     exit status 8") {
		t.Errorf("the message is not wrapped at words under the frame:\n%s", got)
	}
}

// A step's top rule fits the width down to the narrowest frame: what does
// not fit goes (the place, the title) or is cut (the flags).
func TestFrameTopFitsTheWidth(t *testing.T) {
	mod := seedModule(t)
	for w := MinWidth; w <= 60; w++ {
		for _, l := range strings.Split(Terminal{Width: w}.Module(mod, nil), "\n") {
			if strings.HasPrefix(l, "  ┌─") && xansi.StringWidth(l) > w {
				t.Errorf("width %d: %d columns: %s", w, xansi.StringWidth(l), l)
			}
		}
	}
}

// A setup: or workdir: from coursectl.yaml is a step whose lines are the
// yaml's: the page's prose is rendered once, in order, round it.
func TestProseRoundYAMLSetup(t *testing.T) {
	dir := t.TempDir()
	page := "# M\n\nIntro.\n\n```sh\necho one\n```\n\nMiddle.\n\n## Second\n\n```sh\necho two\n```\n\nTail.\n"
	if err := os.WriteFile(filepath.Join(dir, "n.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := "n.md:\n  setup: echo module\n  workdir: /tmp\n  steps: {second: {setup: echo step}}\n"
	if err := os.WriteFile(filepath.Join(dir, "coursectl.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, err := course.Load(filepath.Join(dir, "n.md"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; i <= len(mod.Steps); i++ {
		b.WriteString(Terminal{Width: 60}.Prose(mod, i))
	}
	if got, want := b.String(), "  M\n\n  Intro.\n  Middle.\n\n  Second\n  Tail.\n"; got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
