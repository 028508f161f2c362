package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/runner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// quoteEscapes makes escape sequences visible, so a golden diff shows
// which colour changed instead of invisible bytes.
func quoteEscapes(s string) string {
	return strings.NewReplacer("\x1b", `\x1b`, "\a", `\a`).Replace(s)
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./render -run %s -update rewrites it):\n%s",
			path, t.Name(), lineDiff(string(want), got))
	}
}

// lineDiff lists the first lines that differ, enough to see what broke.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		b.WriteString("line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
		if shown++; shown == 8 {
			b.WriteString("  ...\n")
			break
		}
	}
	return b.String()
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// shapesModule is testdata/shapes.md with the steps the parser gives it.
func shapesModule(t testing.TB) *course.Module {
	t.Helper()
	src, err := os.ReadFile("testdata/shapes.md")
	if err != nil {
		t.Fatal(err)
	}
	mod := handModule(t, "testdata/shapes.md", string(src),
		[2]int{30, 32}, [2]int{37, 39}, [2]int{43, 49}, [2]int{53, 56}, [2]int{67, 70})
	mod.Title = "Shapes of a module"
	mkdir, skip, tr, file, inter := mod.Steps[0], mod.Steps[1], mod.Steps[2], mod.Steps[3], mod.Steps[4]
	mkdir.ID, mkdir.Lang, mkdir.Attrs.Name = "mkdir", "sh", "mkdir"
	mkdir.Body = "mkdir -p demo && cd demo\n"
	skip.Attrs.Skip = true
	tr.Commands = []course.Command{{Text: `echo "$GREETING"`, Line: 44}, {Text: `printf 'a\nb\n'`, Line: 46}}
	file.Kind, file.Lang, file.Attrs.File = course.File, "python", "hello.py"
	inter.Attrs.Interactive, inter.Attrs.Timeout = true, 30*time.Second
	setup := &course.Step{ID: "setup", Kind: course.Setup, Hidden: true, Line: 22, EndLine: 24,
		Body: "export GREETING=hi\n", Commands: []course.Command{{Text: "export GREETING=hi", Line: 23}}}
	mod.Steps = append([]*course.Step{setup}, mod.Steps...)
	for i, s := range mod.Steps {
		s.Index = i + 1
	}
	return mod
}

// shapesRecord is a run of shapes.md that failed at the transcript.
func shapesRecord() *runner.ModuleResult {
	at := time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC)
	return &runner.ModuleResult{
		File: "testdata/shapes.md", Started: at, Duration: 3200 * time.Millisecond,
		Steps: []*runner.StepResult{
			{ID: "setup", Status: runner.Passed, Duration: 10 * time.Millisecond},
			{ID: "mkdir", Status: runner.Passed, Duration: 400 * time.Millisecond},
			{ID: "set-up-2", Status: runner.Skipped, Note: "skip: shown, not run"},
			{ID: "transcript-3", Status: runner.Failed, ExitCode: 0, Duration: 1500 * time.Millisecond,
				Error:       "output differs from the transcript",
				FailLine:    46,
				FailCommand: `printf 'a\nb\n'`,
				Output:      "a\n\x1b[31mc\x1b[0m\n",
				Diff:        "--- want (line 47)\n+++ got\n a\n-b\n+c\n"},
		},
	}
}

func TestTerminalSeedPlain(t *testing.T) {
	mod := seedModule(t)
	got := Terminal{Width: 80}.Module(mod, nil)
	if strings.Contains(got, "\x1b") {
		t.Error("plain output holds an escape sequence")
	}
	golden(t, "module1.plain.golden", got)
}

func TestTerminalSeedColor(t *testing.T) {
	mod := seedModule(t)
	tm := Terminal{Width: 80, Color: true, Hyperlinks: true}
	golden(t, "module1.color.golden", quoteEscapes(tm.Header(mod, 2)+tm.Module(mod, nil)))
}

func TestTerminalShapes(t *testing.T) {
	mod := shapesModule(t)
	for _, tc := range []struct {
		name string
		tm   Terminal
		rec  *runner.ModuleResult
	}{
		{"shapes.plain.golden", Terminal{Width: 80}, nil},
		{"shapes.color.golden", Terminal{Width: 80, Color: true, Hyperlinks: true}, nil},
		{"shapes.record.plain.golden", Terminal{Width: 80}, shapesRecord()},
		{"shapes.record.color.golden", Terminal{Width: 80, Color: true}, shapesRecord()},
		{"shapes.narrow.plain.golden", Terminal{Width: 40}, shapesRecord()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.tm.Module(mod, tc.rec)
			if !tc.tm.Color && strings.Contains(got, "\x1b") {
				t.Error("plain output holds an escape sequence")
			}
			golden(t, tc.name, quoteEscapes(got))
		})
	}
}
