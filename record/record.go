// Package record writes a module from a real shell session (`coursectl
// record`): the author works in a bash of their own (runner.Session.Record),
// and each line they enter becomes part of a step, a line of prose or a
// heading; the output is kept as the step's expected output, generalised
// where it will differ in check. cmd/coursectl's record command calls Run;
// docs/authoring.md is the user's description.
package record

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/runner"
	"github.com/coursectl/coursectl/scaffold"
)

// Options say what to record where.
type Options struct {
	// Path is the module to write.
	Path string
	// Module is the module already at Path (--append, --after), nil for a
	// new file. Its steps before the insertion point run first, in the
	// sandbox, so the recording starts where they leave off.
	Module *course.Module
	// After is the id of the step after which the recording is inserted;
	// "" with Module set appends at the end.
	After string
	// Title is a new module's title (default: from the file name).
	Title string
	Style Style
	// Sandbox records in a fresh workdir and HOME, as check runs; false
	// records in the current directory with the real HOME.
	Sandbox bool
	// Terminal is the author's.
	Terminal *runner.Terminal
	// Out is where the banner and messages go (the author's terminal).
	Out io.Writer
}

// Result says what was recorded.
type Result struct {
	// Steps is the number of steps written; 0 when nothing was recorded
	// (and the file was not written).
	Steps int
	// Notes are what could not be recorded as typed.
	Notes []string
	// Written: the file was written (something was recorded).
	Written bool
}

// ErrReplay is a step before the insertion point that failed when run.
var ErrReplay = errors.New("a step before the recording failed")

// Run records a session and writes it into Options.Path. When ctx is
// cancelled during the recording, what was recorded is written and the
// error is ctx's.
func Run(ctx context.Context, o Options) (*Result, error) {
	mod := o.Module
	if mod == nil {
		mod = &course.Module{Path: o.Path}
	}
	replay := mod.Steps
	if o.After != "" {
		st := mod.Step(o.After)
		if st == nil {
			return nil, fmt.Errorf("%s: no step %q", o.Path, o.After)
		}
		replay = mod.Steps[:st.Index]
	}
	state, err := os.MkdirTemp("", "coursectl-record-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(state)
	sess, err := runner.Open(ctx, mod, runner.Options{StateDir: state, Sandbox: o.Sandbox})
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	if len(replay) > 0 {
		fmt.Fprintf(o.Out, "Running the %s before the recording…\n", plural(len(replay), "step"))
		for _, st := range replay {
			r := sess.Exec(ctx, st)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if r.Status == result.Failed || r.Status == result.Timeout {
				return nil, fmt.Errorf("%s:%d: step %s failed (%s) — %w: fix it first (coursectl check %s)",
					o.Path, st.Line, st.ID, oneLine(r.Error), ErrReplay, o.Path)
			}
		}
	}
	where := "in a fresh sandbox"
	if !o.Sandbox {
		where = "in the current directory"
	}
	if len(replay) > 0 {
		where = "where its steps left off"
	}
	fmt.Fprintf(o.Out, "Recording into %s (%s), %s.\n"+
		"  Each command joins the current step; an empty Enter ends the step.\n"+
		"  # text is prose, ## text a heading. Ctrl-D or exit writes the file.\n",
		o.Path, o.Style.describe(), where)

	d := newDraft(o.Style, newVolatility(sess.Workdir(), sess.Home(), userName(), hostName()), sess.Home())
	// Interrupted (a hang-up, SIGTERM), what was recorded is still
	// written: the session is gone, the work need not be.
	recErr := sess.Record(ctx, o.Terminal, d.add)
	if recErr != nil && ctx.Err() == nil {
		return nil, recErr
	}
	blocks := d.finish()
	res := &Result{Steps: d.steps, Notes: d.notes}
	if blocks == "" {
		return res, recErr
	}
	if d.steps == 0 {
		res.Notes = append(res.Notes, "no command was recorded, only prose")
	}
	var src []byte
	switch {
	case o.Module == nil:
		title := o.Title
		if title == "" {
			title = scaffold.Title(o.Path)
		}
		src = []byte("# " + title + "\n\n" + blocks)
	default:
		src = insert(o.Module, o.After, blocks)
	}
	if err := writeAtomic(o.Path, src); err != nil {
		return nil, err
	}
	res.Written = true
	return res, recErr
}

// insert puts blocks into mod's source: after step after (and what belongs
// to it: its output fence, its verify comments), or at the end.
func insert(mod *course.Module, after, blocks string) []byte {
	src := string(mod.Source)
	lines := strings.SplitAfter(src, "\n")
	at := len(lines)
	if st := mod.Step(after); st != nil && after != "" {
		end := st.EndLine
		for _, e := range []*course.Expected{st.Expected, st.Error} {
			if e != nil {
				end = max(end, e.FenceEnd)
			}
		}
		if st.Edit != nil {
			end = max(end, st.Edit.FenceEnd)
		}
		for _, v := range st.Verify {
			// The comment's end: the first line from its start with `-->`.
			for i := v.Line - 1; i >= 0 && i < len(lines); i++ {
				if strings.Contains(lines[i], "-->") {
					end = max(end, i+1)
					break
				}
			}
		}
		at = min(end, len(lines))
	}
	head := strings.Join(lines[:at], "")
	tail := strings.Join(lines[at:], "")
	if head != "" && !strings.HasSuffix(head, "\n") {
		head += "\n"
	}
	if head != "" {
		head += "\n"
	}
	if tail != "" {
		blocks += "\n"
		tail = strings.TrimLeft(tail, "\n")
	}
	return []byte(head + blocks + tail)
}

// writeAtomic replaces path in one rename, keeping an existing file's
// permissions.
func writeAtomic(path string, data []byte) error {
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

func hostName() string {
	h, _ := os.Hostname()
	return h
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
