// Package course reads one markdown module into a Module: its settings and
// the ordered steps a runner executes. It walks goldmark's parse tree; line
// numbers are 1-based lines of the original file.
//
// Everything downstream (runner, render, the commands) takes a *Module and
// never re-reads the markdown, so the rules of docs/spec.md §1–§2 live here only.
package course

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Kind says what a step does with its body.
type Kind string

const (
	// Script: the body (or, when prompted, its `$ ` commands) runs in bash.
	Script Kind = "script"
	// Transcript: `$ ` lines run; the lines after each are its expected output.
	Transcript Kind = "transcript"
	// File: the body is written to Attrs.File (Attrs.Append adds instead).
	File Kind = "file"
	// Setup: a hidden `<!-- coursectl:setup -->` step; runs at its place, never shown.
	Setup Kind = "setup"
)

// Module is one parsed markdown file.
type Module struct {
	// Path is the file as the user named it (used in every message).
	Path string
	// Title is the text of the first heading, if any.
	Title string
	// Source is the file's bytes as read (BOM removed; line endings kept),
	// so renderers and lint can index it with the lines below.
	Source []byte
	// Settings are the module-wide settings: front matter under
	// `coursectl:` merged with coursectl.yaml beside the module (it wins).
	Settings Settings
	// forSandbox: ForSandbox laid its settings over these already.
	forSandbox bool
	// Steps in document order, hidden setup steps included.
	Steps []*Step
	// Blocks are every fenced or indented code block, steps or not, for
	// lint and renderers.
	Blocks []*Block
	// Problems found while parsing that do not stop the parse (an
	// unterminated fence, a bad attribute value). Lint reports them.
	Problems []Problem
	// Links are the document's links and images, in order.
	Links []Link

	// CourseDir is the root of the course the module belongs to
	// ($COURSE_DIR), "" for a module on its own (its directory is).
	CourseDir string
	// Modules are, for a course's run (Course.Flatten), the course's
	// modules in order; nil for a module.
	Modules []*Module
	// AloneIn is the course a module run on its own belongs to
	// (Course.Alone), nil otherwise.
	AloneIn *Course

	// ruleUsed is where each sections: and divs: rule that reached a step
	// of this module was written (cascade), for the course's unused rules.
	ruleUsed map[Pos]bool

	// number caches Number's answers for the steps starting numberedFirst.
	number        []int
	numberedFirst *Step
}

// Settings are module-wide defaults (docs/spec.md §2, §6).
type Settings struct {
	// Timeout is the step timeout of unattended runs (check): a CI
	// machine's limit. RunTimeout is the limit with a person at the
	// terminal (run), none when zero: the learner may sit in nano as long
	// as they like (docs/authoring.md).
	Timeout    time.Duration     `json:"timeout,omitempty"`
	RunTimeout time.Duration     `json:"run_timeout,omitempty"`
	Fakes      map[string]string `json:"fakes,omitempty"`
	Env        map[string]string `json:"env,omitempty"`
	// EnvExclude (`env: exclude: [...]`) are names or shell patterns of
	// variables no checkpoint keeps, whoever set them.
	EnvExclude []string `json:"env_exclude,omitempty"`
	Workdir    string   `json:"workdir,omitempty"`
	// Sandbox is where check runs the module when no --sandbox says
	// (dir, docker, docker:IMAGE: docs/spec.md §8), written at SandboxAt.
	Sandbox   string `json:"sandbox,omitempty"`
	SandboxAt Pos    `json:"-"`
	// Docker holds the settings that differ in the container sandbox
	// (`docker:` — fakes, steps, timeout, env), laid over these by
	// ForSandbox.
	Docker *Settings `json:"-"`
	// Setup is hidden shell run before the module's first step (a
	// coursectl.yaml `setup:`), at SetupAt.
	Setup   string `json:"setup,omitempty"`
	SetupAt Pos    `json:"-"`
	// WorkdirAt is where workdir was written.
	WorkdirAt Pos `json:"-"`
	// Attrs are attributes for every step of the module (compare,
	// normalize, pipefail), under sections, divs and the step's own.
	Attrs Attrs `json:"-"`
	// Sections and Divs give attributes to every step under a heading
	// that matches a glob, or inside a fenced div of a class.
	Sections []Rule           `json:"-"`
	Divs     []Rule           `json:"-"`
	Steps    map[string]Attrs `json:"-"`
	Raw      map[string]any   `json:"-"`
	Source   string           `json:"-"` // where the settings came from, for messages
	// StepKeys is where each id under steps: was written, so a finding
	// about it names that file and line.
	StepKeys map[string]Pos `json:"-"`
	// Problems are findings in the settings themselves (an unknown key),
	// each with the file it is in; parsing adds them to Module.Problems.
	Problems []Problem `json:"-"`
}

// Rule gives attributes to the steps a pattern selects: a heading glob
// (sections) or a div class (divs).
type Rule struct {
	Pattern string
	Attrs   Attrs
	At      Pos
}

// Pos is a place in a file.
type Pos struct {
	File string
	Line int
}

// Step is one runnable unit: a script, transcript or file fence, or a hidden
// setup comment.
type Step struct {
	// ID is the `name` attribute, else the nearest heading's slug, with
	// -2, -3... for repeats. Unique within the module.
	ID string
	// Index is the 1-based position among Steps.
	Index int
	// Line is the line of the opening fence (or of the setup comment).
	Line int
	// EndLine is the line of the closing fence (the last line of the file
	// when unterminated).
	EndLine int
	Kind    Kind
	// Lang is the first word of the info string ("sh", "console", "python").
	Lang string
	// Info is the whole info string as written.
	Info string
	// Heading is the path of headings above the step, outermost first.
	Heading []string
	// Divs are the classes of the fenced divs (`::: challenge`) the step
	// is inside, outermost first.
	Divs []string
	// Module is the module the step belongs to; File is the file its lines
	// count in (the module's path, or the coursectl.yaml of a setup step
	// the yaml gave), for messages.
	Module *Module
	File   string
	// Origin is, for a step of a course's run (Course.Flatten), the step of
	// its module it is a copy of; nil otherwise.
	Origin *Step
	Attrs  Attrs
	// Body is the fence content with line endings normalised to \n and the
	// fence's indentation removed (what a file step writes).
	Body string
	// BodyLine is the line of the first body line.
	BodyLine int
	// Prompted is true when a script block holds `$ ` lines, so only they run.
	Prompted bool
	// Commands are what runs, in order, prompts stripped and continuations
	// joined (a command may span several lines, joined with \n).
	Commands []Command
	// Expected is the expected output of a script step (a Carpentries
	// `output` fence right after it), nil when there is none. Transcript
	// steps keep theirs per command.
	Expected *Expected
	// Error is a Carpentries `error` fence right after a script step (or
	// after its `output` fence): the step must fail with a non-zero status
	// and print each of its non-blank lines. Nil when there is none.
	Error *Expected
	// Edit is set when one of the step's commands opens an editor on a
	// file (`nano draft.txt`): the file's new content, when the page shows
	// it, is what check writes instead of running the editor (docs/spec.md §7).
	Edit *Edit
	// Verify holds the `<!-- coursectl:verify -->` checks after this step.
	Verify []*Hidden
	// Hidden is true for setup steps: run, never shown to learners.
	Hidden bool
	// SetupFor is, for the hidden step that runs a step's own setup
	// attribute, the id of that step (in the same module): --from starts
	// at its setup.
	SetupFor string
	// Unterminated is true when the fence runs to end of file.
	Unterminated bool
}

// Command is one command of a step, as bash will receive it.
type Command struct {
	// Text is the command; continuation lines are kept, joined with \n.
	Text string
	// Line is the markdown line of the command's first line.
	Line int
	// Want is the expected output after this command in a transcript.
	Want *Expected
}

// Expected is expected output as in cram/scrut: literal lines, `...`,
// ` (re)`, ` (glob)`, and an optional `[N]` exit status line.
type Expected struct {
	// Line is the markdown line of the first expected line.
	Line  int      `json:"line"`
	Lines []string `json:"lines"`
	// Exit is the status from a trailing `[N]` line, nil when absent.
	Exit *int `json:"exit,omitempty"`
	// FenceLine/FenceEnd locate the `output` fence (zero for transcripts),
	// so --update can rewrite it in place.
	FenceLine int `json:"fence_line,omitempty"`
	FenceEnd  int `json:"fence_end,omitempty"`
}

// Edit is an editor step's file and the content the page gives it.
type Edit struct {
	// Command is the index in Step.Commands of the editor command.
	Command int
	// Editor is the program as written ("nano", "$EDITOR").
	Editor string
	// File is the file argument as a shell word, as written (`draft.txt`,
	// `"my notes.txt"`, `~/.bashrc`): the shell expands it as the editor
	// would have received it.
	File string
	// Content is the file's new content from the fence after the step
	// (every line ending in \n); FenceLine is that fence's opening line
	// and FenceEnd its closing one, 0 when the page shows no content.
	Content   string
	FenceLine int
	FenceEnd  int
}

// Hidden is the body of a coursectl:setup or coursectl:verify comment.
type Hidden struct {
	Line     int // line of the `<!--`
	Commands []Command
	Body     string
}

// Attrs are a step's annotations (docs/spec.md §2). Zero values mean "unset".
type Attrs struct {
	Name        string        `json:"name,omitempty"`
	Skip        bool          `json:"skip,omitempty"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	Exit        *int          `json:"exit,omitempty"`     // expected exit status
	ExitAny     bool          `json:"exit_any,omitempty"` // exit=any
	Interactive bool          `json:"interactive,omitempty"`
	Interact    []Interaction `json:"interact,omitempty"`
	File        string        `json:"file,omitempty"`
	Append      bool          `json:"append,omitempty"`
	Mode        string        `json:"mode,omitempty"` // octal as written, e.g. "0755"
	Background  bool          `json:"background,omitempty"`
	Ready       string        `json:"ready,omitempty"`
	// Compare is how expected output is compared (docs/spec.md §7): "exact",
	// "blanks" or "none"; "" leaves it to the next level out.
	Compare string `json:"compare,omitempty"`
	// Normalize rewrites expected and actual output alike before they are
	// compared. Lists of the levels add up, the outermost first.
	Normalize []Normalize `json:"normalize,omitempty"`
	// Pipefail, when set, turns bash's pipefail on (or off) for the step.
	Pipefail *bool `json:"pipefail,omitempty"`
	// Content is an editor step's new file content given in settings
	// (steps: {ID: {content: ...}}), for pages that show it only in prose
	// or a picture; it wins over a content fence. Nil when not given.
	Content *string `json:"content,omitempty"`
	// ContentAt is where a coursectl.yaml gave Content (for its findings).
	ContentAt Pos `json:"-"`
	// Setup is hidden shell that runs just before the step, in the shared
	// shell (the scenario a challenge assumes: Jamie's `analyzed/` and
	// `raw/`); given per step, or for every step of a section or div.
	// SetupAt is where it was written (File empty: the module, at Line).
	Setup   string `json:"setup,omitempty"`
	SetupAt Pos    `json:"-"`
	// Raw holds every key as written, unknown ones included, for lint.
	Raw map[string]string `json:"-"`
	// Line is where the annotation was written (fence or comment line).
	Line int `json:"-"`
}

// Interaction is one expect/send pair typed into the terminal.
type Interaction struct {
	Expect  string        `json:"expect" yaml:"expect"`
	Send    string        `json:"send" yaml:"send"`
	Timeout time.Duration `json:"timeout,omitempty" yaml:"-"`
}

// Normalize is one rewrite of output before comparing: every match of
// the Go regexp Match becomes With, in which $HOME, $PWD and $USER stand
// for the step's values when it runs (and $1, ${name} for the match's
// groups, as in regexp.Expand).
type Normalize struct {
	Match string `json:"match" yaml:"match"`
	With  string `json:"with" yaml:"with"`
}

// Comparison modes (Attrs.Compare).
const (
	CompareExact  = "exact"
	CompareBlanks = "blanks"
	CompareNone   = "none"
	// CompareWords: the same whitespace-separated words, in any layout
	// and order (a listing laid out in the terminal's columns, sorted by
	// another machine's locale or directory order).
	CompareWords = "words"
)

// Block is any code block of the document, step or prose.
type Block struct {
	Line         int // opening fence line (first line for indented blocks)
	EndLine      int
	Info         string
	Lang         string
	Body         string
	Fenced       bool
	Unterminated bool
	Step         *Step // nil when the block is prose
	// Content is the editor step whose file content this fence shows
	// (docs/spec.md §7), nil otherwise; such a fence is never a step.
	Content *Step
}

// Problem is a finding made while parsing (lint reports it).
type Problem struct {
	// File is set when the problem is in another file than the module
	// (its coursectl.yaml); empty means the module.
	File    string
	Line    int
	Message string // what is wrong — what to do
	// Code names the kind of problem (one of the Problem* constants), so
	// lint can give each its severity without reading the message.
	Code string
}

// Problem codes.
const (
	ProblemUnterminated  = "unterminated"    // a fence never closed
	ProblemDuplicateName = "duplicate-name"  // two steps with one name
	ProblemBadAttr       = "bad-attr"        // an attribute value that cannot be used
	ProblemStrayComment  = "stray-comment"   // an annotation or verify with nothing to attach to
	ProblemHostPrompt    = "host-prompt"     // `host-A $` prompts: the block is prose
	ProblemTreeDrawing   = "tree-drawing"    // a directory tree in a shell fence: the block is prose
	ProblemNoCommands    = "no-commands"     // a transcript with no `$ ` lines
	ProblemUnknownStep   = "unknown-step"    // settings name a step that is not there
	ProblemUnknownKey    = "unknown-setting" // a settings key coursectl does not know
	ProblemUnusedRule    = "unused-rule"     // a sections: or divs: rule that reaches no step
)

// Link is a link or image in the prose, for lint's broken-link check.
type Link struct {
	Line  int
	Dest  string
	Image bool
}

// PosError is an error about a place in a file: it prints as file:line: msg.
type PosError struct {
	File string
	Line int // 0 when the error is about the whole file
	Err  error
}

func (e *PosError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *PosError) Unwrap() error { return e.Err }

// Script returns the step's commands as one bash script, one command after
// another, the form the runner feeds to the shell.
func (s *Step) Script() string {
	var b []byte
	for _, c := range s.Commands {
		b = append(b, c.Text...)
		b = append(b, '\n')
	}
	return string(b)
}

// Step returns the step with the given id, or nil. In a course's run, ids
// repeat from module to module: MODULE:ID names the step of one module
// (MODULE its path from the course's root, or its file name, with or
// without .md), and MODULE alone its first step.
func (m *Module) Step(id string) *Step {
	if m.Modules != nil {
		if mod, sid, ok := m.courseRef(id); ok {
			for _, s := range m.Steps {
				if s.Origin != nil && s.Origin.Module == mod && (sid == "" || s.ID == sid) {
					return s
				}
			}
			return nil
		}
	}
	for _, s := range m.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// courseRef splits MODULE[:ID] of a course's run; ok is false when no
// module is named that way.
func (m *Module) courseRef(ref string) (mod *Module, id string, ok bool) {
	name, id, _ := strings.Cut(ref, ":")
	for _, cand := range m.Modules {
		if cand.Path == name || relTo(m.Path, cand.Path) == name {
			return cand, id, true
		}
	}
	for _, cand := range m.Modules {
		base := filepath.Base(cand.Path)
		if base == name || strings.TrimSuffix(base, filepath.Ext(base)) == name {
			if mod != nil {
				return nil, "", false // two modules have that name
			}
			mod = cand
		}
	}
	return mod, id, mod != nil
}

// ModuleOf is the module a step of this module, or of a course's run,
// belongs to, and its position among the course's modules (0 for a module).
func (m *Module) ModuleOf(s *Step) (mod *Module, n int) {
	if m.Modules == nil {
		return m, 0
	}
	own := s.Module // the course's own setup step: the first module's
	if s.Origin != nil {
		own = s.Origin.Module
	}
	for i, c := range m.Modules {
		if c == own {
			return c, i
		}
	}
	return own, 0
}

// OnlyCommand is the step's command when it has exactly one, else "": what
// a report shows when it cannot tell which command failed.
func (s *Step) OnlyCommand() string {
	if len(s.Commands) == 1 {
		return s.Commands[0].Text
	}
	return ""
}
