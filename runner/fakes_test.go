package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/result"
)

func bashPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	return p
}

func TestFakesRecordAndStandIn(t *testing.T) {
	bash := bashPath(t)
	dir := t.TempDir()
	f, err := NewFakes(filepath.Join(dir, "fakes"), map[string]string{
		"wget":  `echo "fake wget $*"; touch "${@: -1}"`,
		"sudo":  `"$@"`,
		"apt":   `echo "apt $1: done"`,
		"exit7": `exit 7`,
	}, bash)
	if err != nil {
		t.Fatal(err)
	}
	script := `cd "$1"
wget https://example.invalid/a.sh -O 'got it'
sudo apt update
printf 'x\ny' | sudo apt "multi
line" 'with space'
exit7; echo "status $?"
`
	cmd := exec.Command(bash, "-c", script, "bash", dir)
	cmd.Env = append(os.Environ(), "PATH="+f.PathEnv(os.Getenv("PATH")))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"fake wget https://example.invalid/a.sh -O got it", "apt update: done", "status 7"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "got it")); err != nil {
		t.Errorf("the fake did not do its work: %v", err)
	}
	calls, err := f.Calls()
	if err != nil {
		t.Fatal(err)
	}
	want := []result.FakeCall{
		{Command: "wget", Args: []string{"https://example.invalid/a.sh", "-O", "got it"}},
		{Command: "sudo", Args: []string{"apt", "update"}},
		{Command: "apt", Args: []string{"update"}},
		{Command: "sudo", Args: []string{"apt", "multi\nline", "with space"}},
		{Command: "apt", Args: []string{"multi\nline", "with space"}},
		{Command: "exit7", Args: []string{}},
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls:\n%#v\nwant:\n%#v", calls, want)
	}
	// The next step sees only its own calls.
	if err := exec.Command(bash, "-c", "PATH="+f.Dir+":$PATH; apt install x").Run(); err != nil {
		t.Fatal(err)
	}
	calls, err = f.Calls()
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].String() != "apt install x" {
		t.Errorf("second read = %v, want [apt install x]", calls)
	}
	if calls, _ := f.Calls(); len(calls) != 0 {
		t.Errorf("third read = %v, want none", calls)
	}
}

// Shims from an earlier run with other fakes are removed.
func TestFakesReplaceOldShims(t *testing.T) {
	bash := bashPath(t)
	dir := filepath.Join(t.TempDir(), "fakes")
	if _, err := NewFakes(dir, map[string]string{"docker": "true"}, bash); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFakes(dir, map[string]string{"wget": "true"}, bash); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "docker")); !os.IsNotExist(err) {
		t.Errorf("old docker shim still there: %v", err)
	}
}

func TestFakesBadName(t *testing.T) {
	for _, name := range []string{"", "/usr/bin/wget", "..", ".hidden"} {
		_, err := NewFakes(t.TempDir(), map[string]string{name: "true"}, "/bin/bash")
		if err == nil || !strings.HasPrefix(err.Error(), "fakes: ") {
			t.Errorf("%q: err = %v", name, err)
		}
	}
}

func TestFakesRefuseBuiltins(t *testing.T) {
	bash := bashPath(t)
	for _, name := range []string{"cd", "read", "if"} {
		_, err := NewFakes(t.TempDir(), map[string]string{name: "true", "wget": "true"}, bash)
		if err == nil || !strings.Contains(err.Error(), "cannot stand in") || !strings.Contains(err.Error(), name) {
			t.Errorf("%q: err = %v", name, err)
		}
	}
}

func TestParseFakeCallsPartialRecord(t *testing.T) {
	data := []byte("2\x00ls\x00-l\x003\x00cp\x00a")
	calls, used := parseFakeCalls(data)
	if len(calls) != 1 || used != len("2\x00ls\x00-l\x00") {
		t.Fatalf("calls=%v used=%d", calls, used)
	}
}

func TestNilFakesHaveNoCalls(t *testing.T) {
	var f *Fakes
	if calls, err := f.Calls(); calls != nil || err != nil {
		t.Errorf("got %v, %v", calls, err)
	}
}
