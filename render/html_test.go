package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// seedRecord is a plausible run of the seed on a machine with no network:
// the first steps pass, the compose download fails, the rest did not run.
func seedRecord() *result.Module {
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	ok := func(id string, d time.Duration, out string) *result.Step {
		return &result.Step{ID: id, Status: result.Passed, Duration: d, Output: out}
	}
	return &result.Module{
		File: "testdata/module1.md", Started: at, Duration: 4100 * time.Millisecond,
		Steps: []*result.Step{
			ok("1-download-and-install-the-anaconda-distribution-of-python", 900*time.Millisecond,
				"--2026-11-27 09:30:01--  https://repo.anaconda.com/archive/Anaconda3-2022.05-Linux-x86_64.sh\n"+
					"Saving to: ‘Anaconda3-2022.05-Linux-x86_64.sh’\n\n"+
					"Anaconda3-2022.05-Linux 100%[===================>] 658.82M  98.2MB/s    in 6.8s\n"),
			ok("2-update-existing-packages", 1200*time.Millisecond, "Reading package lists... Done\n\x1b[32mAll packages are up to date.\x1b[0m\n"),
			ok("3-install-docker", 800*time.Millisecond, "docker.io is already the newest version (20.10.24).\n"),
			ok("4-install-docker-compose", 20*time.Millisecond, ""),
			{ID: "4-install-docker-compose-2", Status: result.Failed, ExitCode: 4, Duration: 1100 * time.Millisecond,
				Error:       "step 4-install-docker-compose-2 failed: wget exited with status 4",
				FailLine:    46,
				FailCommand: "wget https://github.com/docker/compose/releases/download/v2.5.0/docker-compose-linux-x86_64 -O docker-compose",
				Output: "--2026-11-27 09:30:03--  https://github.com/docker/compose/releases/download/v2.5.0/docker-compose-linux-x86_64\n" +
					"Resolving github.com (github.com)... \x1b[1;31mfailed: Temporary failure in name resolution.\x1b[0m\n" +
					"wget: unable to resolve host address ‘github.com’\n"},
			{ID: "4-install-docker-compose-3", Status: result.NotRun},
			{ID: "4-install-docker-compose-4", Status: result.Skipped, Note: "interactive: needs a person at the keyboard"},
		},
	}
}

// pageStructure reduces a page to its element structure and text: the
// <style> body is dropped (CSS is tuned by eye, not pinned byte for byte),
// and each tag goes on its own line so a diff points at the element.
func pageStructure(page []byte) string {
	s := regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(string(page), "<style>…</style>")
	s = regexp.MustCompile(`>\s*<`).ReplaceAllString(s, ">\n<")
	return s
}

func TestHTMLStructure(t *testing.T) {
	for _, tc := range []struct {
		name string
		page func() ([]byte, error)
	}{
		{"module1.html.golden", func() ([]byte, error) { return HTML(seedModule(t), nil) }},
		{"module1.record.html.golden", func() ([]byte, error) { return HTML(seedModule(t), seedRecord()) }},
		{"shapes.record.html.golden", func() ([]byte, error) { return HTML(shapesModule(t), shapesRecord()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := tc.page()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, pageStructure(page))
		})
	}
}

// A Pandoc lesson's figure keeps its alt text on the page, and its
// attribute block is not shown as text.
func TestHTMLImageAltFromPandocAttributes(t *testing.T) {
	mod := proseModule(t, "![](fig/tree.svg){alt='The file\nsystem'} after\n")
	page, err := HTML(mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`alt="The file system">`)) || bytes.Contains(page, []byte("{alt=")) {
		t.Errorf("the image's alt attribute is not taken:\n%s", page[bytes.Index(page, []byte("<body")):])
	}
	if !bytes.Contains(page, []byte("> after")) {
		t.Errorf("the text after the attribute block is lost")
	}
}

// A standalone page: nothing is fetched, nothing runs.
func TestHTMLStandalone(t *testing.T) {
	page, err := HTML(shapesModule(t), shapesRecord())
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, bad := range []string{"<script", "<link ", "@import", "url(", "src=\"http://", "<iframe"} {
		if strings.Contains(s, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{
		`prefers-color-scheme: dark`,
		`<section class="step failed" id="step-transcript">`,
		`<details class="diff" open>`, // a failure's diff expanded
		`<span class="badge passed">✓ passed</span>`,
		`<span class="badge skipped">↷ skipped</span>`,
		`<span class="flag">interactive</span>`,
		`<table>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Hidden setup steps and annotation comments never reach the reader.
	for _, hidden := range []string{"GREETING=hi", "coursectl:", "title: Shapes"} {
		if strings.Contains(s, hidden) {
			t.Errorf("page shows %q", hidden)
		}
	}
}

func TestANSIToHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain <b>&", "plain &lt;b&gt;&amp;"},
		{"\x1b[31mred\x1b[0m ok", `<span class="f1">red</span> ok`},
		{"\x1b[1;92mbold green\x1b[m", `<span class="f10 a-b">bold green</span>`},
		{"\x1b[38;5;196mx\x1b[48;2;1;2;3my", `<span style="color:#ff0000">x</span><span style="color:#ff0000;background-color:#010203">y</span>`},
		{"10%\r50%\r100%", "100%"},
		{"\x1b[2K\x1b[1Gcleared\x1b]0;title\a", "cleared"},
		{"\x1b[32mone\ntwo\x1b[0m", `<span class="f2">one</span>` + "\n" + `<span class="f2">two</span>`},
	} {
		if got := ansiToHTML(tc.in); got != tc.want {
			t.Errorf("ansiToHTML(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// A hidden setup step is invisible, unless it failed: then the steps after
// it did not run because of it, and both renderers show it.
func TestFailedSetupShown(t *testing.T) {
	mod := shapesModule(t)
	rec := &result.Module{File: mod.Path, Steps: []*result.Step{{
		ID: "setup-shapes-of-a-module", Status: result.Failed, ExitCode: 127,
		Error: "setup failed", FailLine: 23, FailCommand: "export GREETING=hi", Output: "boom\n",
	}}}
	page, err := HTML(mod, rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section class="step failed" id="step-setup-shapes-of-a-module">`, "hidden setup step", "boom"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	text := Terminal{Width: 80}.Module(mod, rec)
	for _, want := range []string{"setup (hidden, line 22) ✗ failed (exit 127)", "export GREETING=hi", "│ boom"} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal text lacks %q:\n%s", want, text)
		}
	}
	// Passed, it stays hidden.
	rec.Steps[0].Status = result.Passed
	page, _ = HTML(mod, rec)
	if strings.Contains(string(page), "hidden setup step") || strings.Contains(Terminal{}.Module(mod, rec), "setup (hidden") {
		t.Error("a passing setup step is shown")
	}
}

func TestIndex(t *testing.T) {
	ok := &result.Module{File: "a.md", Steps: []*result.Step{{ID: "x", Status: result.Passed}}}
	page := string(Index([]IndexEntry{{Href: "r-1-a.html", Record: ok}, {Href: "r-2-b.html", Record: shapesRecord()}}))
	for _, want := range []string{
		`<header class="summary failed"><p class="headline">1 of 2 modules failed</p>`,
		`<a href="r-1-a.html">a.md</a></td><td><span class="badge passed">✓ passed</span>`,
		`<a href="r-2-b.html">testdata/shapes.md</a></td><td><span class="badge failed">✗ failed</span>`,
		`prefers-color-scheme: dark`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("index lacks %s", want)
		}
	}
}

// A page written away from its module (-o elsewhere, check --html) must
// still find the author's images and relative links: targets are rewritten
// from the module's directory to the page's.
func TestHTMLAtRewritesRelativeTargets(t *testing.T) {
	src := "# Links\n\n![diagram](img/arch.png) ![spaced](img/my%20pic.png \"t\")\n\n" +
		"[guide](guide.md#setup), [up](../README.md?plain=1#top), [dir](sub/)\n\n" +
		"[web](https://example.com/x.png), [anchor](#links), [root](/abs.png), [mail](mailto:a@b.c)\n"
	mod, err := course.Parse(filepath.Join("course", "mod1", "index.md"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pageDir string
		want    []string
	}{
		{"", []string{`src="img/arch.png"`, `href="guide.md#setup"`, `href="../README.md?plain=1#top"`}},
		{filepath.Join("course", "mod1"), []string{`src="img/arch.png"`, `href="guide.md#setup"`}},
		{"out", []string{
			`src="../course/mod1/img/arch.png"`, `src="../course/mod1/img/my%20pic.png"`,
			`href="../course/mod1/guide.md#setup"`, `href="../course/README.md?plain=1#top"`,
			`href="../course/mod1/sub/"`,
		}},
		{filepath.Join("course", "mod1", "build", "html"), []string{`src="../../img/arch.png"`, `href="../../../README.md?plain=1#top"`}},
		{filepath.Join("course", "mod1", "sub"), []string{`src="../img/arch.png"`}},
	} {
		page, err := HTMLAt(mod, nil, tc.pageDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range append(tc.want, `href="https://example.com/x.png"`, `href="#links"`, `href="/abs.png"`, `href="mailto:a@b.c"`) {
			if !bytes.Contains(page, []byte(w)) {
				t.Errorf("page for %q lacks %s", tc.pageDir, w)
			}
		}
	}
	// A directory named like a scheme must not turn the path into a URL.
	mod, err = course.Parse(filepath.Join("c:notes", "index.md"), []byte("![x](img.png)\n"))
	if err != nil {
		t.Fatal(err)
	}
	if page, _ := HTMLAt(mod, nil, "."); !bytes.Contains(page, []byte(`src="./c:notes/img.png"`)) {
		t.Errorf("page lacks ./c:notes/img.png:\n%s", page)
	}
}

// docs/render.md shows screenshots that scripts/screenshot.sh makes from
// real runs of the seed: every image it links must exist, and what the
// script's --failure mode relies on in the seed (the line it breaks, the
// step it scrolls to) must still be there, or the next regeneration fails.
func TestScreenshotsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/render.md")
	if err != nil {
		t.Fatal(err)
	}
	imgs := regexp.MustCompile(`!\[[^\]]*\]\((render-[^)]+\.png)\)`).FindAllStringSubmatch(string(doc), -1)
	want := map[string]bool{"render-light.png": false, "render-dark.png": false, "render-failure.png": false}
	for _, m := range imgs {
		if _, err := os.Stat(filepath.Join("../docs", m[1])); err != nil {
			t.Errorf("docs/render.md shows %s: %v", m[1], err)
		}
		want[m[1]] = true
	}
	for name, shown := range want {
		if !shown {
			t.Errorf("docs/render.md does not show %s", name)
		}
	}

	script, err := os.ReadFile("../scripts/screenshot.sh")
	if err != nil {
		t.Fatal(err)
	}
	seed := seedModule(t)
	broken := regexp.MustCompile(`sed 's/\^\\\$ ([^$]+)\$/`).FindStringSubmatch(string(script))
	if broken == nil || !strings.Contains(string(seed.Source), "\n$ "+strings.ReplaceAll(broken[1], `\`, "")+"\n") {
		t.Errorf("screenshot.sh --failure breaks a line the seed does not have: %q", broken)
	}
	anchor := regexp.MustCompile(`page\.html#step-([a-z0-9-]+)`).FindStringSubmatch(string(script))
	found := false
	for _, s := range seed.Steps {
		found = found || (anchor != nil && s.ID == anchor[1])
	}
	if !found {
		t.Errorf("screenshot.sh --failure scrolls to a step the seed does not have: %q", anchor)
	}
}

// A failed transcript or verify reads at a glance: the diff coloured by
// line with a legend saying which colour is the expected output, the
// output itself folded away (the diff shows it), no escape bytes, the
// command not repeated when the error quotes it, and no link to a line
// the page does not show.
func TestHTMLFailureReadable(t *testing.T) {
	src := "# T\n\n## Greet\n\n```console {name=greet}\n$ cat hello.txt\nHello, World\nline 3\n```\n\n" +
		"## Count\n\n```sh {name=count}\nwc -l < hello.txt\n```\n\n<!-- coursectl:verify\ntest \"$(wc -l < hello.txt)\" -eq 5\n-->\n"
	mod, err := course.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rec := &result.Module{File: "t.md", Steps: []*result.Step{
		{ID: "greet", Status: result.Failed, FailLine: 6, FailCommand: "cat hello.txt",
			Error:  "step greet (t.md:6): output differs from the expected output",
			Output: "$ cat hello.txt\nHello, world\nline three\n",
			Diff:   "--- want t.md:7\n+++ got (output)\n@@ -7,2 +1,2 @@\n-Hello, World\n+Hello, \x1b[1mworld\x1b[0m\n-line 3\n+line 1\rline three\n"},
		{ID: "count", Status: result.Failed, ExitCode: 1, FailLine: 17, FailCommand: "test 2 -eq 5",
			Error:  "step count (t.md:17): verify failed with exit status 1 at `test 2 -eq 5`",
			Verify: "$ test 2 -eq 5\n", Output: "2\n"},
	}}
	page, err := HTML(mod, rec)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		`<span class="legend dd">− expected, as written</span> <span class="legend di">+ actual</span>`,
		"<pre class=\"diff\"><code><span class=\"dh\">--- want t.md:7</span>\n<span class=\"dh\">+++ got (output)</span>\n<span class=\"dh\">@@ -7,2 +1,2 @@</span>\n" +
			"<span class=\"dd\">-Hello, World</span>\n<span class=\"di\">+Hello, world</span>\n" +
			"<span class=\"dd\">-line 3</span>\n<span class=\"di\">+line three</span></code></pre>",
		`<details class="output"><summary>Output · 3 lines</summary>`, // folded: the diff shows it
		`<pre class="failcmd"><code>cat hello.txt</code></pre>`,       // the error does not quote it
		`<details class="output" open><summary>Output · 1 line</summary>`,
		`Failed at <a href="#L6">line 6</a>`,
		`Failed at line 17, exit status 1`, // the verify comment is not on the page
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"\x1b", "\r", `href="#L17"`, `<code>test 2 -eq 5</code></pre>`} {
		if strings.Contains(s, bad) {
			t.Errorf("page has %q", bad)
		}
	}
}

// A step the runner stopped itself has ExitCode -1 (docs/design.md): the
// page says why it stopped and never "exit -1" / "exit status -1".
func TestHTMLStoppedStepShowsReason(t *testing.T) {
	src := "# T\n\n```sh {name=slow}\nsleep 5\n```\n\n```sh {name=ask}\nread x\n```\n"
	mod, err := course.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rec := &result.Module{File: "t.md", Steps: []*result.Step{
		{ID: "slow", Status: result.Timeout, ExitCode: -1, Error: "step slow (t.md:4) timed out after 1s",
			Stop: &result.Stop{Kind: result.StopTimedOut, Limit: time.Second}},
		{ID: "ask", Status: result.Failed, ExitCode: -1,
			Error: "step ask (t.md:8) is waiting for input at `read x`: add `interact` or `interactive`",
			Stop:  &result.Stop{Kind: result.StopWaiting, Command: "read x"}},
	}}
	page, err := HTML(mod, rec)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{"✗ timed out after 1s</span>", "✗ waiting for input</span>"} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"exit -1", "exit status -1", "(exit"} {
		if strings.Contains(s, bad) {
			t.Errorf("page has %q", bad)
		}
	}
}
