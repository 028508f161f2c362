package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// The README's `coursectl list` sample is what the command prints, line for
// line: a reader compares it with their own terminal. Regenerate it with
// `go run ./cmd/coursectl list testdata/module1.md` from the repo root.
func TestReadmeListSample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ coursectl list testdata/module1.md\n"
	_, after, ok := strings.Cut(string(readme), prompt)
	if !ok {
		t.Fatalf("README has no %q sample", strings.TrimSpace(prompt))
	}
	var sample strings.Builder
	for _, line := range strings.SplitAfter(after, "\n") {
		if strings.HasPrefix(line, "$ ") || strings.HasPrefix(line, "```") {
			break
		}
		sample.WriteString(line)
	}
	var out, errb bytes.Buffer
	streams := &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Width: 80}
	if err := Run(context.Background(), []string{"list", "../../testdata/module1.md"}, streams); err != nil {
		t.Fatalf("list: %v\n%s", err, errb.String())
	}
	if sample.String() != out.String() {
		t.Errorf("README's list sample differs from the real output:\n%s\nreal:\n%s", sample.String(), out.String())
	}
}
