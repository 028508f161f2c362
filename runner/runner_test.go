package runner

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/result"
)

// stateSteps set one piece of state of each kind; checkSteps print them.
var (
	stateStep = "export GREETING=hello\nplain=world\ndeclare -A map=([k]=$'v\\nw')\nmkdir -p sub/dir && cd sub\n" +
		"greet() { echo \"$GREETING $plain from $(basename \"$PWD\")\"; }\nalias ll='echo aliased'\n" +
		"set -o noclobber\nshopt -s extglob\numask 027\npushd -n /tmp >/dev/null\npushd -n /usr >/dev/null\nhistory -s marker-from-history\n"
	// grep, not grep -q: grep -q may exit before history has written
	// every line, and under the wrapper's pipefail the SIGPIPE'd history
	// would make the condition false (a race, not what is tested here).
	checkStep = "greet\nll\n[[ -o noclobber ]] && echo noclobber-on\nshopt -q extglob && echo extglob-on\numask\n" +
		"echo \"dirs: $(dirs -l | tr '\\n' ' ')\"\nbash -c 'echo child sees $GREETING'\necho \"map: ${map[k]}\"\nhistory | grep '[0-9]  marker-from-history$' >/dev/null && echo history-kept\n"
	checkWant = []string{"hello world from sub", "aliased", "noclobber-on", "extglob-on", "0027",
		"/usr /tmp", "child sees hello", "map: v\nw", "history-kept"}
)

func checkState(t *testing.T, r *result.Step) {
	t.Helper()
	mustPass(t, r)
	for _, want := range checkWant {
		if !strings.Contains(r.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Output)
		}
	}
}

func TestStateCarriesAcrossSteps(t *testing.T) {
	mod := module(t, stateStep, checkStep,
		// Traps and jobs live only in the live shell (docs/spec.md §3).
		"trap 'echo got-usr1' USR1\nsleep 300 &\n",
		"trap -p USR1\njobs\nkill %1\n",
	)
	s := open(t, mod, testOptions(t))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	checkState(t, s.Exec(ctxT(t), mod.Steps[1]))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[2]))
	r := s.Exec(ctxT(t), mod.Steps[3])
	mustPass(t, r)
	if !strings.Contains(r.Output, "trap -- 'echo got-usr1' SIGUSR1") || !strings.Contains(r.Output, "Running") {
		t.Errorf("trap or job lost between steps: %q", r.Output)
	}
}

// A fresh shell restored from step 1's checkpoint behaves like the live one.
func TestStateCarriesAcrossRestore(t *testing.T) {
	mod := module(t, stateStep, checkStep)
	opts := testOptions(t)
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	live := s.Exec(ctxT(t), mod.Steps[1])
	checkState(t, live)
	s.Close()

	opts.From = "step-2"
	s2 := open(t, mod, opts)
	if s2.Start() != 1 {
		t.Fatalf("Start() = %d, want 1", s2.Start())
	}
	if len(s2.Result().Warnings) > 0 {
		t.Fatalf("warnings: %v", s2.Result().Warnings)
	}
	restored := s2.Exec(ctxT(t), mod.Steps[1])
	checkState(t, restored)
	// The line with the cwd and the dirstack differ in nothing.
	if live.Output != restored.Output {
		t.Errorf("live and restored shells differ:\nlive:\n%s\nrestored:\n%s", live.Output, restored.Output)
	}
}

func TestRunModulePassesAndKeepsCheckpoints(t *testing.T) {
	mod := module(t, "x=1\n", "x=$((x+1))\n", "test $x = 2\n")
	opts := testOptions(t)
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("not OK: %+v", res.Steps[len(res.Steps)-1])
	}
	p, err := loadProgress(opts.StateDir, mod, opts.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if p.Next != 3 || !p.Done[0] || !p.Done[2] {
		t.Fatalf("progress = %+v", p)
	}
	rec, err := LoadRecord(opts.StateDir, mod)
	if err != nil || rec == nil || len(rec.Steps) != 3 || rec.Steps[2].Status != result.Passed {
		t.Fatalf("record = %+v, %v", rec, err)
	}
}

// The first failing command stops the step; the shell lives on; the failing
// line is the markdown line of that command.
func TestErrexitWithinStep(t *testing.T) {
	mod := module(t,
		"echo before\nfalse\necho after\n",
		"echo still-alive\n",
		"f() { false; echo f-went-on; }\nf\necho after-f\n",
		"if false; then :; fi\nfalse || echo or-ok\n! false\nx=$(false || echo comsub)\necho \"x=$x\"\n",
		"true | false | true\necho no-pipefail\n",
		"( false; echo subshell-went-on )\necho after-subshell\n",
		"true\n",
		"yes | head -n 2\necho sigpipe-is-not-a-failure\n",
		"false | true\necho never-mind\n",
	)
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Failed || r.ExitCode != 1 || r.FailLine != 3 || r.FailCommand != "false" {
		t.Fatalf("step 1: %s exit %d line %d cmd %q (%s)", r.Status, r.ExitCode, r.FailLine, r.FailCommand, r.Error)
	}
	if strings.Contains(r.Output, "after") || !strings.Contains(r.Output, "before") {
		t.Errorf("step 1 output: %q", r.Output)
	}
	if !strings.Contains(r.Error, "mod.md:3") {
		t.Errorf("error does not name the markdown line: %s", r.Error)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	r = s.Exec(ctxT(t), mod.Steps[2])
	if r.Status != result.Failed || r.FailLine != 23 || strings.Contains(r.Output, "went-on") || strings.Contains(r.Output, "after-f") {
		t.Fatalf("step 3 (function): %s line %d %q", r.Status, r.FailLine, r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[3])
	mustPass(t, r)
	if !strings.Contains(r.Output, "or-ok") {
		t.Errorf("step 4 output: %q", r.Output)
	}
	// A learner's shell has no pipefail: a pipeline is its last command.
	r = s.Exec(ctxT(t), mod.Steps[4])
	if r.Status != result.Passed || !strings.Contains(r.Output, "no-pipefail") {
		t.Fatalf("step 5 (no pipefail): %s line %d %q", r.Status, r.FailLine, r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[5])
	if r.Status != result.Failed || r.FailLine != 52 || strings.Contains(r.Output, "went-on") || strings.Contains(r.Output, "after-subshell") {
		t.Fatalf("step 6 (subshell): %s line %d %q", r.Status, r.FailLine, r.Output)
	}
	// Between steps (what a checkpoint records) the wrapper's options are off.
	mustPass(t, s.Exec(ctxT(t), mod.Steps[6]))
	s.Flush()
	if opts := shellOpts(t, s.store.checkpointPath(6)); strings.Contains(opts, "pipefail") || strings.Contains(opts, "errtrace") || strings.Contains(opts, "errexit") {
		t.Errorf("the wrapper's options leaked: SHELLOPTS=%s", opts)
	}
	r = s.Exec(ctxT(t), mod.Steps[7])
	mustPass(t, r)
	if !strings.Contains(r.Output, "sigpipe-is-not-a-failure") {
		t.Errorf("output %q", r.Output)
	}
	if r = s.Exec(ctxT(t), mod.Steps[8]); r.Status != result.Passed || !strings.Contains(r.Output, "never-mind") {
		t.Errorf("false | true failed: %s %q", r.Status, r.Output)
	}
}

// The user's own pipefail and ERR trap survive the wrapper.
func TestUserOptionsSurvive(t *testing.T) {
	mod := module(t,
		"set -o pipefail\ntrap 'echo user-trap' ERR\n",
		"[[ -o pipefail ]] && echo pipefail-kept\ntrap -p ERR\n",
	)
	s := open(t, mod, testOptions(t))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	r := s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "pipefail-kept") {
		t.Errorf("output: %q", r.Output)
	}
}

// A course's `set -x` traces its commands as a terminal would (`+ cmd`, a
// command substitution one level deeper), and nothing of the wrapper's: not
// `. step.sh`, not __cc_post, not the prompt hook after an interrupt. The
// checkpoint keeps the course's PS4.
func TestXtraceShowsOnlyTheStep(t *testing.T) {
	mod := module(t, "set -x\necho first\n", "echo traced\necho \"$(echo inner)\"\nfalse\n", "sleep 60\n", "set +x\necho plain\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if r.Output != "+ echo first\nfirst\n" {
		t.Errorf("step 1 output %q", r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	if r.Status != result.Failed || r.FailLine != 14 {
		t.Fatalf("%s line %d", r.Status, r.FailLine)
	}
	if want := "+ echo traced\ntraced\n++ echo inner\n+ echo inner\ninner\n+ false\n"; r.Output != want {
		t.Errorf("output %q, want %q", r.Output, want)
	}
	ctx, cancel := context.WithCancel(ctxT(t))
	go func() {
		for i := 0; i < 1000; i++ {
			if st, ok := readStat(s.sh.foreground()); ok && st.comm == "sleep" {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	r = s.Exec(ctx, mod.Steps[2])
	if r.Status != result.Failed || strings.Contains(r.Output, "__cc") || strings.Contains(r.Output, "eval") {
		t.Errorf("interrupted: %s, output %q", r.Status, r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[3])
	mustPass(t, r)
	if r.Output != "+ set +x\nplain\n" {
		t.Errorf("output %q", r.Output)
	}
	s.Flush()
	if b, _ := os.ReadFile(s.store.checkpointPath(3)); !strings.Contains(string(b), "declare -- PS4=\"+ \"") {
		t.Errorf("the checkpoint lost the course's PS4")
	}
}

// A course's traps behave as at a terminal: its ERR trap (set in one step)
// fires on the failing command of a later step, which then stops; a DEBUG
// trap fires for the step's commands, and `trap - DEBUG` lasts.
func TestUserTrapsLikeATerminal(t *testing.T) {
	mod := module(t,
		"trap 'echo \"user-err status=$?\"' ERR\n",
		"echo before\nfalse\necho not-reached\n",
		"(exit 3)\n",
		"trap 'echo DBG' DEBUG\n",
		"echo two\n",
		"trap - DEBUG\necho three\n",
		"echo four\n",
	)
	s := open(t, mod, testOptions(t))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
	r := s.Exec(ctxT(t), mod.Steps[1])
	if r.Status != result.Failed || r.FailLine != 13 || r.Output != "before\nuser-err status=1\n" {
		t.Errorf("ERR trap: %s line %d, output %q", r.Status, r.FailLine, r.Output)
	}
	// Still the course's trap after a failed step.
	if r = s.Exec(ctxT(t), mod.Steps[2]); r.Status != result.Failed || r.Output != "user-err status=3\n" {
		t.Errorf("the course's ERR trap did not last: %s %q", r.Status, r.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[3]))
	if r = s.Exec(ctxT(t), mod.Steps[4]); !strings.HasPrefix(r.Output, "DBG\ntwo\n") {
		t.Errorf("DEBUG trap did not fire for the step's command: %q", r.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[5]))
	if r = s.Exec(ctxT(t), mod.Steps[6]); r.Output != "four\n" {
		t.Errorf("trap - DEBUG did not last: %q", r.Output)
	}
}
