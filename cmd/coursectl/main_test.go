package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/iostreams"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real coursectl in-process: `exec
// coursectl ...` in a script calls Main with the script's streams.
func TestMain(m *testing.M) {
	// Tests that need coursectl as a process of its own (on a pty, where
	// it is the foreground job and gets SIGWINCH) re-run this binary.
	if os.Getenv(mainEnv) == "1" {
		os.Exit(Main(os.Args[1:], iostreams.System()))
	}
	testscript.Main(m, map[string]func(){
		"coursectl": func() { os.Exit(Main(os.Args[1:], iostreams.System())) },
	})
}

// mainEnv makes the test binary be coursectl (see TestMain).
const mainEnv = "COURSECTL_TEST_MAIN"

// TestScripts runs every testdata/script/*.txtar. Each starts in a fresh
// $WORK with HOME inside it, TERM=dumb and NO_COLOR set, so no script sees
// the developer's own state. $REPO is the repository root, for testdata.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		Setup:         scriptSetup(root),
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"running": cmdRunning,
		},
	})
}

// scriptSetup pins a script's environment: HOME and the state directory in
// its $WORK, TERM=dumb, NO_COLOR, PS1; $REPO is the repository root.
func scriptSetup(root string) func(*testscript.Env) error {
	return func(env *testscript.Env) error {
		env.Setenv("REPO", root)
		env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
		env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, "state"))
		env.Setenv("TERM", "dumb")
		env.Setenv("NO_COLOR", "1")
		env.Setenv("PS1", "$ ")
		return os.MkdirAll(filepath.Join(env.WorkDir, "home"), 0o755)
	}
}

// cmdRunning is `running`: it succeeds when some live process started by
// this script (one with the script's $WORK in its environment, as
// everything a coursectl the script ran inherits) is still running, and
// lists them; `! running` fails if any is. The test process itself has no
// $WORK in its environment.
func cmdRunning(ts *testscript.TestScript, neg bool, args []string) {
	want := []byte("WORK=" + ts.Getenv("WORK") + "\x00")
	ents, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue // a zombie is gone, only not yet reaped
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		found = append(found, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(bytes.TrimRight(cmdline, "\x00"), []byte{0}, []byte{' '})))
	}
	ts.Logf("running: %v", found)
	switch {
	case neg && len(found) > 0:
		ts.Fatalf("still running: %s", strings.Join(found, "; "))
	case !neg && len(found) == 0:
		ts.Fatalf("nothing of this script is running")
	}
}
