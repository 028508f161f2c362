package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/coursectl/coursectl/course"
	reports "github.com/coursectl/coursectl/report"
	"github.com/spf13/cobra"
)

func (c *cli) listCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list FILE|DIR [--json]",
		Short: "show a module's steps: id, line, kind, first command, flags",
		Long: `Lists the steps of a module in the order they run: index, id, the line of
the opening fence, the kind (script, transcript, file, setup), the first
command and the step's flags (skip, interactive, timeout=..., ...).

For a course (a directory: docs/courses.md), lists its modules in the order
they run, with each one's step count; --json gives every module's steps.`,
		Example: `  coursectl list testdata/module1.md
  coursectl list module1.md --json | jq -r '.steps[].id'
  coursectl list testdata/courses/shell-novice`,
		ValidArgsFunction: completeModules,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := moduleArg(cmd, args)
			if err != nil {
				return err
			}
			if m.Modules != nil {
				if asJSON {
					return writeCourseJSON(c.streams.Out, m, c.streams.OutTTY)
				}
				return writeCourseTable(c.streams.Out, args[0], m)
			}
			if asJSON {
				return writeListJSON(c.streams.Out, m, c.streams.OutTTY)
			}
			return writeListTable(c.streams.Out, m, c.streams.Width)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"schema": "coursectl/v1", "file", "steps": [...]} (docs/json.md)`)
	return cmd
}

// listJSON is the `list --json` document (docs/spec.md §5, docs/json.md).
type listJSON struct {
	Schema string         `json:"schema"`
	File   string         `json:"file"`
	Steps  []listStepJSON `json:"steps"`
}

type listStepJSON struct {
	ID       string           `json:"id"`
	Index    int              `json:"index"`
	Line     int              `json:"line"`
	EndLine  int              `json:"end_line"`
	Kind     course.Kind      `json:"kind"`
	Lang     string           `json:"lang"`
	Heading  []string         `json:"heading"`
	Commands []listCmdJSON    `json:"commands"`
	Attrs    *listAttrsJSON   `json:"attrs"`
	Hidden   bool             `json:"hidden,omitempty"`
	Prompted bool             `json:"prompted,omitempty"`
	Expected *course.Expected `json:"expected,omitempty"`
	// Error is a Carpentries `error` fence after the step; Edit an editor
	// step's file and content (docs/spec.md §7).
	Error *course.Expected `json:"error,omitempty"`
	Edit  *listEditJSON    `json:"edit,omitempty"`
}

type listEditJSON struct {
	Command int    `json:"command"` // index in commands
	Editor  string `json:"editor"`
	File    string `json:"file"`
	Content string `json:"content,omitempty"`
	// FenceLine is the line of the fence that shows the content, 0 when
	// the settings give it or nothing does (then the step is interactive).
	FenceLine int `json:"fence_line,omitempty"`
}

type listCmdJSON struct {
	Text string           `json:"text"`
	Line int              `json:"line"`
	Want *course.Expected `json:"want,omitempty"` // transcripts: the expected output
}

// listAttrsJSON is course.Attrs with durations written as Go durations
// ("2m0s"), which is how authors write them.
type listAttrsJSON struct {
	Name        string               `json:"name,omitempty"`
	Skip        bool                 `json:"skip,omitempty"`
	Timeout     string               `json:"timeout,omitempty"`
	Exit        string               `json:"exit,omitempty"`
	Interactive bool                 `json:"interactive,omitempty"`
	Interact    []course.Interaction `json:"interact,omitempty"`
	File        string               `json:"file,omitempty"`
	Append      bool                 `json:"append,omitempty"`
	Mode        string               `json:"mode,omitempty"`
	Background  bool                 `json:"background,omitempty"`
	Ready       string               `json:"ready,omitempty"`
	Compare     string               `json:"compare,omitempty"`
	Normalize   []course.Normalize   `json:"normalize,omitempty"`
	Pipefail    *bool                `json:"pipefail,omitempty"`
}

func attrsJSON(a course.Attrs) *listAttrsJSON {
	j := &listAttrsJSON{
		Name: a.Name, Skip: a.Skip, Interactive: a.Interactive, Interact: a.Interact,
		File: a.File, Append: a.Append, Mode: a.Mode, Background: a.Background, Ready: a.Ready,
		Compare: a.Compare, Normalize: a.Normalize, Pipefail: a.Pipefail,
	}
	if a.Timeout > 0 {
		j.Timeout = a.Timeout.String()
	}
	if a.ExitAny {
		j.Exit = "any"
	} else if a.Exit != nil {
		j.Exit = strconv.Itoa(*a.Exit)
	}
	return j
}

// writeListJSON writes the list document; indented for a person at a
// terminal, one compact line for a pipe (what scripts and jq read, and
// half the work on a big module).
func writeListJSON(w io.Writer, m *course.Module, indent bool) error {
	return writeModuleJSON(w, m, indent, true)
}

// writeModuleJSON writes a module's {"file", "steps"} object, with the
// schema first when it is the document (not a course's module).
func writeModuleJSON(w io.Writer, m *course.Module, indent, withSchema bool) error {
	// Steps are encoded one at a time through a reused buffer, so a big
	// module never needs its whole document in memory twice.
	bw := bufio.NewWriterSize(w, 64<<10)
	file, _ := json.Marshal(m.Path)
	nl, in1, in2 := "", "", ""
	if indent {
		nl, in1, in2 = "\n", "  ", "    "
	}
	sep := ":"
	if indent {
		sep = ": "
	}
	bw.WriteString("{")
	if withSchema {
		schema, _ := json.Marshal(reports.Schema)
		fmt.Fprintf(bw, "%s%s\"schema\"%s%s,", nl, in1, sep, schema)
	}
	fmt.Fprintf(bw, "%s%s\"file\"%s%s,%s%s\"steps\"%s[", nl, in1, sep, file, nl, in1, sep)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if indent {
		enc.SetIndent(in2, in1)
	}
	enc.SetEscapeHTML(false)
	for i, s := range m.Steps {
		cmds := make([]listCmdJSON, len(s.Commands))
		for i, c := range s.Commands {
			cmds[i] = listCmdJSON{Text: c.Text, Line: c.Line, Want: c.Want}
		}
		h := s.Heading
		if h == nil {
			h = []string{}
		}
		buf.Reset()
		var edit *listEditJSON
		if e := s.Edit; e != nil {
			content, _ := s.EditContent()
			edit = &listEditJSON{Command: e.Command, Editor: e.Editor, File: e.File, Content: content, FenceLine: e.FenceLine}
			if s.Attrs.Content != nil {
				edit.FenceLine = 0
			}
		}
		err := enc.Encode(listStepJSON{
			ID: s.ID, Index: s.Index, Line: s.Line, EndLine: s.EndLine, Kind: s.Kind,
			Lang: s.Lang, Heading: h, Commands: cmds, Attrs: attrsJSON(s.Attrs),
			Hidden: s.Hidden, Prompted: s.Prompted, Expected: s.Expected,
			Error: s.Error, Edit: edit,
		})
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(nl + in2)
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	if len(m.Steps) > 0 {
		bw.WriteString(nl + in1)
	}
	bw.WriteString("]" + nl + "}\n")
	return bw.Flush()
}

// stepFlags is the FLAGS column: what will make the step run differently,
// as an author writes it (timeout=2m, exit=any, file=PATH).
func stepFlags(s *course.Step) string {
	var f []string
	for _, fl := range s.Flags() {
		switch {
		case fl.Name == "timeout":
			f = append(f, "timeout="+course.ShortDuration(s.Attrs.Timeout))
		case fl.Value != "" || fl.Name == "file" || fl.Name == "append":
			f = append(f, fl.Name+"="+fl.Value)
		default:
			f = append(f, fl.Name)
		}
	}
	return strings.Join(f, ",")
}

func firstCommand(s *course.Step) string {
	if s.Kind == course.File {
		return "(writes " + s.Attrs.File + ")"
	}
	if len(s.Commands) == 0 {
		return "-"
	}
	c, _, more := strings.Cut(s.Commands[0].Text, "\n")
	if more || len(s.Commands) > 1 {
		c += " …"
	}
	return c
}

func writeListTable(w io.Writer, m *course.Module, width int) error {
	if len(m.Steps) == 0 {
		_, err := fmt.Fprintf(w, "%s: no steps (fences tagged sh, bash, shell, console or with {file=...})\n", m.Path)
		return err
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tID\tLINE\tKIND\tCOMMAND\tFLAGS")
	for _, s := range m.Steps {
		cmd := firstCommand(s)
		if r := []rune(cmd); len(r) > 48 {
			cmd = string(r[:47]) + "…"
		}
		// A step written elsewhere (a coursectl.yaml's setup) says where.
		line := strconv.Itoa(s.Line)
		if s.File != "" && s.File != m.Path && (s.Module == nil || s.File != s.Module.Path) {
			line = filepath.Base(s.File) + ":" + line
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.Index, printable(s.ID), printable(line), s.Kind, printable(cmd), printable(stepFlags(s)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// tabwriter pads the empty last column; trailing blanks help no one.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// printable shows control characters (an ESC in a command, a tab) as
// escapes, so the table never drives the terminal or breaks its columns.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
