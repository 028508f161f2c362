package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// A step that exits, execs or kills its shell fails with a clear message, and
// the next step runs in a new shell restored from the last checkpoint.
func TestStepEndsItsShell(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		at               int // the command that ended it (index)
		code             int // the step's exit code, as $? would say
	}{
		{"exit", "echo bye\nexit 3\n", "ended the shell with exit status 3", 1, 3},
		{"exec", "exec sleep 30\n", "replaced the shell (exec)", 0, -1},
		{"exec-ends", "exec sh -c 'exit 5'\n", "ended the shell with exit status 5", 0, 5},
		{"kill", "kill -KILL $$\n", "killed by signal killed", 0, 137},
		// Not an end of the shell yet, but it would read end-of-file at
		// its next prompt: the step fails, the next gets a new shell.
		{"stdin", "exec </dev/null\necho stdin-null\n", "the step closed the shell's input", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := module(t, "kept=yes\n", tc.body, "echo kept=$kept\n")
			s := open(t, mod, testOptions(t))
			mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
			r := s.Exec(ctxT(t), mod.Steps[1])
			if r.Status != result.Failed || !strings.Contains(r.Error, tc.want) {
				t.Fatalf("%s: %s, error %q", tc.name, r.Status, r.Error)
			}
			if r.ExitCode != tc.code {
				t.Errorf("exit code %d, want %d (%s)", r.ExitCode, tc.code, r.Error)
			}
			if line := mod.Steps[1].Commands[tc.at].Line; r.FailLine != line ||
				!strings.Contains(r.Error, fmt.Sprintf("(%s:%d)", mod.Path, line)) {
				t.Errorf("reported at line %d (%s), want %d", r.FailLine, r.Error, line)
			}
			r = s.Exec(ctxT(t), mod.Steps[2])
			mustPass(t, r)
			if !strings.Contains(r.Output, "kept=yes") {
				t.Errorf("the restarted shell lost the state: %q", r.Output)
			}
		})
	}
}

// Output that looks like anything the runner uses, and a changed prompt,
// cannot confuse the step's end.
func TestMarkerTextAndPromptChanges(t *testing.T) {
	mod := module(t,
		"printf 'E 0 0\\n\\033]6973;cc0000\\007$ \\n'\nPS1='weird> '\nPROMPT_COMMAND='echo pc'\nPS0='ps0 '\n",
		"echo second\n",
		"false\n",
	)
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if !strings.Contains(r.Output, "E 0 0") {
		t.Errorf("step output lost: %q", r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if strings.TrimSpace(r.Output) != "second" {
		t.Errorf("prompt or PROMPT_COMMAND leaked into the output: %q", r.Output)
	}
	if r := s.Exec(ctxT(t), mod.Steps[2]); r.Status != result.Failed {
		t.Errorf("false passed: %+v", r)
	}
}

func processAlive(pid int) bool {
	st, ok := readStat(pid)
	return ok && st.state != 'Z'
}

func pidFrom(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// A step's timeout stops its whole process group (a pipeline, a child that
// ignores TERM) and the shell stays usable. The waits are deadlines, generous
// for a loaded machine: the timeout leaves the child seconds to write its pid,
// and its death is polled for rather than expected at once.
func TestTimeoutStopsProcessGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	mod := module(t,
		"bash -c 'trap \"\" TERM; echo $$ > "+pidFile+".tmp; mv "+pidFile+".tmp "+pidFile+"; sleep 60' | cat\n",
		"echo usable\n",
	)
	mod.Steps[0].Attrs.Timeout = 3 * time.Second
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Timeout || !strings.Contains(r.Error, "timed out after 3s") {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
	if r.ExitCode != -1 {
		t.Errorf("a timed-out step has exit code %d, want -1 (it has none; 143/130 are our own signals')", r.ExitCode)
	}
	if _, err := os.Stat(pidFile); err != nil {
		t.Fatalf("the step's child did not start within the step's 3s (machine overloaded?): %v", err)
	}
	pid := pidFrom(t, pidFile)
	for deadline := time.Now().Add(20 * time.Second); processAlive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d of the timed-out step is still running", pid)
		}
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "usable") {
		t.Errorf("output %q", r.Output)
	}
}

// A builtin loop (the shell itself in the foreground) is stopped too.
func TestTimeoutStopsBuiltinLoop(t *testing.T) {
	mod := module(t, "while :; do :; done\n", "echo usable\n")
	mod.Settings.Timeout = 300 * time.Millisecond
	s := open(t, mod, testOptions(t))
	if r := s.Exec(ctxT(t), mod.Steps[0]); r.Status != result.Timeout {
		t.Fatalf("%s: %s", r.Status, r.Error)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
}

// A step waiting on the terminal with no one to type fails with a message
// that names the step and the command.
func TestIdleWaitingForInput(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		line             int // markdown line of the waiting command (the step's commands start at 2)
	}{
		{"builtin", "echo start\nread -r -p 'Your name? ' name\necho never\n", "is waiting for input at `read -r -p 'Your name? ' name`", 3},
		{"program", "head -n1\n", "is waiting for input at `head -n1`", 2},
		// A read inside a compound command (one command of the step over
		// several lines), with another read before it that was answered by
		// nothing (its prompt is not the last one printed).
		{"nested", "x=1\nif true; then\n  read -r -p 'First? ' a </dev/null || true\n  read -p \"Continue? [y/N] \" ans\nfi\n", "is waiting for input at `read -p \"Continue? [y/N] \" ans`", 5},
		{"program in a loop", "for i in 1; do\n  cat\ndone\n", "is waiting for input at `cat`", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := module(t, tc.body, "echo usable\n")
			// The parser makes a compound command one command.
			if strings.Contains(tc.body, "if true") || strings.Contains(tc.body, "for i") {
				st := mod.Steps[0]
				first := st.Commands[0]
				if strings.HasPrefix(tc.body, "x=1") {
					first = st.Commands[1]
					st.Commands = []course.Command{st.Commands[0], {Text: strings.TrimSuffix(strings.TrimPrefix(tc.body, "x=1\n"), "\n"), Line: first.Line}}
				} else {
					st.Commands = []course.Command{{Text: strings.TrimSuffix(tc.body, "\n"), Line: first.Line}}
				}
			}
			opts := testOptions(t)
			opts.IdleTimeout = 500 * time.Millisecond
			s := open(t, mod, opts)
			r := s.Exec(ctxT(t), mod.Steps[0])
			if r.Status != result.Failed || !strings.Contains(r.Error, tc.want) || !strings.Contains(r.Error, "step step-1 (") ||
				!strings.Contains(r.Error, "add `interact` or `interactive`") {
				t.Fatalf("%s: %s", r.Status, r.Error)
			}
			if r.ExitCode != -1 {
				t.Errorf("an idle step has exit code %d, want -1 (130 is our own SIGINT's)", r.ExitCode)
			}
			if r.FailLine != tc.line || !strings.Contains(r.Error, fmt.Sprintf("(%s:%d)", mod.Path, tc.line)) {
				t.Errorf("reported at line %d (%s), want %d", r.FailLine, r.Error, tc.line)
			}
			mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
		})
	}
}

// A step that is slow but prints is not idle.
func TestIdleNotWhileSleeping(t *testing.T) {
	mod := module(t, "sleep 1.5\n")
	opts := testOptions(t)
	opts.IdleTimeout = 300 * time.Millisecond
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
}

// Background processes live on into later steps and are gone when the run
// ends: pass, fail, or interrupt.
func TestBackgroundKeptThenCleanedUp(t *testing.T) {
	for _, end := range []string{"pass", "fail", "cancel"} {
		t.Run(end, func(t *testing.T) {
			dir := t.TempDir()
			last := "true\n"
			switch end {
			case "fail":
				last = "false\n"
			case "cancel":
				last = "sleep 60\n"
			}
			mod := module(t,
				"sleep 300 &\necho $! > "+dir+"/bg\n",
				"kill -0 $(cat "+dir+"/bg) && echo bg-alive\njobs\n",
				last,
			)
			ctx, cancel := context.WithCancel(ctxT(t))
			defer cancel()
			opts := testOptions(t)
			var second *result.Step
			secondDone := make(chan struct{})
			opts.Events.StepDone = func(r *result.Step) {
				if r.ID == "step-2" {
					second = r
					close(secondDone)
				}
			}
			if end == "cancel" {
				opts.Events.StepStarted = func(st *course.Step) {
					if st.ID == "step-3" {
						// Cancel once step 3 is under way (what Ctrl-C does).
						go func() { time.Sleep(200 * time.Millisecond); cancel() }()
					}
				}
			}
			res, err := RunModule(ctx, mod, opts)
			if err != nil {
				t.Fatal(err)
			}
			<-secondDone
			if !strings.Contains(second.Output, "bg-alive") || !strings.Contains(second.Output, "sleep 300") {
				t.Fatalf("background job not kept into step 2: %+v", second)
			}
			pid := pidFrom(t, filepath.Join(dir, "bg"))
			if processAlive(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Fatalf("background process %d still running after the run (%s)", pid, end)
			}
			if end == "cancel" && !res.Interrupted {
				t.Errorf("result not marked interrupted")
			}
		})
	}
}

// Ctrl-C in a session: the step's line is aborted by bash (the wrapper's
// after-step half never runs), the prompt hook reports it, and the shell is
// usable with the user's options intact.
func TestInterruptedStepLeavesShellUsable(t *testing.T) {
	mod := module(t, "sleep 60\necho after-sleep\n", "echo usable\n")
	s := open(t, mod, testOptions(t))
	ctx, cancel := context.WithCancel(ctxT(t))
	go func() {
		// Wait until sleep is the terminal's foreground process.
		for i := 0; i < 1000; i++ {
			if st, ok := readStat(s.sh.foreground()); ok && st.comm == "sleep" {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	r := s.Exec(ctx, mod.Steps[0])
	if r.Status != result.Failed || r.ExitCode != 130 || strings.Contains(r.Output, "after-sleep") {
		t.Fatalf("%s exit %d: %s %q", r.Status, r.ExitCode, r.Error, r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "usable") {
		t.Errorf("output %q", r.Output)
	}
	s.Flush()
	if opts := shellOpts(t, s.store.checkpointPath(1)); strings.Contains(opts, "pipefail") {
		t.Errorf("the wrapper's pipefail leaked after the interrupt: %s", opts)
	}
}

// Even when a course removed PROMPT_COMMAND (the hook that finishes a line
// bash aborted), an interrupted step ends and the shell stays usable.
func TestInterruptWithoutPromptCommand(t *testing.T) {
	mod := module(t, "unset PROMPT_COMMAND\n", "sleep 60\necho after-sleep\n", "echo usable\n")
	s := open(t, mod, testOptions(t))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
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
	r := s.Exec(ctx, mod.Steps[1])
	if r.Status != result.Failed || r.ExitCode != 130 || strings.Contains(r.Output, "after-sleep") || strings.Contains(r.Output, "__cc") {
		t.Fatalf("%s exit %d: %s %q", r.Status, r.ExitCode, r.Error, r.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[2]))
}

// The second Ctrl-C: KillAll (and Session.Kill) end every process of the run
// at once — a foreground step that ignores INT, TERM and HUP, and a
// background job — instead of waiting out the graceful stop.
func TestKillNow(t *testing.T) {
	for _, how := range []string{"KillAll", "Session.Kill"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			mod := module(t,
				"sleep 300 &\necho $! > "+dir+"/bg\n",
				"bash -c 'trap \"\" INT TERM HUP; echo $$ > "+dir+"/fg.tmp; mv "+dir+"/fg.tmp "+dir+"/fg; exec sleep 300'\n",
			)
			opts := testOptions(t)
			opts.Timeout = time.Hour
			s := open(t, mod, opts)
			mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
			killed := make(chan struct{})
			go func() {
				defer close(killed)
				for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if _, err := os.Stat(dir + "/fg"); err == nil {
						break
					}
				}
				if how == "KillAll" {
					KillAll()
				} else {
					s.Kill()
				}
			}()
			r := s.Exec(ctxT(t), mod.Steps[1])
			if r.Status != result.Failed || !strings.Contains(r.Error, "killed by signal") {
				t.Fatalf("%s: %s", r.Status, r.Error)
			}
			// The step ends as soon as the shell dies; KillAll goes on to
			// empty the cgroup and remove the scratch directory, and the
			// signal handler exits only once it returns.
			<-killed
			if _, err := os.Stat(s.runDir); how == "KillAll" && !errors.Is(err, fs.ErrNotExist) {
				// The process exits next, without Close: the scratch
				// directory, with the shell's variables, must not stay.
				t.Errorf("after KillAll the scratch directory %s is still there (%v)", s.runDir, err)
			}
			for _, f := range []string{"bg", "fg"} {
				pid := pidFrom(t, filepath.Join(dir, f))
				for deadline := time.Now().Add(20 * time.Second); processAlive(pid); time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						syscall.Kill(pid, syscall.SIGKILL)
						t.Fatalf("%s process %d still running after %s", f, pid, how)
					}
				}
			}
		})
	}
}

// A shell whose start fails after bash was started (its scratch directory
// went away, here: step.sh cannot be made) is an error, not a panic, and
// leaves no process behind.
func TestShellStartFailureIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "step.sh"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := len(live.shells)
	sh, err := startShell(shellConfig{dir: dir, workdir: dir, env: os.Environ(), rows: 24, cols: 80})
	if err == nil || sh != nil {
		t.Fatalf("startShell: %v, %v; want an error", sh, err)
	}
	if len(live.shells) != before {
		t.Errorf("a shell that failed to start is still registered")
	}
}

// A step whose last command is a pipeline that only SIGPIPE'd its writers
// (`history | grep -q`, `yes | head -1`) passes: its status is the
// pipefail's 141, which a terminal without pipefail never shows. (It failed
// intermittently when grep -q won the race against history.)
func TestLastPipelineSigpipeIsNotAFailure(t *testing.T) {
	mod := module(t, "yes | head -1\n", "yes | head -1; false\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if r.Output != "y\n" {
		t.Errorf("output %q", r.Output)
	}
	// Forgiving the pipeline forgives nothing after it.
	if r := s.Exec(ctxT(t), mod.Steps[1]); r.Status != result.Failed || r.ExitCode != 1 {
		t.Errorf("a failure after a forgiven pipeline: %s exit %d, want failed 1", r.Status, r.ExitCode)
	}
}

// writers that die of SIGPIPE anywhere but last in a pipeline are
// not a failure while pipefail is only the wrapper's — whether the pipeline
// is the step's last command or not, and whatever stands last in it; under a
// course's own pipefail they are.
func TestSigpipeFromEarlierPipelineMembers(t *testing.T) {
	mod := module(t,
		"yes | head -c 300000 | wc -c\necho after-1\n",
		"yes | head -c 300000 >/dev/null\necho after-2\n",
		"yes | cat | head -c 300000\n",
		"set -o pipefail\nyes | head -c 3000 >/dev/null\necho not-reached\n",
	)
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	if !strings.Contains(r.Output, "300000\n") || !strings.Contains(r.Output, "after-1") {
		t.Errorf("output %q", r.Output)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if !strings.Contains(r.Output, "after-2") {
		t.Errorf("output %q", r.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[2]))
	if r := s.Exec(ctxT(t), mod.Steps[3]); r.Status != result.Failed || r.ExitCode != 141 || strings.Contains(r.Output, "not-reached") {
		t.Errorf("under the course's pipefail: %s exit %d %q, want failed 141", r.Status, r.ExitCode, r.Output)
	}
}

// a step whose output is cut still says how many lines it printed
// in all, so a report's "last 20 of N lines" counts them all, not the tail's.
func TestOutputLinesCountsWhatWasNotKept(t *testing.T) {
	mod := module(t, "seq 200000\n", "printf 'a\\nb\\nno-newline'\n")
	s := open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	mustPass(t, r)
	kept := strings.Count(r.Output, "\n")
	if !strings.Contains(r.Output, "bytes of output not kept") || kept >= 200000 {
		t.Fatalf("the output was not cut (%d lines kept)", kept)
	}
	if r.OutputLines != 200000 {
		t.Errorf("OutputLines %d, want 200000 (the tail kept %d)", r.OutputLines, kept)
	}
	r = s.Exec(ctxT(t), mod.Steps[1])
	mustPass(t, r)
	if r.OutputLines != 3 {
		t.Errorf("OutputLines %d for %q, want 3", r.OutputLines, r.Output)
	}
}
