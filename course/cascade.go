package course

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// Fenced divs (pandoc's `::: challenge` … `:::`, as Carpentries lessons
// write them, with any number of colons and nesting) are not CommonMark:
// goldmark reads their fence lines as paragraphs. The parser follows them
// line by line in document order, so each step knows the divs around it,
// and a course's `divs:` can give attributes to every step in one
// (docs/spec.md §6).

// divLines follows the div fences among the lines of a paragraph.
func (p *parser) divLines(n ast.Node) {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		class, ok := DivFence(p.src[seg.Start:seg.Stop])
		switch {
		case !ok:
			continue
		case class == "":
			if len(p.divs) > 0 {
				p.divs = p.divs[:len(p.divs)-1]
				p.divCache = nil
			}
		default:
			p.divs = append(p.divs, class)
			p.divCache = nil
		}
	}
}

// DivFence says whether line is a fenced div's fence — three colons or
// more, as Pandoc reads them — and the class it opens: `challenge` for
// `::: challenge`, `{.challenge}`, `{#ex1 .challenge}`, `challenge ::::`
// or `{.callout title="x"}`, "div" for attributes without a class; "" for
// a closing fence. The renderers show the fences as
// the div they mark; the parser gives their steps the course's divs:.
func DivFence(line []byte) (class string, ok bool) {
	t := bytes.TrimSpace(line)
	if !bytes.HasPrefix(t, []byte(":::")) {
		return "", false
	}
	s := strings.TrimSpace(strings.TrimRight(strings.TrimLeft(string(t), ":"), ":"))
	if s == "" {
		return "", true
	}
	if inner, braced := strings.CutPrefix(s, "{"); braced {
		// Pandoc's attributes: the first .class names the div
		// (`{#ex1 .challenge}`); one with none still opens a div.
		for _, f := range strings.Fields(strings.TrimSuffix(inner, "}")) {
			if c, ok := strings.CutPrefix(f, "."); ok && c != "" {
				return c, true
			}
		}
		return "div", true
	}
	return strings.Fields(s)[0], true
}

// divPath is the classes of the divs around the current place, outermost
// first; steps in one div share the slice.
func (p *parser) divPath() []string {
	if len(p.divs) == 0 {
		return nil
	}
	if p.divCache == nil {
		p.divCache = append([]string(nil), p.divs...)
	}
	return p.divCache
}

// cascade gives each step the attributes of its module, the sections it is
// under and the divs it is inside, under its own (docs/spec.md §6: the
// nearer wins). The settings hold the course's rules first, then the
// module's, so the module's win.
func (p *parser) cascade() {
	set := &p.m.Settings
	if set.Attrs.Raw == nil && len(set.Sections) == 0 && len(set.Divs) == 0 {
		return
	}
	for _, st := range p.m.Steps {
		var eff Attrs
		eff.merge(set.Attrs)
		for _, r := range set.Sections {
			if headingMatches(st.Heading, r.Pattern) {
				eff.merge(r.Attrs)
				p.ruleUsed(r)
			}
		}
		for _, class := range st.Divs {
			for _, r := range set.Divs {
				if ok, _ := path.Match(r.Pattern, class); ok {
					eff.merge(r.Attrs)
					p.ruleUsed(r)
				}
			}
		}
		line := st.Attrs.Line
		eff.merge(st.Attrs)
		eff.Line = line
		st.Attrs = eff
	}
}

func (p *parser) ruleUsed(r Rule) {
	if p.m.ruleUsed == nil {
		p.m.ruleUsed = map[Pos]bool{}
	}
	p.m.ruleUsed[r.At] = true
}

// unusedRules reports the module's own sections: and divs: rules that
// reach no step: a renamed heading or a mistyped class leaves a rule
// doing nothing, and nothing else would say so. The course's rules are
// judged over all its modules (LoadCourse).
func (p *parser) unusedRules() {
	set := p.m.Settings
	p.m.Problems = append(p.m.Problems, unusedRules("sections", set.Sections[p.baseRules[0]:], p.m)...)
	p.m.Problems = append(p.m.Problems, unusedRules("divs", set.Divs[p.baseRules[1]:], p.m)...)
}

// unusedRules are the problems of the rules under key that no step of
// mods took.
func unusedRules(key string, rules []Rule, mods ...*Module) []Problem {
	var out []Problem
	for _, r := range rules {
		used := false
		for _, m := range mods {
			used = used || m.ruleUsed[r.At]
		}
		if used {
			continue
		}
		what := "no step is under a heading that matches it — check the heading's words (case is ignored; * and ? are wildcards)"
		if key == "divs" {
			what = "no step is inside a ::: div of that class — check the class as the page writes it"
		}
		out = append(out, Problem{File: r.At.File, Line: r.At.Line, Code: ProblemUnusedRule,
			Message: fmt.Sprintf("%s: %q reaches no step: %s", key, r.Pattern, what)})
	}
	return out
}

// headingMatches reports whether any heading of the path matches the glob,
// ignoring case (authors write "Exercise*" for "exercise 2").
func headingMatches(headings []string, glob string) bool {
	glob = strings.ToLower(glob)
	for _, h := range headings {
		if ok, _ := path.Match(glob, strings.ToLower(strings.TrimSpace(h))); ok {
			return true
		}
	}
	return false
}

// yamlSetup puts the module's setup and workdir (coursectl.yaml) before
// its first step, as one hidden setup step whose lines count in the yaml.
func (p *parser) yamlSetup() {
	st := setupAndWorkdir("setup-module", p.m.Settings, p.m)
	if st == nil {
		return
	}
	p.m.Steps = append([]*Step{st}, p.m.Steps...)
	for i, s := range p.m.Steps {
		s.Index = i + 1
	}
}

// setupAndWorkdir is the hidden step of a yaml's setup: and workdir: (a
// module's or the course's), nil when it has neither: the setup's
// commands, then a cd to the workdir — after the setup, which may make the
// directory. Its lines count in the yaml.
func setupAndWorkdir(id string, set Settings, mod *Module) *Step {
	if set.Workdir == "" && set.Setup == "" {
		return nil
	}
	var cmds []Command
	var body strings.Builder
	at := set.SetupAt
	if set.Setup != "" {
		cmds = append(cmds, plainCommands(bodyLines(set.Setup, set.SetupAt.Line))...)
		body.WriteString(set.Setup)
		if !strings.HasSuffix(set.Setup, "\n") {
			body.WriteByte('\n')
		}
	}
	if set.Workdir != "" {
		if set.Setup == "" {
			at = set.WorkdirAt
		}
		cd := "cd -- " + shellPath(set.Workdir)
		cmds = append(cmds, Command{Text: cd, Line: set.WorkdirAt.Line})
		body.WriteString(cd + "\n")
	}
	first, last := commandSpan(cmds, at.Line)
	return &Step{ID: id, Line: first, EndLine: last, Kind: Setup, Lang: "sh",
		Body: body.String(), BodyLine: at.Line, Commands: cmds, Hidden: true,
		Module: mod, File: at.File}
}

// shellPath quotes a directory for cd, keeping a leading ~ as $HOME.
func shellPath(dir string) string {
	rest, home := strings.CutPrefix(dir, "~")
	if home && (rest == "" || rest[0] == '/') {
		if rest == "" {
			return `"$HOME"`
		}
		return `"$HOME"` + shellQuote(rest)
	}
	return shellQuote(dir)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// commandSpan is the first and last line a yaml-given setup step's
// commands take (workdir and setup may be written in either order).
func commandSpan(cmds []Command, def int) (first, last int) {
	first, last = def, def
	for _, c := range cmds {
		end := c.Line + strings.Count(c.Text, "\n")
		first, last = min(first, c.Line), max(last, end)
	}
	return first, last
}

// stepSetups puts each step's own setup (the setup attribute, from its
// fence, steps:, sections: or divs:) just before it, as a hidden setup
// step whose lines count where the setup was written. It runs in the
// shared shell like any step, so what it makes or where it cds carries on.
// A step marked skip loses its setup with it: the scenario is for the step.
func (p *parser) stepSetups() {
	n := 0
	for _, st := range p.m.Steps {
		if st.Attrs.Setup != "" && !st.Attrs.Skip && !st.Hidden {
			n++
		}
	}
	if n == 0 {
		return
	}
	out := make([]*Step, 0, len(p.m.Steps)+n)
	for _, st := range p.m.Steps {
		if st.Attrs.Setup != "" && !st.Attrs.Skip && !st.Hidden {
			out = append(out, p.setupOf(st))
		}
		out = append(out, st)
	}
	p.m.Steps = out
	for i, s := range p.m.Steps {
		s.Index = i + 1
	}
}

// setupOf is the hidden step that runs st's setup attribute.
func (p *parser) setupOf(st *Step) *Step { return setupFor(p.m, p.m, st) }

// setupFor is the hidden step that runs the setup attribute of st, a step
// of module mod; its id is unique among run's steps (run is mod, or a
// course's run).
func setupFor(run, mod *Module, st *Step) *Step {
	at := st.Attrs.SetupAt
	if at.File == "" {
		// Written on the page: the fence's (or its comment's) line.
		at = Pos{File: mod.Path, Line: st.Attrs.Line}
		if at.Line == 0 {
			at.Line = st.Line
		}
	}
	body := st.Attrs.Setup
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	id := "setup-" + st.ID
	for k := 2; run.Step(id) != nil; k++ {
		id = fmt.Sprintf("setup-%s-%d", st.ID, k)
	}
	return &Step{ID: id, Line: at.Line, EndLine: at.Line, Kind: Setup, Lang: "sh",
		Heading: st.Heading, Divs: st.Divs, Body: body, BodyLine: at.Line,
		Commands: plainCommands(bodyLines(st.Attrs.Setup, at.Line)), Hidden: true,
		Module: mod, File: at.File, SetupFor: st.ID}
}

// StartOf is the 0-based index where a run that starts at step i (0-based)
// begins: the first of the hidden steps that run i's own setup, else i.
func (m *Module) StartOf(i int) int {
	if i <= 0 || i >= len(m.Steps) {
		return i
	}
	st := m.Steps[i]
	for i > 0 && m.Steps[i-1].SetupFor == st.ID && m.Steps[i-1].Module == st.Module {
		i--
	}
	return i
}
