package main

import (
	"os"
	"path/filepath"
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
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", root)
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, "state"))
			env.Setenv("TERM", "dumb")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("PS1", "$ ")
			return os.MkdirAll(filepath.Join(env.WorkDir, "home"), 0o755)
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
