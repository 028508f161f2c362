package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestHTMLPagePaths(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "site")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		file    string
		modules []string
		want    []string
	}{
		{"one module: FILE itself", "report.html", []string{"testdata/module1.md"}, []string{"report.html"}},
		{"several: name inserted", "out/report.html", []string{"a/module1.md", "a/module2.md"},
			[]string{"out/report-module1.html", "out/report-module2.html"}},
		{"several, no extension", "report", []string{"m1.md", "m2.md"}, []string{"report-m1", "report-m2"}},
		{"trailing slash: a directory", "pages/", []string{"m1.md"}, []string{"pages/m1.html"}},
		{"existing directory", existing, []string{"docs/m1.md", "docs/m2.md"},
			[]string{filepath.Join(existing, "m1.html"), filepath.Join(existing, "m2.html")}},
		{"same base names: paths name them", "pages/", []string{"docs/a/README.md", "docs/b/README.md", "x.md"},
			[]string{"pages/docs__a__README.html", "pages/docs__b__README.html", "pages/x.html"}},
		{"paths that still collide are numbered", "pages/", []string{"../a/x.md", "a/x.md"},
			[]string{"pages/a__x.html", "pages/a__x-2.html"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := htmlPagePaths(tc.file, tc.modules); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("htmlPagePaths(%q, %q) = %q, want %q", tc.file, tc.modules, got, tc.want)
			}
		})
	}
}
