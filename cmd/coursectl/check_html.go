package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/runner"
)

func init() { checkHTML = writeCheckHTML }

// writeCheckHTML writes, for `check --html FILE`, render's standalone page
// of every checked module with this run's results (a CI artifact): where,
// htmlPagePaths says. Modules a failure kept from running get a page too,
// their steps shown as not run, so the artifact lists every module checked.
func writeCheckHTML(file string, results []*runner.ModuleResult) error {
	modules := make([]string, len(results))
	for i, r := range results {
		modules[i] = r.File
	}
	dests := htmlPagePaths(file, modules)
	if isDirTarget(file) {
		if err := os.MkdirAll(file, 0o755); err != nil {
			return err
		}
	}
	for i, r := range results {
		if r.Module == nil {
			continue
		}
		page, err := render.HTML(r.Module, r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.File, err)
		}
		if err := writeFileAtomic(dests[i], page); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("cannot write %s: %v — check the directory exists and is writable", dests[i], err)
		}
	}
	return nil
}

// isDirTarget: FILE names a directory of pages (it is one, or ends in /).
func isDirTarget(file string) bool {
	if strings.HasSuffix(file, "/") || strings.HasSuffix(file, string(filepath.Separator)) {
		return true
	}
	fi, err := os.Stat(file)
	return err == nil && fi.IsDir()
}

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
	dir := isDirTarget(file)
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
