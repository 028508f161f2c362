// Package render draws a parsed module for people: ANSI text for a terminal
// (the walkthrough, `coursectl render`) and a standalone HTML page (the
// report). It reads a *course.Module and, when there is one, a run record
// (*result.Module); it never runs anything.
//
// Prose is the markdown between steps, sliced out of Module.Source by the
// steps' line ranges, so every line of the document is shown exactly once:
// Prose(mod, 0), Step 1, Prose(mod, 1), Step 2, ..., Prose(mod, len(Steps)).
package render

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/yuin/goldmark/ast"
)

// flagWords are a step's flags as a reader says them, for the flags a
// reader should notice before running (list shows them all, as written).
func flagWords(s *course.Step) []string {
	var out []string
	for _, f := range s.Flags() {
		switch f.Name {
		case "skip", "interactive", "background":
			out = append(out, f.Name)
		case "interact":
			out = append(out, "scripted answers")
		case "edit":
			out = append(out, "edits "+f.Value)
		case "timeout":
			out = append(out, "timeout "+f.Value)
		case "exit":
			if f.Value == "any" {
				out = append(out, "exit any")
			} else if f.Value != "0" {
				out = append(out, "exit "+f.Value)
			}
		case "file", "append":
			if f.Value == "" {
				continue
			}
			verb := "writes "
			if f.Name == "append" {
				verb = "appends to "
			}
			out = append(out, verb+f.Value)
		}
	}
	return out
}

// proseChunk returns the markdown between the end of step i-1 and the
// start of step i (i == len(Steps) gives the tail of the document), and the
// page's line it starts on. Front matter is left out of the first chunk.
func proseChunk(mod *course.Module, i int) ([]byte, int) {
	idx := linesOf(mod.Source)
	// A setup: or workdir: from coursectl.yaml is a step whose lines are
	// the yaml's: the page's prose goes round it, from the step before it
	// on the page to the one after.
	if i < len(mod.Steps) && !onPage(mod, mod.Steps[i]) {
		return nil, 1
	}
	prev := i - 1
	for prev >= 0 && prev < len(mod.Steps) && !onPage(mod, mod.Steps[prev]) {
		prev--
	}
	from := 1 // 1-based first line of the chunk
	if prev < 0 {
		from = idx.frontMatterEnd + 1
	} else if prev < len(mod.Steps) {
		from = lastLine(mod.Steps[prev]) + 1
	}
	n := len(idx.starts) - 1 // lines
	to := n                  // inclusive
	if i < len(mod.Steps) {
		to = mod.Steps[i].Line - 1
	}
	if from < 1 {
		from = 1
	}
	if to > n {
		to = n
	}
	if from > to {
		return nil, from
	}
	return mod.Source[idx.starts[from-1]:idx.starts[to]], from
}

// onPage says whether step's lines are the module's own: not those of a
// setup its coursectl.yaml gave (hidden, and counted in the yaml).
func onPage(mod *course.Module, step *course.Step) bool {
	return !step.Hidden || step.File == "" || step.File == mod.Path
}

// lineIndex is where each line of a source starts (starts[n] is the end),
// and the line its front matter ends on.
type lineIndex struct {
	starts         []int
	frontMatterEnd int
	// items are the page's ordered list items (pageItems), made once.
	itemsOnce sync.Once
	items     map[int]int
}

// lastIndex keeps the line index of the source rendered last: the whole
// document is rendered as Prose(mod, 0..len(Steps)), and splitting the
// source again for each chunk made a 20,000-step document quadratic
// (two minutes). One entry: a render, a walkthrough and each of watch's
// redraws all work on one source at a time.
var lastIndex struct {
	sync.Mutex
	src []byte
	idx *lineIndex
}

func linesOf(src []byte) *lineIndex {
	lastIndex.Lock()
	defer lastIndex.Unlock()
	if lastIndex.idx != nil && len(lastIndex.src) == len(src) && (len(src) == 0 || &lastIndex.src[0] == &src[0]) {
		return lastIndex.idx
	}
	lines := splitLinesKeep(src)
	idx := &lineIndex{starts: make([]int, 0, len(lines)+1), frontMatterEnd: frontMatterEnd(lines)}
	off := 0
	for _, l := range lines {
		idx.starts = append(idx.starts, off)
		off += len(l)
	}
	idx.starts = append(idx.starts, off)
	lastIndex.src, lastIndex.idx = src, idx
	return idx
}

// lastLine is the last markdown line a step occupies.
func lastLine(s *course.Step) int {
	if s.EndLine >= s.Line {
		return s.EndLine
	}
	return s.Line
}

// splitLinesKeep splits src into lines, each keeping its line ending, so
// joining them gives src back (no empty line after a final newline).
func splitLinesKeep(src []byte) [][]byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// frontMatterEnd is the line of the closing `---` of YAML front matter, 0
// when the document has none. The course package reads the settings; here
// we only keep them off the screen.
func frontMatterEnd(lines [][]byte) int {
	_, end, ok := course.FrontMatter(bytes.Join(lines, nil))
	if !ok {
		return 0
	}
	n, off := 0, 0
	for off < end && n < len(lines) {
		off += len(lines[n])
		n++
	}
	return n
}

// resultsByID indexes a run record by step id; a record from an older
// version of the module still matches the steps that kept their ids.
func resultsByID(rec *result.Module) map[string]*result.Step {
	m := map[string]*result.Step{}
	if rec == nil {
		return m
	}
	for _, r := range rec.Steps {
		if r != nil {
			m[r.ID] = r
		}
	}
	return m
}

// statusMark is the one-character badge of a status.
func statusMark(s result.Status) string {
	switch s {
	case result.Passed:
		return "✓"
	case result.Failed, result.Timeout:
		return "✗"
	case result.Skipped:
		return "↷"
	}
	return "·"
}

// formatDuration rounds a step's time the way people read it: 0.4s, 12s,
// 2m05s.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// outputTail keeps the last n lines of a step's output.
func outputTail(out string, n int) (tail string, dropped int) {
	out = strings.TrimRight(out, "\n")
	if out == "" {
		return "", 0
	}
	lines := strings.Split(out, "\n")
	if len(lines) > n {
		dropped = len(lines) - n
		lines = lines[dropped:]
	}
	return strings.Join(lines, "\n"), dropped
}

// rewriteTargets replaces the target of every link and image in doc with
// what rewrite makes of it. Both renderers move relative targets, each its
// own way: HTML to the page's directory, the terminal out of glamour's way.
func rewriteTargets(doc ast.Node, rewrite func(dest []byte) []byte) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = rewrite(n.Destination)
		case *ast.Image:
			n.Destination = rewrite(n.Destination)
		}
		return ast.WalkContinue, nil
	})
}
