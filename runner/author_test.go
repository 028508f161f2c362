package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/expect"
	"github.com/coursectl/coursectl/result"
)

// loadMD writes files (name → content) into a temp dir and loads the
// module named first. Files other than the module are sidecars.
func loadMD(t *testing.T, name, md string, extra ...string) *course.Module {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(extra); i += 2 {
		if err := os.WriteFile(filepath.Join(dir, extra[i]), []byte(extra[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, err := course.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

func runAll(t *testing.T, mod *course.Module, opts Options) *result.Module {
	t.Helper()
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func stepByID(t *testing.T, res *result.Module, id string) *result.Step {
	t.Helper()
	for _, r := range res.Steps {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no step %s in %v", id, res.Steps)
	return nil
}

func TestTranscriptPassesWithPatterns(t *testing.T) {
	mod := loadMD(t, "m.md", "# T\n\n```console\n"+
		"$ printf 'v3.11.7\\n\\e[1mbold\\e[0m\\n'\nv3\\.\\d+\\.\\d+ (re)\nbold\n"+
		"$ seq 1 20\n1\n...\n20\n"+
		"$ (exit 4)\n[4]\n"+
		"$ echo \"total 48\"\ntotal * (glob)\n"+
		"$ cd /tmp\n```\n\n# After\n\n```console\n$ pwd\n/tmp\n```\n")
	res := runAll(t, mod, testOptions(t))
	for _, r := range res.Steps {
		mustPass(t, r)
	}
	if r := res.Steps[0]; len(r.Actuals) != 5 || r.Actuals[2].Exit != 4 {
		t.Errorf("actuals: %+v", r.Actuals)
	}
}

func TestTranscriptMismatch(t *testing.T) {
	mod := loadMD(t, "m.md", "# T\n\n```console\n"+
		"$ printf 'Hello, world\\nsecond\\n'\nHello, World\nsecond\n"+ // 4-6
		"$ echo goes on\ngoes on\n"+ // 7-8
		"$ (exit 3)\n"+ // 9
		"$ echo not reached\nnot reached\n```\n")
	res := runAll(t, mod, testOptions(t))
	r := res.Steps[0]
	if r.Status != result.Failed || r.FailLine != 9 || r.FailCommand != "(exit 3)" || r.ExitCode != 3 {
		t.Fatalf("status %s line %d cmd %q exit %d: %s", r.Status, r.FailLine, r.FailCommand, r.ExitCode, r.Error)
	}
	for _, want := range []string{"--- want " + mod.Path + ":5\n", "@@ -5,2 +1,2 @@\n", "-Hello, World\n+Hello, world\n second\n",
		"--- want " + mod.Path + ":10\n", "+[3]\n"} {
		if !strings.Contains(r.Diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.Diff)
		}
	}
	if strings.Contains(r.Output, "not reached") || !strings.Contains(r.Output, "$ echo goes on\ngoes on\n") {
		t.Errorf("output:\n%s", r.Output)
	}
	if !r.OutputMismatch {
		t.Error("a transcript that differs only in what it shows is an output mismatch")
	}
}

// Output that differs but with the right status fails the step with the
// first differing command's line, and does not stop the commands after it.
func TestTranscriptOutputOnlyMismatch(t *testing.T) {
	mod := loadMD(t, "m.md", "# T\n\n```console\n$ echo a\nb\n$ echo c\nc\n$ touch ran-on\n```\n")
	opts := testOptions(t)
	s := open(t, mod, opts)
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Failed || r.FailLine != 4 || !strings.Contains(r.Error, "output differs") {
		t.Fatalf("%s line %d: %s", r.Status, r.FailLine, r.Error)
	}
	if _, err := os.Stat(filepath.Join(s.Workdir(), "ran-on")); err != nil {
		t.Errorf("the commands after the difference did not run: %v", err)
	}
}

// Under --update the run goes on past mismatches, and the actuals rewrite
// the file into one that passes, byte-identical elsewhere.
func TestUpdateRoundTripThroughRunner(t *testing.T) {
	md := "# One\n\nProse  with trailing blanks  \n\n```console\n$ echo new\nold\n$ false\n```\n\n" +
		"# Two\n\n```sh\nprintf 'x\\ny\\n'\n```\n\n```output\nx\n...\nz\n```\n"
	mod := loadMD(t, "m.md", md)
	opts := testOptions(t)
	opts.Update = true
	res := runAll(t, mod, opts)
	if res.Steps[0].Status != result.Failed || res.Steps[1].Status != result.Failed {
		t.Fatalf("want both steps run and failed: %s %s", res.Steps[0].Status, res.Steps[1].Status)
	}
	var actuals []result.Actual
	for _, r := range res.Steps {
		actuals = append(actuals, r.Actuals...)
	}
	updated, err := expect.UpdateSource(mod.Path, mod.Source, mod, actuals)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(md, "old\n$ false\n", "new\n$ false\n[1]\n", 1)
	want = strings.Replace(want, "x\n...\nz\n", "x\n...\ny\n", 1)
	if string(updated) != want {
		t.Fatalf("updated:\n%s\nwant:\n%s", updated, want)
	}
	if err := os.WriteFile(mod.Path, updated, 0o644); err != nil {
		t.Fatal(err)
	}
	mod2, err := course.Load(mod.Path)
	if err != nil {
		t.Fatal(err)
	}
	res = runAll(t, mod2, testOptions(t))
	if !res.OK() {
		t.Fatalf("updated module fails: %+v", res.Steps)
	}
}

func TestOutputFence(t *testing.T) {
	mod := loadMD(t, "m.md", "# A\n\n```sh\necho one; echo 2\n```\n\n```output\none\ntwo\n```\n\n"+
		"# B\n\n```sh\necho err; (exit 2)\n```\n```output\nerr\n[2]\n```\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Failed || !r.OutputMismatch || !strings.Contains(r.Diff, "-two\n+2\n") || !strings.Contains(r.Diff, "@@ -8,2 +1,2 @@") {
		t.Fatalf("%s: %s\n%s", r.Status, r.Error, r.Diff)
	}
	// `[N]` in an output fence is the step's expected status.
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
}

func TestInteractAnswersInThePty(t *testing.T) {
	mod := loadMD(t, "m.md", "# L\n\n<!-- coursectl\ninteract:\n  - expect: 'license terms\\?'\n    send: \"yes\\n\"\n"+
		"  - expect: 'Install location'\n    send: \"/opt/x\\n\"\n-->\n```sh\n"+
		"read -r -p 'Do you accept the license terms? ' a\n[ \"$a\" = yes ]\nread -r -p 'Install location: ' where\necho \"to $where\"\n```\n")
	res := runAll(t, mod, testOptions(t))
	r := res.Steps[0]
	mustPass(t, r)
	if !strings.Contains(r.Output, "to /opt/x") {
		t.Errorf("output:\n%s", r.Output)
	}
}

func TestInteractTimeoutNamesTheExpect(t *testing.T) {
	mod := loadMD(t, "m.md", "# P\n\n<!-- coursectl\ninteract:\n  - expect: 'Username:'\n    send: \"ada\\n\"\n"+
		"  - expect: 'Password:'\n    send: \"x\\n\"\n    timeout: 1s\n-->\n```sh\n"+
		"read -r -p 'Username: ' u\necho accepted\nread -r -p 'Passphrase: ' p\n```\n")
	opts := testOptions(t)
	opts.IdleTimeout = time.Hour // only the expect's own timeout may fire
	res := runAll(t, mod, opts)
	r := res.Steps[0]
	if r.Status != result.Failed || !strings.Contains(r.Error, `interact 2 of 2: waited 1s for output matching 'Password:'`) ||
		!strings.Contains(r.Error, "accepted") {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
}

func TestInteractStepEndedFirst(t *testing.T) {
	mod := loadMD(t, "m.md", "# E\n\n<!-- coursectl\ninteract:\n  - expect: 'Continue\\?'\n    send: \"y\\n\"\n-->\n```sh\necho no question\n```\n")
	r := runAll(t, mod, testOptions(t)).Steps[0]
	if r.Status != result.Failed || !strings.Contains(r.Error, "ended before its output matched") {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
}

func TestInteractiveSkippedInCheck(t *testing.T) {
	mod := loadMD(t, "m.md", "# Edit\n\n```sh {interactive}\nvi notes.txt\n```\n\n# After\n\n```sh\necho fine\n```\n")
	res := runAll(t, mod, testOptions(t))
	if r := res.Steps[0]; r.Status != result.Skipped || !strings.Contains(r.Note, "needs a person") {
		t.Fatalf("%s %q", r.Status, r.Note)
	}
	mustPass(t, res.Steps[1])
}

func TestSetupAndVerify(t *testing.T) {
	mod := loadMD(t, "m.md", "# Use\n\n<!-- coursectl:setup\nmkdir -p data\necho 42 > data/answer.txt\n-->\n\n"+
		"```console\n$ cat data/answer.txt\n42\n```\n\n"+
		"# Make\n\n```sh\nmkdir soft\ntouch soft/tool\nchmod +x soft/tool\n```\n<!-- coursectl:verify\ntest -x soft/tool\ncd soft\n-->\n\n"+
		"# Where\n\n```sh\nbasename \"$PWD\"\n```\n\n"+
		"# Bad\n\n```sh\ntouch soft/other\n```\n<!-- coursectl:verify\necho \"checking soft/other\"\ntest -x soft/other\necho not reached\n-->\n")
	opts := testOptions(t)
	s := open(t, mod, opts)
	// The setup step is a step of its own, hidden.
	if mod.Steps[0].Kind != course.Setup || !mod.Steps[0].Hidden {
		t.Fatalf("step 1 is %s", mod.Steps[0].Kind)
	}
	for _, st := range mod.Steps[:3] {
		mustPass(t, s.Exec(ctxT(t), st))
	}
	// The verify's cd ran in a subshell: the learner's shell did not move.
	where := s.Exec(ctxT(t), mod.Steps[3])
	mustPass(t, where)
	if strings.TrimSpace(where.Output) != filepath.Base(s.Workdir()) {
		t.Errorf("after a verify with cd, the shell is in:\n%s", where.Output)
	}
	bad := s.Exec(ctxT(t), mod.Steps[4])
	if bad.Status != result.Failed || !strings.Contains(bad.Error, "verify failed with exit status 1 at `test -x soft/other`") {
		t.Fatalf("%s: %s\nverify output: %q", bad.Status, bad.Error, bad.Verify)
	}
	if !strings.Contains(bad.Verify, "$ echo 'checking soft/other'\nchecking soft/other\n$ test -x soft/other") ||
		strings.Contains(bad.Verify, "not reached") {
		t.Errorf("verify output:\n%s", bad.Verify)
	}
	// The failing command's line, not the `<!-- coursectl:verify` line.
	want := mod.Steps[4].Verify[0].Commands[1].Line
	if bad.FailLine != want || !strings.Contains(bad.Error, fmt.Sprintf("(%s:%d)", mod.Path, want)) {
		t.Errorf("fail line %d (%s), want the failing command's %d", bad.FailLine, bad.Error, want)
	}
}

func TestFileBlocks(t *testing.T) {
	mod := loadMD(t, "m.md", "# W\n\n```sh\nmkdir app\ncd app\n```\n\n"+
		"```bash {file=hello.sh mode=0755}\n#!/bin/bash\necho \"hello, $GREETING\"\n```\n\n"+
		"```sh {file=~/.env append}\nexport GREETING=hi\n```\n\n"+
		"```console\n$ source ~/.env\n$ ./hello.sh\nhello, hi\n```\n\n"+
		"# Out\n\n```text {file=/etc/coursectl-never}\nx\n```\n")
	opts := testOptions(t)
	s := open(t, mod, opts)
	for _, st := range mod.Steps[:4] {
		mustPass(t, s.Exec(ctxT(t), st))
	}
	fi, err := os.Stat(filepath.Join(s.Workdir(), "app", "hello.sh"))
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("hello.sh: %v %v", fi, err)
	}
	r := s.Exec(ctxT(t), mod.Steps[4])
	if r.Status != result.Failed || !strings.Contains(r.Error, "file=/etc/coursectl-never is outside the sandbox") ||
		!strings.Contains(r.Error, mod.Path+":") {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
}

func TestBackgroundReadyAndCleanup(t *testing.T) {
	mod := loadMD(t, "m.md", "# Start\n\n```sh {background ready=\"Listening on [0-9]+\"}\necho $BASHPID > server.pid\n"+
		"echo booting\nsleep 0.2\necho 'Listening on 8080'\nwhile :; do sleep 1; done\n```\n\n"+
		"# Talk\n\n```console\n$ kill -0 \"$(cat server.pid)\" && echo alive\nalive\n$ echo mine\nmine\n```\n")
	opts := testOptions(t)
	s := open(t, mod, opts)
	start := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, start)
	if !strings.Contains(start.Output, "Listening on 8080") {
		t.Errorf("output is not the job's log:\n%s", start.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	b, err := os.ReadFile(filepath.Join(s.Workdir(), "server.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid := 0
	for _, c := range strings.TrimSpace(string(b)) {
		pid = pid*10 + int(c-'0')
	}
	s.Close()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		if st, ok := readStat(pid); ok && st.state != 'Z' {
			t.Errorf("background job %d still running after Close", pid)
		}
	}
}

func TestBackgroundNeverReady(t *testing.T) {
	mod := loadMD(t, "m.md", "# Crash\n\n```sh {background ready=\"Listening\"}\necho 'bind: address already in use' >&2\nexit 1\n```\n\n"+
		"# Slow\n\n```sh {background ready=\"Listening\" timeout=300ms}\necho warming up\nsleep 30\n```\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Failed || !strings.Contains(r.Error, `ended (exit status 1) before its output matched ready='Listening'`) ||
		!strings.Contains(r.Error, "address already in use") {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	if r.Status != result.Timeout || !strings.Contains(r.Error, `waited 300ms for output matching ready='Listening'`) {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
}

// What bash says of a background step's file it says of the markdown, in
// the error and the output: the scratch directory's step.sh means nothing
// to a reader.
func TestBackgroundErrorsNameTheMarkdown(t *testing.T) {
	mod := loadMD(t, "m.md", "# Serve\n\n```sh {background ready=\"Listening\"}\nno-such-server-xyz --port 8080\n```\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	for _, got := range []string{r.Error, r.Output} {
		if !strings.Contains(got, "m.md: line 4: no-such-server-xyz") || strings.Contains(got, "step.sh") {
			t.Errorf("%s: %q", r.Status, got)
		}
	}
}

func TestFakesInTheShell(t *testing.T) {
	md := "---\ncoursectl:\n  fakes:\n    sudo: '\"$@\"'\n    apt-get: 'echo \"pretend $*\"'\n    uname: 'echo FakeOS'\n---\n" +
		"# Install\n\n```sh\nsudo apt-get install -y nginx\n```\n\n# Which\n\n```console\n$ uname\nFakeOS\n```\n"
	mod := loadMD(t, "m.md", md)
	opts := testOptions(t)
	res := runAll(t, mod, opts)
	r := res.Steps[0]
	mustPass(t, r)
	if len(r.Fakes) != 2 || r.Fakes[0].String() != "sudo apt-get install -y nginx" || r.Fakes[1].String() != "apt-get install -y nginx" {
		t.Errorf("fakes: %v", r.Fakes)
	}
	if !strings.Contains(r.Output, "pretend install -y nginx") {
		t.Errorf("output: %s", r.Output)
	}
	mustPass(t, res.Steps[1])

	// --no-fakes: the real uname, and no shim left behind.
	opts.NoFakes = true
	s := open(t, mod, opts)
	if r := s.Exec(ctxT(t), mod.Steps[1]); r.Status != result.Failed || !strings.Contains(r.Diff, "+Linux") {
		t.Errorf("with --no-fakes: %s %s", r.Status, r.Diff)
	}
}

func TestFakeOfABuiltinIsAnError(t *testing.T) {
	// The parser refuses it before anything runs (lint and check exit 2).
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.md"), []byte("# x\n\n```sh\ntrue\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "coursectl.yaml"), []byte("m.md:\n  fakes:\n    cd: 'true'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := course.Load(filepath.Join(dir, "m.md"))
	var pe *course.PosError
	if !errors.As(err, &pe) || !strings.HasSuffix(pe.File, "coursectl.yaml") || !strings.Contains(err.Error(), `"cd" is a bash builtin`) {
		t.Fatalf("err = %v", err)
	}
	// And the runner, for a module built without the parser's checks.
	mod := loadMD(t, "m.md", "# x\n\n```sh\ntrue\n```\n")
	mod.Settings.Fakes = map[string]string{"cd": "true"}
	if _, err := RunModule(ctxT(t), mod, testOptions(t)); err == nil || !strings.Contains(err.Error(), `"cd" is a bash builtin`) {
		t.Fatalf("runner: err = %v", err)
	}
}

// The seed module, with testdata/coursectl.yaml, passes offline: network
// and root commands faked, the nano edit answered, local commands real.
func TestSeedModuleOffline(t *testing.T) {
	mod, err := course.Load("../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	res := runAll(t, mod, opts)
	for _, r := range res.Steps {
		if r.Status != result.Passed {
			t.Errorf("step %s: %s: %s\n%s", r.ID, r.Status, r.Error, r.Output)
		}
	}
	var wd string
	for _, r := range res.Steps {
		if r.ID == "4-install-docker-compose-3" && len(r.Fakes) != 0 {
			t.Errorf("chmod was faked: %v", r.Fakes)
		}
	}
	// Where the run's sandbox is (opening a session at step 1 would
	// empty it: a new run starts fresh).
	st, err := openStore(opts.StateDir, mod, opts.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	wd = filepath.Join(st.dir, "sandbox", "work")
	fi, err := os.Stat(filepath.Join(wd, "soft", "docker-compose"))
	if err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("soft/docker-compose not made executable: %v %v", fi, err)
	}
	rc, err := os.ReadFile(filepath.Join(wd, "soft", ".bashrc"))
	if err != nil || !strings.Contains(string(rc), `export PATH="${HOME}/soft:${PATH}"`) {
		t.Errorf("soft/.bashrc = %q, %v", rc, err)
	}
	if r := stepByID(t, res, "5-run-docker"); !strings.Contains(r.Output, "Hello from Docker!") {
		t.Errorf("docker step output: %s", r.Output)
	}
}

// BenchmarkTranscriptCommands measures a transcript of 20 commands, each its
// own round trip, against the same 20 commands as one script step: the cost
// of comparing command by command.
func BenchmarkTranscriptCommands(b *testing.B) {
	var tr, sc strings.Builder
	tr.WriteString("# T\n\n```console\n")
	sc.WriteString("# S\n\n```sh\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&tr, "$ echo line %d\nline %d\n", i, i)
		fmt.Fprintf(&sc, "echo line %d\n", i)
	}
	tr.WriteString("```\n")
	sc.WriteString("```\n")
	for _, c := range []struct{ name, md string }{{"transcript", tr.String()}, {"script", sc.String()}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			path := filepath.Join(dir, "m.md")
			if err := os.WriteFile(path, []byte(c.md), 0o644); err != nil {
				b.Fatal(err)
			}
			mod, err := course.Load(path)
			if err != nil {
				b.Fatal(err)
			}
			s := open(b, mod, testOptions(b))
			for b.Loop() {
				if r := s.Exec(ctxT(b), mod.Steps[0]); r.Status != result.Passed {
					b.Fatalf("%s: %s", r.Status, r.Error)
				}
			}
		})
	}
}

// A checkpoint keeps PATH; a resumed run puts the fakes first, or drops
// them, as its own options say.
func TestFakesAcrossRestore(t *testing.T) {
	md := "---\ncoursectl:\n  fakes:\n    uname: 'echo FakeOS'\n---\n# One\n\n```sh\nexport PATH=\"$HOME/bin:$PATH\"\n```\n\n# Two\n\n```sh\nuname\necho \"path=$PATH\"\n```\n"
	mod := loadMD(t, "m.md", md)
	opts := testOptions(t)
	res := runAll(t, mod, opts)
	if r := res.Steps[1]; r.Status != result.Passed || !strings.Contains(r.Output, "FakeOS") {
		t.Fatalf("%s %s", r.Status, r.Output)
	}
	opts.From = "two"
	opts.NoFakes = true
	res = runAll(t, mod, opts)
	r := res.Steps[1]
	mustPass(t, r)
	if strings.Contains(r.Output, "FakeOS") || strings.Contains(r.Output, "/fakes") || !strings.Contains(r.Output, "/bin:") {
		t.Errorf("resumed with --no-fakes:\n%s", r.Output)
	}
	opts.NoFakes = false
	res = runAll(t, mod, opts)
	r = res.Steps[1]
	mustPass(t, r)
	if !strings.Contains(r.Output, "FakeOS") || strings.Count(r.Output, "/fakes") != 1 {
		t.Errorf("resumed with fakes:\n%s", r.Output)
	}
}

// A verify that hangs is stopped at the step's timeout and says so.
func TestVerifyTimeout(t *testing.T) {
	mod := loadMD(t, "m.md", "# V\n\n```sh {timeout=1s}\ntrue\n```\n<!-- coursectl:verify\nsleep 30\n-->\n")
	r := runAll(t, mod, testOptions(t)).Steps[0]
	if r.Status != result.Timeout || !strings.Contains(r.Error, "verify timed out after 1s") || r.FailLine != mod.Steps[0].Verify[0].Line {
		t.Fatalf("%s line %d: %s", r.Status, r.FailLine, r.Error)
	}
}

// A transcript command cut short (here by the step's timeout) is neither
// compared nor offered to --update: its partial output is no answer.
func TestTranscriptTimeoutIsNotUpdated(t *testing.T) {
	mod := loadMD(t, "m.md", "# T\n\n```console {timeout=1s}\n$ echo fine\nfine\n$ echo partial; sleep 30\npartial and more\n```\n")
	opts := testOptions(t)
	opts.Update = true
	r := runAll(t, mod, opts).Steps[0]
	if r.Status != result.Timeout {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
	if len(r.Actuals) != 1 || r.Actuals[0].Command != 0 || r.Diff != "" || r.OutputMismatch {
		t.Errorf("actuals %+v diff %q mismatch %v", r.Actuals, r.Diff, r.OutputMismatch)
	}
	if !strings.Contains(r.Output, "$ echo partial; sleep 30\npartial") {
		t.Errorf("output: %q", r.Output)
	}
}

// The shell's history holds the course's commands only: not a setup step,
// not a verify check, not the wrapping of a background step, not the lines
// the runner types to restore or finish a step — live and after a restore.
func TestHistoryHasOnlyTheCoursesCommands(t *testing.T) {
	mod := loadMD(t, "m.md", "# H\n\n<!-- coursectl:setup\nexport HIDDEN_SETUP=1\n-->\n\n"+
		"```sh\necho visible-one\n```\n<!-- coursectl:verify\ntest -n hidden-verify\n-->\n\n"+
		"```sh {background}\nsleep 100\n```\n\n"+
		"```sh\necho visible-two\n```\n\n"+
		"```sh\nhistory\n```\n")
	s := open(t, mod, testOptions(t))
	for _, st := range mod.Steps[:len(mod.Steps)-1] {
		mustPass(t, s.Exec(ctxT(t), st))
	}
	last := mod.Steps[len(mod.Steps)-1]
	live := s.Exec(ctxT(t), last)
	mustPass(t, live)
	s.Close()
	opts := testOptions(t)
	opts.StateDir = s.opts.StateDir
	opts.From = last.ID
	restored := open(t, mod, opts).Exec(ctxT(t), last)
	mustPass(t, restored)
	for name, r := range map[string]*result.Step{"live": live, "restored": restored} {
		var cmds []string
		for _, l := range strings.Split(strings.TrimSpace(r.Output), "\n") {
			cmds = append(cmds, strings.Join(strings.Fields(l)[1:], " "))
		}
		if got, want := strings.Join(cmds, "|"), "echo visible-one|sleep 100|echo visible-two|history"; got != want {
			t.Errorf("%s history: %q, want %q", name, got, want)
		}
	}
}

// A verify under a course's set -x shows only the check's commands, and
// the course's set -x stays on for the next step.
func TestVerifyUnderXtrace(t *testing.T) {
	mod := loadMD(t, "m.md", "# X\n\n```sh\nset -x\n```\n\n```sh\ntouch f\n```\n<!-- coursectl:verify\ntest -e f\ntest -e nope\n-->\n\n```sh\necho after\n```\n")
	s := open(t, mod, testOptions(t))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	r := s.Exec(ctxT(t), mod.Steps[1])
	if r.Status != result.Failed || r.Verify != "$ test -e f\n$ test -e nope\n" {
		t.Errorf("verify: %s %q", r.Status, r.Verify)
	}
	if r = s.Exec(ctxT(t), mod.Steps[2]); r.Output != "+ echo after\nafter\n" {
		t.Errorf("after a verify: %q", r.Output)
	}
}

// Under a course's set -x a background step streams only the course's
// commands, not the wrapper's pid line.
func TestBackgroundUnderXtrace(t *testing.T) {
	mod := loadMD(t, "m.md", "# X\n\n```sh\nset -x\n```\n\n```sh {background}\nsleep 100\n```\n")
	opts := testOptions(t)
	var live strings.Builder
	opts.Events.StepOutput = func(_ *course.Step, b []byte) { live.Write(b) }
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	if strings.Contains(live.String(), "printf") {
		t.Errorf("the wrapper's line was traced: %q", live.String())
	}
}

// A hidden setup step counts only when it fails: a passing one does not
// inflate the module's counts, a failing one explains the failure.
func TestHiddenStepCountsOnlyWhenItFails(t *testing.T) {
	mod := loadMD(t, "m.md", "# Use\n\n<!-- coursectl:setup\nmkdir -p data\n-->\n\n```sh\ntest -e data/none\n```\n")
	res := runAll(t, mod, testOptions(t))
	if p, f, s := res.Counts(); p != 0 || f != 1 || s != 0 {
		t.Errorf("passing setup, failing step: counts %d passed %d failed %d skipped, want 0 1 0", p, f, s)
	}
	mod = loadMD(t, "m.md", "# Use\n\n<!-- coursectl:setup\nfalse\n-->\n\n```sh\ntrue\n```\n")
	res = runAll(t, mod, testOptions(t))
	if p, f, _ := res.Counts(); p != 0 || f != 1 {
		t.Errorf("failing setup: counts %d passed %d failed; want the setup counted as the failure", p, f)
	}
}

// A background job that ends before it is ready says with what status
// (`exit N` or its last command's), also under a course's set -x, whose
// trace of the wrapper's own commands stays out of the job's log.
func TestBackgroundJobsExitStatus(t *testing.T) {
	mod := loadMD(t, "m.md", "# A\n\n```sh {background ready=\"up\"}\nfalse\n```\n\n"+
		"# B\n\n```sh {background ready=\"up\"}\necho going\nexit 7\n```\n\n"+
		"# C\n\n```sh\nset -x\n```\n\n"+
		"# D\n\n```sh {background ready=\"up\"}\necho traced\nexit 3\n```\n")
	opts := testOptions(t)
	opts.Continue = true
	res := runAll(t, mod, opts)
	for i, want := range map[int]string{0: "(exit status 1)", 1: "(exit status 7)", 3: "(exit status 3)"} {
		r := res.Steps[i]
		if r.Status != result.Failed || !strings.Contains(r.Error, "ended "+want+" before its output matched ready='up'") {
			t.Errorf("step %d: %s: %s", i, r.Status, r.Error)
		}
	}
	if out := res.Steps[3].Output; strings.Contains(out, "__cc") || strings.Contains(out, "status") {
		t.Errorf("the job's log shows the wrapper: %q", out)
	}
}
