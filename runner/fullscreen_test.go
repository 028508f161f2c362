package runner

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

// A full-screen program waiting for keys is caught by idle detection
// (docs/spec.md §3), not left to the step timeout: vim opened by git (it waits in
// select with the terminal out of canonical mode, which no read(2) shows),
// less, and a bare `wc -l` reading the terminal. The failure names the
// program and the markdown line of the command that started it. A program
// deaf to SIGTERM is killed, and the terminal is back in canonical mode for
// the next step (bash puts back its modes after a job killed by a signal).
func TestFullScreenProgramIsIdle(t *testing.T) {
	for _, prog := range []string{"git", "vim", "less"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s is not installed", prog)
		}
	}
	mod := module(t,
		"git config --global user.name Nelle\ngit config --global --edit\necho not-reached\n",
		"echo after vim\n",
		"git init -q repo && cd repo\ngit -c user.email=n@example.org commit --allow-empty\n",
		"seq 1000 >lines.txt\nless lines.txt\n",
		"wc -l\n",
		"bash -c 'trap \"\" TERM; stty raw -echo; sleep 100; :'\n",
		"stty -a | grep -qw -- -icanon || echo still canonical\n",
	)
	opts := testOptions(t)
	opts.Env = append(opts.Env, "EDITOR=vim", "PAGER=less")
	s := open(t, mod, opts)
	for _, c := range []struct {
		step    int
		program string
		command string
		line    int
	}{
		{0, "vim", "git config --global --edit", 3},
		{2, "vim", "git -c user.email=n@example.org commit --allow-empty", 23},
		{3, "less", "less lines.txt", 33},
		{4, "", "wc -l", 42},
		// Deaf to SIGTERM, so killed: the terminal stays raw unless the
		// runner puts its modes back.
		{5, "sleep", "bash -c", 52},
	} {
		if c.step == 2 {
			mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
		}
		r := s.Exec(ctxT(t), mod.Steps[c.step])
		if r.Status != result.Failed || r.Stop == nil || r.Stop.Kind != result.StopWaiting {
			t.Fatalf("step %d: %s %+v (%s), want failed waiting for input", c.step+1, r.Status, r.Stop, r.Error)
		}
		if r.Stop.Program != c.program || !strings.Contains(r.Stop.Command, c.command) || r.FailLine != c.line {
			t.Errorf("step %d: program %q command %q line %d, want %q %q %d", c.step+1, r.Stop.Program, r.Stop.Command, r.FailLine, c.program, c.command, c.line)
		}
		if c.program != "" && !strings.Contains(r.Error, c.program) {
			t.Errorf("step %d: the message does not name %s: %s", c.step+1, c.program, r.Error)
		}
		if strings.Contains(r.Output, "not-reached") {
			t.Errorf("step %d went on after the program was stopped", c.step+1)
		}
	}
	r := s.Exec(ctxT(t), mod.Steps[6])
	mustPass(t, r)
	if r.Output != "still canonical\n" {
		t.Errorf("after the stopped programs the shell's output is %q", r.Output)
	}
}
