package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// check --resume: a run that failed at step 3 resumes there, with the state
// of step 2's checkpoint, without re-running steps 1-2.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	mod := module(t,
		"echo run >> "+dir+"/step1-runs\ncount=1\n",
		"count=$((count+1))\ncd /tmp\n",
		"test -e "+dir+"/go-on\necho count=$count pwd=$PWD\n",
	)
	opts := testOptions(t)
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Steps[2].Status != result.Failed {
		t.Fatalf("first run should fail at step 3: %+v", res.Steps[2])
	}
	p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if p.Next != 2 || p.Failed != "step-3" {
		t.Fatalf("progress: next %d failed %q", p.Next, p.Failed)
	}
	os.WriteFile(dir+"/go-on", nil, 0o644)
	opts.Resume = true
	res, err = RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("resumed run failed: %+v", res.Steps[2])
	}
	if !res.Steps[0].FromCheckpoint || !res.Steps[1].FromCheckpoint || res.Steps[2].FromCheckpoint {
		t.Errorf("FromCheckpoint flags wrong: %v %v %v", res.Steps[0].FromCheckpoint, res.Steps[1].FromCheckpoint, res.Steps[2].FromCheckpoint)
	}
	if !strings.Contains(res.Steps[2].Output, "count=2 pwd=/tmp") {
		t.Errorf("resumed step did not get the restored state: %q", res.Steps[2].Output)
	}
	if b, _ := os.ReadFile(dir + "/step1-runs"); string(b) != "run\n" {
		t.Errorf("step 1 ran again on resume: %q", b)
	}
}

// Editing a step invalidates its checkpoint and every later one.
func TestEditInvalidatesLaterCheckpoints(t *testing.T) {
	mod := module(t, "a=1\n", "b=2\n", "c=3\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	mod.Steps[1].Commands[0].Text = "b=22"
	p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if !p.Done[0] || p.Done[1] || p.Done[2] || p.Next != 1 {
		t.Errorf("after an edit of step 2: done %v next %d", p.Done, p.Next)
	}
}

// A run keeps one set of checkpoints per module, its chain's: those of
// steps since edited or removed go.
func TestOldCheckpointsPruned(t *testing.T) {
	mod := module(t, "a=1\n", "b=2\n", "c=3\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	mod.Steps[1].Commands[0].Text = "b=22"
	opts.Resume = true
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatalf("resume after an edit: %v", err)
	}
	mod.Steps = mod.Steps[:2]
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatalf("resume after removing a step: %v", err)
	}
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	ents, _ := os.ReadDir(st.checkpointsDir())
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{filepath.Base(st.checkpointPath(0)), filepath.Base(st.checkpointPath(1))}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("checkpoints kept: %v, want %v", names, want)
	}
}

// A corrupt checkpoint is reported and ignored, never fatal.
func TestCorruptCheckpoint(t *testing.T) {
	mod := module(t, "a=1\n", "b=2\n", "echo a=$a b=$b\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	// Truncate step 2's checkpoint (as a crash mid-write on a filesystem
	// without ordered rename would) and drop step 3's, so resume must
	// restore from step 2.
	b, _ := os.ReadFile(st.checkpointPath(1))
	os.WriteFile(st.checkpointPath(1), b[:len(b)/2], 0o644)
	os.Remove(st.checkpointPath(2))
	var warned []string
	opts.Resume = true
	opts.Events.Warning = func(w string) {
		// Not the dir sandbox's note that its files are the last run's.
		if !strings.Contains(w, "the sandbox holds the files") {
			warned = append(warned, w)
		}
	}
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatalf("a corrupt checkpoint was fatal: %v", err)
	}
	// Reported in the course's terms: the module, the step's line and id.
	want := mod.Path + ":11: ignoring the checkpoint of step step-2: it is corrupt"
	if len(warned) != 1 || !strings.Contains(warned[0], want) || len(res.Warnings) != 2 {
		t.Errorf("corrupt checkpoint not reported as %q: %q", want, warned)
	}
	if !res.OK() {
		t.Fatalf("run failed: %+v", res.Steps)
	}
	// Resume started at step 2 (first invalid), restoring step 1.
	if res.Steps[1].FromCheckpoint || !res.Steps[0].FromCheckpoint {
		t.Errorf("resume did not restart at step 2")
	}
	if !strings.Contains(res.Steps[2].Output, "a=1 b=2") {
		t.Errorf("output %q", res.Steps[2].Output)
	}
	// --from the step after a corrupt checkpoint: reported, fresh shell.
	os.WriteFile(st.checkpointPath(0), []byte("garbage (((\n"), 0o644)
	warned = nil
	opts.Resume, opts.From = false, "step-2"
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	want = mod.Path + ": ignoring the checkpoint of step step-1: it is corrupt"
	if len(warned) != 1 || !strings.Contains(warned[0], want) || !strings.Contains(warned[0], "fresh shell") {
		t.Errorf("corrupt checkpoint before --from not reported as %q: %q", want, warned)
	}
	// The record is corrupt too: progress still loads, with a warning.
	os.WriteFile(st.recordPath(), []byte("{not json"), 0o644)
	p, err := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if err != nil || len(p.Warnings) == 0 {
		t.Errorf("corrupt record: %v, warnings %v", err, p.Warnings)
	}
}

// --from restores the checkpoint before the named step; a missing one is a
// warning and the run starts there with a fresh shell.
func TestFrom(t *testing.T) {
	mod := module(t, "a=1\n", "echo a=${a-unset}\n")
	opts := testOptions(t)
	opts.From = "step-2"
	var warned []string
	opts.Events.Warning = func(w string) { warned = append(warned, w) }
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "no checkpoint for step step-1") {
		t.Errorf("warnings %q", warned)
	}
	if res.Steps[0].Status != result.NotRun || !strings.Contains(res.Steps[1].Output, "a=unset") {
		t.Errorf("steps: %s %q", res.Steps[0].Status, res.Steps[1].Output)
	}
	opts.From = "no-such-step"
	_, err = RunModule(ctxT(t), mod, opts)
	var pe *course.PosError
	if err == nil || !asPosError(err, &pe) || !strings.Contains(err.Error(), `no step "no-such-step"`) {
		t.Errorf("unknown --from: %v", err)
	}
}

// Ctrl-C (ctx cancellation) interrupts the running step with SIGINT, keeps
// the checkpoints of the finished steps, and marks the result interrupted.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	mod := module(t, "a=1\n",
		"trap 'echo got-INT > "+dir+"/int; exit 130' INT; echo $$ > "+dir+"/pid; sleep 60 & wait\n",
		"echo never\n")
	// The step is a bash that records SIGINT; run it as a child so the
	// signal reaches it through its process group.
	mod.Steps[1].Commands = []course.Command{{Text: "bash -c \"" + strings.ReplaceAll(mod.Steps[1].Commands[0].Text, `"`, `\"`) + "\"", Line: 12}}
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	opts := testOptions(t)
	opts.Events.StepStarted = func(st *course.Step) {
		if st.ID == "step-2" {
			go func() {
				for i := 0; i < 500; i++ {
					if _, err := os.Stat(dir + "/pid"); err == nil {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				cancel()
			}()
		}
	}
	res, err := RunModule(ctx, mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Steps[1].Status != result.Failed || res.Steps[2].Status != result.NotRun {
		t.Fatalf("interrupted %v, steps %s %s (%s)", res.Interrupted, res.Steps[1].Status, res.Steps[2].Status, res.Steps[1].Error)
	}
	if b, _ := os.ReadFile(dir + "/int"); string(b) != "got-INT\n" {
		t.Errorf("the step did not get SIGINT: %q", b)
	}
	p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if !p.Done[0] || p.Done[1] {
		t.Errorf("checkpoints after interrupt: %v", p.Done)
	}
}

func TestReset(t *testing.T) {
	mod := module(t, "a=1\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	if err := Reset(opts.StateDir, mod); err != nil {
		t.Fatal(err)
	}
	p, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if p.Done[0] || p.LastRun != nil {
		t.Errorf("progress after reset: %+v", p)
	}
}

// Odd values and attributes survive a restore exactly.
func TestRestoreOddValues(t *testing.T) {
	setup := "q=\"it's \\\"quoted\\\" \\$HOME \\`tick\\` back\\\\slash\"\n" +
		"u='héllo wörld ✓'\n" +
		"declare -i n=41+1\n" +
		"declare -r ro=fixed\n" +
		"target=pointed; declare -n ref=target\n" +
		"declare -l lower=MiXeD\n" +
		"declare -a sparse=([3]=three [7]='sev en')\n" +
		"exported_fn() { echo from-exported-fn; }; export -f exported_fn\n" +
		"alias 'quote=echo \"it'\\''s\"'\n" +
		"mkdir -p 'dir with space' && cd 'dir with space'\n"
	show := "declare -p q u n ro target ref lower sparse | sed 's/^declare -[a-z-]* //'\n" +
		"bash -c exported_fn\nquote\nbasename \"$PWD\"\n"
	mod := module(t, setup, show)
	opts := testOptions(t)
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	live := s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, live)
	s.Close()
	opts.From = "step-2"
	s2 := open(t, mod, opts)
	restored := s2.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, restored)
	if live.Output != restored.Output {
		t.Errorf("live and restored differ:\nlive:\n%s\nrestored:\n%s", live.Output, restored.Output)
	}
	for _, want := range []string{`n="42"`, "from-exported-fn", `it's`, "dir with space", "héllo wörld ✓"} {
		if !strings.Contains(restored.Output, want) {
			t.Errorf("restored output lacks %q:\n%s", want, restored.Output)
		}
	}
}

// A step's expected exit status (`exit=N`, a transcript's or an output
// fence's `[N]`) is in the chain by value: the same file loaded again (as
// the next run does) has the same chain, so its checkpoints are found.
func TestChainOfExpectedExitIsStable(t *testing.T) {
	src := "# E\n\n```sh {exit=3}\n(exit 3)\n```\n\n```console\n$ false\n[1]\n```\n\n```sh\nfalse\n```\n\n```output\n[1]\n```\n\n```sh\ntrue\n```\n"
	a, b := parse(t, src), parse(t, src)
	ca, cb := stepChain(a), stepChain(b)
	if len(ca) != 4 {
		t.Fatalf("%d steps, want 4", len(ca))
	}
	for i := range ca {
		if ca[i] != cb[i] {
			t.Errorf("step %d: the chain differs between two loads of the same file", i+1)
		}
	}
	// And the value counts: another status is another chain.
	c := parse(t, strings.Replace(src, "exit=3", "exit=4", 1))
	if stepChain(c)[0] == ca[0] {
		t.Error("exit=3 and exit=4 have the same chain")
	}
}

// `cd -` after a restore goes where it goes live: the restore's own cd
// does not leave the fresh shell's directory in OLDPWD, and a shell whose
// steps never changed directory has OLDPWD as a fresh shell has it (not the
// caller's, which the session does not pass on).
func TestRestoreKeepsOLDPWD(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OLDPWD", "/")
	show := "echo \"old=${OLDPWD-unset}\"\n"
	for _, tc := range []struct {
		name  string
		first string
		want  string
	}{
		{"changed", "mkdir -p " + dir + "/a " + dir + "/b; cd " + dir + "/a; cd ../b\n", "old=" + dir + "/a"},
		{"never", "true\n", "old=unset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := module(t, tc.first, "true\n", show)
			opts := testOptions(t)
			res, err := RunModule(ctxT(t), mod, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(res.Steps[2].Output); got != tc.want {
				t.Fatalf("live: %q, want %q", got, tc.want)
			}
			opts.From = mod.Steps[2].ID
			res, err = RunModule(ctxT(t), mod, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(res.Steps[2].Output); got != tc.want {
				t.Errorf("restored: %q, want %q", got, tc.want)
			}
		})
	}
}
