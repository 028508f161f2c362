package course

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every key of coursectl.yaml's schema is honoured or refused: a table per
// level, keyed by the schema's own lists, so a key added to CourseKeys,
// SettingKeys or KnownAttrs without a case here fails the test
// (docs/spec.md §6: nothing is ever silently ignored).

// courseFixture writes a course of two modules with yaml as its
// coursectl.yaml and loads it.
func courseFixture(t *testing.T, yml string) (*Course, error) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"coursectl.yaml": yml,
		"a.md":           "# Alpha\n\n```sh\necho a\n```\n\n## Exercise 1\n\n```sh\necho ex\n```\n\n::: challenge\n\n```sh\necho ch\n```\n\n:::\n",
		"b.md":           "# Beta\n\n```sh {name=b-one}\necho b\n```\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return LoadCourse(dir)
}

func mustCourse(t *testing.T, yml string) *Course {
	t.Helper()
	c, err := courseFixture(t, yml)
	if err != nil {
		t.Fatalf("LoadCourse: %v", err)
	}
	return c
}

func refused(t *testing.T, yml, want string) {
	t.Helper()
	_, err := courseFixture(t, yml)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("LoadCourse(%q) = %v, want an error containing %q", yml, err, want)
	}
	if !strings.Contains(err.Error(), "coursectl.yaml:") {
		t.Errorf("error %q does not name coursectl.yaml:LINE", err)
	}
}

var courseKeyCases = map[string]func(t *testing.T){
	"docker": func(t *testing.T) {
		// The course's docker: is every module's, under its own, and the
		// course's run (one shell) takes its fakes, env and timeout.
		yml := "course:\n  fakes: {sudo: 'true'}\n  docker:\n    fakes: {sudo: ~}\n    env: {WHERE: box}\n    timeout: 7m\n" +
			"b.md:\n  docker:\n    env: {B: b}\n"
		c := mustCourse(t, yml)
		run := c.Flatten()
		run.ForSandbox("docker")
		if _, ok := run.Settings.Fakes["sudo"]; ok || run.Settings.Env["WHERE"] != "box" || run.Settings.Env["B"] != "b" || run.Settings.Timeout != 7*time.Minute {
			t.Errorf("course docker: in the course's run: fakes %v, env %v, timeout %v", run.Settings.Fakes, run.Settings.Env, run.Settings.Timeout)
		}
		c = mustCourse(t, yml)
		b := c.Modules[1]
		b.ForSandbox("docker")
		if _, ok := b.Settings.Fakes["sudo"]; ok || b.Settings.Env["WHERE"] != "box" || b.Settings.Env["B"] != "b" {
			t.Errorf("course docker: in a module: fakes %v, env %v", b.Settings.Fakes, b.Settings.Env)
		}
		c = mustCourse(t, yml)
		run = c.Flatten()
		run.ForSandbox("dir")
		if _, ok := run.Settings.Fakes["sudo"]; !ok || run.Settings.Env["WHERE"] != "" {
			t.Error("course docker: applied in the dir sandbox")
		}
	},
	"sandbox": func(t *testing.T) {
		c := mustCourse(t, "course:\n  sandbox: docker\n")
		if c.Modules[0].Settings.Sandbox != "docker" || c.Flatten().Settings.Sandbox != "docker" {
			t.Errorf("course sandbox: %q", c.Modules[0].Settings.Sandbox)
		}
		refused(t, "course:\n  sandbox: vm\n", "sandbox: want dir, docker or docker:IMAGE")
	},
	"modules": func(t *testing.T) {
		c := mustCourse(t, "course:\n  modules: [b.md, a.md]\n")
		if filepath.Base(c.Modules[0].Path) != "b.md" || c.Order != OrderModules {
			t.Errorf("order %s, first %s", c.Order, c.Modules[0].Path)
		}
		refused(t, "course:\n  modules: [b.md, zz.md]\n", `no module "zz.md"`)
	},
	"setup": func(t *testing.T) {
		c := mustCourse(t, "course:\n  setup: |\n    mkdir -p ~/data\n")
		st := c.Flatten().Steps[0]
		if !st.Hidden || st.Commands[0].Text != "mkdir -p ~/data" || st.Line != 3 || !strings.HasSuffix(st.File, "coursectl.yaml") {
			t.Errorf("setup step %+v", st)
		}
	},
	"workdir": func(t *testing.T) {
		c := mustCourse(t, "course:\n  workdir: ~/data\n")
		if st := c.Flatten().Steps[0]; st.Commands[0].Text != `cd -- "$HOME"'/data'` {
			t.Errorf("workdir step %q", st.Commands[0].Text)
		}
	},
	"env": func(t *testing.T) {
		c := mustCourse(t, "course:\n  env: {LC_ALL: C}\n")
		if c.Modules[1].Settings.Env["LC_ALL"] != "C" || c.Flatten().Settings.Env["LC_ALL"] != "C" {
			t.Error("course env not given to the modules")
		}
	},
	"fakes": func(t *testing.T) {
		c := mustCourse(t, "course:\n  fakes: {ssh: 'exit 255'}\n")
		if c.Flatten().Settings.Fakes["ssh"] != "exit 255" {
			t.Error("course fakes not in the run")
		}
	},
	"timeout": func(t *testing.T) {
		c := mustCourse(t, "course:\n  timeout: 2m\na.md:\n  timeout: 5s\n")
		if c.Modules[0].Settings.Timeout.String() != "5s" || c.Modules[1].Settings.Timeout.String() != "2m0s" {
			t.Errorf("timeouts %v %v", c.Modules[0].Settings.Timeout, c.Modules[1].Settings.Timeout)
		}
		refused(t, "course:\n  timeout: soon\n", "timeout")
	},
	"run-timeout": func(t *testing.T) {
		c := mustCourse(t, "course:\n  run-timeout: 30m\na.md:\n  run-timeout: 1h\n")
		if c.Modules[0].Settings.RunTimeout.String() != "1h0m0s" || c.Modules[1].Settings.RunTimeout.String() != "30m0s" {
			t.Errorf("run timeouts %v %v", c.Modules[0].Settings.RunTimeout, c.Modules[1].Settings.RunTimeout)
		}
		refused(t, "course:\n  run-timeout: -1m\n", "run-timeout")
	},
	"compare":   func(t *testing.T) { levelAttr(t, "compare", "none") },
	"normalize": func(t *testing.T) { levelAttr(t, "normalize", "[{match: '/Users/nelle', with: '$HOME'}]") },
	"pipefail":  func(t *testing.T) { levelAttr(t, "pipefail", "true") },
	"sections": func(t *testing.T) {
		c := mustCourse(t, "course:\n  sections: {\"exercise*\": {skip: true}}\n")
		a := c.Modules[0]
		if a.Steps[0].Attrs.Skip || !a.Steps[1].Attrs.Skip {
			t.Errorf("skip by section: %v %v", a.Steps[0].Attrs.Skip, a.Steps[1].Attrs.Skip)
		}
		refused(t, "course:\n  sections: {\"[\": {skip: true}}\n", "not a valid glob")
	},
	"divs": func(t *testing.T) {
		c := mustCourse(t, "course:\n  divs: {challenge: {skip: true}}\n")
		a := c.Modules[0]
		if a.Steps[1].Attrs.Skip || !a.Steps[2].Attrs.Skip || !slices.Equal(a.Steps[2].Divs, []string{"challenge"}) {
			t.Errorf("skip by div: %v %v %v", a.Steps[1].Attrs.Skip, a.Steps[2].Attrs.Skip, a.Steps[2].Divs)
		}
		refused(t, "course:\n  divs: {challenge: {skp: true}}\n", "skp")
		refused(t, "course:\n  divs: {challenge: {file: x}}\n", "cannot be set from coursectl.yaml")
	},
}

// levelAttr checks an attribute key that may be set for a whole course or
// module: every step gets it, the module's over the course's.
func levelAttr(t *testing.T, key, value string) {
	t.Helper()
	c := mustCourse(t, "course:\n  "+key+": "+value+"\nb.md:\n  "+key+": "+value+"\n")
	for _, m := range c.Modules {
		for _, st := range m.Steps {
			if _, ok := st.Attrs.Raw[key]; !ok {
				t.Errorf("%s: step %s has no %s", m.Path, st.ID, key)
			}
		}
	}
}

var moduleKeyCases = map[string]func(t *testing.T){
	"sandbox": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  sandbox: docker:img\n")
		if c.Modules[1].Settings.Sandbox != "docker:img" || c.Modules[0].Settings.Sandbox != "" {
			t.Errorf("module sandbox: %q, %q", c.Modules[1].Settings.Sandbox, c.Modules[0].Settings.Sandbox)
		}
		refused(t, "b.md:\n  sandbox: 'docker:'\n", "sandbox: want dir, docker or docker:IMAGE")
	},
	"docker": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  fakes: {sudo: 'true', wget: 'true'}\n  docker:\n    fakes: {sudo: ~, apt: 'true'}\n    timeout: 9m\n")
		b := c.Modules[1]
		if _, ok := b.Settings.Fakes["sudo"]; !ok || b.Settings.Timeout == 9*time.Minute {
			t.Fatalf("docker: applied before ForSandbox: %+v", b.Settings)
		}
		b.ForSandbox("dir")
		if _, ok := b.Settings.Fakes["sudo"]; !ok {
			t.Fatal("docker: applied to the dir sandbox")
		}
		b.ForSandbox("docker")
		f := b.Settings.Fakes
		if _, ok := f["sudo"]; ok || f["wget"] != "true" || f["apt"] != "true" || b.Settings.Timeout != 9*time.Minute {
			t.Errorf("docker: in the container sandbox: fakes %v, timeout %v", f, b.Settings.Timeout)
		}
		refused(t, "b.md:\n  docker:\n    docker: {}\n", "not nested")

		// A setup under docker: steps runs before its step in the
		// container only, as a hidden step of its own, in a module and in
		// a course's run.
		yml := "b.md:\n  docker:\n    steps:\n      b-one: {setup: 'groupdel x'}\n"
		c = mustCourse(t, yml)
		b = c.Modules[1]
		n := len(b.Steps)
		b.ForSandbox("docker")
		if len(b.Steps) != n+1 || !b.Steps[0].Hidden || b.Steps[0].SetupFor != "b-one" || b.Steps[1].ID != "b-one" ||
			b.Steps[0].Body != "groupdel x\n" || filepath.Base(b.Steps[0].File) != "coursectl.yaml" || b.Steps[1].Index != 2 {
			t.Errorf("docker: setup in a module: %d steps, first %+v", len(b.Steps), b.Steps[0])
		}
		c = mustCourse(t, yml)
		run := c.Flatten()
		n = len(run.Steps)
		run.ForSandbox("docker")
		var at int
		for i, st := range run.Steps {
			if st.SetupFor == "b-one" {
				at = i
			}
		}
		if len(run.Steps) != n+1 || at == 0 || run.Steps[at+1].ID != "b-one" {
			t.Fatalf("docker: setup in a course's run: %d steps (was %d), setup at %d", len(run.Steps), n, at)
		}
		if mi, li := c.Locate(run, at+1); mi != 1 || li != 0 {
			t.Errorf("Locate of b-one after the setup: module %d, step %d; want 1, 0", mi, li)
		}
	},
	"timeout":     courseKeyCases["timeout"],
	"run-timeout": courseKeyCases["run-timeout"],
	"fakes": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  fakes: {ssh: 'exit 255'}\n")
		if c.Modules[1].Settings.Fakes["ssh"] != "exit 255" {
			t.Error("module fakes lost")
		}
	},
	"env": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  env: {X: y}\n")
		if c.Modules[1].Settings.Env["X"] != "y" || c.Modules[0].Settings.Env["X"] == "y" {
			t.Error("module env not the module's")
		}
	},
	"workdir": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  workdir: /tmp\n")
		b := c.Modules[1]
		if st := b.Steps[0]; !st.Hidden || st.Commands[0].Text != "cd -- '/tmp'" || st.Line != 2 {
			t.Errorf("module workdir step %+v", st)
		}
	},
	"setup": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  setup: 'cd ~'\n  workdir: /tmp\n")
		cmds := c.Modules[1].Steps[0].Commands
		if len(cmds) != 2 || cmds[0].Text != "cd ~" || cmds[1].Text != "cd -- '/tmp'" {
			t.Errorf("module setup then workdir: %+v", cmds)
		}
	},
	"compare":   courseKeyCases["compare"],
	"normalize": courseKeyCases["normalize"],
	"pipefail":  courseKeyCases["pipefail"],
	"sections": func(t *testing.T) {
		c := mustCourse(t, "course:\n  sections: {\"exercise*\": {skip: true}}\na.md:\n  sections: {\"exercise*\": {skip: false}}\n")
		if c.Modules[0].Steps[1].Attrs.Skip {
			t.Error("the module's section rule does not win over the course's")
		}
	},
	"divs": func(t *testing.T) {
		c := mustCourse(t, "a.md:\n  divs: {challenge: {exit: any}}\n")
		if !c.Modules[0].Steps[2].Attrs.ExitAny {
			t.Error("module div rule not applied")
		}
	},
	"steps": func(t *testing.T) {
		c := mustCourse(t, "b.md:\n  steps: {b-one: {skip: true}}\n")
		if !c.Modules[1].Steps[0].Attrs.Skip {
			t.Error("steps: not applied")
		}
		// file: makes a plain script fence a file step (the page shows a
		// script's body and names its file in prose).
		c = mustCourse(t, "b.md:\n  steps: {b-one: {file: x.sh}}\n")
		if st := c.Modules[1].Steps[0]; st.Kind != File || st.Attrs.File != "x.sh" || st.Commands != nil {
			t.Errorf("steps: file: %s %q %v", st.Kind, st.Attrs.File, st.Commands)
		}
		refused(t, "b.md:\n  steps: {b-one: {append: true}}\n", "give the file too")
		// setup: a hidden step just before the step.
		c = mustCourse(t, "b.md:\n  steps: {b-one: {setup: mkdir -p raw}}\n")
		if st := c.Modules[1].Steps[0]; !st.Hidden || st.SetupFor != "b-one" || st.Commands[0].Text != "mkdir -p raw" || st.Line != 2 {
			t.Errorf("steps: setup: %+v", st)
		}
	},
}

func TestEveryCourseKeyIsHonouredOrRefused(t *testing.T) {
	for _, k := range CourseKeys {
		c, ok := courseKeyCases[k]
		if !ok {
			t.Errorf("course key %q has no case in courseKeyCases", k)
			continue
		}
		t.Run("course/"+k, c)
	}
	for _, k := range SettingKeys {
		c, ok := moduleKeyCases[k]
		if !ok {
			t.Errorf("module key %q has no case in moduleKeyCases", k)
			continue
		}
		t.Run("module/"+k, c)
	}
}

// Keys that are not in the schema, or in the wrong place, are refused with
// the line and the nearest valid key.
func TestCourseYAMLRefusesUnknownAndMisplacedKeys(t *testing.T) {
	for _, c := range []struct{ yml, want string }{
		{"course:\n  modles: [a.md]\n", `coursectl.yaml:2: unknown course setting "modles" — did you mean modules?`},
		{"course:\n  steps: {x: {skip: true}}\n", `"steps" under course: belongs to a module`},
		{"modules: [a.md]\n", `coursectl.yaml:1: "modules" is a course setting — put it under the course: key`},
		{"a.md:\n  timout: 5m\n", `coursectl.yaml:2: unknown setting "timout" for a.md — did you mean timeout?`},
		{"zz.md:\n  timeout: 5m\n", `coursectl.yaml:1: no module "zz.md"`},
		{"course:\n  modules: [a.md, a.md]\n", "listed twice"},
		{"course:\n  modules: [a.md, ../other/b.md]\n", `coursectl.yaml:2: course.modules: ../other/b.md is outside the course's directory — move the file into the course`},
		{"course:\n  modules: [/tmp/b.md]\n", "outside the course's directory"},
		{"course: [a.md]\n", "course: want a mapping"},
	} {
		_, err := courseFixture(t, c.yml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.yml, err, c.want)
		}
	}
}

// A step attribute given per step in steps: is checked against KnownAttrs:
// every known one is accepted there except those that make a fence a file
// step, which coursectl.yaml cannot do, and name (the key is the id).
func TestStepsKeysHonouredOrRefused(t *testing.T) {
	values := map[string]string{"name": "x", "skip": "true", "timeout": "1m", "exit": "any", "interactive": "true",
		"interact": "[{expect: 'x', send: 'y'}]", "mode": "'0644'", "background": "true", "ready": "x",
		"file": "f.txt", "append": "true", "compare": "none", "normalize": "[{match: x, with: y}]",
		"pipefail": "true", "content": "'hello'", "setup": "'mkdir -p raw'"}
	for _, k := range KnownAttrs {
		v, ok := values[k]
		if !ok {
			t.Errorf("attribute %q has no value in this test", k)
			continue
		}
		_, err := courseFixture(t, "b.md:\n  steps:\n    b-one: {"+k+": "+v+"}\n")
		switch k {
		case "append", "name":
			// Only with file: append alone would be ignored; and the key
			// under steps: is the id, which a name there cannot change.
			if err == nil {
				t.Errorf("steps: %s accepted", k)
			}
		default:
			if err != nil {
				t.Errorf("steps: %s refused: %v", k, err)
			}
		}
	}
}

func TestNaturalOrder(t *testing.T) {
	in := []string{"10-x.md", "2-y.md", "1-z.md", "b.md", "a.md", "02-w.md"}
	slices.SortFunc(in, func(a, b string) int {
		if NaturalLess(a, b) {
			return -1
		}
		if NaturalLess(b, a) {
			return 1
		}
		return 0
	})
	want := []string{"1-z.md", "02-w.md", "2-y.md", "10-x.md", "a.md", "b.md"}
	if !slices.Equal(in, want) {
		t.Errorf("natural order %v, want %v", in, want)
	}
}
