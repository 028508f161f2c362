package runner

// What a hostile or unlucky module must not do through the runner: write
// outside the sandbox, make the next run empty an outside directory, leak
// the sandbox HOME, share a sandbox with another run, leave processes
// behind, or fill memory with output. docs/design.md ("Sandbox") says why
// each holds.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"golang.org/x/sys/unix"
)

// A file block never creates a file through a symbolic link that leads
// out of the sandbox — a dangling one included, whose target does not
// exist yet (os.OpenFile would create it) — with openat2 and without.
func TestFileBlockNeverWritesThroughALinkOut(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		name := "openat2"
		if fallback {
			name = "O_NOFOLLOW"
		}
		t.Run(name, func(t *testing.T) {
			defer func(old bool) { noOpenat2 = old }(noOpenat2)
			noOpenat2 = fallback
			place := sandbox(t)
			outside := t.TempDir()
			links := map[string]string{
				"dangle":      filepath.Join(outside, "created"),  // absolute, dangling
				"dir-link":    outside,                            // a directory out
				"chain":       "dangle",                           // a link to the dangling link
				"home-dangle": filepath.Join(outside, "via-home"), // from HOME
				"self":        "self",                             // a loop
			}
			for name, target := range links {
				dir := place.Dir
				if name == "home-dangle" {
					dir = place.Home
				}
				if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			// A relative one that climbs out.
			rel, _ := filepath.Rel(place.Dir, filepath.Join(outside, "rel"))
			if err := os.Symlink(rel, filepath.Join(place.Dir, "rel-dangle")); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"dangle", "rel-dangle", "dir-link/new.txt", "chain", "~/home-dangle", "self"} {
				for _, app := range []bool{false, true} {
					_, err := WriteFileStep("m.md", fileStep(p, "pwned\n", course.Attrs{Append: app}), place)
					if err == nil {
						t.Errorf("file=%s append=%v: written", p, app)
					} else if !strings.Contains(err.Error(), "m.md:12: file="+p) {
						t.Errorf("file=%s: err = %v", p, err)
					}
				}
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("written outside the sandbox: %v", entries)
			}
		})
	}
}

// Links that stay inside the sandbox still work, across its two roots too
// (a project in the workdir linked from HOME).
func TestFileBlockFollowsLinksThatStayInside(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		defer func(old bool) { noOpenat2 = old }(noOpenat2)
		noOpenat2 = fallback
		place := sandbox(t)
		if err := os.MkdirAll(filepath.Join(place.Workdir, "proj"), 0o755); err != nil {
			t.Fatal(err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.Symlink(filepath.Join(place.Workdir, "proj"), filepath.Join(place.Home, "proj")))
		must(os.Symlink("../proj/config.txt", filepath.Join(place.Dir, "config")))
		for _, p := range []string{"~/proj/a.txt", "config", "~/proj/new/deep/b.txt"} {
			if _, err := WriteFileStep("m.md", fileStep(p, "ok\n", course.Attrs{Mode: "0600"}), place); err != nil {
				t.Errorf("fallback=%v file=%s: %v", fallback, p, err)
			}
		}
		for _, p := range []string{"proj/a.txt", "proj/config.txt", "proj/new/deep/b.txt"} {
			fi, err := os.Stat(filepath.Join(place.Workdir, p))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("fallback=%v %s: %v %v", fallback, p, fi, err)
			}
		}
	}
}

// End to end: a step plants the dangling link, the file block after it
// fails, and nothing appears outside.
func TestCheckFileBlockThroughDanglingLink(t *testing.T) {
	outside := t.TempDir()
	target := filepath.Join(outside, "pwned.txt")
	mod := loadMD(t, "m.md", "# x\n\n```sh\nln -s "+target+" dangle\n```\n\n```text {file=dangle}\npwned\n```\n")
	res, err := RunModule(ctxT(t), mod, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	mustPass(t, res.Steps[0])
	if r := res.Steps[1]; r.Status != result.Failed || !strings.Contains(r.Error, "symbolic link") {
		t.Errorf("file block: %s %q", r.Status, r.Error)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Errorf("%s was created through the link", target)
	}
}

// A step that replaces the sandbox (or its workdir or HOME) with a link to
// another directory does not make the next run empty that directory or
// seed it: the link itself is removed and the directory made again.
func TestPlantedSandboxLinkIsNeverFollowed(t *testing.T) {
	for _, plant := range []string{
		`cd ../.. && mv sandbox sandbox.old && ln -s "$ELSEWHERE" sandbox`,
		`cd .. && mv work work.old && ln -s "$ELSEWHERE/work" work`,
		`cd .. && rm -rf home && ln -s "$ELSEWHERE/home" home`,
	} {
		elsewhere := t.TempDir()
		for _, d := range []string{"work", "home"} {
			if err := os.MkdirAll(filepath.Join(elsewhere, d), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(elsewhere, d, "precious"), []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mod := module(t, plant+"\n", "true\n")
		opts := testOptions(t)
		opts.Env = append(opts.Env, "ELSEWHERE="+elsewhere)
		res, err := RunModule(ctxT(t), mod, opts)
		if err != nil {
			t.Fatal(err)
		}
		mustPass(t, res.Steps[0])
		// The next run starts fresh: it empties and seeds the sandbox.
		again := module(t, "pwd -P; echo $HOME\n")
		again.Path = mod.Path // the same module: the same sandbox
		res, err = RunModule(ctxT(t), again, opts)
		if err != nil {
			t.Fatalf("%s: second run: %v", plant, err)
		}
		mustPass(t, res.Steps[0])
		for _, d := range []string{"work", "home"} {
			entries, _ := os.ReadDir(filepath.Join(elsewhere, d))
			if len(entries) != 1 || entries[0].Name() != "precious" {
				t.Errorf("%s: %s/%s now holds %v", plant, elsewhere, d, entries)
			}
		}
		if strings.Contains(res.Steps[0].Output, elsewhere) {
			t.Errorf("%s: the next run ran in the planted directory:\n%s", plant, res.Steps[0].Output)
		}
	}
}

// A link planted higher up, in place of the module's own state
// directory, is refused with a message rather than written through.
func TestPlantedStateLinkIsRefused(t *testing.T) {
	elsewhere := t.TempDir()
	mod := module(t, `cd ../.. && d=$(basename "$PWD") && cd .. && mv "$d" "$d.old" && ln -s "$ELSEWHERE" "$d"`+"\n")
	opts := testOptions(t)
	opts.Env = append(opts.Env, "ELSEWHERE="+elsewhere)
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustPass(t, res.Steps[0])
	_, err = RunModule(ctxT(t), mod, opts)
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("second run: err = %v", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
}

// The sandbox HOME does not leak through the XDG base directories or a
// tool's own config variable: a step that writes where they point writes
// inside the sandbox HOME (`XDG_CONFIG_HOME=$HOME/.config coursectl check`
// with `pip config set` wrote the real ~/.config/pip/pip.conf).
func TestSandboxHomeDoesNotLeakThroughXDG(t *testing.T) {
	real := t.TempDir()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, filepath.Join(real, v))
	}
	t.Setenv("PIP_CONFIG_FILE", filepath.Join(real, "pip.conf"))
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(real, "gitconfig"))
	t.Setenv("KEEP_ME", "kept")
	mod := module(t,
		`for v in XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME XDG_STATE_HOME; do mkdir -p "${!v}/pip" && echo "[global]" > "${!v}/pip/pip.conf" && echo "$v=${!v}"; done`+"\n",
		`echo "pip=${PIP_CONFIG_FILE-unset} git=${GIT_CONFIG_GLOBAL-unset} keep=$KEEP_ME"`+"\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	for _, want := range []string{"XDG_CONFIG_HOME=" + s.Home() + "/.config", "XDG_CACHE_HOME=" + s.Home() + "/.cache",
		"XDG_DATA_HOME=" + s.Home() + "/.local/share", "XDG_STATE_HOME=" + s.Home() + "/.local/state"} {
		if !strings.Contains(r.Output, want) {
			t.Errorf("output lacks %s:\n%s", want, r.Output)
		}
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "pip=unset git=unset keep=kept") {
		t.Errorf("output: %s", r.Output)
	}
	if entries, _ := os.ReadDir(real); len(entries) != 0 {
		t.Errorf("written to the real places: %v", entries)
	}

	// Without the sandbox (run, --no-sandbox) the learner's own settings stay.
	opts := testOptions(t)
	opts.Sandbox = false
	opts.Workdir = t.TempDir()
	live := open(t, module(t, `echo "cfg=$XDG_CONFIG_HOME"`+"\n"), opts)
	r = live.Exec(ctxT(t), live.mod.Steps[0])
	mustPass(t, r)
	if !strings.Contains(r.Output, "cfg="+filepath.Join(real, "XDG_CONFIG_HOME")) {
		t.Errorf("live run: %s", r.Output)
	}
}

// Two runs of one module's sandbox (two checks, or watch --run beside a
// check): the second is refused with who holds it, and the first is not
// disturbed; once the first has closed the sandbox is free.
func TestOneRunPerSandbox(t *testing.T) {
	mod := module(t, "touch mine\n", "ls\n")
	opts := testOptions(t)
	first := open(t, mod, opts)
	mustPass(t, first.Exec(ctxT(t), mod.Steps[0]))

	if err := SandboxBusy(opts.StateDir, mod); err == nil {
		t.Error("SandboxBusy: nil while a run holds it")
	}
	_, err := RunModule(ctxT(t), mod, opts)
	var busy *SandboxBusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() || !strings.Contains(err.Error(), "its sandbox is in use by another coursectl (pid ") {
		t.Fatalf("second run: err = %v", err)
	}
	// The first still finds what it made.
	r := first.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "mine") {
		t.Errorf("the sandbox was emptied under the first run: %q", r.Output)
	}
	// A learner's live run and a look with Shell take no sandbox lock.
	live := opts
	live.Sandbox, live.Workdir = false, t.TempDir()
	s := open(t, mod, live)
	s.Close()

	first.Close()
	if err := SandboxBusy(opts.StateDir, mod); err != nil {
		t.Errorf("after Close: %v", err)
	}
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Errorf("after Close: %v", err)
	}
}

// What a run started is ended by the next run when the run's own process
// died without ending it (kill -9): found by its cgroup where one can be
// had, else by the shell's session — both from the record the dead run
// left in the state directory.
func TestLeftoversOfAKilledRunAreEnded(t *testing.T) {
	for _, cgroup := range []bool{true, false} {
		t.Run(map[bool]string{true: "cgroup", false: "session"}[cgroup], func(t *testing.T) {
			defer func(old bool) { noCgroup = old }(noCgroup)
			noCgroup = !cgroup
			mod := module(t, "sleep 1041 & echo $!\n", "{ true; sleep 1042; } & echo $!\n")
			opts := testOptions(t)
			s := open(t, mod, opts)
			if cgroup && s.procs.cgroup == "" {
				t.Skip("no cgroup v2 of our own can be made here")
			}
			var pids []int
			for _, st := range mod.Steps {
				r := s.Exec(ctxT(t), st)
				mustPass(t, r)
				pid, err := strconv.Atoi(strings.TrimSpace(r.Output))
				if err != nil {
					t.Fatalf("output %q", r.Output)
				}
				pids = append(pids, pid)
			}
			// This process "dies": the shell goes with the pty (here: a
			// SIGKILL), the record's lock with the process. The jobs stay.
			syscall.Kill(s.sh.pid, syscall.SIGKILL)
			<-s.sh.exited
			s.procs.lock.Close()
			for _, pid := range pids {
				if !alive(pid) {
					t.Fatalf("pid %d ended with the shell: the test shows nothing", pid)
				}
			}
			endDeadRuns(opts.StateDir)
			for _, pid := range pids {
				if alive(pid) {
					t.Errorf("pid %d still runs after the sweep", pid)
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			if ents, _ := os.ReadDir(filepath.Join(opts.StateDir, runsDir)); len(ents) != 0 {
				t.Errorf("records left: %v", ents)
			}
		})
	}
}

// A pid reused since the record was written is not taken for the dead
// run's shell: a record naming a live process with another start time
// ends nothing.
func TestLeftoverRecordDoesNotKillAReusedPid(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	start, ok := procStart(cmd.Process.Pid)
	if !ok {
		t.Fatal("no start time")
	}
	stateDir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(stateDir, runsDir), 0o755))
	// The same pid with an older start time: another process, long gone.
	must(os.WriteFile(filepath.Join(stateDir, runsDir, "run-1-2.procs"),
		[]byte(fmt.Sprintf("shell %d %d\n", cmd.Process.Pid, start-1)), 0o644))
	endDeadRuns(stateDir)
	if !alive(cmd.Process.Pid) {
		t.Error("a process that merely has the pid was killed")
	}
}

// With a cgroup, what left the shell's session (setsid, a daemon) ends
// with the run too.
func TestSetsidEscapeEndsWithTheRunInACgroup(t *testing.T) {
	mod := module(t, "setsid sleep 1044 >/dev/null 2>&1 < /dev/null & sleep 0.2; pgrep -f 'sleep 1044' | head -1\n")
	opts := testOptions(t)
	s := open(t, mod, opts)
	if s.procs.cgroup == "" {
		t.Skip("no cgroup v2 of our own can be made here: setsid escapes are a documented limit")
	}
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	pid, err := strconv.Atoi(lastLines(strings.TrimSpace(r.Output), 1))
	if err != nil {
		t.Fatalf("output %q", r.Output)
	}
	if sid, _ := readStat(pid); sid.session == s.sh.pid {
		t.Fatal("setsid did not leave the session: the test shows nothing")
	}
	cg := s.procs.cgroup
	s.Close()
	if alive(pid) {
		t.Errorf("the setsid'd process %d outlived the run", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	if _, err := os.Stat(cg); err == nil {
		t.Errorf("cgroup %s left", cg)
	}
}

// A step may make cgroups under the run's (a container runtime, a test of
// cgroups): their processes end with the run, and the run's cgroup goes,
// theirs first.
func TestCgroupsAStepMadeGoWithTheRun(t *testing.T) {
	mod := module(t, `cg=$(sed -n 's/^0:://p' /proc/$$/cgroup)
for m in $(awk '$3 == "cgroup2" {print $2}' /proc/mounts); do d=$m$cg; done
mkdir "$d/inner" "$d/inner/deeper"
sleep 1045 >/dev/null 2>&1 </dev/null &
echo $! >"$d/inner/deeper/cgroup.procs"
echo $!
`)
	s := open(t, mod, testOptions(t))
	if s.procs.cgroup == "" {
		t.Skip("no cgroup v2 of our own can be made here")
	}
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	pid, err := strconv.Atoi(lastLines(strings.TrimSpace(r.Output), 1))
	if err != nil {
		t.Fatalf("output %q", r.Output)
	}
	cg := s.procs.cgroup
	if _, err := os.Stat(filepath.Join(cg, "inner", "deeper")); err != nil {
		t.Fatalf("the step made no cgroup under the run's: %v", err)
	}
	s.Close()
	if alive(pid) {
		t.Errorf("the process in the step's cgroup (%d) outlived the run", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	if _, err := os.Stat(cg); err == nil {
		t.Errorf("cgroup %s left", cg)
		removeCgroup(cg)
	}
}

// The shell starts in the run's cgroup (clone3 into it), not moved in
// after it started: the move costs the kernel an RCU grace period, the
// largest part of a one-step check on some machines.
func TestShellStartsInTheRunsCgroup(t *testing.T) {
	mod := module(t, "cat /proc/$$/cgroup\n")
	s := open(t, mod, testOptions(t))
	if s.procs.cgroup == "" {
		t.Skip("no cgroup v2 of our own can be made here")
	}
	if !kernelAtLeast(5, 7) {
		t.Skip("this kernel cannot start a process in a cgroup (clone3, Linux 5.7)")
	}
	if !s.sh.inCgroup {
		t.Error("the shell was moved into the run's cgroup, not started there")
	}
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if want := "0::/" + filepath.Base(s.procs.cgroup); !strings.Contains(r.Output, want) {
		t.Errorf("the shell's cgroups:\n%s\nwant a line %q", r.Output, want)
	}
}

// kernelAtLeast reports whether the running kernel is major.minor or later.
func kernelAtLeast(major, minor int) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	var ma, mi int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// A cgroup the shell cannot start in (here: not a directory) leaves the
// shell started as before, and moved in when it can be.
func TestShellStartsWhenItCannotStartInTheCgroup(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	sh, err := startShell(shellConfig{dir: dir, workdir: dir, env: os.Environ(), rows: 24, cols: 80, cgroup: f})
	if err != nil {
		t.Fatalf("startShell with an unusable cgroup: %v", err)
	}
	defer sh.kill()
	if sh.inCgroup {
		t.Error("the shell is said to be in a cgroup it could not start in")
	}
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	st, ok := readStat(pid)
	return ok && st.state != 'Z'
}

// A result keeps a capped tail of a step's output; the whole output goes
// to a file in the state directory, named in the result, and a rerun of a
// step that prints little drops the old file.
func TestOutputKeptBoundedAndSpilled(t *testing.T) {
	mod := module(t,
		"for i in $(seq 1 3000); do printf 'line %05d of the output\\n' $i; done\n", // 75 KB
		"echo short\n")
	opts := testOptions(t)
	s := open(t, mod, opts)
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if len(r.Output) > keptCap+100 || !strings.HasPrefix(r.Output, "[... ") || !strings.HasSuffix(r.Output, "line 03000 of the output\n") {
		t.Errorf("output kept: %d bytes, starts %q", len(r.Output), r.Output[:min(60, len(r.Output))])
	}
	if r.OutputLines != 3000 {
		t.Errorf("OutputLines %d, want 3000", r.OutputLines)
	}
	if r.OutputFile == "" {
		t.Fatal("no output file")
	}
	if !strings.HasPrefix(r.OutputFile, opts.StateDir) {
		t.Errorf("output file %s is not in the state directory", r.OutputFile)
	}
	b, err := os.ReadFile(r.OutputFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "\n"); got != 3000 || strings.Contains(string(b), "\r") || !strings.HasPrefix(string(b), "line 00001 of the output\n") {
		t.Errorf("output file: %d lines, \\r: %v, starts %q", got, strings.Contains(string(b), "\r"), string(b[:30]))
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	if r.OutputFile != "" {
		t.Errorf("short output has a file: %s", r.OutputFile)
	}
	// The step run again with little output: its old file goes.
	mod.Steps[0].Commands = []course.Command{{Text: "echo now short", Line: 2}}
	r = s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if _, err := os.Stat(s.outputPath(0)); err == nil || r.OutputFile != "" {
		t.Errorf("the old output file of the step is still there (result names %q)", r.OutputFile)
	}
}

// Many steps printing more than the cap: what the session holds grows
// by the kept tail per step, not by the output.
func TestManyLoudStepsStayBounded(t *testing.T) {
	bodies := make([]string, 40)
	for i := range bodies {
		bodies[i] = "head -c 70000 /dev/zero | tr '\\0' x | fold -w 99\n"
	}
	mod := module(t, bodies...)
	res, err := RunModule(ctxT(t), mod, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range res.Steps {
		mustPass(t, r)
		total += len(r.Output)
		if r.OutputFile == "" {
			t.Errorf("step %s: no output file", r.ID)
		}
	}
	if max := len(bodies) * (keptCap + 100); total > max {
		t.Errorf("results hold %d bytes of output, want at most %d", total, max)
	}
}

func TestCutOutput(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short\n", 100, "short\n"},
		{"aaaa\nbbbb\ncccc\n", 8, "[... 10 bytes of output not kept ...]\ncccc\n"},
		{"[... 5 bytes of output not kept ...]\naaaa\nbbbb\ncccc\n", 8, "[... 15 bytes of output not kept ...]\ncccc\n"},
		{"no newline at all in this", 5, "[... 20 bytes of output not kept ...]\n this"},
	} {
		if got := cutOutput(c.in, c.max); got != c.want {
			t.Errorf("cutOutput(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// The run record, written a step at a time, reads back as the whole
// record would.
func TestRecordEncodedStepByStep(t *testing.T) {
	r := &result.Module{File: `odd "steps":null \ path.md`, Started: time.Unix(1, 0).UTC(), Duration: time.Second,
		Warnings: []string{`"steps":null`}, Interrupted: true,
		Steps: []*result.Step{{ID: "a", Output: "x\n", OutputFile: "/f"}, {ID: "b", Status: result.Failed, ExitCode: 2}}}
	var b bytes.Buffer
	if err := encodeRecord(&b, r); err != nil {
		t.Fatal(err)
	}
	var got, want result.Module
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	whole, _ := json.Marshal(r)
	json.Unmarshal(whole, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	empty := &result.Module{File: "e.md"}
	b.Reset()
	if err := encodeRecord(&b, empty); err != nil || !json.Valid(b.Bytes()) {
		t.Errorf("no steps: %v %s", err, b.String())
	}
}

// An empty cgroup a dead run left (it exited without Close, after a
// second Ctrl-C; its record in another state directory) is removed by the
// next run; a live run's is not.
func TestEmptyCgroupOfADeadRunIsSwept(t *testing.T) {
	parent := ownCgroup()
	if parent == "" {
		t.Skip("no cgroup v2 here")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(parent, fmt.Sprintf("coursectl-run-%d-1", cmd.Process.Pid))
	live := filepath.Join(parent, fmt.Sprintf("coursectl-run-%d-2", os.Getppid()))
	for _, d := range []string{dead, live} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Skipf("cannot make a cgroup here: %v", err)
		}
		defer os.Remove(d)
	}
	endDeadRuns(t.TempDir())
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("%s is still there", dead)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live run's cgroup went: %v", err)
	}
}

// A process that left the session but kept the terminal (`setsid sleep
// 1000 &`, no redirection) held the master's end of file back, and the
// run's end waited for it forever, deaf to Ctrl-C.
func TestSetsidKeepingTheTerminalDoesNotHoldTheRunsEnd(t *testing.T) {
	for _, cgroup := range []bool{true, false} {
		t.Run(map[bool]string{true: "cgroup", false: "session"}[cgroup], func(t *testing.T) {
			defer func(old bool) { noCgroup = old }(noCgroup)
			noCgroup = !cgroup
			mod := module(t, "setsid sleep 1046 & wait $!\n")
			s := open(t, mod, testOptions(t))
			if cgroup && s.procs.cgroup == "" {
				t.Skip("no cgroup v2 of our own can be made here")
			}
			mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
			closed := make(chan struct{})
			go func() {
				s.Close()
				close(closed)
			}()
			select {
			case <-closed:
			case <-time.After(20 * time.Second):
				out, _ := exec.Command("pkill", "-KILL", "-f", "^sleep 1046$").CombinedOutput()
				t.Fatalf("Close still waits 20 s after it was called (%s)", out)
			}
			if out, err := exec.Command("pgrep", "-f", "^sleep 1046$").Output(); err == nil {
				t.Errorf("the setsid'd process outlived the run: %s", out)
				_ = exec.Command("pkill", "-KILL", "-f", "^sleep 1046$").Run()
			}
		})
	}
}
