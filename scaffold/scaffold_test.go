package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/coursectl/coursectl/course"
)

// The workflow is a GitHub Actions workflow that does what the docs say:
// on push and pull request, a matrix of shards, each installing coursectl
// and checking the repository's courses with JUnit and its own slice; every
// expression names a context the job has.
func TestWorkflowParsesWithTheExpectedKeys(t *testing.T) {
	var wf struct {
		Name string         `yaml:"name"`
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			RunsOn   string `yaml:"runs-on"`
			Strategy struct {
				FailFast *bool            `yaml:"fail-fast"`
				Matrix   map[string][]int `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				If   string            `yaml:"if"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	dec := yaml.NewDecoder(strings.NewReader(workflow))
	dec.KnownFields(true)
	if err := dec.Decode(&wf); err != nil {
		t.Fatalf("the workflow does not parse as one: %v", err)
	}
	if _, ok := wf.On["push"]; !ok {
		t.Error("not run on push")
	}
	if _, ok := wf.On["pull_request"]; !ok {
		t.Error("not run on pull requests")
	}
	job, ok := wf.Jobs["check"]
	if !ok || len(wf.Jobs) != 1 {
		t.Fatalf("jobs %v: want one job, check", wf.Jobs)
	}
	if job.RunsOn != "ubuntu-latest" {
		t.Errorf("runs-on %q", job.RunsOn)
	}
	if shards := job.Strategy.Matrix["shard"]; len(shards) < 2 || shards[0] != 1 {
		t.Errorf("matrix shard %v: want 1, 2, ...", shards)
	}
	if job.Strategy.FailFast == nil || *job.Strategy.FailFast {
		t.Error("fail-fast is not off: one failing shard would cancel the others' reports")
	}
	var uses, runs []string
	uploadAlways := false
	for _, s := range job.Steps {
		if s.Uses != "" {
			uses = append(uses, s.Uses)
		}
		if s.Run != "" {
			runs = append(runs, s.Run)
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") && s.If == "always()" && strings.Contains(s.With["path"], ".xml") {
			uploadAlways = true
		}
	}
	for _, want := range []string{"actions/checkout@", "actions/setup-go@", "actions/upload-artifact@"} {
		if !strings.Contains(strings.Join(uses, "\n"), want) {
			t.Errorf("no step uses %s: %q", want, uses)
		}
	}
	run := strings.Join(runs, "\n")
	for _, want := range []string{
		"go install github.com/coursectl/coursectl/cmd/coursectl@latest",
		"coursectl check . ",
		"--shard ${{ matrix.shard }}/${{ strategy.job-total }}",
		"--junit coursectl-${{ matrix.shard }}.xml",
	} {
		if !strings.Contains(run, want) {
			t.Errorf("the steps do not run %q:\n%s", want, run)
		}
	}
	if !uploadAlways {
		t.Error("the JUnit report is not uploaded when the check fails")
	}
	// As actionlint would: every expression names a context that exists here.
	for _, m := range regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`).FindAllStringSubmatch(workflow, -1) {
		switch m[1] {
		case "matrix.shard", "strategy.job-total":
		default:
			t.Errorf("expression ${{ %s }}: not a context of this job", m[1])
		}
	}
}

// Every key the course's yaml shows as a commented example is one the
// course accepts: uncommented, the course still loads.
func TestCourseYAMLExamplesAreValidKeys(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Course("T")); err != nil {
		t.Fatal(err)
	}
	if _, err := course.LoadCourse(dir); err != nil {
		t.Fatalf("the course as written: %v", err)
	}
	example := regexp.MustCompile(`^(\s*)# (\s*[A-Za-z0-9_."-]+:(?: .*)?|\s+\S.*)$`)
	var lines []string
	uncommented := 0
	for _, l := range strings.Split(courseYAML, "\n") {
		if m := example.FindStringSubmatch(l); m != nil {
			l = m[1] + m[2]
			uncommented++
		}
		lines = append(lines, l)
	}
	if uncommented < 12 {
		t.Fatalf("only %d example lines found", uncommented)
	}
	yml := strings.Join(lines, "\n")
	if err := os.WriteFile(filepath.Join(dir, "coursectl.yaml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := course.LoadCourse(dir)
	if err != nil {
		t.Fatalf("with the examples uncommented:\n%s\n%v", yml, err)
	}
	for _, m := range c.Modules {
		for _, p := range m.Problems {
			// The examples' sections: and divs: name headings and classes
			// of the author's pages to come, not of the two starter
			// modules: that they reach no step yet is lint's warning, not
			// a key the course refuses.
			if p.Code == course.ProblemUnusedRule {
				continue
			}
			t.Errorf("%s:%d: %s", p.File, p.Line, p.Message)
		}
	}
}

func TestWriteRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "02-next-steps.md"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, Course("T"))
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Path != filepath.Join(dir, "02-next-steps.md") {
		t.Fatalf("Write over an existing file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "coursectl.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written before the refusal: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "02-next-steps.md")); string(b) != "mine\n" {
		t.Errorf("the existing file changed: %q", b)
	}
}

func TestTitle(t *testing.T) {
	wd, _ := os.Getwd()
	if got, want := Title("."), Title(filepath.Base(wd)); got != want {
		t.Errorf("Title(.) = %q, want the directory's name, %q", got, want)
	}
	for in, want := range map[string]string{
		"intro.md": "Intro", "02-first_steps.md": "First steps", "my-course/": "My course", "007.md": "Untitled",
	} {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}
