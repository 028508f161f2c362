package runner

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The wrapper's code reaches bash as the same values whether read from its
// here-documents or assigned by inlineHeredocs.
func TestInlinedHeredocsHoldTheSameCode(t *testing.T) {
	raw, err := os.ReadFile("prelude.bash")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(prelude, "<<'EOF'") {
		t.Errorf("a here-document is left in the prelude bash gets")
	}
	show := "\ndeclare -p __cc_pre_src __cc_errtrap\n"
	dump := func(src string) string {
		// Only the definitions: the prelude's tail needs the runner's fds.
		head, _, _ := strings.Cut(src, "# The wrapper's ERR trap as")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-s")
		cmd.Stdin = strings.NewReader(head + show)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return string(out)
	}
	if a, b := dump(string(raw)), dump(prelude); a != b || !strings.Contains(a, "__cc_errtrap=") {
		t.Errorf("the inlined code differs:\n%s\n---\n%s", a, b)
	}
}
