package runner

import (
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

// scriptPlan is a plan for a script whose line i is markdown line 10+i.
func scriptPlan(script string) *plan {
	p := &plan{script: script, lineMap: []int{0}}
	for i := range strings.Split(strings.TrimSuffix(script, "\n"), "\n") {
		p.lineMap = append(p.lineMap, 10+i+1)
	}
	return p
}

// The line that ended the shell or waits for input is found as bash reads
// the step: words in a comment, a string or a heredoc are not commands.
func TestStepLinesReadLikeBash(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		died         result.StopKind
		want         int
	}{
		{"exit after a comment that says it", "echo done; # then exit\nexit 3\n", result.StopExited, 2},
		{"exit in a heredoc", "cat <<EOF\nexit\nEOF\nexit 1\n", result.StopExited, 4},
		{"exec replaces", "echo 'exec sleep 30'\nexec sleep 30\n", result.StopExec, 2},
		{"exec of a redirection only", "exec 3>log\n", result.StopExec, 0},
		{"exec closes input", "exec </dev/null\necho x\n", result.StopInputClosed, 1},
		{"kill of the shell", "echo \"kill -9 $$\"\nkill -KILL $$\n", result.StopSignalled, 2},
		{"kill in a function", "f() {\n  kill -9 $BASHPID\n}\nf\n", result.StopSignalled, 2},
		{"two candidates: no line", "exit 1\nexit 2\n", result.StopExited, 0},
	} {
		if got := scriptPlan(tc.script).lineCalling(endsShell(&result.Stop{Kind: tc.died})); got != tc.want {
			t.Errorf("%s: line %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestReadsTerminal(t *testing.T) {
	p := scriptPlan("x=1\nif true; then\n  read -r -p 'First? ' a </dev/null || true\n  read -p \"Continue? [y/N] \" ans\nfi\necho y | read c\n")
	var got []int
	var prompts []string
	for _, c := range p.callsWhere(readsTerminal) {
		got = append(got, c.Line)
		prompts = append(prompts, readPrompt(c))
	}
	if len(got) != 1 || got[0] != 4 || prompts[0] != "Continue? [y/N] " {
		t.Errorf("terminal reads at %v with prompts %q, want line 4 only", got, prompts)
	}
	for args, want := range map[string]string{"read -rp 'Name: ' n": "Name: ", "read -p'x' n": "x", "read n": "", "read -r -- -p": ""} {
		if c := scriptPlan(args + "\n").calls(); len(c) != 1 || readPrompt(c[0]) != want {
			t.Errorf("readPrompt(%q) = %q, want %q", args, readPrompt(c[0]), want)
		}
	}
}
