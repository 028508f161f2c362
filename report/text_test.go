package report

import (
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/result"
)

func all() []*result.Module {
	return []*result.Module{passResult(), setupResult(), webResult(), unchecked()}
}

func writeAll(t Text, results []*result.Module) string {
	var b strings.Builder
	for _, mr := range results {
		t.WriteModule(&b, mr)
	}
	t.WriteSummary(&b, results, 2*time.Minute+3*time.Second)
	return b.String()
}

func TestTextGolden(t *testing.T) {
	golden(t, "text.golden", writeAll(Text{}, all()))
	golden(t, "text-color.golden", writeAll(Text{Color: true}, all()))
	golden(t, "text-pass.golden", writeAll(Text{}, []*result.Module{passResult()}))
}

// Output that is not a terminal has no escape codes and no \r, even when
// the steps printed both.
func TestTextPlainHasNoEscapes(t *testing.T) {
	out := writeAll(Text{}, all())
	if i := strings.IndexAny(out, "\x1b\r"); i >= 0 {
		t.Fatalf("escape or \\r at byte %d: %q", i, out[max(0, i-20):min(len(out), i+20)])
	}
}

func TestTextFailureDetails(t *testing.T) {
	out := writeAll(Text{}, []*result.Module{setupResult()})
	for _, want := range []string{
		"docs/setup.md:42: exit status 6",                      // file:line of the failing command
		"$ curl -fsSL https://get.docker.com -o get-docker.sh", // the command
		"output (last 20 of 26 lines):",
		"│ line 24",                            // the progress bar's \r overwrite resolved
		"│ curl: (6) Could not resolve host",   // the last line
		"skipped: interactive: needs a person", // the skip note
		"faked: sudo apt-get update",
		"· 2 steps not run",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// Only the tail: the first lines of the output are left out.
	for _, gone := range []string{"Downloading", "│ line 4\n", "progress", "made soft"} {
		if strings.Contains(out, gone) {
			t.Errorf("%q should not be shown:\n%s", gone, out)
		}
	}
}

// Step lines of a module put their durations in one column.
func TestTextAligned(t *testing.T) {
	var b strings.Builder
	Text{}.WriteModule(&b, webResult())
	col := -1
	for _, l := range strings.Split(b.String(), "\n") {
		if !strings.HasPrefix(l, "  ✓ ") && !strings.HasPrefix(l, "  ✗ ") {
			continue
		}
		i := strings.Index(l, "s  ") // end of the duration column
		if strings.HasPrefix(l, "  ✓ ") {
			i = len(l) - 1
		}
		if col >= 0 && i != col {
			t.Errorf("duration column at %d, want %d: %q", i, col, l)
		}
		col = i
	}
	if col < 0 {
		t.Fatal("no step lines")
	}
}

func TestSummaryVerdicts(t *testing.T) {
	cases := []struct {
		results []*result.Module
		want    string
	}{
		{[]*result.Module{passResult()}, "PASS  1 module, 2 steps: 2 passed  0.0s"},
		{[]*result.Module{setupResult(), unchecked()}, "FAIL  2 modules (1 failed), 8 steps: 2 passed, 1 failed, 1 skipped, 4 not run  0.0s"},
	}
	for _, c := range cases {
		var b strings.Builder
		Text{}.WriteSummary(&b, c.results, 0)
		if got := strings.SplitN(b.String(), "\n", 2)[0]; got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
	interrupted := setupResult()
	interrupted.Interrupted = true
	var b strings.Builder
	Text{}.WriteSummary(&b, []*result.Module{interrupted}, 0)
	if !strings.HasPrefix(b.String(), "INTERRUPTED") {
		t.Errorf("interrupted run: %q", b.String())
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                             "0.0s",
		400 * time.Millisecond:        "0.4s",
		12345 * time.Millisecond:      "12.3s",
		2*time.Minute + 5*time.Second: "2m05s",
		time.Hour + 2*time.Minute + 10*time.Second: "1h02m",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"plain\n":                                  "plain\n",
		"\x1b[31mred\x1b[0m\n":                     "red\n",
		"10%\r50%\r100%\n":                         "100%\n",
		"crlf\r\nline\r\n":                         "crlf\nline\n",
		"bell\a and\tb\x08ack":                     "bell and\tback",
		"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\": "link",
	} {
		if got := Plain(in); got != want {
			t.Errorf("Plain(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every step of the module is reported, those with no result as not run.
func TestStepsFillsNotRun(t *testing.T) {
	steps := Steps(setupResult())
	if len(steps) != 6 {
		t.Fatalf("got %d steps, want 6", len(steps))
	}
	for i, want := range []result.Status{result.Passed, result.Passed, result.Skipped, result.Failed, result.NotRun, result.NotRun} {
		if steps[i].Status != want {
			t.Errorf("step %d (%s): %s, want %s", i+1, steps[i].ID, steps[i].Status, want)
		}
	}
	if steps[5].Line != 60 || steps[5].Kind != "transcript" {
		t.Errorf("not-run step lost its place: %+v", steps[5])
	}
}

// The runner's error names the step and its place; the report already does.
func TestMessageDropsRunnerPrefix(t *testing.T) {
	for _, c := range []struct {
		in   string
		exit int
		want string
	}{
		{"step boom (m.md:15): `ls /x` failed with exit status 2", 2, "`ls /x` failed with exit status 2"},
		{"step boom (m.md:4) interrupted", 130, "step boom interrupted"},
		{"step boom (m.md:1) is waiting for input at `read`: add `interact`", 130, "step boom is waiting for input at `read`: add `interact`"},
		{"output differs", 1, "output differs (exit status 1)"},
		{"step other (m.md:4): x", 1, "step other (m.md:4): x (exit status 1)"},
		{"", 3, "exit status 3"},
		// -1: the runner stopped the step; no status to name.
		{"", -1, "failed"},
		{"step boom (m.md:2) timed out after 1s", -1, "step boom timed out after 1s"},
	} {
		sr := &result.Step{ID: "boom", Status: result.Failed, ExitCode: c.exit, Error: c.in}
		if got := message(sr); got != c.want {
			t.Errorf("message(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
