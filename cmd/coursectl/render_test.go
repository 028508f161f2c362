package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/runner"
)

// TestRenderRunRecord runs a small module for real (bash in a pty, in a
// sandbox) and checks that render shows what the run left in the state
// directory: statuses in the terminal text, and in the page the failure
// expanded with its output.
func TestRenderRunRecord(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.md")
	src := "# M\n\n## Hello\n\n```sh\necho hello\n```\n\n## Break\n\n```sh\necho about to fail\nfalse\n```\n\n## Never\n\n```sh\necho unreachable\n```\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, err := course.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	t.Setenv("PS1", "$ ")
	t.Setenv("TERM", "dumb")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := runner.RunModule(ctx, mod, runner.Options{StateDir: state, Sandbox: true, Timeout: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}

	var out, errs bytes.Buffer
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errs, Width: 80}
	if err := Run(ctx, []string{"render", "--state", state, file}, streams); err != nil {
		t.Fatalf("render: %v\n%s", err, errs.String())
	}
	text := out.String()
	for _, want := range []string{"Last run", "✓ 1 passed", "✗ 1 failed", "└─ ✓ passed", "└─ ✗ failed (exit 1)", "about to fail"} {
		if !strings.Contains(text, want) {
			t.Errorf("render text lacks %q:\n%s", want, text)
		}
	}

	out.Reset()
	if err := Run(ctx, []string{"render", "--html", "-o", "-", "--state", state, file}, streams); err != nil {
		t.Fatalf("render --html: %v\n%s", err, errs.String())
	}
	page := out.String()
	for _, want := range []string{
		`<header class="summary failed">`,
		`<section class="step passed" id="step-hello">`,
		`<section class="step failed" id="step-break">`,
		`<details class="output" open>`,
		"about to fail",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
