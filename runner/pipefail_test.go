package runner

import (
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

func TestPipefailIntent(t *testing.T) {
	for script, want := range map[string]string{
		"set -o pipefail\n":                       "on",
		"set -euo pipefail\n":                     "on",
		"set -e -o pipefail -u\n":                 "on",
		"builtin set -o pipefail\n":               "on",
		"shopt -so pipefail\n":                    "on",
		"shopt -s -o pipefail\n":                  "on",
		"shopt -uo pipefail\n":                    "off",
		"set -o pipefail\nset +o pipefail\n":      "off",
		"cd x && set -o pipefail\n":               "on",
		"if true; then set -o pipefail; fi\n":     "on",
		"set -e\n":                                "",
		"set -- -o pipefail\n":                    "",
		"echo set -o pipefail\n":                  "",
		"# set -o pipefail\n":                     "",
		"set -o pipefail\necho set +o pipefail\n": "on",
		"x=1\n  set -o pipefail\n":                "on",
		"shopt -s extglob\n":                      "",
	} {
		if got := pipefailIntent(script); got != want {
			t.Errorf("pipefailIntent(%q) = %q, want %q", script, got, want)
		}
	}
}

// A course's own pipefail lasts past its step, like any other option: it is
// in the checkpoint, and a later step gets the strict rule for a pipeline
// whose writer died of SIGPIPE. `set +o pipefail` turns it off again.
func TestCoursePipefailCarriesOver(t *testing.T) {
	for _, on := range []string{"set -euo pipefail\n", "shopt -so pipefail\n", "if true; then set -o pipefail; fi\n"} {
		t.Run(on, func(t *testing.T) {
			mod := module(t, "echo plain\n", on, "yes | head -1\n", "set +o pipefail\n", "yes | head -1\n")
			opts := testOptions(t)
			s := open(t, mod, opts)
			mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))
			mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
			s.Flush()
			if so := shellOpts(t, s.store.checkpointPath(0)); strings.Contains(so, "pipefail") {
				t.Errorf("pipefail in a checkpoint before the course set it: %s", so)
			}
			if so := shellOpts(t, s.store.checkpointPath(1)); !strings.Contains(so, "pipefail") {
				t.Errorf("the course's pipefail is not in the checkpoint: %s", so)
			}
			if r := s.Exec(ctxT(t), mod.Steps[2]); r.Status != result.Failed || r.ExitCode != 141 {
				t.Errorf("under the course's pipefail `yes | head -1`: %s exit %d, want failed 141", r.Status, r.ExitCode)
			}
			mustPass(t, s.Exec(ctxT(t), mod.Steps[3]))
			mustPass(t, s.Exec(ctxT(t), mod.Steps[4]))
			s.Flush()
			if so := shellOpts(t, s.store.checkpointPath(4)); strings.Contains(so, "pipefail") {
				t.Errorf("pipefail still on after set +o pipefail: %s", so)
			}
		})
	}
}

// No pipefail unless the course asks (docs/spec.md §3): a pipeline fails a step
// only if its last command does, as in a learner's terminal — shell-novice's
// `bash do-stats.sh … | wc -l`, whose script fails, passes. `pipefail:
// true` (module settings or a step's attribute, the step's winning) opts
// in; it is the step's only, never in a checkpoint, and writers killed by
// SIGPIPE are still no failure under it.
func TestPipefailOnlyWhenTheCourseAsks(t *testing.T) {
	bodies := []string{
		"bash -c 'exit 2' | wc -l\necho reached\n",
		"yes | head -1\n",
		"true\n",
		"bash -c 'exit 2' | wc -l\necho reached\n",
	}
	mod := module(t, bodies...)
	s := open(t, mod, testOptions(t))
	for _, st := range mod.Steps {
		mustPass(t, s.Exec(ctxT(t), st))
	}

	on, off := true, false
	mod = module(t, bodies...)
	mod.Settings.Attrs.Pipefail = &on
	mod.Steps[3].Attrs.Pipefail = &off
	s = open(t, mod, testOptions(t))
	r := s.Exec(ctxT(t), mod.Steps[0])
	if r.Status != result.Failed || r.ExitCode != 2 || strings.Contains(r.Output, "reached") {
		t.Errorf("under pipefail: true: %s exit %d %q, want failed 2", r.Status, r.ExitCode, r.Output)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[1]))
	mustPass(t, s.Exec(ctxT(t), mod.Steps[2]))
	s.Flush()
	if so := shellOpts(t, s.store.checkpointPath(2)); strings.Contains(so, "pipefail") {
		t.Errorf("the setting's pipefail is in a checkpoint: %s", so)
	}
	mustPass(t, s.Exec(ctxT(t), mod.Steps[3]))
}
