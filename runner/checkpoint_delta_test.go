package runner

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

// trickySteps change the shell's state in every way the planner follows,
// and in ways it must give up on.
func trickySteps(dir string) []string {
	return []string{
		"a=1 b=2\n",
		"export GROW_1=x; declare -x D=1; readonly R=1; typeset T\n",
		"x=5; x=$((x+1)); ((x++)); let y=x+1; : $((w=2))\n",
		"read -r ra rb <<< 'one two'; read -a arr <<< 'p q'; read <<< 'reply'\n",
		"printf '%s\\n' l1 l2 > " + dir + "/lines; mapfile -t lines < " + dir + "/lines; readarray < " + dir + "/lines\n",
		"printf -v out '%s-%s' a b\n",
		"set -- -a -b val; while getopts ab: opt; do :; done\n",
		"for i in 1 2 3; do y=$i; done; for f in a b; do :; done\n",
		"mkdir -p " + dir + "/d1 " + dir + "/d2; cd " + dir + "/d1; pushd " + dir + "/d2 >/dev/null; pushd " + dir + " >/dev/null; popd >/dev/null\n",
		": ${d:=1} ${e=2}\n",
		"exec {fd}>/dev/null\n",
		"[[ abc =~ (b)(c) ]]\n",
		"unset a; unset -v b\n",
		"q() { qv=1; g2; }; g2() { read -r gv <<< 'g'; }; export -f q\n",
		"q\n",
		"command printf -v cv %s x; builtin read -r bv <<< b\n",
		"alias k='ls -a' setz='z=1'; alias\n",
		"setz\n",
		"alias setv='v=1'\nsetv\n",
		"function my/tool { tv2=1; }; my/tool; d2=/; \"$d2\"my/tool || :\n",
		"unalias k\n",
		"n=3; export V$n=1; alias a$n='echo a'; declare \"w_$n=1\"; read \"r_$n\" <<< x\n",
		"declare -A m=([k]=v); m[$n]=1; m[other]=2\n",
		"( sub=1 ); echo $(sub2=2) >/dev/null; sub3=3 | cat; sleep 0 & wait\n",
		"echo hi | read z\n",
		"IFS=: read -r pa pb <<< 'x:y'\n",
		"cat <<EOF >/dev/null\n${hd:=1}\nEOF\n",
		"set -o noclobber; shopt -s extglob; umask 027\n",
		"set +o noclobber; shopt -u extglob; umask 022\n",
		"set -o allexport -o noglob; shopt -s nullglob dotglob; set +o histexpand\n",
		"set +o allexport +o noglob; shopt -u dotglob\n",
		"eval 'ev=1'\n",
		"echo 'src=1' > " + dir + "/src.sh; source " + dir + "/src.sh\n",
		"declare -n ref=src; ref=2\n",
		"ref=3\n",
		"unset -n ref\n",
		"declare -i ni=4; ni=ni+1\n",
		"expr='y=9'; echo $((expr)) >/dev/null\n",
		"h() { eval \"$1\"; }; h 'hv=1'\n",
		"trap 'tv=1' USR1; kill -USR1 $$\n",
		"trap - USR1\n",
		"export -n GROW_1; unset -f g2\n",
		"cmd=printf; $cmd -v dyn %s 1\n",
		"HISTSIZE=100; true\n",
		"x=$'multi\\nline'; y=\"quote's \\\"dq\\\"\"; arr2=([3]=three [7]='sev en')\n",
		"cd " + dir + "\n",
	}
}

// Every delta dump names every change: each step here runs with checkDeltas
// (a full dump after each delta, compared), and each checkpoint, read back
// through its chain of sections, is the state the live shell had.
func TestDeltasMatchFullDumpsAndCheckpointsTheLiveState(t *testing.T) {
	dir := t.TempDir()
	steps := trickySteps(dir)
	// Past 256 steps, so level-1 and level-2 sections are written and read.
	for i := len(steps); i < 300; i++ {
		steps = append(steps, fmt.Sprintf("export GROW_%d=v%d; c=$((c+1))\n", i, i))
	}
	checkDeltas = true
	defer func() { checkDeltas = false }()
	var full, delta int
	planned = func(p *dumpPlan) {
		if p.full {
			full++
		} else {
			delta++
		}
	}
	defer func() { planned = nil }()
	mod := module(t, steps...)
	opts := testOptions(t)
	s := open(t, mod, opts)
	want := map[int]*restoredState{}
	for i, st := range mod.Steps {
		mustPass(t, s.Exec(ctxT(t), st))
		want[i] = s.state.expected()
	}
	s.Flush()
	if delta < 250 || full > 30 {
		t.Errorf("%d delta dumps, %d full ones: the planner gives up too often", delta, full)
	}
	r := s.store.reader()
	levels := map[int]int{}
	for i := range mod.Steps {
		got, err := r.state(i)
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if !maps.Equal(got.entries, want[i].entries) || got.cwd != want[i].cwd || got.umask != want[i].umask ||
			!slices.Equal(got.dirs, want[i].dirs) || !slices.Equal(got.history, want[i].history) {
			t.Fatalf("step %d: the checkpoint is not the live state:\n%s", i+1, stateDiff(want[i], got))
		}
		for _, sec := range r.files[i].sections {
			levels[sec.level]++
		}
	}
	if levels[1] == 0 || levels[2] == 0 {
		t.Errorf("sections by level: %v, want level-1 and level-2 ones", levels)
	}
	// A late step is read through few files.
	r = s.store.reader()
	if _, err := r.state(289); err != nil || len(r.files) > 24 {
		t.Errorf("restoring step 290 read %d files (%v)", len(r.files), err)
	}
}

// expected is the live state as a checkpoint should hold it.
func (ls *liveState) expected() *restoredState {
	rs := &restoredState{entries: map[string]string{}, umask: ls.st.umask, cwd: ls.st.cwd, dirs: slices.Clone(ls.st.dirs),
		history: slices.Clone(tailLines(ls.history, ls.histKeep()))}
	for _, k := range ls.policy.keys(ls.st) {
		if v := ls.policy.stored(ls.st, k); v != "" {
			rs.entries[k] = v
		}
	}
	return rs
}

func stateDiff(want, got *restoredState) string {
	var b strings.Builder
	for _, k := range sortedKeys(want.entries, got.entries) {
		if want.entries[k] != got.entries[k] {
			fmt.Fprintf(&b, "  %s: live %q, checkpoint %q\n", k, want.entries[k], got.entries[k])
		}
	}
	fmt.Fprintf(&b, "  cwd %q/%q umask %q/%q dirs %q/%q\n  history %d/%d lines", want.cwd, got.cwd, want.umask, got.umask,
		want.dirs, got.dirs, len(want.history), len(got.history))
	return b.String()
}

// A restore from a late checkpoint gives the shell the state the live one
// had there: the course's variables, functions and aliases print the same.
func TestRestoreFromADeltaChainIsExact(t *testing.T) {
	dir := t.TempDir()
	steps := trickySteps(dir)
	show := "declare -p x y ra rb arr lines out opt d e m arr2 V3 w_3 r_3 GROW_1 D R 2>&1 | sort; declare -f q; alias | sort; pwd; dirs; umask; shopt -p || :; set +o\n"
	steps = append(steps, show)
	mod := module(t, steps...)
	opts := testOptions(t)
	s := open(t, mod, opts)
	var live *result.Step
	for _, st := range mod.Steps {
		live = s.Exec(ctxT(t), st)
		mustPass(t, live)
	}
	s.Close()
	opts.From = mod.Steps[len(steps)-1].ID
	s2 := open(t, mod, opts)
	restored := s2.Exec(ctxT(t), mod.Steps[len(steps)-1])
	mustPass(t, restored)
	if live.Output != restored.Output {
		t.Errorf("live and restored differ:\nlive:\n%s\nrestored:\n%s", live.Output, restored.Output)
	}
	if !strings.Contains(restored.Output, `declare -A m=([3]="1" [k]="v" [other]="2" )`) || !strings.Contains(restored.Output, "q ()") {
		t.Errorf("restored output lacks the state:\n%s", restored.Output)
	}
}

// The wrapper's own variables never hide the course's from a checkpoint:
// a course's e, i, st, t, u (names the wrapper once used for its locals)
// are restored as the course set them.
func TestWrapperNamesDoNotHideTheCoursesVariables(t *testing.T) {
	mod := module(t, "e=5; i=7; t=9; st=1; u=2; x=3; n=4\n", "echo \"e=$e i=$i t=$t st=$st u=$u x=$x n=$n\"\n")
	opts := testOptions(t)
	if res, err := RunModule(ctxT(t), mod, opts); err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	opts.From = "step-2"
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Steps[1].Output; got != "e=5 i=7 t=9 st=1 u=2 x=3 n=4\n" {
		t.Errorf("restored: %q", got)
	}
}

// checkDeltas catches a plan that misses a change.
func TestCheckDeltasCatchesAMiss(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dump")
	tail := "@S umask\numask 0022\n@S cwd\n/\x00\n@S dirs\n\n@S end\n"
	ls := newLiveState(newEnvPolicy(nil, nil))
	os.WriteFile(path, []byte("@S full\n@S vars\ndeclare -- a=\"1\"\n"+tail), 0o600)
	if err := ls.ingest(path, "S", &dumpPlan{full: true}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("@S delta\n@S vars\n"+tail+"@S full\n@S vars\ndeclare -- a=\"1\"\ndeclare -- b=\"2\"\n"+tail), 0o600)
	err := ls.ingest(path, "S", &dumpPlan{check: true})
	if _, ok := err.(*deltaMissError); !ok || !strings.Contains(err.Error(), "variable b") {
		t.Errorf("a missed change: %v", err)
	}
}
