package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

func TestJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, all()); err != nil {
		t.Fatal(err)
	}
	golden(t, "check.jsonl.golden", b.String())
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return k
}

// The field names are docs/spec.md §5's, one object per line; a passing step has
// exactly SPEC's fields.
func TestJSONFieldsAreSPEC(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, []*result.Module{setupResult(), unchecked()}); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	var mods []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", len(mods)+1, err)
		}
		mods = append(mods, m)
	}
	if len(mods) != 2 {
		t.Fatalf("got %d objects, want one per module (2)", len(mods))
	}
	m := mods[0]
	if got, want := keys(m), []string{"duration_ms", "failed", "file", "passed", "skipped", "steps"}; !reflect.DeepEqual(got, want) {
		t.Errorf("module fields %v, want %v", got, want)
	}
	if m["file"] != "docs/setup.md" || m["passed"] != 2.0 || m["failed"] != 1.0 || m["skipped"] != 1.0 || m["duration_ms"] != 1300.0 {
		t.Errorf("module counts: %v", m)
	}
	steps := m["steps"].([]any)
	if len(steps) != 6 {
		t.Fatalf("%d steps, want 6 (not-run ones included)", len(steps))
	}
	first := steps[0].(map[string]any)
	if got, want := keys(first), []string{"duration_ms", "error", "exit_code", "id", "kind", "line", "output", "status"}; !reflect.DeepEqual(got, want) {
		t.Errorf("step fields %v, want %v", got, want)
	}
	var statuses []string
	for _, s := range steps {
		statuses = append(statuses, s.(map[string]any)["status"].(string))
	}
	if want := []string{"passed", "passed", "skipped", "failed", "not-run", "not-run"}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	failed := steps[3].(map[string]any)
	if failed["exit_code"] != 6.0 || failed["duration_ms"] != 1234.0 || failed["kind"] != "script" || failed["line"] != 40.0 {
		t.Errorf("failed step: %v", failed)
	}
	if out := failed["output"].(string); strings.ContainsAny(out, "\x1b\r") || !strings.Contains(out, "Could not resolve host") {
		t.Errorf("output should be plain and whole: %q", out)
	}
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, all()); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.xml.golden", b.String())
}

// The XML parses, with a testsuite per module and a testcase per step.
func TestJUnitStructure(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, all()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Line    int    `xml:"line,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Body    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if len(doc.Suites) != 4 || doc.Tests != 13 || doc.Failures != 3 {
		t.Fatalf("suites=%d tests=%d failures=%d, want 4, 13, 3", len(doc.Suites), doc.Tests, doc.Failures)
	}
	setup := doc.Suites[1]
	if setup.Name != "docs/setup.md" || setup.Tests != 6 || setup.Failures != 1 || len(setup.Cases) != 6 {
		t.Fatalf("setup suite: %+v", setup)
	}
	fail := setup.Cases[3]
	if fail.Name != "install-docker" || fail.Line != 42 || fail.Failure == nil {
		t.Fatalf("failing case: %+v", fail)
	}
	if fail.Failure.Message != "exit status 6" || !strings.Contains(fail.Failure.Body, "Could not resolve host") ||
		!strings.Contains(fail.Failure.Body, "line 1\n") {
		t.Errorf("failure should carry the message and all the output: %+v", fail.Failure)
	}
	if s := setup.Cases[2].Skipped; s == nil || !strings.Contains(s.Message, "interactive") {
		t.Errorf("skipped case: %+v", setup.Cases[2])
	}
	if doc.Suites[2].Cases[2].Failure.Type != "timeout" {
		t.Errorf("a timeout is a failure of type timeout: %+v", doc.Suites[2].Cases[2])
	}
	if bytes.ContainsAny(b.Bytes(), "\x1b\r") {
		t.Error("JUnit output holds an escape or \\r")
	}
}

func TestGitHubAnnotations(t *testing.T) {
	var b bytes.Buffer
	GitHub(&b, all(), "")
	golden(t, "github.golden", b.String())
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per failed step (3), got %d:\n%s", len(lines), b.String())
	}
	want := "::error file=docs/setup.md,line=42,title=coursectl%3A step install-docker failed::exit status 6%0A$ curl"
	if !strings.HasPrefix(lines[0], want) {
		t.Errorf("got  %s\nwant %s...", lines[0], want)
	}
}

func TestGitHubWorkspaceRelative(t *testing.T) {
	mr := setupResult()
	mr.File = "/home/runner/work/course/course/docs/setup.md"
	var b bytes.Buffer
	GitHub(&b, []*result.Module{mr}, "/home/runner/work/course/course")
	if !strings.HasPrefix(b.String(), "::error file=docs/setup.md,line=42,") {
		t.Errorf("path not made relative to the workspace: %s", b.String())
	}
	b.Reset()
	GitHub(&b, []*result.Module{mr}, "/elsewhere")
	if !strings.HasPrefix(b.String(), "::error file=/home/runner/work/course/course/docs/setup.md,") {
		t.Errorf("a path outside the workspace is kept: %s", b.String())
	}
}

func TestEscapeProperty(t *testing.T) {
	if got, want := escapeProperty("a,b:c%d\ne"), "a%2Cb%3Ac%25d%0Ae"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := escapeData("50%: a,b\r\nc"), "50%25: a,b%0D%0Ac"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Output that would break the XML (a CDATA end, NUL, invalid UTF-8) is
// made safe and still parses.
func TestJUnitHostileOutput(t *testing.T) {
	mr := setupResult()
	mr.Steps[3].Output = "a ]]> b\x00 c \xff\xfe d\n"
	var b bytes.Buffer
	if err := JUnit(&b, []*result.Module{mr}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Failure *struct {
					Body string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if body := doc.Suites[0].Cases[3].Failure.Body; !strings.Contains(body, "a ]]> b c ") || !strings.Contains(body, " d\n") {
		t.Errorf("body %q", body)
	}
}
