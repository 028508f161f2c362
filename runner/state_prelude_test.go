package runner

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// heredocRead finds the here-documents of prelude.bash independently of
// inlineHeredocs' own scan.
var heredocRead = regexp.MustCompile(`(?m)^IFS= read -r -d '' (\w+) <<'EOF'\n((?s:.*?))^EOF\n`)

// The wrapper's code reaches bash as the here-documents of prelude.bash
// hold it, less their comment lines.
func TestInlinedHeredocsHoldTheSameCode(t *testing.T) {
	raw, err := os.ReadFile("prelude.bash")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(prelude(), "<<'EOF'") {
		t.Errorf("a here-document is left in the prelude bash gets")
	}
	docs := heredocRead.FindAllStringSubmatch(string(raw), -1)
	if len(docs) < 2 {
		t.Fatalf("%d here-documents in prelude.bash", len(docs))
	}
	// Only the definitions: the prelude's tail needs the runner's fds.
	head, _, _ := strings.Cut(prelude(), "# The wrapper's ERR trap as")
	for _, d := range docs {
		cmd := exec.Command("bash", "--noprofile", "--norc", "-s")
		cmd.Stdin = strings.NewReader(head + "\nprintf '%s' \"$" + d[1] + "\"\n")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if want := stripComments(d[2]); string(out) != want || strings.Contains(want, "\n#") {
			t.Errorf("%s holds:\n%s\nwant:\n%s", d[1], out, want)
		}
	}
}
