package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedIsCurrent regenerates the data from the chroma in go.mod
// and compares it with what package highlight embeds: after a chroma
// upgrade, or a change to the set, this fails until `go generate
// ./render/highlight` is run.
func TestGeneratedIsCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	want := files(t, dir)
	got := files(t, "..")
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s is missing: run go generate ./render/highlight", name)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs from what chroma gives: run go generate ./render/highlight", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is not generated any more: run go generate ./render/highlight", name)
		}
	}
}

// files reads dir/index.go and everything under dir/data.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	b, err := os.ReadFile(filepath.Join(dir, "index.go"))
	if err != nil {
		t.Fatal(err)
	}
	out["index.go"] = b
	err = filepath.WalkDir(filepath.Join(dir, "data"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
