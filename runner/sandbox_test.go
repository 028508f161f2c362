package runner

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

// The sandbox: a fresh workdir and HOME (from /etc/skel) in the state dir,
// kept for a resumed run; $COURSE_DIR is the module's directory; the real
// HOME is not touched.
func TestSandbox(t *testing.T) {
	realHome := t.TempDir()
	t.Setenv("HOME", realHome)
	mod := module(t, "echo home=$HOME\necho pwd=$PWD\necho course=$COURSE_DIR\ntouch made-here ~/made-in-home\n")
	opts := testOptions(t)
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Steps[0]
	mustPass(t, r)
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	home := filepath.Join(st.dir, "sandbox", "home")
	work := filepath.Join(st.dir, "sandbox", "work")
	for _, want := range []string{"home=" + home + "\n", "pwd=" + work + "\n", "course=" + filepath.Dir(mod.Path) + "\n"} {
		if !strings.Contains(r.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Output)
		}
	}
	if skel, err := os.ReadDir("/etc/skel"); err == nil {
		for _, e := range skel {
			if _, err := os.Stat(filepath.Join(home, e.Name())); err != nil {
				t.Errorf("HOME not seeded with /etc/skel/%s", e.Name())
			}
		}
	}
	for _, f := range []string{filepath.Join(work, "made-here"), filepath.Join(home, "made-in-home")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("sandbox file not kept: %v", err)
		}
	}
	if ents, _ := os.ReadDir(realHome); len(ents) != 0 {
		t.Errorf("the real HOME was touched: %v", ents)
	}
}

func TestWorkdirAndHomeOverrides(t *testing.T) {
	wd, home := t.TempDir(), t.TempDir()
	mod := module(t, "echo home=$HOME pwd=$PWD\n")
	opts := testOptions(t)
	opts.Workdir, opts.Home = wd, home
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := "home=" + home + " pwd=" + wd; !strings.Contains(res.Steps[0].Output, want) {
		t.Errorf("output %q, want %q", res.Steps[0].Output, want)
	}
}

// Output is kept capped (the tail), with \r\n turned into \n.
func TestOutputCappedAndNormalised(t *testing.T) {
	mod := module(t, "printf 'a\\r\\nb\\n'\n", "seq 1 200000\necho the-end\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if r.Output != "a\nb\n" {
		t.Errorf("output %q", r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if len(r.Output) > outputCap+100 || !strings.HasSuffix(r.Output, "200000\nthe-end\n") || !strings.HasPrefix(r.Output, "[... ") {
		t.Errorf("output not capped to its tail: %d bytes, starts %q", len(r.Output), r.Output[:40])
	}
}

// Scratch directories of runs that died without closing are swept by the
// next run; a live run's are not touched.
func TestStaleScratchSwept(t *testing.T) {
	parent := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", parent)
	dead := filepath.Join(parent, "coursectl-run-999999999-1")
	os.MkdirAll(dead, 0o700)
	mine := filepath.Join(parent, "coursectl-run-"+strconv.Itoa(os.Getpid())+"-2")
	os.MkdirAll(mine, 0o700)
	mod := module(t, "true\n")
	if _, err := RunModule(ctxT(t), mod, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("stale scratch dir of a dead process was not removed")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a live process's scratch dir was removed")
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 {
		t.Errorf("scratch dirs left after the run: %v", ents)
	}
}

// A run that starts at the first step gets a fresh workdir and HOME (what an
// earlier run made is gone, HOME is /etc/skel again) and leaves no checkpoint
// of the earlier run standing: after it fails at step 1, --resume starts
// there instead of treating the old checkpoints as done.
func TestFreshSandboxEachRun(t *testing.T) {
	flag := t.TempDir()
	mod := module(t,
		"test ! -e "+flag+"/fail\nls -A ~ . | grep leftover || true\nmkdir soft\ncd soft\ntouch ~/home-leftover ../work-leftover\n",
		"echo b\n",
	)
	opts := testOptions(t)
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil || !res.OK() {
		t.Fatalf("first run: %v %+v", err, res.Steps[0])
	}
	res, err = RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Steps[0]
	mustPass(t, r)
	if strings.Contains(r.Output, "leftover") {
		t.Errorf("the second run saw the first run's files:\n%s", r.Output)
	}
	os.WriteFile(filepath.Join(flag, "fail"), nil, 0o644)
	if res, _ = RunModule(ctxT(t), mod, opts); res.Steps[0].Status != result.Failed {
		t.Fatalf("third run should fail at step 1: %+v", res.Steps[0])
	}
	p, err := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if err != nil || p.Next != 0 || p.Done[0] || p.Done[1] {
		t.Fatalf("after a fresh run failed at step 1: next %d done %v (%v)", p.Next, p.Done, err)
	}
	os.Remove(filepath.Join(flag, "fail"))
	opts.Resume = true
	res, err = RunModule(ctxT(t), mod, opts)
	if err != nil || !res.OK() || res.Steps[0].FromCheckpoint {
		t.Fatalf("resume: %v ok=%v step 1 from checkpoint=%v", err, res.OK(), res.Steps[0].FromCheckpoint)
	}
}

// Shell (coursectl shell --at) only looks: the sandbox and checkpoints a run
// left stay.
func TestShellKeepsSandbox(t *testing.T) {
	mod := module(t, "touch kept\n", "true\n")
	opts := testOptions(t)
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatal(err)
	}
	s, err := openSession(ctxT(t), mod, opts, true)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(s.Workdir(), "kept")); err != nil {
		t.Errorf("inspecting wiped the sandbox: %v", err)
	}
}

// What bash says about the step file is rewritten into the course's terms,
// however the output is split into writes.
func TestScriptPathsRewritten(t *testing.T) {
	in := "start\r\nbash: /run/x/step.sh: line 4: syntax error near unexpected token `)'\r\n" +
		"bash: /run/x/step.sh: line 4: `  echo $x )'\r\nbash: /run/x/step.sh: line 9: syntax error: unexpected end of file\r\n/run/x/step.sh: line x\r\n"
	want := "start\r\nbash: les.md: line 14: syntax error near unexpected token `)'\r\n" +
		"bash: les.md: line 14: `  echo $x )'\r\nbash: les.md: line 19: syntax error: unexpected end of file\r\n/run/x/step.sh: line x\r\n"
	for cut := 0; cut <= len(in); cut++ {
		var got strings.Builder
		w := &scriptPaths{needle: []byte("/run/x/step.sh: line "), name: "les.md",
			mapLine: func(n int) int { return n + 10 }, out: func(b []byte) { got.Write(b) }}
		w.Write([]byte(in[:cut]))
		w.Write([]byte(in[cut:]))
		w.flush()
		if got.String() != want {
			t.Fatalf("split at %d:\n%q\nwant\n%q", cut, got.String(), want)
		}
		if cut == len(in) && (w.syntaxErr != "syntax error near unexpected token `)'" || w.syntaxLine != 14) {
			t.Errorf("syntax error noted: %q at %d", w.syntaxErr, w.syntaxLine)
		}
	}
}

// Opening a session and closing it without running a step (a learner's
// `run`, then q) leaves the checkpoints as they were; running a step drops
// its checkpoint and those after it.
func TestCheckpointsDroppedOnlyWhenRun(t *testing.T) {
	mod := module(t, "a=1\n", "b=2\n", "c=3\n")
	opts := testOptions(t)
	opts.Sandbox = false
	opts.Workdir = t.TempDir()
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatal(err)
	}
	opts.From = "step-2"
	s := open(t, mod, opts)
	s.Close()
	if p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox); !p.Done[0] || !p.Done[1] || !p.Done[2] {
		t.Fatalf("opening without running dropped checkpoints: %v", p.Done)
	}
	s = open(t, mod, opts)
	s.Exec(ctxT(t), mod.Steps[1])
	s.Close()
	if p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox); !p.Done[0] || !p.Done[1] || p.Done[2] {
		t.Errorf("after step 2 ran again: %v, want step 3's old checkpoint dropped", p.Done)
	}
}

// With KeepLaterCheckpoints (`run --only ID`), running a step again drops
// its own checkpoint only: the steps after it stay done.
func TestKeepLaterCheckpoints(t *testing.T) {
	flag := filepath.Join(t.TempDir(), "fail")
	mod := module(t, "a=1\n", "test ! -e "+flag+"\n", "c=3\n")
	opts := testOptions(t)
	opts.Sandbox = false
	opts.Workdir = t.TempDir()
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatal(err)
	}
	opts.From = "step-2"
	opts.KeepLaterCheckpoints = true
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	s.Close()
	if p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox); !p.Done[0] || !p.Done[1] || !p.Done[2] {
		t.Errorf("after step 2 ran alone: %v, want every step still done", p.Done)
	}
	// A retry that fails leaves the step not done; the later ones stay.
	os.WriteFile(flag, nil, 0o644)
	s = open(t, mod, opts)
	if r := s.Exec(ctxT(t), mod.Steps[1]); r.Status != result.Failed {
		t.Fatalf("step 2: %s", r.Status)
	}
	s.Close()
	if p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox); !p.Done[0] || p.Done[1] || !p.Done[2] || p.Next != 1 {
		t.Errorf("after step 2 failed alone: %v next %d, want step 2 not done, steps 1 and 3 done", p.Done, p.Next)
	}
}

// A sweep judges a scratch directory by its lock, not by the pid in its
// name: pids are reused, and another pid namespace sharing /dev/shm sees
// none of ours. A live run's directory survives even when its name's pid
// looks dead; a dead run's goes even when its pid was reused.
func TestSweepSparesLockedScratch(t *testing.T) {
	parent := t.TempDir()
	live, lock, err := lockedDir(parent, "coursectl-run-999999999-")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	reused, lock2, err := lockedDir(parent, "coursectl-run-1-") // pid 1 lives
	if err != nil {
		t.Fatal(err)
	}
	lock2.Close() // its process is gone
	sweepScratch(parent)
	if _, err := os.Stat(filepath.Join(live, "lock")); err != nil {
		t.Errorf("a live run's scratch dir was swept: %v", err)
	}
	if _, err := os.Stat(reused); err == nil {
		t.Errorf("a dead run's scratch dir whose pid was reused was not swept")
	}
}

// a sandboxed check and a learner's live run of the same module keep
// separate checkpoints and records. A `run --resume` after a `check` starts
// at the first step in the learner's directory (not inside check's
// sandbox), and a later `check` leaves the learner's progress as it was.
func TestCheckAndLiveRunKeepSeparateCheckpoints(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	mod := module(t, "mkdir -p x && cd x\nexport WHERE=$PWD\n", "echo pwd=$PWD where=$WHERE\n")
	check := testOptions(t)
	res, err := RunModule(ctxT(t), mod, check)
	if err != nil {
		t.Fatal(err)
	}
	mustPass(t, res.Steps[1])

	live := check
	live.Sandbox = false
	live.Workdir = t.TempDir()
	live.Resume = true
	if p, _ := LoadProgress(live.StateDir, mod); p.Next != 0 || p.LastRun != nil {
		t.Fatalf("the learner's progress shows check's run: next %d, record %v", p.Next, p.LastRun != nil)
	}
	s := open(t, mod, live)
	if s.Start() != 0 {
		t.Fatalf("the live run resumes at step %d after a check, want the first", s.Start()+1)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	r := s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if want := "pwd=" + filepath.Join(live.Workdir, "x"); !strings.Contains(r.Output, want) {
		t.Fatalf("live run output %q, want %q", r.Output, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Check again, from its own checkpoint of step 1 (its sandbox's x).
	check.From = "step-2"
	res, err = RunModule(ctxT(t), mod, check)
	if err != nil {
		t.Fatal(err)
	}
	mustPass(t, res.Steps[1])
	st, _ := openStore(check.StateDir, mod, true)
	if want := "pwd=" + filepath.Join(st.dir, "sandbox", "work", "x"); !strings.Contains(res.Steps[1].Output, want) {
		t.Fatalf("check --from output %q, want %q", res.Steps[1].Output, want)
	}

	// The learner's checkpoints are theirs still: a resume finds both
	// steps done, and standing before step 2 is in their own x.
	p, err := LoadProgress(live.StateDir, mod)
	if err != nil {
		t.Fatal(err)
	}
	if p.Next != 2 || p.LastRun == nil || !strings.Contains(p.LastRun.Steps[1].Output, "pwd="+filepath.Join(live.Workdir, "x")) {
		t.Fatalf("the learner's progress changed by a check: next %d", p.Next)
	}
	live.Resume, live.From = false, "step-2"
	s = open(t, mod, live)
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if want := "where=" + filepath.Join(live.Workdir, "x"); !strings.Contains(r.Output, want) {
		t.Fatalf("live --from after a check: output %q, want %q", r.Output, want)
	}
	// render's record is the latest of either: this live run's.
	s.Close()
	rec, err := LoadRecord(live.StateDir, mod)
	if err != nil || rec == nil || !strings.Contains(rec.Steps[len(rec.Steps)-1].Output, "where="+filepath.Join(live.Workdir, "x")) {
		t.Fatalf("LoadRecord is not the latest run: %v %+v", err, rec)
	}
}
