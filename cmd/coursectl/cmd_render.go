package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/internal/lazyre"
	"github.com/coursectl/coursectl/render"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
)

func (c *cli) renderCmd() *cobra.Command {
	var f renderFlags
	cmd := &cobra.Command{
		Use:   "render FILE [--html] [-o FILE] [--state DIR] [--width N]",
		Short: "show a module for reading: in the terminal, or as an HTML page",
		Long: `Renders a module as a learner reads it: the prose, and each step numbered,
highlighted and framed. When a run of the module left a record in the
state directory (coursectl check or run), each step shows its last status,
time and, for a failure, what went wrong and the end of its output.

In a terminal the text is wrapped to the window and coloured; piped or
with NO_COLOR it is plain text with no escape codes.`,
		Example: `  coursectl render testdata/module1.md
  coursectl render testdata/module1.md | less -R
  coursectl render --html -o report.html testdata/module1.md
  coursectl render --html --state ci-state -o intro.html docs/intro.md`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.render(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&f.html, "html", false, "write one standalone HTML page (inline CSS, no scripts, light and dark) instead of terminal text")
	fl.StringVarP(&f.out, "output", "o", "", "write to `FILE` instead of standard output; \"-\" is stdout")
	fl.StringVar(&f.state, "state", "", "find the last run record in `DIR` (default $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl)")
	fl.IntVar(&f.width, "width", 0, "wrap terminal text at `N` columns (default: the window, else 80)")
	return cmd
}

type renderFlags struct {
	html       bool
	out, state string
	width      int
}

func (c *cli) render(cmd *cobra.Command, f renderFlags, args []string) error {
	streams := c.streams
	if f.width < 0 || (f.width > 0 && f.width < render.MinWidth) {
		return usageError("render: --width %d is too narrow: give %d columns or more", f.width, render.MinWidth)
	}
	if f.html && f.out == "" && streams.OutTTY {
		return usageError("render: --html writes a page: add -o FILE (or -o - for standard output)")
	}
	mod, err := moduleArg(cmd, args)
	if err != nil {
		return err
	}
	// A missing or unreadable record is not a reason to refuse to show the
	// document: say so and render without statuses.
	var rec *result.Module
	dir, err := stateDir(f.state)
	if err == nil {
		rec, err = runner.LoadRecord(dir, mod)
	}
	if err != nil {
		fmt.Fprintf(streams.Err, "coursectl: %s: ignoring the last run record: %v\n", mod.Path, err)
		rec = nil
	}

	var page []byte
	toFile := f.out != "" && f.out != "-"
	if mod.Modules != nil {
		return c.renderCourse(mod, rec, f, toFile)
	}
	if f.html {
		// The page's relative images and links are made relative to where
		// it is written; into a pipe, that is most likely the current
		// directory (render --html m.md > page.html).
		pageDir := "."
		if toFile {
			pageDir = filepath.Dir(f.out)
		}
		if page, err = render.HTMLAt(mod, rec, pageDir); err != nil {
			return err
		}
	} else {
		page = []byte(c.terminal(f, toFile).Module(mod, rec))
	}
	if !toFile {
		_, err := streams.Out.Write(page)
		return err
	}
	if err := writeFileAtomic(f.out, page, 0o644); err != nil {
		return usageError("render: cannot write %s: %v", f.out, explainWrite(err))
	}
	return nil
}

// writeCheckHTML is `check --html FILE`: the module's page for one module
// (results[i] is the run of mods[i]);
// for several, FILE is an index linking to one page per module written
// beside it (FILE's name, the module's position and name: report-2-intro.html),
// so a CI job uploads one directory and opens one file.
func writeCheckHTML(path string, mods []*course.Module, results []*result.Module) error {
	dir, base := filepath.Split(path)
	pageDir := filepath.Dir(path)
	if len(results) == 1 {
		page, err := render.HTMLAt(mods[0], results[0], pageDir)
		if err != nil {
			return err
		}
		return explainWrite(writeFileAtomic(path, page, 0o644))
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	var entries []render.IndexEntry
	for i, r := range results {
		page, err := render.HTMLAt(mods[i], r, pageDir)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(mods[i].Path), filepath.Ext(mods[i].Path))
		name = fmt.Sprintf("%s-%d-%s.html", stem, i+1, pageNameRE().ReplaceAllString(name, "_"))
		if err := writeFileAtomic(filepath.Join(dir, name), page, 0o644); err != nil {
			return explainWrite(err)
		}
		entries = append(entries, render.IndexEntry{Href: name, File: mods[i].Path, Record: r})
	}
	return explainWrite(writeFileAtomic(path, render.Index(entries), 0o644))
}

// explainWrite adds what to do to a failed write of a page or a module,
// when what went wrong is the place (a full disk says enough by itself).
func explainWrite(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EROFS) {
		return fmt.Errorf("%w — check the directory exists and is writable", err)
	}
	return err
}

var pageNameRE = lazyre.New(`[^A-Za-z0-9._-]+`)

// terminal is the renderer `render` draws with: the terminal's width (or
// --width, or the default), colour and hyperlinks only on a terminal, never
// into a file.
func (c *cli) terminal(f renderFlags, toFile bool) render.Terminal {
	streams := c.streams
	t := render.Terminal{Width: streams.Width, Color: streams.Color && !toFile}
	if f.width > 0 {
		t.Width = f.width
	}
	if t.Width <= 0 {
		t.Width = render.DefaultWidth
	}
	t.Hyperlinks = t.Color && streams.Hyperlinks()
	return t
}
