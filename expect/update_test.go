package expect

import (
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// transcriptStep builds the step the parser gives for a console fence at
// fence..end (1-based lines) whose commands start at the given lines.
func transcriptStep(fence, end int, cmds ...course.Command) *course.Step {
	return &course.Step{ID: "t", Line: fence, EndLine: end, Kind: course.Transcript, Commands: cmds}
}

func cmd(line int, text string) course.Command { return course.Command{Line: line, Text: text} }

func TestUpdateSource(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		step    *course.Step
		actuals func(*course.Step) []result.Actual
		want    string
	}{
		{
			name: "wrong line replaced, matching command untouched",
			src:  "# T\n\n```console\n$ echo hi\nhello\n$ echo b\nb\n```\ntext after\n",
			step: transcriptStep(3, 8, cmd(4, "echo hi"), cmd(6, "echo b")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "hi\r\n"}, {Step: 1, Command: 1, Output: "b\r\n"}}
			},
			want: "# T\n\n```console\n$ echo hi\nhi\n$ echo b\nb\n```\ntext after\n",
		},
		{
			name: "patterns that still match are kept as written",
			src:  "```console\n$ ls -l\ntotal * (glob)\n...\n-rw-r--r-- 1 a a 3 [A-Z][a-z]+ .* old.txt (re)\n```\n",
			step: transcriptStep(1, 6, cmd(2, "ls -l")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "total 8\ndrwx x\n-rw-r--r-- 1 a a 3 Nov 27 12:00 new.txt\n"}}
			},
			want: "```console\n$ ls -l\ntotal * (glob)\n...\n-rw-r--r-- 1 a a 3 Nov 27 12:00 new.txt\n```\n",
		},
		{
			name: "CRLF file stays CRLF, other bytes identical",
			src:  "Intro \r\n```console\r\n$ echo x\r\nold\r\n\r\n```\r\ntrailing  \r\n",
			step: transcriptStep(2, 6, cmd(3, "echo x")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "new\r\nlines\r\n"}}
			},
			want: "Intro \r\n```console\r\n$ echo x\r\nnew\r\nlines\r\n\r\n```\r\ntrailing  \r\n",
		},
		{
			name: "failing command gets [N]; a changed status is rewritten; a passing one loses it",
			src:  "```console\n$ false\n$ exit3\n[1]\n$ true\n[2]\n```\n",
			step: transcriptStep(1, 7, cmd(2, "false"), cmd(3, "exit3"), cmd(5, "true")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{
					{Step: 1, Command: 0, Exit: 1},
					{Step: 1, Command: 1, Exit: 3},
					{Step: 1, Command: 2, Exit: 0},
				}
			},
			want: "```console\n$ false\n[1]\n$ exit3\n[3]\n$ true\n```\n",
		},
		{
			name: "output of a command with none written is inserted",
			src:  "```console\n$ echo a\n$ echo b\n```\n",
			step: transcriptStep(1, 4, cmd(2, "echo a"), cmd(3, "echo b")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "a\n"}, {Step: 1, Command: 1, Output: "b\n"}}
			},
			want: "```console\n$ echo a\na\n$ echo b\nb\n```\n",
		},
		{
			name: "an empty prompt ends the output before it",
			src:  "```console\n$ echo a\nold\n$\n```\n",
			step: transcriptStep(1, 5, cmd(2, "echo a")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "a\n"}}
			},
			want: "```console\n$ echo a\na\n$\n```\n",
		},
		{
			name: "multi-line command: output goes after its last line",
			src:  "```console\n$ echo a \\\n> b\nx\n```\n",
			step: transcriptStep(1, 5, cmd(2, "echo a \\\nb")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "a b\n"}}
			},
			want: "```console\n$ echo a \\\n> b\na b\n```\n",
		},
		{
			name: "transcript in a block quote keeps its markers",
			src:  "> Try:\n>\n> ```console\n> $ printf 'a\\n\\nb\\n'\n> old\n> ```\n",
			step: transcriptStep(3, 6, cmd(4, `printf 'a\n\nb\n'`)),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "a\n\nb\n"}}
			},
			want: "> Try:\n>\n> ```console\n> $ printf 'a\\n\\nb\\n'\n> a\n>\n> b\n> ```\n",
		},
		{
			name: "output fence of a script step in a list item",
			src:  "1. Run:\n   ```sh\n   ls\n   ```\n   ```output\n   old.txt\n   ```\n",
			step: &course.Step{ID: "s", Line: 2, EndLine: 4, Kind: course.Script,
				Commands: []course.Command{cmd(3, "ls")},
				Expected: &course.Expected{Line: 6, Lines: []string{"old.txt"}, FenceLine: 5, FenceEnd: 7}},
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: -1, Output: "a.txt\r\nb.txt\r\n"}}
			},
			want: "1. Run:\n   ```sh\n   ls\n   ```\n   ```output\n   a.txt\n   b.txt\n   ```\n",
		},
		{
			name: "output fence opened on the list marker line",
			src:  "- ```output\n  x\n  ```\n",
			step: &course.Step{ID: "s", Kind: course.Script,
				Expected: &course.Expected{Line: 2, Lines: []string{"x"}, FenceLine: 1, FenceEnd: 3}},
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: -1, Output: "y\n"}}
			},
			want: "- ```output\n  y\n  ```\n",
		},
		{
			name: "lines that would change the markdown are escaped",
			src:  "```console\n$ cat tricky\n```\n",
			step: transcriptStep(1, 3, cmd(2, "cat tricky")),
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "...\n$ not a command\n```\n[2]\nfoo (re)\n> quoted\n"}}
			},
			want: "```console\n$ cat tricky\n\\.\\.\\. (re)\n\\$ not a command (re)\n``` (esc)\n[2] (esc)\nfoo (re) (esc)\n\\> quoted (re)\n```\n",
		},
		{
			name: "unterminated fence at end of file",
			src:  "```console\n$ echo a\nb",
			step: &course.Step{ID: "t", Line: 1, EndLine: 3, Kind: course.Transcript, Unterminated: true,
				Commands: []course.Command{cmd(2, "echo a")}},
			actuals: func(s *course.Step) []result.Actual {
				return []result.Actual{{Step: 1, Command: 0, Output: "a\n"}}
			},
			want: "```console\n$ echo a\na\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UpdateSource("m.md", []byte(tt.src), oneStep(tt.step), tt.actuals(tt.step))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// Updating output that already matches changes no byte.
func TestUpdateSourceNoChange(t *testing.T) {
	src := "```console\n$ date\n.* (re)\n$ echo ok  \nok   \n\n```\n"
	s := transcriptStep(1, 7, cmd(2, "date"), cmd(4, "echo ok"))
	got, err := UpdateSource("m.md", []byte(src), oneStep(s), []result.Actual{
		{Step: 1, Command: 0, Output: "Fri Nov 27\r\n"},
		{Step: 1, Command: 1, Output: "\x1b[1mok\x1b[0m\r\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != src {
		t.Errorf("changed:\n%q", got)
	}
	if d := UpdateDiff("m.md", []byte(src), got); d != "" {
		t.Errorf("diff of no change: %q", d)
	}
}

// Whatever printed, the updated lines read back as an expectation that
// matches exactly that output.
func TestUpdateRoundTrip(t *testing.T) {
	outputs := []string{
		"plain\n",
		"...\n",
		"$ x\n> y\n$\n>\n",
		"a\tb\n",
		"bell\x07less\n",
		"bad \xff utf8\n",
		"ends (glob)\nends (re)\nends (esc)\n",
		"quote \" and \\ backslash (esc)\n",
		"~~~\n  ```\n",
		"[0]\n[12]\n",
		"\x1b[31mred\x1b[0m\r\n",
		"",
	}
	for _, out := range outputs {
		src := "```console\n$ thing\nstale\n```\n"
		s := transcriptStep(1, 4, cmd(2, "thing"))
		updated, err := UpdateSource("m.md", []byte(src), oneStep(s), []result.Actual{{Step: 1, Command: 0, Output: out}})
		if err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		lines := strings.Split(strings.TrimSuffix(string(updated), "\n"), "\n")
		body := lines[2 : len(lines)-1]
		m, err := CompareOutput("m.md", &course.Expected{Line: 3, Lines: body}, out, 0)
		if err != nil {
			t.Fatalf("%q: updated lines do not compile: %v\n%s", out, err, updated)
		}
		if !m.OK {
			t.Errorf("%q: updated file does not match its own output:\n%s\n%s", out, updated, m.Diff)
		}
	}
}

func TestUpdateDiff(t *testing.T) {
	old := "a\n```console\n$ echo x\ny\n```\n"
	s := transcriptStep(2, 5, cmd(3, "echo x"))
	updated, err := UpdateSource("m.md", []byte(old), oneStep(s), []result.Actual{{Step: 1, Command: 0, Output: "x\n"}})
	if err != nil {
		t.Fatal(err)
	}
	d := UpdateDiff("m.md", []byte(old), updated)
	for _, want := range []string{"--- a/m.md", "+++ b/m.md", "-y\n", "+x\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

func TestUpdateSourceErrors(t *testing.T) {
	src := "```sh\nls\n```\n"
	s := &course.Step{ID: "s", Line: 1, EndLine: 3, Kind: course.Script, Commands: []course.Command{cmd(2, "ls")}}
	if _, err := UpdateSource("m.md", []byte(src), oneStep(s), []result.Actual{{Step: 1, Command: -1}}); err == nil ||
		!strings.Contains(err.Error(), "m.md:1:") || !strings.Contains(err.Error(), "no output fence") {
		t.Errorf("err = %v; want m.md:1: ... no output fence", err)
	}
	// A prompt line that is not where the model says it is.
	tr := transcriptStep(1, 3, cmd(2, "ls"))
	if _, err := UpdateSource("m.md", []byte(src), oneStep(tr), []result.Actual{{Step: 1, Command: 0}}); err == nil ||
		!strings.Contains(err.Error(), "m.md:2:") {
		t.Errorf("err = %v; want m.md:2", err)
	}
}

// oneStep is a module whose only step is s, for the actuals that name it
// by index.
func oneStep(s *course.Step) *course.Module {
	s.Index = 1
	return &course.Module{Path: "m.md", Steps: []*course.Step{s}}
}
