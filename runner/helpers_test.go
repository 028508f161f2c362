package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// module builds a module by hand: each body is one script step whose lines
// are its commands. Step i's fence is at line 10*i+1, its commands follow.
func module(t testing.TB, bodies ...string) *course.Module {
	t.Helper()
	dir := t.TempDir()
	mod := &course.Module{Path: filepath.Join(dir, "mod.md")}
	var src strings.Builder
	for i, body := range bodies {
		line := 10*i + 1
		st := &course.Step{ID: fmt.Sprintf("step-%d", i+1), Index: i + 1, Line: line, Kind: course.Script, Lang: "sh", Body: body, BodyLine: line + 1, Module: mod}
		for k, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
			st.Commands = append(st.Commands, course.Command{Text: l, Line: line + 1 + k})
		}
		mod.Steps = append(mod.Steps, st)
		src.WriteString(body)
	}
	mod.Source = []byte(src.String())
	if err := os.WriteFile(mod.Path, mod.Source, 0o644); err != nil {
		t.Fatal(err)
	}
	return mod
}

// testOptions: a sandbox in a temp state dir, short timeouts.
func testOptions(t testing.TB) Options {
	return Options{StateDir: t.TempDir(), Sandbox: true, Timeout: time.Minute, IdleTimeout: 2 * time.Second,
		Env: []string{"NO_COLOR=1", "LANG=C.UTF-8"}}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func open(t testing.TB, mod *course.Module, opts Options) *Session {
	t.Helper()
	s, err := Open(ctxT(t), mod, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustPass(t testing.TB, r *result.Step) {
	t.Helper()
	if r.Status != result.Passed {
		t.Fatalf("step %s: %s (%s), output:\n%s", r.ID, r.Status, r.Error, r.Output)
	}
}

func asPosError(err error, pe **course.PosError) bool { return errors.As(err, pe) }

// shellOpts is the SHELLOPTS a checkpoint recorded.
func shellOpts(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "declare -r SHELLOPTS=") {
			return l
		}
	}
	t.Fatalf("no SHELLOPTS in %s", path)
	return ""
}
