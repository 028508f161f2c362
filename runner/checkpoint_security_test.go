package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

// reseal rewrites a checkpoint's body and gives it a matching checksum, as
// someone planting a checkpoint would.
func reseal(t *testing.T, path string, edit func(body string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(b), "\n", 3)
	body := edit(parts[2])
	sum := sha256.Sum256([]byte(body))
	out := parts[0] + "\nsha256 " + hex.EncodeToString(sum[:]) + "\n" + body
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A planted checkpoint (a valid checksum over text coursectl would not
// write) is refused, and restoring it runs nothing: the run starts at the
// step with a fresh shell and says why.
func TestPlantedCheckpointRunsNothing(t *testing.T) {
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	touch := "touch " + pwned
	for _, c := range []struct {
		name, why string
		edit      func(string) string
	}{
		{"a command line", "unknown line", func(b string) string {
			return strings.Replace(b, "end\n", touch+"\nend\n", 1)
		}},
		{"a command substitution in a value", "not a declaration as bash prints one", func(b string) string {
			return strings.Replace(b, "end\n", `declare -- x="$(`+touch+`)"`+"\nend\n", 1)
		}},
		{"a value that escapes its quotes", "not a declaration as bash prints one", func(b string) string {
			return strings.Replace(b, "end\n", `declare -- x=""; `+touch+`; y=""`+"\nend\n", 1)
		}},
		{"an integer evaluated as arithmetic", "an integer variable holding", func(b string) string {
			return strings.Replace(b, "end\n", `declare -i n="a[\$(`+touch+`)]"`+"\nend\n", 1)
		}},
		{"a name reference to an expression", "a name reference to", func(b string) string {
			return strings.Replace(b, "end\n", `declare -n r="a[\$(`+touch+`)]"`+"\nend\n", 1)
		}},
		{"a function with a command after it", "more than a function definition", func(b string) string {
			return strings.Replace(b, "end\n", "function f - 4\nf () \n{ \n    :\n}; "+touch+"\nend\n", 1)
		}},
		{"a function that is not one", "not as `declare -f` prints", func(b string) string {
			return strings.Replace(b, "end\n", "function f - 1\n"+touch+"\nend\n", 1)
		}},
		{"a filesystem checkpoint outside its directory", "filesystem", func(b string) string {
			return strings.Replace(b, "end\n", "fs ../../etc\nend\n", 1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mod := module(t, "a=1\n", "echo a=${a-unset}\n")
			opts := testOptions(t)
			if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
				t.Fatalf("%v %+v", err, res)
			}
			st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
			reseal(t, st.checkpointPath(0), c.edit)
			var warned []string
			opts.From = "step-2"
			opts.Events.Warning = func(w string) { warned = append(warned, w) }
			res, err := RunModule(ctxT(t), mod, opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(pwned); err == nil {
				t.Fatalf("restoring the planted checkpoint ran its command")
			}
			if len(warned) != 1 || !strings.Contains(warned[0], "ignoring the checkpoint of step step-1: it is corrupt") ||
				!strings.Contains(warned[0], c.why) || !strings.Contains(warned[0], "fresh shell") {
				t.Errorf("warnings %q, want the checkpoint refused (%s)", warned, c.why)
			}
			if got := res.Steps[1].Output; got != "a=unset\n" {
				t.Errorf("step 2 ran in %q, want a fresh shell", got)
			}
		})
	}
}

// A prompt that would run a command is not restored: the first prompt
// after the restore would run it.
func TestRestoreSkipsPromptsThatRunCommands(t *testing.T) {
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	mod := module(t, "a=1\n", "echo a=$a\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	reseal(t, st.checkpointPath(0), func(b string) string {
		return strings.Replace(b, `declare -- PS1="\$ "`, `declare -- PS1="\$(touch `+pwned+`) \$ "`, 1)
	})
	var warned []string
	opts.From = "step-2"
	opts.Events.Warning = func(w string) { warned = append(warned, w) }
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatalf("the restored PS1 ran its command")
	}
	if res.Steps[1].Output != "a=1\n" || len(warned) != 1 || !strings.Contains(warned[0], "PS1 is not restored") {
		t.Errorf("output %q, warnings %q", res.Steps[1].Output, warned)
	}
}

// Damage in the middle of a checkpoint (same size, ends intact) is caught
// by its checksum: resume starts again at that step.
func TestDamageInTheMiddleIsCaught(t *testing.T) {
	mod := module(t, "a=1\n", "b=2\n", "echo a=$a b=$b\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	p := st.checkpointPath(1)
	b, _ := os.ReadFile(p)
	i := bytes.Index(b, []byte(`b="2"`))
	b[i+3] = '9' // b="9": well-formed, but not what was written
	os.WriteFile(p, b, 0o600)
	os.Remove(st.checkpointPath(2))
	prog, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if prog.Next != 1 || len(prog.Warnings) != 1 || !strings.Contains(prog.Warnings[0], "checksum does not match") {
		t.Fatalf("next %d, warnings %q", prog.Next, prog.Warnings)
	}
	opts.Resume = true
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil || !res.OK() || res.Steps[1].FromCheckpoint || res.Steps[2].Output != "a=1 b=2\n" {
		t.Errorf("resume: %v %q", err, res.Steps[2].Output)
	}
}

// A checkpoint whose base is damaged is not done either; the one damaged
// is named, once.
func TestCheckpointsOnADamagedBaseAreNotDone(t *testing.T) {
	mod := module(t, "a=1\n", "b=2\n", "c=3\n", "echo $a$b$c\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	b, _ := os.ReadFile(st.checkpointPath(1))
	os.WriteFile(st.checkpointPath(1), b[:len(b)-10], 0o600)
	prog, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if !slices.Equal(prog.Done, []bool{true, false, false, false}) || len(prog.Warnings) != 1 || !strings.Contains(prog.Warnings[0], "step step-2") {
		t.Errorf("done %v, warnings %q", prog.Done, prog.Warnings)
	}
	// A missing base is named too.
	os.Remove(st.checkpointPath(1))
	prog, _ = loadProgress(opts.StateDir, mod, opts.Sandbox)
	if len(prog.Warnings) != 1 || !strings.Contains(prog.Warnings[0], "the checkpoint it builds on (step 2) is missing") {
		t.Errorf("warnings %q", prog.Warnings)
	}
}

// What the shell inherited is never written to a checkpoint: a secret of
// the caller's environment stays out, and comes from the environment again
// when restored. What the course changed is kept (an unset too); names the
// author excludes are not, whoever set them.
func TestCheckpointsKeepNoInheritedSecrets(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "topsecret-aws")
	t.Setenv("OTHER_SECRET", "topsecret-other")
	t.Setenv("CHANGED_BY_COURSE", "original")
	t.Setenv("FROM_CI", "topsecret-github")
	mod := module(t,
		"test -n \"$AWS_SECRET_ACCESS_KEY\"; export CHANGED_BY_COURSE=changed; unset OTHER_SECRET\n",
		"export GITHUB_TOKEN=$FROM_CI; read -r API_KEY <<< \"${FROM_CI/github/api}\"; kept=1\n",
		"echo aws=$AWS_SECRET_ACCESS_KEY other=${OTHER_SECRET-unset} changed=$CHANGED_BY_COURSE gh=${GITHUB_TOKEN-unset} api=${API_KEY-unset} kept=$kept\n")
	mod.Settings.EnvExclude = []string{"GITHUB_*", "API_KEY"}
	opts := testOptions(t)
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	live := res.Steps[2].Output
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	files, _ := filepath.Glob(filepath.Join(st.checkpointsDir(), "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("topsecret")) {
			t.Errorf("%s holds a secret:\n%s", f, b)
		}
	}
	opts.From = "step-3"
	res, err = RunModule(ctxT(t), mod, opts)
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	want := "aws=topsecret-aws other=unset changed=changed gh=unset api=unset kept=1\n"
	if got := res.Steps[2].Output; got != want || live != "aws=topsecret-aws other=unset changed=changed gh=topsecret-github api=topsecret-api kept=1\n" {
		t.Errorf("live %q, restored %q, want %q", live, got, want)
	}
}

// NoInheritEnv: the course's shell does not see the caller's variables,
// only what running programs and the locale need.
func TestNoInheritEnv(t *testing.T) {
	t.Setenv("SECRET_X", "s")
	mod := module(t, "echo secret=${SECRET_X-unset}; command -v ls >/dev/null && echo path-ok\n")
	opts := testOptions(t)
	opts.NoInheritEnv = true
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil || res.Steps[0].Status != result.Passed || res.Steps[0].Output != "secret=unset\npath-ok\n" {
		t.Errorf("%v %+v", err, res.Steps[0])
	}
}

// Reset leaves nothing of the module: checkpoints, records, the sandbox,
// and the scratch directories killed runs left (with a dump in them).
func TestResetRemovesAllStateFiles(t *testing.T) {
	runtime := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtime)
	mod := module(t, "mkdir ro && chmod a-w ro; a=1\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(runtime, "coursectl-run-1-2")
	os.MkdirAll(stale, 0o700)
	os.WriteFile(filepath.Join(stale, "lock"), nil, 0o600)
	os.WriteFile(filepath.Join(stale, "checkpoint.tmp"), []byte("declare -x AWS_SECRET_ACCESS_KEY=x"), 0o600)
	if err := Reset(opts.StateDir, mod); err != nil {
		t.Fatal(err)
	}
	var left []string
	filepath.WalkDir(opts.StateDir, func(p string, d os.DirEntry, err error) error {
		// modules/ and runs/ (every module's, docs/design.md "Cleanup")
		// stay, empty.
		if p != opts.StateDir && !strings.HasSuffix(p, "/modules") && !strings.HasSuffix(p, "/"+runsDir) {
			left = append(left, p)
		}
		return nil
	})
	if _, err := os.Stat(stale); err == nil || len(left) > 0 {
		t.Errorf("left after reset: %q (stale scratch kept: %v)", left, err == nil)
	}
}

// fakeFS is an FSCheckpointer that writes a marker per checkpoint and
// records what it restores.
type fakeFS struct{ restored []string }

func (f *fakeFS) Checkpoint(_ context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "fs.json"), []byte("{}"), 0o600)
}

func (f *fakeFS) Restore(_ context.Context, dirs ...string) error {
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "fs.json")); err != nil {
			return err
		}
		f.restored = append(f.restored, filepath.Base(d))
	}
	return nil
}

// With an FSCheckpointer each checkpoint names its filesystem checkpoint,
// and a restore hands back those of every step up to it, in order.
func TestFilesystemCheckpointsRideWithTheShellState(t *testing.T) {
	steps := make([]string, 20)
	for i := range steps {
		steps[i] = "true\n"
	}
	mod := module(t, steps...)
	opts := testOptions(t)
	fs := &fakeFS{}
	opts.FS = fs
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	opts.From = "step-20"
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	st, _ := openStore(opts.StateDir, mod, opts.Sandbox)
	var want []string
	for i := 0; i < 19; i++ {
		want = append(want, filepath.Base(st.fsPath(i)))
	}
	if !slices.Equal(fs.restored, want) {
		t.Errorf("restored %q, want %q", fs.restored, want)
	}
	// A run prunes other chains' files but keeps the filesystem checkpoints.
	if _, err := os.Stat(st.fsPath(3)); err != nil {
		t.Errorf("filesystem checkpoint pruned: %v", err)
	}
}

// run --only (KeepLaterCheckpoints): a step run again gets a new
// checkpoint, and the later ones, which were built on its old one, still
// restore the state they had.
func TestKeepLaterCheckpointsSurviveTheirBase(t *testing.T) {
	mod := module(t, "a=1\n", "b=$RANDOM\n", "c=3\n", "echo a=$a c=$c b-set=${b:+yes}\n")
	opts := testOptions(t)
	if _, err := RunModule(ctxT(t), mod, opts); err != nil {
		t.Fatal(err)
	}
	opts.From, opts.KeepLaterCheckpoints = "step-2", true
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	s.Close()
	prog, _ := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if !slices.Equal(prog.Done, []bool{true, true, true, true}) || len(prog.Warnings) > 0 {
		t.Fatalf("done %v %q", prog.Done, prog.Warnings)
	}
	opts.From, opts.KeepLaterCheckpoints = "step-4", false
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil || res.Steps[3].Output != "a=1 c=3 b-set=yes\n" {
		t.Errorf("%v %q %q", err, res.Steps[3].Output, res.Warnings)
	}
}
