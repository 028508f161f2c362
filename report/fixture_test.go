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
	"github.com/coursectl/coursectl/result"
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

func stepResultFor(st *course.Step, status result.Status, d time.Duration) *result.Step {
	sr := StepFor(st, status)
	sr.Duration = d
	return sr
}

// modules maps each fixture's result to its module: a result carries no
// pointer to the markdown it ran.
var modules = map[*result.Module]*course.Module{}

// modOf is the module fixture mr is a run of.
func modOf(mr *result.Module) *course.Module { return modules[mr] }

// ran is the result of a run of mod that gave steps, with the steps it did
// not reach listed as not run, as the runner lists them.
func ran(mod *course.Module, mr *result.Module, steps ...*result.Step) *result.Module {
	have := map[string]*result.Step{}
	for _, sr := range steps {
		have[sr.ID] = sr
	}
	mr.File = mod.Path
	for _, st := range mod.Steps {
		if sr := have[st.ID]; sr != nil {
			mr.Steps = append(mr.Steps, sr)
		} else {
			mr.Steps = append(mr.Steps, StepFor(st, result.NotRun))
		}
	}
	modules[mr] = mod
	return mr
}

// setupResult is a module that failed half-way: two steps passed, one was
// skipped as interactive, one failed with a long coloured output, and two
// never ran.
func setupResult() *result.Module {
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
	fail := stepResultFor(s[3], result.Failed, 1234*time.Millisecond)
	fail.ExitCode = 6
	fail.Error = "exit status 6"
	fail.FailLine = 42
	fail.FailCommand = "curl -fsSL https://get.docker.com -o get-docker.sh"
	fail.Output = out.String()
	fail.Fakes = []result.FakeCall{{Command: "sudo", Args: []string{"apt-get", "update"}}}
	skip := stepResultFor(s[2], result.Skipped, 0)
	skip.Note = "interactive: needs a person at the keyboard"
	pass := stepResultFor(s[0], result.Passed, 31*time.Millisecond)
	pass.Output = "made soft\n"
	return ran(mod, &result.Module{Started: t0, Duration: 1300 * time.Millisecond},
		pass, stepResultFor(s[1], result.Passed, 4*time.Millisecond), skip, fail)
}

// webResult is a module whose transcript did not match and whose server
// step timed out.
func webResult() *result.Module {
	mod := module("docs/web.md",
		script("start-server", 8, "python3 -m http.server 8080 &"),
		&course.Step{ID: "fetch-page", Line: 15, Kind: course.Transcript, Lang: "console",
			Commands: []course.Command{{Text: "curl -s localhost:8080/hello.txt", Line: 16}}},
		script("slow", 30, "sleep 600"),
	)
	s := mod.Steps
	diff := stepResultFor(s[1], result.Failed, 80*time.Millisecond)
	diff.Error = "output differs from the transcript"
	diff.FailLine = 16
	diff.Output = "Hello, world\n"
	diff.Diff = "--- want (docs/web.md:17)\n+++ got\n@@ -1 +1 @@\n-Hello, World\n+Hello, world\n"
	slow := stepResultFor(s[2], result.Timeout, 2*time.Minute)
	slow.ExitCode = 143
	slow.Error = "timed out after 2m0s"
	slow.Stop = &result.Stop{Kind: result.StopTimedOut, Limit: 2 * time.Minute}
	slow.Output = "waiting...\n"
	return ran(mod, &result.Module{Started: t0.Add(2 * time.Second), Duration: 2*time.Minute + 200*time.Millisecond},
		stepResultFor(s[0], result.Passed, 150*time.Millisecond), diff, slow)
}

// passResult passes entirely, one step from a checkpoint (--resume).
func passResult() *result.Module {
	mod := module("docs/intro.md",
		script("greet", 5, "echo hello"),
		script("a-much-longer-step-name", 9, "true"),
	)
	s := mod.Steps
	resumed := stepResultFor(s[0], result.Passed, 0)
	resumed.FromCheckpoint = true
	return ran(mod, &result.Module{Started: t0, Duration: 20 * time.Millisecond},
		resumed, stepResultFor(s[1], result.Passed, 12*time.Millisecond))
}

// unchecked is a module never started (an earlier one failed).
func unchecked() *result.Module {
	mod := module("docs/zz-later.md", script("one", 3, "true"), script("two", 7, "true"))
	mr := NotRunModule(mod)
	modules[mr] = mod
	return mr
}
