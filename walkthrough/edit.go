package walkthrough

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/sgr"
)

// edit lets the learner change the step in $EDITOR. The edited text runs
// in the step's place for this run only; the module file is not changed,
// and the step's checkpoint stands for it (docs/walkthrough.md). It returns
// nil when there is nothing to run (the file was emptied).
func (w *walkthrough) edit(ctx context.Context, i int, cur *course.Step) (*course.Step, error) {
	f, err := os.CreateTemp("", "coursectl-"+cur.ID+"-*.sh")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	header := fmt.Sprintf("# coursectl: step %d/%d · %s (%s:%d)\n# coursectl: save and quit to run your version; %s is not changed.\n",
		w.number(i), w.total, sgr.Printable(cur.Title()), w.mod.Path, cur.Line, w.mod.Path)
	if _, err := f.WriteString(header + editableText(cur)); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	editor := editorCommand()
	// The editor is the learner's own tool on their own terminal (as git
	// runs $EDITOR), not a step: it runs here, not in the run's shell.
	cmd := exec.CommandContext(ctx, "sh", "-c", editor+` "$1"`, "sh", f.Name())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = w.streams.InFile, w.streams.OutFile, w.streams.OutFile
	w.cooked()
	err = cmd.Run()
	w.keys()
	if err != nil {
		return nil, fmt.Errorf("editor %q: %v; the step is unchanged", editor, err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, err
	}
	var body []string
	for _, l := range strings.Split(string(b), "\n") {
		if len(body) == 0 && strings.HasPrefix(l, "# coursectl: ") {
			continue
		}
		body = append(body, l)
	}
	text := strings.TrimRight(strings.Join(body, "\n"), "\n \t")
	if strings.TrimSpace(text) == "" {
		fmt.Fprintf(w.out(), "%s\n", w.paint("  Nothing left to run: the step is unchanged.", sgr.Dim))
		return nil, nil
	}
	if text == strings.TrimRight(editableText(cur), "\n \t") {
		// Quitting the editor without a change is not a new version: the
		// step runs as it was.
		fmt.Fprintf(w.out(), "%s\n", w.paint("  No change: the step runs as it was.", sgr.Dim))
		return nil, nil
	}
	ed := editedStep(cur, text)
	rt := w.renderer()
	fmt.Fprint(w.out(), "\n"+w.frame(rt, i, ed))
	fmt.Fprintf(w.out(), "%s\n", w.paint(fmt.Sprintf("  (your version: it runs in this step's place; %s is not changed)", w.mod.Path), sgr.Dim))
	return ed, nil
}

// editableText is what the learner edits: the commands that run, prompts
// and expected output left out; a file step's body.
func editableText(s *course.Step) string {
	if s.Kind == course.File {
		return s.Body
	}
	var b strings.Builder
	for _, c := range s.Commands {
		b.WriteString(c.Text + "\n")
	}
	return b.String()
}

// editedStep is s with text in place of its commands. It runs as a plain
// script: expected output written for the original is not checked. The text
// is split into commands as the module's own blocks are, each at its line
// counted from the step's first body line (the edited text is drawn in the
// step's place), so a failure names the command that failed and its line in
// the learner's version, not the whole text at the fence.
func editedStep(s *course.Step, text string) *course.Step {
	ed := *s
	ed.Body = text + "\n"
	if s.Kind == course.File {
		return &ed
	}
	ed.Kind, ed.Lang, ed.Prompted, ed.Expected = course.Script, "sh", false, nil
	first := s.BodyLine
	if first == 0 {
		first = s.Line + 1
	}
	ed.Commands = editedCommands(text, first)
	return &ed
}

// editedCommands splits text as the parser splits an sh block (a command
// runs until bash would stop asking for more; blank and comment lines go),
// with text's first line at line first. The fence is longer than any run of
// backticks in text, so text cannot close it.
func editedCommands(text string, first int) []course.Command {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	mod, err := course.Parse("edited.md", []byte(fence+"sh\n"+text+"\n"+fence+"\n"))
	if err != nil || len(mod.Steps) != 1 || len(mod.Steps[0].Commands) == 0 {
		return []course.Command{{Text: text, Line: first}}
	}
	cmds := append([]course.Command(nil), mod.Steps[0].Commands...)
	for i := range cmds {
		// The body starts on line 2 of the wrapper.
		cmds[i].Line += first - 2
	}
	return cmds
}

// editorCommand is the learner's editor: $VISUAL, $EDITOR, else the first
// of Debian's `editor`, nano and vi that is installed.
func editorCommand() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := strings.TrimSpace(os.Getenv(v)); e != "" {
			return e
		}
	}
	for _, e := range []string{"editor", "nano", "vi"} {
		if _, err := exec.LookPath(e); err == nil {
			return e
		}
	}
	return "vi"
}
