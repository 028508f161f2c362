package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/runner"
)

// session is a recording: what the author entered, as the runner reports it.
func session(t *testing.T) (entries []runner.Entry, work string) {
	work = t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "notes.txt"), []byte("first\nsecond"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := func(line, out string, status int) runner.Entry {
		return runner.Entry{Line: line, Output: out, Status: status, DirBefore: work, Dir: work}
	}
	name := e(`read -r -p 'Name? ' n; echo "hi $n"`, "\x1b[?2004l\rName? Bob\r\nhi Bob\r\n", 0)
	name.Typed = []runner.Typed{{At: len("\x1b[?2004l\rName? "), Text: "Bob"}}
	secret := e("sudo true", "[sudo] password for ada: \r\n", 0)
	secret.Secret = true
	return []runner.Entry{
		e("## Make a file", "", 0),
		e("# We write a greeting", "", 0),
		e("# and read it back.", "", 0),
		e("echo hello > greeting.txt", "", 0),
		e("cat greeting.txt", "hello\r\n", 0),
		e("", "", 0),
		e("ls missing", "ls: cannot access 'missing': No such file or directory\r\n", 2),
		e("date", "Tue Jun 10 09:12:01 UTC 2025\r\n", 0),
		e("", "", 0),
		e("vim notes.txt", "\x1b[?1049h\x1b[22;0;0t~\r\n~\r\n\x1b[?1049l", 0),
		e("printf '$ not a command\\n[3]\\n'", "$ not a command\r\n[3]\r\n", 0),
		e("sleep 1 &", "[1] 4242\r\n", 0),
		e("for i in 1 2\ndo echo $i\ndone", "1\r\n2\r\n[1]+  Done                    sleep 1\r\n", 0),
		name,
		secret,
	}, work
}

const wantConsole = "## Make a file\n\nWe write a greeting\nand read it back.\n\n" +
	"```console\n$ echo hello > greeting.txt\n$ cat greeting.txt\nhello\n```\n\n" +
	"```console\n$ ls missing\nls: cannot access 'missing': No such file or directory\n[2]\n" +
	"$ date\n[A-Za-z]+\\s+[A-Za-z]+\\s+\\d+\\s+\\d+:\\d+:\\d+\\s+\\S+\\s+\\d+ (re)\n```\n\n" +
	"```bash\n$ vim notes.txt\n```\n\n```text\nfirst\nsecond\n```\n\n" +
	"```console\n$ printf '$ not a command\\n[3]\\n'\n\\$ not a command (re)\n\\[3\\] (re)\n$ sleep 1 &\n" +
	"$ for i in 1 2\n> do echo $i\n> done\n1\n2\n```\n\n" +
	"<!-- coursectl\ninteract:\n  - expect: 'Name\\?'\n    send: \"Bob\\n\"\n-->\n\n" +
	"```console\n$ read -r -p 'Name? ' n; echo \"hi $n\"\nName? Bob\nhi Bob\n```\n\n" +
	"```console {interactive}\n$ sudo true\n\\[sudo\\]\\s+password\\s+for\\s+\\S+: (re)\n```\n"

const wantCarpentries = "## Make a file\n\nWe write a greeting\nand read it back.\n\n" +
	"```bash\n$ echo hello > greeting.txt\n$ cat greeting.txt\n```\n\n```output\nhello\n```\n\n" +
	"```bash\n$ ls missing\n```\n\n```output\nls: cannot access 'missing': No such file or directory\n[2]\n```\n\n" +
	"```bash\n$ date\n```\n\n```output\n[A-Za-z]+\\s+[A-Za-z]+\\s+\\d+\\s+\\d+:\\d+:\\d+\\s+\\S+\\s+\\d+ (re)\n```\n\n" +
	"```bash\n$ vim notes.txt\n```\n\n```text\nfirst\nsecond\n```\n\n" +
	"```bash\n$ printf '$ not a command\\n[3]\\n'\n$ sleep 1 &\n$ for i in 1 2\n> do echo $i\n> done\n```\n\n" +
	"```output\n\\$ not a command (re)\n\\[3\\] (re)\n1\n2\n```\n\n" +
	"<!-- coursectl\ninteract:\n  - expect: 'Name\\?'\n    send: \"Bob\\n\"\n-->\n\n" +
	"```bash\n$ read -r -p 'Name? ' n; echo \"hi $n\"\n```\n\n```output\nName? Bob\nhi Bob\n```\n\n" +
	"```bash {interactive}\n$ sudo true\n```\n\n```output\n\\[sudo\\]\\s+password\\s+for\\s+\\S+: (re)\n```\n"

// A session becomes headings, prose and steps: commands with their output
// (volatile lines as patterns, a failure's status as [N], lines that would
// read as markup escaped), an editor session as an editor step, typed
// answers as interact, a password as an interactive step.
func TestDraftWritesTheSession(t *testing.T) {
	for _, c := range []struct {
		style Style
		want  string
		steps int
	}{{Console, wantConsole, 6}, {Carpentries, wantCarpentries, 7}} {
		t.Run(c.style.String(), func(t *testing.T) {
			entries, work := session(t)
			d := newDraft(c.style, newVolatility(work, "/home/ada", "ada", "box"), "/home/ada")
			for _, e := range entries {
				d.add(e)
			}
			got := d.finish()
			if got != c.want {
				t.Errorf("markdown:\n%s\nwant:\n%s", got, c.want)
			}
			if d.steps != c.steps {
				t.Errorf("%d steps, want %d", d.steps, c.steps)
			}
			if len(d.notes) != 1 || !strings.Contains(d.notes[0], "sudo true: you typed a password") {
				t.Errorf("notes %q", d.notes)
			}
			// What course reads back: the steps, each with its commands.
			mod, err := course.Parse("m.md", []byte("# M\n\n"+got))
			if err != nil {
				t.Fatal(err)
			}
			if len(mod.Steps) != c.steps {
				t.Errorf("course reads %d steps, want %d", len(mod.Steps), c.steps)
			}
			edits := 0
			for _, st := range mod.Steps {
				if st.Edit != nil {
					edits++
					if st.Edit.File != "notes.txt" || st.Edit.Content != "first\nsecond\n" {
						t.Errorf("the editor step reads back as %+v", st.Edit)
					}
				}
			}
			if edits != 1 {
				t.Errorf("%d editor steps read back, want 1", edits)
			}
			if last := mod.Steps[len(mod.Steps)-1]; !last.Attrs.Interactive {
				t.Errorf("the password step is not interactive: %+v", last.Attrs)
			}
			if st := mod.Steps[len(mod.Steps)-2]; len(st.Attrs.Interact) != 1 || st.Attrs.Interact[0].Send != "Bob\n" {
				t.Errorf("the read step's interact: %+v", st.Attrs.Interact)
			}
		})
	}
}

// A file the editor did not save is no edit: a note says so.
func TestDraftEditorWithoutSave(t *testing.T) {
	d := newDraft(Console, newVolatility("/w", "/h", "", ""), "/h")
	d.add(runner.Entry{Line: "nano never-saved.txt", DirBefore: t.TempDir()})
	if got := d.finish(); got != "" || len(d.notes) != 1 || !strings.Contains(d.notes[0], "was not saved") {
		t.Errorf("markdown %q notes %q", got, d.notes)
	}
}

func TestEditorTarget(t *testing.T) {
	for line, want := range map[string]string{
		"nano notes.txt": "notes.txt", "vim +3 'my notes.txt'": "my notes.txt", "$EDITOR ~/.bashrc": "~/.bashrc",
		"EDITOR=vi vim -N a.sh": "a.sh", "vim a b": "", "nano x && cat x": "", "cat notes.txt": "", "vim": "",
	} {
		got, ok := editorTarget(line)
		if got != want || ok != (want != "") {
			t.Errorf("editorTarget(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
}

// Inserting after a step goes after what belongs to it: its output fence
// and its verify comment.
func TestInsertAfterAStep(t *testing.T) {
	src := "# M\n\n## One\n\n```bash\n$ echo one\n```\n\n```output\none\n```\n\n<!-- coursectl:verify\ntrue\n-->\n\n## Two\n\n```sh\necho two\n```\n" +
		"\n```bash\n$ nano n.txt\n```\n\n```text\nnote\n```\n\n## Three\n"
	mod, err := course.Parse("m.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := string(insert(mod, "one", "```console\n$ echo new\nnew\n```\n"))
	want := "# M\n\n## One\n\n```bash\n$ echo one\n```\n\n```output\none\n```\n\n<!-- coursectl:verify\ntrue\n-->\n\n" +
		"```console\n$ echo new\nnew\n```\n\n## Two\n\n```sh\necho two\n```\n" +
		"\n```bash\n$ nano n.txt\n```\n\n```text\nnote\n```\n\n## Three\n"
	if got != want {
		t.Errorf("after one:\n%s\nwant:\n%s", got, want)
	}
	// After an editor step: after its content fence.
	got = string(insert(mod, "two-2", "```console\n$ echo new\nnew\n```\n"))
	if !strings.Contains(got, "```text\nnote\n```\n\n```console\n$ echo new\nnew\n```\n\n## Three\n") {
		t.Errorf("after the editor step:\n%s", got)
	}
	got = string(insert(mod, "", "```console\n$ echo new\nnew\n```\n"))
	if !strings.HasSuffix(got, "## Three\n\n```console\n$ echo new\nnew\n```\n") {
		t.Errorf("appended:\n%s", got)
	}
}

// Long output is written as its head, `...` and its tail, with a note.
func TestDraftCutsLongOutput(t *testing.T) {
	var raw strings.Builder
	for i := 1; i <= 150; i++ {
		raw.WriteString(strings.Repeat("x", i%7) + "line\r\n")
	}
	d := newDraft(Console, newVolatility("/w", "/h", "", ""), "/h")
	d.add(runner.Entry{Line: "seq-ish", Output: raw.String()})
	got := strings.Split(strings.TrimSuffix(d.finish(), "\n```\n"), "\n")
	// ```console, $ seq-ish, 50 lines, ..., 20 lines
	if len(got) != 2+50+1+20 || got[2+50] != "..." || got[2] != "xline" || got[len(got)-1] != strings.Repeat("x", 150%7)+"line" {
		t.Errorf("%d lines:\n%s", len(got), strings.Join(got, "\n"))
	}
	if len(d.notes) != 1 || !strings.Contains(d.notes[0], "150 lines of output") {
		t.Errorf("notes %q", d.notes)
	}
	d = newDraft(Console, newVolatility("/w", "/h", "", ""), "/h")
	d.add(runner.Entry{Line: "cat big", Output: "a\r\nb\r\n", Truncated: true})
	if got := d.finish(); got != "```console\n$ cat big\na\nb\n...\n```\n" {
		t.Errorf("truncated:\n%s", got)
	}
}
