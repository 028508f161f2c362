package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// Pages as Carpentries write them (docs/spec.md §7), run end to end: an editor step
// whose content the next fence shows writes the file with no editor and no
// fake (`edited FILE (N lines)` in the result), the other commands of its
// block still run, and the content fence is never compared as output; an
// `error` fence makes the step pass when it fails and prints the lines, and
// fail when it succeeds or prints something else; output is compared with
// blanks folded by default.
func TestCarpentriesPage(t *testing.T) {
	mod := parse(t, "# Scripts\n\n"+ // 1-2
		"```bash\n$ mkdir -p alkanes\n$ cd alkanes\n$ nano middle.sh\n```\n\n"+ // 3-7
		"We can use the text editor to directly edit the file by inserting the following line:\n\n"+ // 8-9
		"```source\nhead -n 15 octane.pdb | tail -n 5\n```\n\n"+ // 10-12
		"```bash\n$ cat middle.sh\n$ wc -l middle.sh\n```\n\n"+ // 14-17
		"```output\nhead -n 15 octane.pdb | tail -n 5\n   1    middle.sh\n```\n\n"+ // 19-22
		"```bash\n$ ls thesis/quotes.txt\n```\n\n"+ // 24-26
		"```error\nls: cannot access 'thesis/quotes.txt': No such file or directory\n```\n\n"+ // 28-30
		"```bash\n$ cd shell-lesson-data\n```\n\n"+ // 32-34
		"```error\n-bash: cd: shell-lesson-data: No such file or directory\n```\n\n"+ // 36-38
		"```bash\n$ ls\n```\n\n"+ // 40-42
		"```error\nls: cannot access 'x'\n```\n\n"+ // 44-46
		"```bash\n$ ls -j\n```\n\n"+ // 48-50
		"```error\nls: unrecognized option\n```\n") // 52-54
	opts := testOptions(t)
	opts.Continue = true
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Steps) != 6 {
		t.Fatalf("%d steps, want 6 (the content fence is none)", len(res.Steps))
	}
	edit := res.Steps[0]
	mustPass(t, edit)
	if len(edit.Edits) != 1 || edit.Edits[0].String() != "edited middle.sh (1 line)" {
		t.Errorf("edits %+v", edit.Edits)
	}
	for i := 1; i <= 3; i++ {
		mustPass(t, res.Steps[i])
	}
	if r := res.Steps[4]; r.Status != result.Failed || !strings.Contains(r.Error, "exit status 0, want a failure") {
		t.Errorf("a step that succeeds where the page shows an error: %s %s", r.Status, r.Error)
	}
	r := res.Steps[5]
	if r.Status != result.Failed || !strings.Contains(r.Diff, "-ls: unrecognized option") || !strings.Contains(r.Diff, "+ls: invalid option -- 'j'") {
		t.Errorf("an error that prints other lines: %s %s\n%s", r.Status, r.Error, r.Diff)
	}
	if r.AfterFailure != true || res.Steps[4].AfterFailure {
		t.Errorf("after-failure marks: first %v, second %v; want false, true", res.Steps[4].AfterFailure, r.AfterFailure)
	}
}

// An editor step whose content the page shows only in prose or a picture
// (03-create's `nano draft.txt`) needs a person: check skips it with a note
// that says how to give the content; given in coursectl.yaml, it is written.
func TestEditorStepWithoutContent(t *testing.T) {
	src := "# Create a text file\n\n```bash\n$ mkdir thesis\n$ cd thesis\n$ nano draft.txt\n```\n\n" +
		"![screenshot of nano](fig/nano-screenshot.png)\n\n## Listing\n\n```bash\n$ ls\n```\n\n```output\ndraft.txt\n```\n"
	mod := parse(t, src)
	opts := testOptions(t)
	opts.Continue = true
	res, err := RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Steps[0]
	if r.Status != result.Skipped || !strings.Contains(r.Note, "`nano draft.txt` needs a person") ||
		!strings.Contains(r.Note, "steps: {create-a-text-file: {content: ...}}") {
		t.Errorf("%s: %q", r.Status, r.Note)
	}

	yaml := "lesson.md:\n  steps:\n    create-a-text-file:\n      content: \"It's not publish or perish any more,\\nit's share and thrive.\"\n"
	mod = parse(t, src)
	if err := os.WriteFile(filepath.Join(filepath.Dir(mod.Path), "coursectl.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if mod, err = course.Load(mod.Path); err != nil {
		t.Fatal(err)
	}
	res, err = RunModule(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustPass(t, res.Steps[0])
	mustPass(t, res.Steps[1])
	if e := res.Steps[0].Edits; len(e) != 1 || e[0].String() != "edited draft.txt (2 lines)" {
		t.Errorf("edits %+v", e)
	}
}
