package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// A checkpoint file (docs/design.md, "Checkpoints") is data: a header
// line, the SHA-256 of the body, and a body of sections. Each section is
// the changes that lead from the state of an earlier checkpoint (its base)
// to this one's; a root section is a whole state. Reading one checks the
// checksum and every line's shape, and gives the entries; nothing in it is
// ever run.
//
//	coursectl-checkpoint v2
//	sha256 HEX
//	step N                   the step it is the checkpoint of (1-based)
//	id HEX                   this state's id, which later sections name
//	section root             or: section LEVEL base STEP ID
//	declare ...              a variable, as `declare -p` printed it
//	unset NAME               a variable the course unset
//	leave NAME               a variable the restoring shell keeps as it has it
//	function NAME ATTRS N    then N lines: its text as `declare -f` printed it
//	unset-function NAME
//	alias NAME "VALUE"       Go-quoted
//	unset-alias NAME
//	umask 0022
//	cwd "PATH"
//	dir "PATH"               the directory stack below the cwd, in order
//	history N                then N lines the history gained
//	fs NAME                  a filesystem checkpoint (FSCheckpointer)
//	end
const checkpointMagic = "coursectl-checkpoint v2"

// checkpointFile is one parsed checkpoint.
type checkpointFile struct {
	step     int
	id       string
	sections []*section
}

// section is a change set (or a whole state, root) from its base.
type section struct {
	root    bool
	level   int
	base    int // the base's step number (1-based)
	baseID  string
	entries []entry
	umask   string
	cwd     string
	dirs    []string
	history []string
	fs      []string
}

// entry is one variable, function or alias: key is "v:NAME", "f:NAME" or
// "a:NAME", value its stored form (see storedForm).
type entry struct{ key, value string }

// CorruptError says why a checkpoint file was refused.
type CorruptError struct {
	Path   string
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("it is corrupt (%s): %s", e.Reason, e.Path)
}

// encode writes the file: header, checksum, body.
func (f *checkpointFile) encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "step %d\nid %s\n", f.step, f.id)
	for _, s := range f.sections {
		s.encode(&b)
	}
	sum := sha256.Sum256(b.Bytes())
	out := make([]byte, 0, b.Len()+len(checkpointMagic)+80)
	out = append(out, checkpointMagic+"\nsha256 "...)
	out = append(out, hex.EncodeToString(sum[:])...)
	out = append(out, '\n')
	return append(out, b.Bytes()...)
}

func (s *section) encode(b *bytes.Buffer) {
	if s.root {
		b.WriteString("section root\n")
	} else {
		fmt.Fprintf(b, "section %d base %d %s\n", s.level, s.base, s.baseID)
	}
	for _, e := range s.entries {
		kind, name := e.key[:1], e.key[2:]
		switch {
		case kind == "v" && e.value == "":
			fmt.Fprintf(b, "leave %s\n", name)
		case kind == "v" && e.value == storedUnset:
			fmt.Fprintf(b, "unset %s\n", name)
		case kind == "v":
			b.WriteString(e.value)
			b.WriteByte('\n')
		case kind == "f" && e.value == "":
			fmt.Fprintf(b, "unset-function %s\n", name)
		case kind == "f":
			attrs, text, _ := strings.Cut(e.value, "\x00")
			if attrs == "" {
				attrs = "-"
			}
			text = strings.TrimSuffix(text, "\n")
			fmt.Fprintf(b, "function %s %s %d\n%s\n", name, attrs, strings.Count(text, "\n")+1, text)
		case kind == "a" && e.value == "":
			fmt.Fprintf(b, "unset-alias %s\n", name)
		case kind == "a":
			fmt.Fprintf(b, "alias %s %s\n", name, strconv.Quote(e.value[1:]))
		}
	}
	if s.umask != "" {
		fmt.Fprintf(b, "umask %s\n", s.umask)
	}
	if s.cwd != "" {
		fmt.Fprintf(b, "cwd %s\n", strconv.Quote(s.cwd))
	}
	for _, d := range s.dirs {
		fmt.Fprintf(b, "dir %s\n", strconv.Quote(d))
	}
	if len(s.history) > 0 {
		fmt.Fprintf(b, "history %d\n", len(s.history))
		for _, l := range s.history {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	for _, f := range s.fs {
		fmt.Fprintf(b, "fs %s\n", f)
	}
	b.WriteString("end\n")
}

// decodeCheckpoint reads and checks a checkpoint file's bytes.
func decodeCheckpoint(path string, data []byte) (*checkpointFile, error) {
	corrupt := func(format string, a ...any) error {
		return &CorruptError{Path: path, Reason: fmt.Sprintf(format, a...)}
	}
	magic, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(magic) != checkpointMagic {
		return nil, corrupt("not a checkpoint coursectl wrote")
	}
	sumLine, body, ok := bytes.Cut(rest, []byte("\n"))
	want, ok2 := bytes.CutPrefix(sumLine, []byte("sha256 "))
	if !ok || !ok2 || len(want) != 64 {
		return nil, corrupt("truncated")
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != string(want) {
		return nil, corrupt("truncated or damaged: its checksum does not match")
	}
	r := &lineReader{data: body}
	f := &checkpointFile{}
	bad := func(format string, a ...any) error {
		return corrupt("line %d: %s", r.n+2, fmt.Sprintf(format, a...))
	}
	l, _ := r.next()
	n, err := strconv.Atoi(strings.TrimPrefix(l, "step "))
	if !strings.HasPrefix(l, "step ") || err != nil || n < 1 {
		return nil, bad("want `step N`")
	}
	f.step = n
	l, _ = r.next()
	f.id, _ = strings.CutPrefix(l, "id ")
	if !validID(f.id) {
		return nil, bad("want `id HEX`")
	}
	for {
		l, ok := r.next()
		if !ok {
			break
		}
		s, err := decodeSection(r, l, f.step, bad)
		if err != nil {
			return nil, err
		}
		f.sections = append(f.sections, s)
	}
	if len(f.sections) == 0 {
		return nil, bad("no section")
	}
	return f, nil
}

func decodeSection(r *lineReader, head string, step int, bad func(string, ...any) error) (*section, error) {
	s := &section{}
	f := strings.Fields(head)
	switch {
	case head == "section root":
		s.root = true
	case len(f) == 5 && f[0] == "section" && f[2] == "base":
		lvl, err1 := strconv.Atoi(f[1])
		base, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || lvl < 0 || lvl > 9 || base < 1 || base >= step || !validID(f[4]) {
			return nil, bad("bad section header %q", head)
		}
		s.level, s.base, s.baseID = lvl, base, f[4]
	default:
		return nil, bad("want a section, got %q", head)
	}
	seen := map[string]bool{}
	add := func(key, value string) error {
		if seen[key] {
			return bad("%s twice", key[2:])
		}
		seen[key] = true
		s.entries = append(s.entries, entry{key, value})
		return nil
	}
	for {
		l, ok := r.next()
		if !ok {
			return nil, bad("section without end")
		}
		word, arg, _ := strings.Cut(l, " ")
		var err error
		switch word {
		case "end":
			if arg != "" {
				return nil, bad("want `end`")
			}
			return s, nil
		case "declare":
			d, derr := parseDecl(l)
			switch {
			case derr == errNotDecl:
				return nil, bad("not a declaration as bash prints one: %.60q", l)
			case derr != nil:
				return nil, bad("%v", derr)
			case !keptVar(d.name):
				return nil, bad("a variable coursectl does not keep: %s", d.name)
			}
			err = add("v:"+d.name, l)
		case "unset", "leave":
			if !isIdent(arg) || !keptVar(arg) {
				return nil, bad("bad variable name %.60q", arg)
			}
			v := ""
			if word == "unset" {
				v = storedUnset
			}
			err = add("v:"+arg, v)
		case "function":
			ff := strings.Fields(arg)
			if len(ff) != 3 || !validFuncName(ff[0]) || strings.HasPrefix(ff[0], "__cc") {
				return nil, bad("bad function line %.60q", l)
			}
			attrs := ff[1]
			if attrs == "-" {
				attrs = ""
			}
			n, nerr := strconv.Atoi(ff[2])
			if strings.Trim(attrs, "rtx") != "" || nerr != nil || n < 1 {
				return nil, bad("bad function line %.60q", l)
			}
			var lines []string // not sized by n: a planted count must not allocate
			for i := 0; i < n; i++ {
				t, ok := r.next()
				if !ok {
					return nil, bad("function %s cut short", ff[0])
				}
				lines = append(lines, t)
			}
			text := strings.Join(lines, "\n") + "\n"
			if why := checkFunction(ff[0], text); why != "" {
				return nil, bad("function %s: %s", ff[0], why)
			}
			err = add("f:"+ff[0], attrs+"\x00"+text)
		case "unset-function":
			if !validFuncName(arg) {
				return nil, bad("bad function name %.60q", arg)
			}
			err = add("f:"+arg, "")
		case "alias":
			name, q, _ := strings.Cut(arg, " ")
			v, uerr := strconv.Unquote(q)
			if !validAliasName(name) || uerr != nil || !strings.HasPrefix(q, `"`) {
				return nil, bad("bad alias line %.60q", l)
			}
			err = add("a:"+name, "="+v)
		case "unset-alias":
			if !validAliasName(arg) {
				return nil, bad("bad alias name %.60q", arg)
			}
			err = add("a:"+arg, "")
		case "umask":
			if !validUmask(arg) || s.umask != "" {
				return nil, bad("bad umask %.60q", arg)
			}
			s.umask = arg
		case "cwd", "dir":
			p, uerr := strconv.Unquote(arg)
			if uerr != nil || !strings.HasPrefix(arg, `"`) || !strings.HasPrefix(p, "/") || strings.IndexByte(p, 0) >= 0 {
				return nil, bad("bad directory %.60q", arg)
			}
			if word == "cwd" {
				s.cwd = p
			} else {
				s.dirs = append(s.dirs, p)
			}
		case "history":
			n, nerr := strconv.Atoi(arg)
			if nerr != nil || n < 0 || s.history != nil {
				return nil, bad("bad history line %.60q", l)
			}
			s.history = []string{}
			for i := 0; i < n; i++ {
				t, ok := r.next()
				if !ok {
					return nil, bad("history cut short")
				}
				s.history = append(s.history, t)
			}
		case "fs":
			if !validFSName(arg) {
				return nil, bad("bad filesystem checkpoint name %.60q", arg)
			}
			s.fs = append(s.fs, arg)
		default:
			return nil, bad("unknown line %.60q", l)
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkFunction makes sure text is one function definition of name and
// nothing else, as bash's `declare -f name` prints it: restoring it
// defines the function and runs nothing.
func checkFunction(name, text string) string {
	if !strings.HasPrefix(text, name+" () \n") {
		return "not as `declare -f` prints a function"
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil {
		return "does not parse: " + err.Error()
	}
	if len(f.Stmts) != 1 {
		return "more than a function definition"
	}
	st := f.Stmts[0]
	fd, ok := st.Cmd.(*syntax.FuncDecl)
	if !ok || fd.Name == nil || fd.Name.Value != name || st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 {
		return "more than a function definition"
	}
	if end := int(st.End().Offset()); strings.TrimSpace(text[end:]) != "" {
		return "more than a function definition"
	}
	return ""
}

func validID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// validFSName: a filesystem checkpoint's directory beside the checkpoint
// files (the container sandbox's), never a path elsewhere.
func validFSName(s string) bool {
	if s == "" || len(s) > 200 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// lineReader gives a body's lines one at a time.
type lineReader struct {
	data []byte
	n    int
}

func (r *lineReader) next() (string, bool) {
	if len(r.data) == 0 {
		return "", false
	}
	i := bytes.IndexByte(r.data, '\n')
	if i < 0 {
		// A body always ends with a newline: this is a last line cut
		// short, which the checksum already refused.
		l := string(r.data)
		r.data = nil
		r.n++
		return l, true
	}
	l := string(r.data[:i])
	r.data = r.data[i+1:]
	r.n++
	return l, true
}

// restoredState is what a chain of sections adds up to: the state a
// restore puts into a fresh shell.
type restoredState struct {
	entries map[string]string // key → stored form ("" entries removed)
	umask   string
	cwd     string
	dirs    []string
	history []string
	fs      []string
}

func (rs *restoredState) apply(s *section) {
	if s.root {
		rs.entries = map[string]string{}
		rs.history = nil
		rs.fs = nil
	}
	for _, e := range s.entries {
		if e.value == "" {
			delete(rs.entries, e.key)
		} else {
			rs.entries[e.key] = e.value
		}
	}
	if s.umask != "" {
		rs.umask = s.umask
	}
	if s.cwd != "" {
		rs.cwd, rs.dirs = s.cwd, slices.Clone(s.dirs)
	}
	rs.history = append(rs.history, s.history...)
	rs.fs = append(rs.fs, s.fs...)
}

var errNoSection = errors.New("no section")
