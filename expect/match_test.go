package expect

import (
	"errors"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

func TestOutputLines(t *testing.T) {
	tests := []struct {
		name, raw string
		want      []string
	}{
		{"crlf from a pty", "a\r\nb\r\n", []string{"a", "b"}},
		{"colours and cursor moves", "\x1b[1;32mok\x1b[0m \x1b[2K\x1b[?25lx\r\n", []string{"ok x"}},
		{"osc title and hyperlink", "\x1b]0;title\x07see \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n", []string{"see link"}},
		{"progress bar keeps its last state", "  0%\r 50%\r100%\n", []string{"100%"}},
		{"shorter overwrite leaves the tail", "abcdef\rxy\n", []string{"xycdef"}},
		{"backspace overstrike", "_\bA\n", []string{"A"}},
		{"trailing blanks and empty lines", "a  \t\nb\n\n\n", []string{"a", "b"}},
		{"inner empty lines kept", "a\n\nb\n", []string{"a", "", "b"}},
		{"bell and shift-out dropped", "a\x07\x0eb\n", []string{"ab"}},
		{"charset designation", "\x1b(Bplain\n", []string{"plain"}},
		{"nothing", "", nil},
		{"utf-8 survives", "café ✓\r\n", []string{"café ✓"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OutputLines(tt.raw)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("OutputLines(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

// A sequence split across writes (as pty reads split them) is still removed.
func TestPlainTextSplitEscape(t *testing.T) {
	var p Plain
	for _, part := range []string{"a\x1b", "[3", "1mb\x1b]0;t", "itle\x1b", "\\c"} {
		p.WriteString(part)
	}
	if got := p.String(); got != "abc" {
		t.Errorf("got %q, want %q", got, "abc")
	}
}

func expected(line int, exit *int, lines ...string) *course.Expected {
	return &course.Expected{Line: line, Lines: lines, Exit: exit}
}

func intp(n int) *int { return &n }

func TestCompareOutputMatches(t *testing.T) {
	tests := []struct {
		name string
		want *course.Expected
		raw  string
		exit int
	}{
		{"literal", expected(10, nil, "hello", "world"), "hello\r\nworld\r\n", 0},
		{"ansi in output", expected(10, nil, "ok"), "\x1b[32mok\x1b[0m\r\n", 0},
		{"trailing blanks on both sides", expected(10, nil, "a  ", ""), "a\n\n", 0},
		{"regexp", expected(10, nil, `Python 3\.\d+\.\d+ (re)`), "Python 3.11.7\n", 0},
		{"scrut spelling of regexp", expected(10, nil, `[0-9]+ files (regex)`), "12 files\n", 0},
		{"regexp is anchored to the whole line but a literal match wins", expected(10, nil, "a+ (re)"), "a+ (re)\n", 0},
		{"glob", expected(10, nil, "total * (glob)", "file?.txt (glob)"), "total 48\nfile1.txt\n", 0},
		{"glob escape", expected(10, nil, `a\*b (glob)`), "a*b\n", 0},
		{"esc", expected(10, nil, `tab\there (esc)`), "tab\there\n", 0},
		{"ellipsis in the middle", expected(10, nil, "start", "...", "end"), "start\n1\n2\n3\nend\n", 0},
		{"ellipsis matches no line", expected(10, nil, "start", "...", "end"), "start\nend\n", 0},
		{"ellipsis at both ends", expected(10, nil, "...", "needle", "..."), "hay\nneedle\nhay\n", 0},
		{"only an ellipsis", expected(10, nil, "..."), "anything\nat all\n", 0},
		{"exit status", expected(10, intp(1), "nope"), "nope\n", 1},
		{"exit status and no output", expected(10, intp(2)), "", 2},
		{"empty expected, empty output", expected(0, nil), "\r\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := CompareOutput("m.md", tt.want, tt.raw, tt.exit)
			if err != nil {
				t.Fatal(err)
			}
			if !m.OK {
				t.Errorf("no match; diff:\n%s", m.Diff)
			}
			if m.Diff != "" {
				t.Errorf("diff on a match: %q", m.Diff)
			}
		})
	}
}

func TestCompareOutputMismatchDiff(t *testing.T) {
	tests := []struct {
		name string
		want *course.Expected
		raw  string
		exit int
		diff string
	}{
		{
			name: "one line changed, markdown line numbers on the want side",
			want: expected(21, nil, "a", "b", "c"),
			raw:  "a\nB\nc\n",
			diff: `--- want m.md:21
+++ got (output)
@@ -21,3 +1,3 @@
 a
-b
+B
 c
`,
		},
		{
			name: "patterns and ellipsis shown as written",
			want: expected(5, nil, "v[0-9]+ (re)", "...", "done"),
			raw:  "v12\nx\ny\nfailed\n",
			diff: `--- want m.md:5
+++ got (output)
@@ -5,3 +1,4 @@
 v[0-9]+ (re)
 ...
-done
+failed
`,
		},
		{
			name: "wrong exit status",
			want: expected(8, intp(1), "out"),
			raw:  "out\n",
			exit: 0,
			diff: `--- want m.md:8
+++ got (output)
@@ -8,2 +1,2 @@
 out
-[1]
+[0]
`,
		},
		{
			name: "non-zero exit with no [N] written shows as an extra line",
			want: expected(8, nil, "out"),
			raw:  "out\n",
			exit: 2,
			diff: `--- want m.md:8
+++ got (output)
@@ -8,1 +1,2 @@
 out
+[2]
`,
		},
		{
			name: "missing output",
			want: expected(3, nil, "x"),
			raw:  "",
			diff: `--- want m.md:3
+++ got (output)
@@ -3,1 +0,0 @@
-x
`,
		},
		{
			name: "unexpected output",
			want: expected(4, nil),
			raw:  "surprise\n",
			diff: `--- want m.md:4
+++ got (output)
@@ -3,0 +1,1 @@
+surprise
`,
		},
		{
			name: "far apart changes make two hunks",
			want: expected(100, nil, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
			raw:  "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			diff: `--- want m.md:100
+++ got (output)
@@ -100,4 +1,4 @@
-1
+one
 2
 3
 4
@@ -108,4 +9,4 @@
 9
 10
 11
-12
+twelve
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := CompareOutput("m.md", tt.want, tt.raw, tt.exit)
			if err != nil {
				t.Fatal(err)
			}
			if m.OK {
				t.Fatal("matched; want a mismatch")
			}
			if m.Diff != tt.diff {
				t.Errorf("diff:\n%s\nwant:\n%s", m.Diff, tt.diff)
			}
		})
	}
}

func TestCompareOutputBadPattern(t *testing.T) {
	_, err := CompareOutput("m.md", expected(30, nil, "ok", "a(b (re)"), "ok\n", 0)
	var pe *course.PosError
	if !errors.As(err, &pe) || pe.Line != 31 || pe.File != "m.md" {
		t.Fatalf("err = %v; want a PosError at m.md:31", err)
	}
	if !strings.Contains(err.Error(), "(re)") {
		t.Errorf("message does not say which line: %v", err)
	}
}

// A huge mismatching output still gives a diff, bounded in work.
func TestCompareOutputHuge(t *testing.T) {
	want := make([]string, 3000)
	for i := range want {
		want[i] = "w"
	}
	raw := strings.Repeat("g\n", 3000)
	m, err := CompareOutput("m.md", expected(1, nil, want...), raw, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.OK || !strings.Contains(m.Diff, "-w\n") || !strings.Contains(m.Diff, "+g\n") {
		t.Fatalf("want a mismatch diff, got OK=%v diff of %d bytes", m.OK, len(m.Diff))
	}
}

func BenchmarkCompareOutput(b *testing.B) {
	want := expected(1, nil, "start", "...", "line 9999 (re)", "end")
	var sb strings.Builder
	sb.WriteString("start\r\n")
	for i := 0; i < 10000; i++ {
		sb.WriteString("\x1b[32mline\x1b[0m ")
		sb.WriteString(strings.Repeat("x", 40))
		sb.WriteString("\r\n")
	}
	sb.WriteString("end\r\n")
	raw := sb.String()
	for b.Loop() {
		if _, err := CompareOutput("m.md", want, raw, 0); err != nil {
			b.Fatal(err)
		}
	}
}
