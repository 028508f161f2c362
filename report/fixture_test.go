package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/runner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or writes it with -update.
// Escape characters are shown as `\e` so a diff of colour output is
// readable.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, "\x1b", `\e`)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./report -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// module builds a course.Module with steps of the given ids, lines and kinds.
func module(path string, steps ...*course.Step) *course.Module {
	m := &course.Module{Path: path}
	for i, s := range steps {
		s.Index = i + 1
		m.Steps = append(m.Steps, s)
	}
	return m
}

func script(id string, line int, cmds ...string) *course.Step {
	s := &course.Step{ID: id, Line: line, Kind: course.Script, Lang: "sh"}
	for i, c := range cmds {
		s.Commands = append(s.Commands, course.Command{Text: c, Line: line + 1 + i})
	}
	return s
}

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func result(st *course.Step, status runner.Status, d time.Duration) *runner.StepResult {
	return &runner.StepResult{Step: st, ID: st.ID, Line: st.Line, Status: status, Duration: d}
}

// setupResult is a module that failed half-way: two steps passed, one was
// skipped as interactive, one failed with a long coloured output, and two
// never ran.
func setupResult() *runner.ModuleResult {
	mod := module("docs/setup.md",
		script("make-soft", 12, "mkdir -p soft", "cd soft"),
		script("add-to-path", 20, `export PATH="$PWD:$PATH"`),
		script("edit-bashrc", 31, "nano .bashrc"),
		script("install-docker", 40, "curl -fsSL https://get.docker.com -o get-docker.sh", "sh get-docker.sh"),
		script("hello", 50, "docker run hello-world"),
		&course.Step{ID: "show-version", Line: 60, Kind: course.Transcript, Lang: "console"},
	)
	var out strings.Builder
	out.WriteString("\x1b[1mDownloading\x1b[0m\n")
	for i := 1; i <= 24; i++ {
		fmt.Fprintf(&out, "progress %d%%\r", i)
		fmt.Fprintf(&out, "line %d\n", i)
	}
	out.WriteString("\x1b[31mcurl: (6) Could not resolve host: get.docker.com\x1b[0m\n")
	s := mod.Steps
	fail := result(s[3], runner.Failed, 1234*time.Millisecond)
	fail.ExitCode = 6
	fail.Error = "exit status 6"
	fail.FailLine = 42
	fail.FailCommand = "curl -fsSL https://get.docker.com -o get-docker.sh"
	fail.Output = out.String()
	fail.Fakes = []runner.FakeCall{{Command: "sudo", Args: []string{"apt-get", "update"}}}
	skip := result(s[2], runner.Skipped, 0)
	skip.Note = "interactive: needs a person at the keyboard"
	pass := result(s[0], runner.Passed, 31*time.Millisecond)
	pass.Output = "made soft\n"
	return &runner.ModuleResult{
		Module: mod, File: mod.Path, Started: t0, Duration: 1300 * time.Millisecond,
		Steps: []*runner.StepResult{pass, result(s[1], runner.Passed, 4*time.Millisecond), skip, fail},
	}
}

// webResult is a module whose transcript did not match and whose server
// step timed out.
func webResult() *runner.ModuleResult {
	mod := module("docs/web.md",
		script("start-server", 8, "python3 -m http.server 8080 &"),
		&course.Step{ID: "fetch-page", Line: 15, Kind: course.Transcript, Lang: "console",
			Commands: []course.Command{{Text: "curl -s localhost:8080/hello.txt", Line: 16}}},
		script("slow", 30, "sleep 600"),
	)
	s := mod.Steps
	diff := result(s[1], runner.Failed, 80*time.Millisecond)
	diff.Error = "output differs from the transcript"
	diff.FailLine = 16
	diff.Output = "Hello, world\n"
	diff.Diff = "--- want (docs/web.md:17)\n+++ got\n@@ -1 +1 @@\n-Hello, World\n+Hello, world\n"
	slow := result(s[2], runner.Timeout, 2*time.Minute)
	slow.ExitCode = 143
	slow.Error = "timed out after 2m0s"
	slow.Output = "waiting...\n"
	return &runner.ModuleResult{
		Module: mod, File: mod.Path, Started: t0.Add(2 * time.Second), Duration: 2*time.Minute + 200*time.Millisecond,
		Steps: []*runner.StepResult{result(s[0], runner.Passed, 150*time.Millisecond), diff, slow},
	}
}

// passResult passes entirely, one step from a checkpoint (--resume).
func passResult() *runner.ModuleResult {
	mod := module("docs/intro.md",
		script("greet", 5, "echo hello"),
		script("a-much-longer-step-name", 9, "true"),
	)
	s := mod.Steps
	resumed := result(s[0], runner.Passed, 0)
	resumed.FromCheckpoint = true
	return &runner.ModuleResult{
		Module: mod, File: mod.Path, Started: t0, Duration: 20 * time.Millisecond,
		Steps: []*runner.StepResult{resumed, result(s[1], runner.Passed, 12*time.Millisecond)},
	}
}

// unchecked is a module never started (an earlier one failed).
func unchecked() *runner.ModuleResult {
	return NotRunModule(module("docs/zz-later.md", script("one", 3, "true"), script("two", 7, "true")))
}
