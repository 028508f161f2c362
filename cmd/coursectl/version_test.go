package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "6ddefd9c4e1f0a2b3c4d5e6f708192a3b4c5d6e7"},
		{Key: "vcs.time", Value: "2026-12-03T17:05:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	got := versionText(bi, "")
	for _, want := range []string{"v0.4.0\n", "  revision 6ddefd9c4e1f (dirty: built with uncommitted changes), committed 2026-12-03 17:05 UTC\n", "  go1.26.8 "} {
		if !strings.Contains(got, want) {
			t.Errorf("versionText lacks %q:\n%s", want, got)
		}
	}
	if got := versionText(bi, "v9.9.9"); !strings.HasPrefix(got, "v9.9.9\n") {
		t.Errorf("-X main.version does not win:\n%s", got)
	}
	if got := versionText(&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, ""); !strings.HasPrefix(got, "dev\n") || strings.Contains(got, "revision") {
		t.Errorf("a build with nothing stamped:\n%s", got)
	}
}

// A binary built from a clone says the revision it was built from, and
// "dirty" when the checkout had changes, as `go install ./cmd/coursectl`
// leaves it — not "dev". The clone is made of the files as they are here,
// committed in a fresh repository (a git worktree gets no VCS stamp).
func TestVersionOfABuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds coursectl")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	clone := t.TempDir()
	for _, f := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the working tree
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(clone, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(clone, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", clone, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "clone")
	head := git("rev-parse", "HEAD")
	version := func() string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "coursectl")
		build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/coursectl")
		build.Dir = clone
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	// One build (they are slow): of a changed checkout, which says both.
	if err := os.WriteFile(filepath.Join(clone, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := version()
	if want := "  revision " + head[:12] + " (dirty: built with uncommitted changes), committed "; !strings.Contains(got, want) || strings.HasPrefix(got, "coursectl dev") {
		t.Errorf("coursectl version:\n%s\nwant a line starting %q, and a module version, not dev", got, want)
	}
}
