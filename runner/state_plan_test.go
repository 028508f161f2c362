package runner

import (
	"slices"
	"strings"
	"testing"
)

// planState is a shell state as the planner sees it: x=5, a function f that
// assigns fv, an alias ll, an associative array m, a nameref r.
func planState() *shellState {
	st := newShellState()
	st.vars["x"] = `declare -- x="5"`
	st.vars["word"] = `declare -- word="hello"`
	st.vars["expr"] = `declare -- expr="y=1"`
	st.vars["cmd"] = `declare -- cmd="ls"`
	st.vars["readcmd"] = `declare -- readcmd="read"`
	st.vars["m"] = `declare -A m=([k]="v" )`
	st.vars["r"] = `declare -n r="x"`
	st.vars["SHELLOPTS"] = `declare -r SHELLOPTS="braceexpand:hashall:interactive-comments:monitor"`
	st.vars["PROMPT_COMMAND"] = `declare -a PROMPT_COMMAND=([99]="{ __cc_prompt;} 2>/dev/null")`
	st.funcs["f"] = funcDef{text: "f () \n{ \n    fv=1;\n    g\n}\n"}
	st.funcs["g"] = funcDef{text: "g () \n{ \n    read -r gv\n}\n"}
	st.funcs["h"] = funcDef{text: "h () \n{ \n    eval \"$1\"\n}\n"}
	st.aliases["ll"] = "ls -l"
	st.aliases["setz"] = "z=1"
	st.aliases["open"] = "if true; then"
	return st
}

// The planner names what a step may change, and asks for everything where
// it cannot tell.
func TestPlanNamesWhatAStepMayChange(t *testing.T) {
	for _, c := range []struct {
		script               string
		vars, funcs, aliases []string // must be planned (others may be too)
	}{
		{script: "true"},
		{script: "a=1 b=2", vars: []string{"a", "b"}},
		{script: "export GROW_1=x; declare -x D=1; readonly R=1; local L=1; typeset T", vars: []string{"GROW_1", "D", "R", "L", "T"}},
		{script: "x=$((x+1))", vars: []string{"x"}},
		{script: "((x++)); let y=x+1; : $((w=2))", vars: []string{"x", "y", "w"}},
		{script: "read -r a b; read -p 'name: ' n; read -a arr", vars: []string{"a", "b", "n", "arr"}},
		{script: "read", vars: []string{"REPLY"}},
		{script: "mapfile -t lines < f; readarray", vars: []string{"lines", "MAPFILE"}},
		{script: "printf -v out '%s' x; printf '%s' y", vars: []string{"out"}},
		{script: "getopts ab: opt", vars: []string{"opt", "OPTIND", "OPTARG"}},
		{script: "for i in 1 2; do y=$i; done", vars: []string{"i", "y"}},
		{script: "select s in a b; do break; done", vars: []string{"s", "REPLY"}},
		{script: "cd /tmp; pushd /; popd", vars: []string{"OLDPWD"}},
		{script: ": ${d:=1} ${e=2}", vars: []string{"d", "e"}},
		{script: "exec {fd}>/dev/null", vars: []string{"fd"}},
		{script: "[[ abc =~ b ]]", vars: []string{"BASH_REMATCH"}},
		{script: "unset a; unset -f f2; unset -v b", vars: []string{"a", "b"}, funcs: []string{"a", "f2"}},
		{script: "q() { echo; }; export -f q2", funcs: []string{"q", "q2"}},
		{script: "f", vars: []string{"fv", "gv"}},
		{script: "command f", vars: []string{"fv", "gv"}},
		{script: "alias k='ls -a'; unalias ll", aliases: []string{"k", "ll"}},
		{script: "setz", vars: []string{"z"}},
		{script: "alias setv='v=1'\nsetv", vars: []string{"v"}, aliases: []string{"setv"}},
		{script: "export V$x=1; alias a$x='echo a'; declare \"w_$word=1\"", vars: []string{"V5", "w_hello"}, aliases: []string{"a5"}},
		{script: "m[$word]=1", vars: []string{"m"}},
		{script: "printf \"$word\\n\" x", vars: nil},
		{script: "( z=1 ); echo $(y=2) & w=3 | cat", vars: nil},
		{script: "echo hi | read z"},
		{script: "shopt -s lastpipe; echo hi | read z", vars: []string{"z"}},
		{script: "$cmd -l", vars: nil},
		{script: "~/soft/docker-compose version; \"$HOME\"/bin/tool; $dir/run.sh", vars: nil},
		{script: "IFS=: read -r a b <<< \"$PATH\"", vars: []string{"IFS", "a", "b"}},
		{script: "cat <<EOF\n${hd:=1}\nEOF", vars: []string{"hd"}},
	} {
		p := planDump(planState(), c.script)
		if p.full {
			t.Errorf("%q: full dump (%s), want a delta", c.script, p.why)
			continue
		}
		for _, want := range []struct {
			got, want []string
			what      string
		}{{p.vars, c.vars, "variables"}, {p.funcs, c.funcs, "functions"}, {p.aliases, c.aliases, "aliases"}} {
			for _, n := range want.want {
				if !slices.Contains(want.got, n) {
					t.Errorf("%q: %s %v lack %s", c.script, want.what, want.got, n)
				}
			}
		}
	}
}

func TestPlanDumpsEverythingWhereItCannotTell(t *testing.T) {
	for _, c := range []struct{ script, why string }{
		{"source ~/.bashrc", "source"},
		{". ./env.sh", "`.`"},
		{"eval \"$1\"", "eval"},
		{"h 'y=1'", "eval"},
		{"trap 'x=1' DEBUG", "trap"},
		{"$readcmd v", "named by a variable"},
		{"\"$@\"", "cannot know"},
		{"declare \"$1=2\"", "option"},
		{"export V$x=1; x=6", "which the step changes"},
		{"for i in a b; do export V$i=1; done", "which the step changes"},
		{"declare -n ref=x", "-n"},
		{"r=7", "name reference"},
		{"declare -i n=1", "-i"},
		{"echo $((expr))", "expression"},
		{"n=$(cat f); echo $((n+1))", "expression"},
		{"[[ $word -eq 1 ]]", "expression"},
		{"open echo", "alias open"},
		{"coproc cat", "coprocess"},
		{"mapfile -C cb lines", "callback"},
		{"read $opts v", "cannot know"},
		{"unalias -a", "unalias -a"},
		{"echo 'unterminated", "does not parse"},
	} {
		p := planDump(planState(), c.script)
		if !p.full {
			t.Errorf("%q: a delta of %v %v %v, want a full dump (%s)", c.script, p.vars, p.funcs, p.aliases, c.why)
		} else if !strings.Contains(p.why, c.why) {
			t.Errorf("%q: full dump because %q, want %q", c.script, p.why, c.why)
		}
	}
}

// Code of the course's that runs where no step can show it makes every
// dump a full one.
func TestPlanDumpsEverythingUnderHooks(t *testing.T) {
	for _, c := range []struct {
		set  func(*shellState)
		why  string
		name string
	}{
		{func(s *shellState) { s.traps = true }, "trap", "a trap"},
		{func(s *shellState) {
			s.vars["PROMPT_COMMAND"] = `declare -a PROMPT_COMMAND=([0]="x=1" [99]="{ __cc_prompt;} 2>/dev/null")`
		}, "PROMPT_COMMAND", "a prompt command"},
		{func(s *shellState) { s.vars["PS1"] = `declare -- PS1="\$(git branch) \$ "` }, "PS1", "a prompt with a command"},
		{func(s *shellState) {
			s.vars["SHELLOPTS"] = `declare -r SHELLOPTS="braceexpand:hashall:posix"`
		}, "posix", "POSIX mode"},
	} {
		st := planState()
		c.set(st)
		if p := planDump(st, "true"); !p.full || !strings.Contains(p.why, c.why) {
			t.Errorf("%s: full %v (%s)", c.name, p.full, p.why)
		}
	}
	if p := planDump(nil, "true"); !p.full {
		t.Errorf("an unknown state: not a full dump")
	}
}
