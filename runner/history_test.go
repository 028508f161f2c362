package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

// historyEntry joins a command's lines as an interactive bash does: the
// test asks a real one (cmdhist on, its default) for each command's entry.
func TestHistoryEntryAsBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	cmds := []string{
		"for datafile in NENE*A.txt NENE*B.txt\ndo\n    echo $datafile stats-$datafile\ndone",
		"for datafile in NENE*A.txt NENE*B.txt; do echo $datafile;\nbash goostats.sh $datafile stats-$datafile; done",
		"if true\nthen\n  echo yes\n  # a comment line\nelse echo no\nfi",
		"echo a |\n  cat",
		"echo a \\\n  b",
		"{\n  echo in\n}",
		"true &&\necho ok",
		"case a in\n  a) echo A;;\nesac",
		"while false\ndo\n  :\ndone | cat",
		"echo 'a\nb'",
		"echo yes # trailing comment\necho no",
		"cat <<EOF\nx\nEOF",
		"for f in a\n\ndo\n  echo $f\ndone",
		"echo one",
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "hist")
	in := strings.Join(cmds, "\n") + "\nhistory -w " + out + "\n"
	cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
	cmd.Stdin = strings.NewReader(in)
	cmd.Env = append(os.Environ(), "HISTFILE=/dev/null", "HISTCONTROL=", "HISTIGNORE=")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// bash's own entries, each as the lines it wrote; the last is the
	// history -w itself.
	got := strings.TrimSuffix(string(data), "\n")
	var entries []string
	for _, c := range cmds {
		entries = append(entries, historyEntry(c))
	}
	want := strings.Join(entries, "\n") + "\nhistory -w " + out
	if got != want {
		t.Errorf("history differs\n--- bash\n%s\n--- coursectl\n%s", got, want)
	}
}

// An entry that keeps a newline travels to the wrapper as one line.
func TestHistoryEntriesOneLineEach(t *testing.T) {
	got := historyEntries([]course.Command{{Text: "echo 'a\nb'"}, {Text: "for f in a\ndo\n  echo $f\ndone"}})
	want := "echo 'a" + histNewline + "b'\nfor f in a; do   echo $f; done\n"
	if got != want {
		t.Errorf("historyEntries = %q, want %q", got, want)
	}
}
