package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/lint"
	reports "github.com/coursectl/coursectl/report"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
)

// These tests drive `check` with a stand-in parser and runner, so the
// command's own work (paths, shards, -j, --keep-going, reports, exit codes)
// is tested apart from bash. The testscript scripts check_*.txtar run the
// real thing.

// fakeCourse is a directory of module files and the modules "parsed" from
// them: a step whose id starts with "fail" fails, "skip" is skipped.
type fakeCourse struct {
	dir  string
	mods map[string]*course.Module

	mu   sync.Mutex
	ran  []string // module paths in the order the runner got them
	opts []runner.Options
	// beforeStep, when set, runs before each step's result is reported
	// (to force an order of events across parallel modules).
	beforeStep func(path string, i int)
	// duringStep, when set, runs after a step's output, before its result.
	duringStep func(path string, i int)
	// interrupt makes the runner report an interrupted module.
	interrupt bool
}

func newFakeCourse(t *testing.T, modules map[string][]string) *fakeCourse {
	t.Helper()
	fc := &fakeCourse{dir: t.TempDir(), mods: map[string]*course.Module{}}
	for name, ids := range modules {
		path := filepath.Join(fc.dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("# fake\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mod := &course.Module{Path: path}
		for i, id := range ids {
			mod.Steps = append(mod.Steps, &course.Step{ID: id, Index: i + 1, Line: 3 + 4*i, Kind: course.Script,
				Commands: []course.Command{{Text: "cmd-" + id, Line: 4 + 4*i}}})
		}
		fc.mods[path] = mod
	}
	oldLoad, oldRun := loadModule, runModule
	t.Cleanup(func() { loadModule, runModule = oldLoad, oldRun })
	loadModule = func(path string) (*course.Module, error) {
		if m := fc.mods[path]; m != nil {
			return m, nil
		}
		return nil, &course.PosError{File: path, Err: os.ErrNotExist}
	}
	runModule = fc.run
	return fc
}

func (fc *fakeCourse) run(ctx context.Context, mod *course.Module, opts runner.Options) (*result.Module, error) {
	fc.mu.Lock()
	fc.ran = append(fc.ran, mod.Path)
	fc.opts = append(fc.opts, opts)
	beforeStep, duringStep := fc.beforeStep, fc.duringStep
	fc.mu.Unlock()
	mr := &result.Module{File: mod.Path, Started: time.Now()}
	for i, st := range mod.Steps {
		if beforeStep != nil {
			beforeStep(mod.Path, i)
		}
		opts.Events.StepStarted(st)
		opts.Events.StepOutput(st, []byte("output of "+st.ID+"\r\n"))
		if duringStep != nil {
			duringStep(mod.Path, i)
		}
		sr := reports.StepFor(st, result.Passed)
		sr.Output = "output of " + st.ID + "\n"
		switch {
		case strings.HasPrefix(st.ID, "fail"):
			sr.Status, sr.ExitCode, sr.Error = result.Failed, 3, "exit status 3"
			sr.FailLine, sr.FailCommand = st.Commands[0].Line, st.Commands[0].Text
		case strings.HasPrefix(st.ID, "skip"):
			sr.Status, sr.Note = result.Skipped, "interactive: needs a person at the keyboard"
		}
		opts.Events.StepDone(sr)
		mr.Steps = append(mr.Steps, sr)
		if sr.Status == result.Failed {
			break
		}
		if fc.interrupt {
			mr.Interrupted = true
			break
		}
	}
	// As the runner does, the steps not reached are listed as not run.
	for _, st := range mod.Steps[len(mr.Steps):] {
		mr.Steps = append(mr.Steps, reports.StepFor(st, result.NotRun))
	}
	return mr, nil
}

func (fc *fakeCourse) path(name string) string { return filepath.Join(fc.dir, name) }

// check runs `coursectl check args...` and returns stdout, stderr and the
// exit status.
func check(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Width: 80}
	code = exitCode(Run(context.Background(), append([]string{"check"}, args...), streams), streams)
	return out.String(), errb.String(), code
}

func TestCheckPassAndFail(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	fc := newFakeCourse(t, map[string][]string{
		"good.md": {"one", "skip-editor", "two"},
		"bad.md":  {"first", "fail-here", "never"},
	})
	out, errOut, code := check(t, fc.path("good.md"))
	if code != 0 || errOut != "" {
		t.Fatalf("passing module: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"✓ one", "- skip-editor  skipped: interactive", "PASS  1 module, 3 steps: 2 passed, 1 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	out, _, code = check(t, fc.path("bad.md"))
	if code != 1 {
		t.Errorf("failing module: exit %d, want 1", code)
	}
	for _, want := range []string{"✗ fail-here", fc.path("bad.md") + ":8: exit status 3", "$ cmd-fail-here", "│ output of fail-here", "· 1 step not run", "FAIL"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("not a terminal, yet escapes or \\r in %q", out)
	}
}

func TestCheckDirectoryKeepGoing(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	fc := newFakeCourse(t, map[string][]string{
		"a.md":              {"fail-a"},
		"b/b.md":            {"ok-b"},
		"c.md":              {"ok-c"},
		".hidden/x.md":      {"ok-x"},
		"b/.drafts/y.md":    {"ok-y"},
		"node/README.md":    {"ok-readme"},
		"b/notes.markdownx": {"never"},
	})
	// Without --keep-going the first failure ends the check.
	out, _, code := check(t, fc.dir)
	if code != 1 || len(fc.ran) != 1 || fc.ran[0] != fc.path("a.md") {
		t.Fatalf("exit %d, ran %v; want only a.md", code, fc.ran)
	}
	if !strings.Contains(out, "3 modules not checked after the first failure; --keep-going checks every module") {
		t.Errorf("summary does not say modules were left:\n%s", out)
	}
	fc.ran = nil
	_, _, code = check(t, fc.dir, "--keep-going")
	want := []string{fc.path("a.md"), fc.path("b/b.md"), fc.path("c.md"), fc.path("node/README.md")}
	if code != 1 || !reflect.DeepEqual(fc.ran, want) {
		t.Errorf("--keep-going: exit %d, ran %v\nwant sorted, hidden skipped: %v", code, fc.ran, want)
	}
}

func TestCheckShard(t *testing.T) {
	mods := map[string][]string{}
	for _, n := range []string{"m1.md", "m2.md", "m3.md", "m4.md", "m5.md"} {
		mods[n] = []string{"ok"}
	}
	fc := newFakeCourse(t, mods)
	var all []string
	for k := 1; k <= 2; k++ {
		fc.ran = nil
		if _, errOut, code := check(t, fc.dir, "--shard", []string{"1/2", "2/2"}[k-1]); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		all = append(all, fc.ran...)
		if k == 2 && !reflect.DeepEqual(fc.ran, []string{fc.path("m2.md"), fc.path("m4.md")}) {
			t.Errorf("shard 2/2 ran %v, want m2 and m4", fc.ran)
		}
	}
	if len(all) != 5 {
		t.Errorf("the shards together ran %d modules, want each of 5 once: %v", len(all), all)
	}
	out, _, code := check(t, fc.path("m1.md"), "--shard", "2/3")
	if code != 0 || !strings.Contains(out, "shard 2/3: no modules (1 in all)") {
		t.Errorf("empty shard: exit %d\n%s", code, out)
	}
}

// With -j 2 both modules run at once, yet each module's lines stay together.
func TestCheckParallelNotInterleaved(t *testing.T) {
	fc := newFakeCourse(t, map[string][]string{
		"a.md": {"a1", "a2", "a3"},
		"b.md": {"b1", "b2", "b3"},
	})
	// The runner's events alternate between the modules: a1 b1 a2 b2 a3 b3.
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	turn := 0
	fc.beforeStep = func(path string, i int) {
		me := 2 * i
		if path == fc.path("b.md") {
			me++
		}
		mu.Lock()
		for turn != me {
			cond.Wait()
		}
		turn++
		cond.Broadcast()
		mu.Unlock()
	}
	out, errOut, code := check(t, fc.dir, "-j", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var order []byte
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "  ✓ "):
			order = append(order, strings.TrimPrefix(l, "  ✓ ")[0])
		case strings.HasSuffix(l, ".md"):
			order = append(order, strings.ToUpper(filepath.Base(l))[0])
		}
	}
	if s := string(order); s != "AaaaBbbb" && s != "BbbbAaaa" {
		t.Errorf("step lines interleaved (%s):\n%s", s, out)
	}
}

func TestCheckReports(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_WORKSPACE", "")
	fc := newFakeCourse(t, map[string][]string{
		"a.md": {"one", "fail-two", "three"},
		"b.md": {"ok"},
	})
	junit := filepath.Join(fc.dir, "report.xml")
	out, errOut, code := check(t, fc.dir, "--json", "--junit", junit, "--keep-going")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	// stdout is JSON only: one document, one object per module in it.
	var doc struct {
		Schema  string `json:"schema"`
		Failed  int    `json:"failed"`
		Modules []struct {
			File   string `json:"file"`
			Failed int    `json:"failed"`
			Steps  []struct {
				Status string `json:"status"`
			} `json:"steps"`
		} `json:"modules"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	var files []string
	for _, m := range doc.Modules {
		files = append(files, filepath.Base(m.File))
		if m.File == fc.path("a.md") && (m.Failed != 1 || len(m.Steps) != 3 || m.Steps[2].Status != "not-run") {
			t.Errorf("a.md: %+v", m)
		}
	}
	if doc.Schema != "coursectl/v1" || doc.Failed != 1 || !reflect.DeepEqual(files, []string{"a.md", "b.md"}) {
		t.Errorf("JSON document %s with modules %v", doc.Schema, files)
	}
	// The human report and the annotations went to stderr.
	if !strings.Contains(errOut, "✗ fail-two") || !strings.Contains(errOut, "::error file="+fc.path("a.md")+",line=8,") {
		t.Errorf("stderr:\n%s", errOut)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var junitDoc struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &junitDoc); err != nil || len(junitDoc.Suites) != 2 || junitDoc.Suites[0].Tests != 3 {
		t.Errorf("junit: %v %+v\n%s", err, junitDoc, b)
	}
}

func TestCheckOptionsReachRunner(t *testing.T) {
	fc := newFakeCourse(t, map[string][]string{"a.md": {"one", "two"}})
	xdg, home := t.TempDir(), filepath.Join(t.TempDir(), "h")
	t.Setenv("XDG_STATE_HOME", xdg)
	if _, errOut, code := check(t, fc.path("a.md"), "--from", "two", "--timeout", "2m", "--idle-timeout", "5s", "--no-fakes", "--home", home); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	o := fc.opts[0]
	if o.From != "two" || o.Timeout != 2*time.Minute || o.IdleTimeout != 5*time.Second || !o.NoFakes || o.Home != home ||
		!o.Sandbox || o.StateDir != filepath.Join(xdg, "coursectl") {
		t.Errorf("options: %+v", o)
	}
}

func TestCheckBadInput(t *testing.T) {
	fc := newFakeCourse(t, map[string][]string{"a.md": {"one", "two"}})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{fc.path("missing.md")}, "coursectl: " + fc.path("missing.md") + ": no such file — check the path\n"},
		{[]string{"--timeout", "banana", fc.path("a.md")}, `invalid value "banana" for flag --timeout: want a duration`},
		{[]string{"--from", "no-such-step", fc.path("a.md")}, `--from no-such-step: no step with that id (its steps: one, two)`},
		{[]string{"-j", "0", fc.path("a.md")}, "-j 0: want at least 1"},
		{[]string{"--shard", "3/2", fc.path("a.md")}, "want K/N"},
		{[]string{}, "name at least one module"},
		{[]string{"--resume", "--from", "one", fc.path("a.md")}, "use one"},
		{[]string{"--diff", fc.path("a.md")}, "--update --diff"},
		{[]string{"--junit", filepath.Join(fc.dir, "no", "dir", "r.xml"), fc.path("a.md")}, "does not exist — create it first"},
	} {
		out, errOut, code := check(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 || out != "" {
			t.Errorf("check %v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", c.args, code, out, errOut, c.want)
		}
	}
	if len(fc.ran) != 0 {
		t.Errorf("bad input ran modules: %v", fc.ran)
	}
}

func TestCheckInterrupted(t *testing.T) {
	fc := newFakeCourse(t, map[string][]string{"a.md": {"one", "two"}, "b.md": {"three"}})
	fc.interrupt = true
	out, errOut, code := check(t, fc.dir, "--keep-going")
	if code != exitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if !strings.Contains(out, "INTERRUPTED") || !strings.Contains(errOut, "checkpoints of finished steps are kept") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

// A second interrupt does not wait for the step: it exits at once.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	// A live run: its shell and a background job must not survive.
	dir := t.TempDir()
	md := filepath.Join(dir, "m.md")
	os.WriteFile(md, []byte("# M\n\n```sh\nsleep 300 & echo $! >bg.pid; echo $$ >sh.pid\n```\n"), 0o644)
	mod, err := course.Load(md)
	if err != nil {
		t.Fatal(err)
	}
	s, err := runner.Open(context.Background(), mod, runner.Options{StateDir: t.TempDir(), Workdir: dir, Home: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r := s.Exec(context.Background(), mod.Steps[0]); r.Status != result.Passed {
		t.Fatalf("step: %s %s", r.Status, r.Error)
	}
	var pids []int
	for _, f := range []string{"bg.pid", "sh.pid"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		var pid int
		if _, err := fmt.Sscan(string(b), &pid); err != nil {
			t.Fatalf("%s: %q", f, b)
		}
		pids = append(pids, pid)
	}

	var errb bytes.Buffer
	exited := make(chan struct{})
	ctx, stop := interruptible(context.Background(), &errb, interruptNotice, func() { close(exited) })
	defer stop()
	p, _ := os.FindProcess(os.Getpid())
	// Main's NotifyContext is not running in this test, so without our
	// handler the signal would kill the test binary.
	if err := p.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if err := p.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-exited
	if !strings.Contains(errb.String(), "Ctrl-C again") {
		t.Errorf("stderr %q", errb.String())
	}
	// SIGKILL was sent before exiting; give the kernel a generous while to
	// deliver it (a deadline, not a timing assertion).
	for _, pid := range pids {
		deadline := time.Now().Add(30 * time.Second)
		for processLives(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if processLives(pid) {
			t.Errorf("process %d of the run survived the second interrupt", pid)
		}
	}
}

// A first SIGTERM (a CI job cancelled) is told as itself, not as Ctrl-C.
func TestInterruptNoticeNamesTheSignal(t *testing.T) {
	var errb bytes.Buffer
	ctx, stop := interruptible(context.Background(), &errb, interruptNotice, func() {})
	defer stop()
	p, _ := os.FindProcess(os.Getpid())
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done() // the notice is written before the cancel
	if got := errb.String(); !strings.Contains(got, "(SIGTERM again to stop at once)") || strings.Contains(got, "Ctrl-C") {
		t.Errorf("stderr %q", got)
	}
}

// processLives: pid exists and is not a zombie.
func processLives(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// On a terminal a long step gets the live status line: drawn with \r, its
// elapsed time and last output line, and erased before the step's line.
func TestCheckStatusLineOnTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	fc := newFakeCourse(t, map[string][]string{"slow.md": {"long-step"}})
	var mu sync.Mutex
	var screen bytes.Buffer
	drawn, ended := make(chan struct{}), make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		sawStatus, sawEnd := false, false
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			if !sawStatus && strings.Contains(screen.String(), "⋯ long-step") {
				close(drawn)
				sawStatus = true
			}
			if !sawEnd && strings.Contains(screen.String(), "END") {
				close(ended)
				sawEnd = true
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	fc.duringStep = func(string, int) {
		select {
		case <-drawn:
		case <-time.After(time.Minute): // a deadline, not a timing assertion
			t.Error("no status line drawn while the step ran")
		}
	}
	var errb bytes.Buffer
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: tty, Err: &errb, OutTTY: true, OutFile: tty, Width: 60}
	if err := Run(context.Background(), []string{"check", fc.path("slow.md")}, streams); err != nil {
		t.Fatalf("check: %v (%s)", err, errb.String())
	}
	fmt.Fprint(tty, "END\n")
	select {
	case <-ended:
	case <-time.After(time.Minute):
		t.Fatal("the terminal never showed the end of the output")
	}
	mu.Lock()
	out := screen.String()
	mu.Unlock()
	if !regexp.MustCompile(`\r⋯ long-step  1\.0s  output of long-step *\r`).MatchString(out) {
		t.Errorf("status line missing or malformed: %q", out)
	}
	if !regexp.MustCompile(`\r +\r  (\x1b\[[0-9;]*m)?✓`).MatchString(out) {
		t.Errorf("status line not erased before the step's line: %q", out)
	}
}

// The seed and the real pages of the corpus have problems lint reports
// (prompts naming another host, fences lint would tag), but none that stops
// check: they still run.
func TestCheckRunsRealDocsDespiteLintFindings(t *testing.T) {
	files := []string{"../../testdata/module1.md"}
	err := filepath.WalkDir("../../testdata/corpus", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") && filepath.Base(p) != "README.md" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d pages: %v", len(files), files)
	}
	for _, f := range files {
		mod, err := course.Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := lint.Unrunnable(mod); err != nil {
			t.Errorf("check would refuse a real page: %v", err)
		}
	}
}
