package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestShellNoviceCourse checks The Carpentries' "The Unix Shell"
// (testdata/courses/shell-novice, its markdown untouched) the way its
// coursectl.yaml says (docs/courses.md, "How the shell-novice yaml got
// there"): the check must pass, with at least 85% of the course's steps
// passed — run, their output compared where the page shows one — and not
// merely skipped. It takes about a minute (some 200 steps in one shell);
// -short skips it. Nothing in it needs the network: the lesson's data is
// the zip in the course, and the proxies point at a closed port, so a
// command that tried would fail rather than reach out.
func TestShellNoviceCourse(t *testing.T) {
	if testing.Short() {
		t.Skip("checks a whole course (about a minute); run without -short")
	}
	dir, err := filepath.Abs("../../testdata/courses/shell-novice")
	if err != nil {
		t.Fatal(err)
	}
	yml, err := os.ReadFile(filepath.Join(dir, "coursectl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(yml, []byte("\n")); n >= 60 {
		t.Errorf("coursectl.yaml has %d lines; the course's budget is under 60", n)
	}
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "check", "--json", "--idle-timeout", "5s", "--state", filepath.Join(tmp, "state"), dir)
	cmd.Dir = tmp
	cmd.Env = []string{
		mainEnv + "=1",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tmp,
		"TERM=dumb",
		"NO_COLOR=1",
		"LANG=C.UTF-8",
		"http_proxy=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9", "ALL_PROXY=http://127.0.0.1:9",
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var rep struct {
		Passed, Failed, Skipped int
		Modules                 []struct {
			File  string
			Steps []struct {
				ID, Status string
				Hidden     bool
			}
		}
	}
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		t.Fatalf("check --json: %v (exit %v)\n%s", jerr, err, tail(stderr.String(), 40))
	}
	if err != nil || rep.Failed > 0 {
		var failed []string
		for _, m := range rep.Modules {
			for _, s := range m.Steps {
				if s.Status != "passed" && s.Status != "skipped" {
					failed = append(failed, filepath.Base(m.File)+":"+s.ID+" "+s.Status)
				}
			}
		}
		t.Errorf("check failed (%v): %d failed: %s\n%s", err, rep.Failed, strings.Join(failed, ", "), tail(stderr.String(), 60))
	}
	total := rep.Passed + rep.Failed + rep.Skipped
	if total < 190 || rep.Passed*100 < 85*total {
		t.Errorf("%d of %d steps passed (%d skipped); want at least 85%% of them passed", rep.Passed, total, rep.Skipped)
	}
	t.Logf("%d of %d steps passed, %d skipped", rep.Passed, total, rep.Skipped)
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
