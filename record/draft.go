package record

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coursectl/coursectl/expect"
	"github.com/coursectl/coursectl/internal/lazyre"
	"github.com/coursectl/coursectl/runner"
)

// Style is how a recorded step is written.
type Style int

const (
	// Console writes a `console` transcript: `$ ` lines, the output
	// after each, `[N]` after a command that failed.
	Console Style = iota
	// Carpentries writes a `bash` fence of `$ ` lines and an `output`
	// fence after it, as Carpentries lessons do; a command that fails
	// ends its step, whose output fence ends with `[N]`.
	Carpentries
)

func (s Style) String() string {
	if s == Carpentries {
		return "carpentries"
	}
	return "console"
}

func (s Style) describe() string {
	if s == Carpentries {
		return "bash and output fences"
	}
	return "console transcripts"
}

// draft turns the entries of a recording into markdown blocks.
type draft struct {
	style Style
	vol   *volatility
	home  string

	blocks []string // finished blocks, in order
	prose  []string // the paragraph being written
	step   *stepDraft
	steps  int      // steps written
	notes  []string // what could not be recorded as typed, for the author
}

type stepDraft struct {
	cmds []cmdDraft
	// interactive: something was typed that cannot be replayed (a
	// password, keys to a full-screen program).
	interactive bool
	answers     []answer
}

type cmdDraft struct {
	line   string
	output []string // expected lines, generalised and escaped
	status int
}

// answer is one interact pair: what the command printed, then what was typed.
type answer struct{ expect, send string }

func newDraft(style Style, vol *volatility, home string) *draft {
	return &draft{style: style, vol: vol, home: home}
}

// add takes one entry of the recording.
func (d *draft) add(e runner.Entry) {
	line := strings.TrimRight(e.Line, " \t")
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "":
		// An empty Enter ends the step, and the paragraph.
		d.endStep()
		d.endProse()
	case strings.HasPrefix(trimmed, "#"):
		d.endStep()
		d.comment(trimmed)
	default:
		if file, ok := editorTarget(trimmed); ok {
			d.edit(line, file, e)
			return
		}
		d.command(line, e)
	}
}

// comment: `## text` is a heading, `# text` a line of prose.
func (d *draft) comment(text string) {
	hashes := len(text) - len(strings.TrimLeft(text, "#"))
	rest := strings.TrimSpace(text[hashes:])
	if hashes >= 2 && hashes <= 6 && (len(text) == hashes || text[hashes] == ' ') {
		d.endProse()
		if rest != "" {
			d.blocks = append(d.blocks, strings.Repeat("#", hashes)+" "+rest)
		}
		return
	}
	if rest != "" {
		d.prose = append(d.prose, rest)
	}
}

func (d *draft) endProse() {
	if len(d.prose) > 0 {
		d.blocks = append(d.blocks, strings.Join(d.prose, "\n"))
		d.prose = nil
	}
}

// command adds a command and its output to the step being recorded.
func (d *draft) command(line string, e runner.Entry) {
	d.endProse()
	c := cmdDraft{line: line, status: e.Status, output: d.expected(line, e.Output, e.Truncated)}
	// Typing that check must replay, or cannot, goes into a step of its
	// own, so the commands around it are still checked.
	switch {
	case e.Secret || e.Raw:
		d.endStep()
		d.step = &stepDraft{interactive: true}
		what := "typed a password"
		if !e.Secret {
			what = "typed to a full-screen program"
		}
		d.notes = append(d.notes, fmt.Sprintf("%s: you %s, which is never recorded: the step is marked interactive (check skips it)", oneLine(line), what))
		d.step.cmds = append(d.step.cmds, c)
		d.endStep()
		return
	case len(e.Typed) > 0:
		answers, ok := answersFor(e)
		d.endStep()
		d.step = &stepDraft{answers: answers, interactive: !ok}
		d.step.cmds = append(d.step.cmds, c)
		d.endStep()
		return
	}
	if d.step == nil {
		d.step = &stepDraft{}
	}
	d.step.cmds = append(d.step.cmds, c)
	if d.style == Carpentries && e.Status != 0 {
		// One exit status per step: a failing command ends it.
		d.endStep()
	}
}

// answersFor turns what was typed to a command into interact pairs: the
// last line printed before the typing is the prompt to wait for.
func answersFor(e runner.Entry) ([]answer, bool) {
	var out []answer
	for _, t := range e.Typed {
		lines := expect.OutputLines(e.Output[:t.At])
		prompt := ""
		for i := len(lines) - 1; i >= 0 && prompt == ""; i-- {
			prompt = strings.TrimSpace(lines[i])
		}
		if prompt == "" {
			return nil, false
		}
		out = append(out, answer{expect: regexp.QuoteMeta(prompt), send: t.Text + "\n"})
	}
	return out, true
}

// Long output is cut: the first headLines, `...`, the last tailLines.
const (
	maxLines  = 100
	headLines = 50
	tailLines = 20
)

// expected turns a command's terminal output into expected lines.
func (d *draft) expected(line, raw string, truncated bool) []string {
	lines := expect.OutputLines(raw)
	// Job notices are the interactive shell's, which check's steps do
	// not print (`[1] 4242` when a job starts, `[1]+ Done ...`).
	kept := lines[:0:0]
	for _, l := range lines {
		if jobNotice().MatchString(l) {
			continue
		}
		kept = append(kept, l)
	}
	for len(kept) > 0 && strings.TrimSpace(kept[0]) == "" {
		kept = kept[1:]
	}
	if len(kept) > 0 && volatileCommand(line) {
		return []string{"..."}
	}
	var tail []string
	switch {
	case truncated:
		kept = kept[:min(len(kept), headLines)]
	case len(kept) > maxLines:
		tail = kept[len(kept)-tailLines:]
		kept = kept[:headLines]
	}
	out := make([]string, 0, len(kept)+1+len(tail))
	for i, l := range kept {
		out = append(out, d.line(l, i == 0))
	}
	switch {
	case truncated:
		d.notes = append(d.notes, fmt.Sprintf("%s: its output passed %d MiB: written as its first lines and ...", oneLine(line), runner.MaxRecordOutput>>20))
		out = append(out, "...")
	case tail != nil:
		d.notes = append(d.notes, fmt.Sprintf("%s: %d lines of output, written as the first %d, ... and the last %d", oneLine(line), len(lines), headLines, tailLines))
		out = append(out, "...")
	}
	for _, l := range tail {
		out = append(out, d.line(l, false))
	}
	return out
}

// line is one output line as expected output.
func (d *draft) line(l string, first bool) string {
	if g, ok := d.vol.generalise(l); ok {
		return g
	}
	return escapeLine(l, first)
}

var (
	jobNotice = lazyre.New(`^\[\d+\][+-]?\s+(?:\d+$|(?:Done|Exit \d+|Terminated|Killed|Stopped|Running|Hangup|Interrupt)\b)`)
	exitLine  = lazyre.New(`^\s*\[\d+\]\s*$`)
	patSuffix = lazyre.New(` \((?:re|regex|glob|esc|escaped)\)$`)
)

// escapeLine makes an output line mean itself where a transcript or an
// output fence would read it as something else: a `$ ` line is a command,
// a `> ` line right after one its continuation, `[N]` an exit status, `...`
// any lines, and a line ending ` (re)` a pattern.
func escapeLine(l string, first bool) string {
	t := strings.TrimLeft(l, " \t")
	switch {
	case t == "$" || strings.HasPrefix(t, "$ ") || strings.HasPrefix(t, "$\t"),
		first && (t == ">" || strings.HasPrefix(t, "> ")),
		exitLine().MatchString(l), t == "..." || t == "... ...",
		patSuffix().MatchString(l):
		q := regexp.QuoteMeta(l)
		if i := strings.IndexByte(q, '>'); i >= 0 && strings.TrimLeft(q[:i], " \t") == "" {
			q = q[:i] + "[>]" + q[i+1:]
		}
		return q + " (re)"
	}
	return l
}

// edit writes an editor session as an editor step: the command, then the
// file's content as the author saved it.
func (d *draft) edit(line, file string, e runner.Entry) {
	d.endStep()
	d.endProse()
	path := resolve(file, e.DirBefore, d.home)
	b, err := os.ReadFile(path)
	switch {
	case err != nil:
		d.notes = append(d.notes, fmt.Sprintf("%s: %s was not saved, so the edit is not recorded", oneLine(line), file))
		return
	case !utf8.Valid(b) || strings.ContainsRune(string(b), 0):
		d.notes = append(d.notes, fmt.Sprintf("%s: %s is not text, so the edit is not recorded", oneLine(line), file))
		return
	}
	content := string(b)
	if content != "" && !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	d.blocks = append(d.blocks, fence("bash", "$ "+line+"\n"), fence(contentLang(file), content))
	d.steps++
}

// endStep writes the step being recorded.
func (d *draft) endStep() {
	st := d.step
	d.step = nil
	if st == nil || len(st.cmds) == 0 {
		return
	}
	var attrs string
	if st.interactive {
		attrs = " {interactive}"
	}
	if len(st.answers) > 0 {
		var b strings.Builder
		b.WriteString("<!-- coursectl\ninteract:\n")
		for _, a := range st.answers {
			fmt.Fprintf(&b, "  - expect: %s\n    send: %s\n", yamlSingle(a.expect), strconv.Quote(a.send))
		}
		b.WriteString("-->")
		d.blocks = append(d.blocks, b.String())
	}
	switch d.style {
	case Carpentries:
		var cmds, out strings.Builder
		status := 0
		for _, c := range st.cmds {
			writeCommand(&cmds, c.line)
			for _, l := range c.output {
				out.WriteString(l + "\n")
			}
			status = c.status
		}
		if status != 0 {
			fmt.Fprintf(&out, "[%d]\n", status)
		}
		d.blocks = append(d.blocks, fence("bash"+attrs, cmds.String()))
		if out.Len() > 0 {
			d.blocks = append(d.blocks, fence("output", out.String()))
		}
	default:
		var b strings.Builder
		for _, c := range st.cmds {
			writeCommand(&b, c.line)
			for _, l := range c.output {
				b.WriteString(l + "\n")
			}
			if c.status != 0 {
				fmt.Fprintf(&b, "[%d]\n", c.status)
			}
		}
		d.blocks = append(d.blocks, fence("console"+attrs, b.String()))
	}
	d.steps++
}

// writeCommand writes a command as typed at a prompt: `$ ` before its
// first line, `> ` before the others.
func writeCommand(b *strings.Builder, line string) {
	for i, l := range strings.Split(line, "\n") {
		if i == 0 {
			b.WriteString("$ " + l + "\n")
		} else {
			b.WriteString(strings.TrimRight("> "+l, " ") + "\n")
		}
	}
}

// finish ends what is open and returns the markdown of the blocks.
func (d *draft) finish() string {
	d.endStep()
	d.endProse()
	if len(d.blocks) == 0 {
		return ""
	}
	return strings.Join(d.blocks, "\n\n") + "\n"
}

// fence is a fenced block of body: longer than any backtick run in it.
func fence(info, body string) string {
	n := 3
	for _, l := range strings.Split(body, "\n") {
		t := strings.TrimLeft(l, " ")
		k := len(t) - len(strings.TrimLeft(t, "`"))
		if k >= n {
			n = k + 1
		}
	}
	f := strings.Repeat("`", n)
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return f + info + "\n" + body + f
}

func yamlSingle(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
