package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/sgr"
)

// JUnit XML as Jenkins, GitLab and the GitHub test-report actions read it:
// a testsuite per module, a testcase per step. A failed or timed-out step is
// a <failure> whose message is the one-line reason and whose body holds the
// place, the command and the output; a skipped or not-run step is
// <skipped> with the reason.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	File      string      `xml:"file,attr"`
	Cases     []junitCase `xml:"testcase"`
	// SystemErr carries the runner's warnings, one a line.
	SystemErr string `xml:"system-err,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	Skipped   *junitSkipped `xml:"skipped"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	// CDATA keeps the output readable in the file itself; xml escapes
	// "]]>" inside it.
	Body string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// JUnit writes the results as one JUnit XML document.
func JUnit(w io.Writer, results []*result.Module) error {
	doc := junitSuites{Name: "coursectl check"}
	var total time.Duration
	for _, mr := range results {
		steps := Steps(mr)
		c := count(steps)
		suite := junitSuite{
			Name:     xmlSafe(mr.File),
			Tests:    len(steps),
			Failures: c.failed,
			Skipped:  c.skipped + c.notRun,
			Time:     seconds(mr.Duration),
			File:     xmlSafe(mr.File),
			Cases:    make([]junitCase, 0, len(steps)),
		}
		if len(mr.Warnings) > 0 {
			suite.SystemErr = xmlSafe(Plain(strings.Join(mr.Warnings, "\n")))
		}
		if !mr.Started.IsZero() {
			// The schema's timestamp has no zone; UTC says which.
			suite.Timestamp = mr.Started.UTC().Format("2006-01-02T15:04:05")
		}
		for _, sr := range steps {
			tc := junitCase{
				Name:      xmlSafe(sr.ID),
				Classname: xmlSafe(mr.File),
				File:      xmlSafe(failFile(mr.File, sr)),
				Line:      failLine(sr),
				Time:      seconds(sr.Duration),
			}
			switch {
			case failed(sr):
				typ := "failed"
				if sr.Status == result.Timeout {
					typ = "timeout"
				}
				tc.Failure = &junitFailure{Message: message(sr), Type: typ, Body: failureBody(mr.File, sr)}
			case sr.Status == result.Skipped:
				tc.Skipped = &junitSkipped{Message: xmlSafe(firstLine(sr.Note))}
			case sr.Status == result.NotRun:
				tc.Skipped = &junitSkipped{Message: "not run"}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Skipped += suite.Skipped
		total += mr.Duration
		doc.Suites = append(doc.Suites, suite)
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// failureBody is the text a CI page shows under a failed testcase: the same
// details as the terminal report, with all the output that was kept.
func failureBody(file string, sr *result.Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: %s\n", failFile(file, sr), failLine(sr), message(sr))
	if cmd := failCommand(sr); cmd != "" {
		fmt.Fprintf(&b, "$ %s\n", strings.TrimRight(cmd, "\n"))
	}
	if out := strings.TrimRight(Plain(sr.Output), "\n"); out != "" {
		fmt.Fprintf(&b, "\n%s\n", out)
	}
	if sr.OutputFile != "" {
		fmt.Fprintf(&b, "\nfull output: %s\n", sr.OutputFile)
	}
	if v := strings.TrimRight(Plain(sr.Verify), "\n"); v != "" {
		fmt.Fprintf(&b, "\nverify:\n%s\n", v)
	}
	if d := strings.TrimRight(Plain(sr.Diff), "\n"); d != "" {
		fmt.Fprintf(&b, "\noutput differs (-want +got):\n%s\n", d)
	}
	return xmlSafe(b.String())
}

// xmlSafe makes s text XML 1.0 can hold, even in CDATA, where nothing is
// escaped: invalid UTF-8 becomes U+FFFD, the control characters a failing
// command or its output can hold (ESC, BEL: every C0 character but tab
// and newline is forbidden) are written as \x1b escapes, and the
// noncharacters U+FFFE and U+FFFF go. A "]]>" in the text is the
// encoder's to split (it ends the CDATA section and starts another).
func xmlSafe(s string) string {
	s = sgr.Printable(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		if r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}
