package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// htmlPagePaths says where `check --html FILE` writes the page of each of
// the modules (their paths as given), in the same order:
//
//   - FILE is an existing directory, or ends in a slash: one page per
//     module inside it, DIR/NAME.html;
//   - one module: FILE itself;
//   - several modules: FILE with the module's name inserted before its
//     extension, report.html → report-module1.html.
//
// NAME is the module's file name without .md; when two modules share one
// (docs/a/README.md, docs/b/README.md) their paths name them instead, with
// the separators as "__" (docs__a__README), so no page overwrites another.
func htmlPagePaths(file string, modules []string) []string {
	names := pageNames(modules)
	dir := strings.HasSuffix(file, "/") || strings.HasSuffix(file, string(filepath.Separator))
	if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		dir = true
	}
	out := make([]string, len(modules))
	for i, name := range names {
		switch {
		case dir:
			out[i] = filepath.Join(file, name+".html")
		case len(modules) == 1:
			out[i] = file
		default:
			ext := filepath.Ext(file)
			out[i] = strings.TrimSuffix(file, ext) + "-" + name + ext
		}
	}
	return out
}

// pageNames are the modules' base names without extension, or their
// cleaned paths where base names collide.
func pageNames(modules []string) []string {
	base := func(p string) string {
		return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	}
	count := map[string]int{}
	for _, m := range modules {
		count[base(m)]++
	}
	names := make([]string, len(modules))
	for i, m := range modules {
		if count[base(m)] == 1 {
			names[i] = base(m)
			continue
		}
		p := filepath.ToSlash(filepath.Clean(m))
		p = strings.TrimSuffix(p, filepath.Ext(p))
		p = strings.TrimLeft(p, "./")
		names[i] = strings.ReplaceAll(p, "/", "__")
	}
	// Paths that still collide (../a/x.md and a/x.md) are numbered.
	seen := map[string]int{}
	for i, n := range names {
		seen[n]++
		if seen[n] > 1 {
			names[i] = n + "-" + strconv.Itoa(seen[n])
		}
	}
	return names
}
