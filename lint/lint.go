// Package lint makes coursectl's static checks of a module: what would make
// `coursectl check` fail or hang, or a learner stumble, found without
// running anything. It reads the course.Module (never the markdown again,
// except the raw text for mojibake) and returns findings; the command
// prints them.
package lint

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coursectl/coursectl/course"
)

// Severity says whether a finding fails lint (error) or only informs.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Check names, stable for --json consumers and docs/lint.md.
const (
	CheckUntaggedShell = "untagged-shell"
	CheckMixedPrompts  = "mixed-prompts"
	CheckInteractive   = "interactive"
	CheckSudo          = "sudo"
	CheckServer        = "foreground-server"
	CheckMojibake      = "mojibake"
	CheckBrokenLink    = "broken-link"
	CheckUnknownAttr   = "unknown-attr"
)

// Finding is one thing lint says about a place in a file.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Severity Severity `json:"severity"`
	Check    string   `json:"check"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"` // what to do about it
	Fixable  bool     `json:"fixable,omitempty"`
}

// String is the one-line form: `file:line: severity: message — what to do`.
func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	s := fmt.Sprintf("%s: %s: %s", loc, f.Severity, f.Message)
	if f.Hint != "" {
		s += " — " + f.Hint
	}
	return s
}

// problemSeverity maps the parser's problems to severities: what will
// make a run fail or do something other than the author meant is an error.
var problemSeverity = map[string]Severity{
	course.ProblemUnterminated:  Error,
	course.ProblemDuplicateName: Error,
	course.ProblemBadAttr:       Error,
	course.ProblemStrayComment:  Warning,
	course.ProblemHostPrompt:    Warning,
	course.ProblemTreeDrawing:   Warning,
	course.ProblemNoCommands:    Warning,
	course.ProblemUnknownStep:   Error,
	// A rule that reaches no step changes nothing; it is likely stale.
	course.ProblemUnusedRule: Warning,
	// Settings are coursectl's own keys (no other tool's share them), so
	// an unknown one is a typo that silently changes the run.
	course.ProblemUnknownKey: Error,
}

// Module runs every check on m and returns the findings in line order.
func Module(m *course.Module) []Finding {
	l := &linter{m: m}
	l.problems()
	l.untagged()
	for _, s := range m.Steps {
		l.mixedPrompts(s)
		l.commands(s)
		l.unknownAttrs(s)
	}
	l.mojibake()
	l.links()
	// The module's own findings first, then those in its coursectl.yaml.
	sort.SliceStable(l.out, func(i, j int) bool {
		a, b := l.out[i], l.out[j]
		if (a.File == m.Path) != (b.File == m.Path) {
			return a.File == m.Path
		}
		return a.Line < b.Line
	})
	return l.out
}

type linter struct {
	m   *course.Module
	out []Finding
}

func (l *linter) add(line int, sev Severity, check, msg, hint string) {
	l.out = append(l.out, Finding{File: l.m.Path, Line: line, Severity: sev, Check: check, Message: msg, Hint: hint})
}

func (l *linter) problems() {
	for _, p := range l.m.Problems {
		msg, hint, _ := strings.Cut(p.Message, " — ")
		sev, ok := problemSeverity[p.Code]
		if !ok {
			sev = Warning
		}
		code := p.Code
		if code == "" {
			code = "parse"
		}
		f := Finding{File: l.m.Path, Line: p.Line, Severity: sev, Check: code, Message: msg, Hint: hint}
		// A finding in coursectl.yaml points there, so FILE:LINE opens
		// the right file.
		if p.File != "" {
			f.File = p.File
		}
		l.out = append(l.out, f)
	}
}

// untagged reports fences with no language whose body reads as shell:
// they are shown, never run, which is rarely what the author meant.
func (l *linter) untagged() {
	for _, b := range l.m.Blocks {
		// An editor step's content fence is a file's text, shown on purpose.
		if !b.Fenced || b.Step != nil || b.Content != nil || strings.TrimSpace(b.Info) != "" {
			continue
		}
		prompts, other, shell := 0, 0, false
		first := true
		for _, line := range strings.Split(b.Body, "\n") {
			t := strings.TrimSpace(line)
			if t == "" {
				continue
			}
			if cmd, ok := strings.CutPrefix(t, "$ "); ok {
				prompts++
				if first {
					shell = looksLikeCommand(cmd)
				}
			} else {
				other++
				if first {
					shell = looksLikeCommand(t)
				}
			}
			first = false
		}
		if !shell && prompts == 0 {
			continue
		}
		tag := "sh"
		if prompts > 0 && other > 0 {
			tag = "console"
		}
		l.add(b.Line, Warning, CheckUntaggedShell,
			"untagged code block looks like shell, so it is shown but never run",
			fmt.Sprintf("tag it ```%s to make it a step (or ```text if it is not meant to run)", tag))
	}
}

// shellWords are programs whose name starting a block says "shell".
var shellWords = map[string]bool{
	"apt": true, "apt-get": true, "bash": true, "brew": true, "cat": true, "cd": true,
	"chmod": true, "chown": true, "conda": true, "cp": true, "curl": true, "docker": true,
	"docker-compose": true, "echo": true, "export": true, "git": true, "go": true,
	"grep": true, "helm": true, "kubectl": true, "ls": true, "make": true, "mkdir": true,
	"mv": true, "nano": true, "npm": true, "pip": true, "pip3": true, "python": true,
	"python3": true, "rm": true, "sh": true, "source": true, "sudo": true, "tar": true,
	"touch": true, "unzip": true, "vim": true, "wget": true, "yarn": true, "ssh": true,
	"scp": true, "systemctl": true, "cargo": true, "node": true, "npx": true, "gcloud": true,
	"aws": true, "az": true, "terraform": true, "dnf": true, "yum": true, "snap": true,
	"pwd": true, "whoami": true, "ping": true, "head": true, "tail": true, "less": true,
	"java": true, "mvn": true, "gradle": true, "./": true, "env": true, "set": true,
}

func looksLikeCommand(line string) bool {
	w := firstWord(line)
	if strings.HasPrefix(w, "./") || strings.HasPrefix(w, "~/") {
		return true
	}
	if i := strings.IndexByte(w, '='); i > 0 && !strings.ContainsAny(w[:i], " .-/") {
		return true // VAR=value
	}
	return shellWords[w]
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// mixedPrompts reports prompted script blocks with lines that are neither
// commands nor comments: they are silently not run.
func (l *linter) mixedPrompts(s *course.Step) {
	if s.Kind != course.Script || !s.Prompted {
		return
	}
	covered := map[int]bool{}
	for _, c := range s.Commands {
		for i := 0; i <= strings.Count(c.Text, "\n"); i++ {
			covered[c.Line+i] = true
		}
	}
	var lines []int
	for i, text := range strings.Split(strings.TrimSuffix(s.Body, "\n"), "\n") {
		n := s.BodyLine + i
		t := strings.TrimSpace(text)
		if t == "" || strings.HasPrefix(t, "#") || covered[n] || t == "$" {
			continue
		}
		lines = append(lines, n)
	}
	if len(lines) == 0 {
		return
	}
	l.add(lines[0], Warning, CheckMixedPrompts,
		fmt.Sprintf("script block mixes `$ ` commands with other lines (%s): only the `$ ` lines run", lineList(lines)),
		"tag it ```console if those lines are output, or move them out of the block")
}

func lineList(lines []int) string {
	parts := make([]string, 0, 4)
	for i, n := range lines {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(lines)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("line %d", n))
	}
	return strings.Join(parts, ", ")
}

func (l *linter) unknownAttrs(s *course.Step) {
	keys := make([]string, 0, len(s.Attrs.Raw))
	for k := range s.Attrs.Raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if known(k) {
			continue
		}
		line := s.Attrs.Line
		if line == 0 {
			line = s.Line
		}
		hint := "remove it; the keys are " + strings.Join(course.KnownAttrs, ", ")
		if sug := course.Suggest(k); sug != "" {
			hint = "did you mean " + sug + "?"
		}
		l.add(line, Warning, CheckUnknownAttr, fmt.Sprintf("unknown attribute %q", k), hint)
	}
}

func known(k string) bool {
	for _, a := range course.KnownAttrs {
		if a == k {
			return true
		}
	}
	for _, a := range course.ForeignAttrs {
		if a == k {
			return true
		}
	}
	return false
}

// links reports relative links and images whose target does not exist
// beside the module. Absolute URLs and site-absolute paths are not checked
// (that would need the network or the site's root).
func (l *linter) links() {
	dir := filepath.Dir(l.m.Path)
	for _, ln := range l.m.Links {
		d := strings.TrimSpace(ln.Dest)
		if d == "" || strings.HasPrefix(d, "#") || strings.HasPrefix(d, "/") || strings.HasPrefix(d, "<") {
			continue
		}
		if u, err := url.Parse(d); err == nil && (u.Scheme != "" || u.Host != "") {
			continue
		} else if err != nil {
			continue
		}
		path := d
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
		if p, err := url.PathUnescape(path); err == nil {
			path = p
		}
		if path == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(path))); err == nil {
			continue
		}
		what := "link"
		if ln.Image {
			what = "image"
		}
		l.add(ln.Line, Error, CheckBrokenLink, fmt.Sprintf("broken %s: %s does not exist", what, d),
			"fix the path (it is relative to the module's directory) or add the file")
	}
}
