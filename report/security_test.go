package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/result"
)

// hostile is a failed step whose name, command, error, output and fakes
// carry what a document or a step can print: an OSC title (ESC ] 0 ; …
// BEL), an OSC 52 clipboard write, SGR, C1 CSI, NUL, form feed, a CDATA
// end and a byte that is not UTF-8.
func hostile() *result.Module {
	cmd := "printf 'x' # \x1b]0;pwned-title\x07 \x1b]52;c;cHduZWQ=\x07 \u009b31m \x00\x0c ]]> \xff"
	return &result.Module{File: "evil\x1b]0;file\x07.md", Started: time.Unix(0, 0), Duration: time.Second, Steps: []*result.Step{{
		ID: "step\x1b]0;id\x07", Line: 3, Status: result.Failed, ExitCode: 1, FailLine: 4, FailCommand: cmd,
		Error:  "step x (evil.md:4): `" + cmd + "` failed with exit status 1",
		Output: "out \x1b]0;outtitle\x07 \x1b[31mred\x1b[0m ]]> \x07bell\n",
		Fakes:  []result.FakeCall{{Command: "curl", Args: []string{"\x1b]52;c;Zm9v\x07"}}},
	}}, Warnings: []string{"warned \x1b]0;warn\x07"}}
}

// sgrOnly matches an SGR sequence: the colours the report paints.
var sgrOnly = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// noControls fails when s holds a control character other than newline
// and tab, except the SGR colours the report itself paints (allowSGR).
func noControls(t *testing.T, what, s string, allowSGR bool) {
	t.Helper()
	if allowSGR {
		s = sgrOnly.ReplaceAllString(s, "")
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) {
			t.Errorf("%s holds control character %U:\n%q", what, r, s)
			return
		}
	}
}

// Nothing from the document or the output drives the terminal in the
// text report: no OSC title, no clipboard write, no colours but ours.
func TestTextReportEscapesControlCharacters(t *testing.T) {
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		mr := hostile()
		Text{Color: color}.WriteModule(&b, mr)
		Text{Color: color}.WriteSummary(&b, []*result.Module{mr, mr}, time.Second)
		noControls(t, "text report", b.String(), color)
		for _, want := range []string{`step\x1b]0;id\x07`, `# \x1b]0;pwned-title\x07 \x1b]52;c;cHduZWQ=\x07 \u009b31m`, `curl \x1b]52;c;Zm9v\x07`} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("color=%v: the report does not show %s:\n%s", color, want, b.String())
			}
		}
	}
	// The live report and its warnings, and its status line.
	var b bytes.Buffer
	l := NewLive(&b)
	l.Status, l.Warn = true, &b
	l.now = func() time.Time { return time.Unix(100, 0) }
	mod := module("evil\x1b]0;file\x07.md", script("step\x1b]0;id\x07", 3, "true"))
	ev := l.Module(mod)
	ev.StepStarted(mod.Steps[0])
	ev.Warning("warned \x1b]0;warn\x07")
	ev.StepOutput(mod.Steps[0], []byte("\x1b]0;t\x07 last line\n"))
	l.now = func() time.Time { return time.Unix(200, 0) }
	l.Tick()
	ev.StepDone(hostile().Steps[0])
	l.Done(hostile())
	noControls(t, "live report", strings.ReplaceAll(b.String(), "\r", ""), false)
}

// The JUnit report is well-formed XML 1.0 whatever the command and its
// output held: a strict parser reads it back, with every text intact
// enough to read.
func TestJUnitIsValidXMLWithControlCharacters(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, []*result.Module{hostile()}); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not valid XML: %v\n%s", err, b.String())
		}
	}
	noControls(t, "junit", b.String(), false)
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	f := doc.Suites[0].Cases[0].Failure
	if f == nil || !strings.Contains(f.Body, `# \x1b]0;pwned-title\x07`) || !strings.Contains(f.Body, "]]>") || !strings.Contains(f.Message, `\x1b]52;c;`) {
		t.Errorf("failure lost its text: %+v", f)
	}
	if doc.Suites[0].Cases[0].Name != `step\x1b]0;id\x07` {
		t.Errorf("name %q", doc.Suites[0].Cases[0].Name)
	}
}
