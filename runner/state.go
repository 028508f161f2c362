package runner

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// shellState is what a checkpoint can hold of a shell (docs/spec.md §3): its
// variables, functions and aliases by name, its options (SHELLOPTS and
// BASHOPTS, among the variables), umask, working directory and directory
// stack. The runner keeps one for the live shell, updated from what the
// wrapper dumps after every round trip (see dumpPlan: usually only the
// names the step could have changed), so that a checkpoint can be written
// as the changes since the last one.
type shellState struct {
	vars    map[string]string // name → its `declare -p` line
	funcs   map[string]funcDef
	aliases map[string]string // name → value
	umask   string            // "0022"
	cwd     string
	dirs    []string // the directory stack below the cwd (DIRSTACK[1:])
	// traps: the course has set a trap (other than EXIT) that runs code
	// the runner does not see: every dump is then a full one.
	traps bool
}

// funcDef is a function as `declare -f NAME` prints it, with the letters
// of its attributes (`declare -fx` → "x").
type funcDef struct{ attrs, text string }

func newShellState() *shellState {
	return &shellState{vars: map[string]string{}, funcs: map[string]funcDef{}, aliases: map[string]string{}}
}

// Names a checkpoint never holds: bash's own dynamic and read-only
// variables, the terminal's, and the ones each run sets itself.
var skipVars = map[string]bool{
	"BASH": true, "BASHPID": true, "BASH_ALIASES": true, "BASH_ARGC": true,
	"BASH_ARGV": true, "BASH_ARGV0": true, "BASH_CMDS": true, "BASH_COMMAND": true,
	"BASH_EXECUTION_STRING": true, "BASH_LINENO": true, "BASH_SOURCE": true, "BASH_SUBSHELL": true,
	"BASH_VERSINFO": true, "BASH_VERSION": true, "COMP_WORDBREAKS": true, "DIRSTACK": true,
	"EPOCHREALTIME": true, "EPOCHSECONDS": true, "EUID": true, "FUNCNAME": true, "GROUPS": true,
	"HISTCMD": true, "LINENO": true, "PIPESTATUS": true, "PPID": true, "PWD": true, "RANDOM": true,
	"SECONDS": true, "SHLVL": true, "SRANDOM": true, "UID": true, "_": true,
	"COLUMNS": true, "LINES": true, "TERM": true, "HOME": true, "COURSE_DIR": true, "HISTFILE": true,
}

// keptVar: whether a variable of the shell belongs in its state at all.
// SHELLOPTS and BASHOPTS do (they carry the options); PROMPT_COMMAND does
// (the planner looks at it) though a restore never sets it.
func keptVar(name string) bool {
	return !skipVars[name] && !strings.HasPrefix(name, "__cc")
}

// alwaysDumped are dumped after every round trip whatever the step: the
// wrapper itself changes them (options around the step, PS4 under a
// course's set -x), and they are small.
var alwaysDumped = []string{"SHELLOPTS", "BASHOPTS", "PS4"}

// The wrapper's dump of the shell's state (prelude.bash, __cc_save):
// sections that each start with a line `@SENTINEL KIND`, the sentinel
// being the round trip's end token, which the course never saw.
//
//	@S delta | @S full  a dump of the planned names, or of everything
//	@S vars             declare -p lines
//	@S fn LINE          `declare -F` line of a function (`none NAME`: gone), then its text
//	@S aliases          alias -p lines
//	@S traps            trap -p lines (full dumps)
//	@S umask            umask -p
//	@S cwd              $PWD, NUL-terminated
//	@S dirs             DIRSTACK[1:], each NUL-terminated
//	@S end
//
// When deltas are being checked (checkDeltas) a full dump follows the
// delta in the same file.
type dump struct {
	full    bool
	vars    map[string]string
	funcs   map[string]*funcDef // nil value: the function does not exist
	aliases map[string]string
	traps   bool
	umask   string
	cwd     string
	dirs    []string
	// check is the full dump that followed a delta (checkDeltas).
	check *dump
}

var errBadDump = errors.New("the shell's state dump is incomplete")

// parseDump reads the wrapper's dump written with sentinel sent.
func parseDump(b []byte, sent string) (*dump, error) {
	marker := []byte("@" + sent + " ")
	var dumps []*dump
	var cur *dump
	for len(b) > 0 {
		if !bytes.HasPrefix(b, marker) {
			return nil, errBadDump
		}
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return nil, errBadDump
		}
		head := string(b[len(marker):nl])
		b = b[nl+1:]
		// The section's body runs to the next marker at a line start.
		var body []byte
		if bytes.HasPrefix(b, marker) {
			body = nil
		} else if end := bytes.Index(b, append([]byte("\n"), marker...)); end < 0 {
			body, b = b, nil
		} else {
			body, b = b[:end+1], b[end+1:]
		}
		kind, arg, _ := strings.Cut(head, " ")
		if cur == nil {
			if kind != "delta" && kind != "full" || len(body) > 0 {
				return nil, errBadDump
			}
			cur = &dump{full: kind == "full", vars: map[string]string{}, funcs: map[string]*funcDef{}, aliases: map[string]string{}}
			continue
		}
		var err error
		switch kind {
		case "vars":
			err = cur.parseVars(body)
		case "fn":
			err = cur.parseFunc(arg, body)
		case "aliases":
			err = cur.parseAliases(body)
		case "traps":
			cur.traps = userTraps(string(body))
		case "umask":
			u, ok := strings.CutPrefix(strings.TrimSpace(string(body)), "umask ")
			if !ok || !validUmask(u) {
				err = errBadDump
			}
			cur.umask = u
		case "cwd":
			p, ok := bytes.CutSuffix(body, []byte("\x00\n"))
			if !ok || bytes.IndexByte(p, 0) >= 0 {
				err = errBadDump
			}
			cur.cwd = string(p)
		case "dirs":
			rest, ok := bytes.CutSuffix(body, []byte("\n"))
			if !ok || len(rest) > 0 && rest[len(rest)-1] != 0 {
				return nil, errBadDump
			}
			for len(rest) > 0 {
				i := bytes.IndexByte(rest, 0)
				cur.dirs = append(cur.dirs, string(rest[:i]))
				rest = rest[i+1:]
			}
		case "end":
			if cur.umask == "" || len(body) > 0 {
				err = errBadDump
			}
			dumps = append(dumps, cur)
			cur = nil
		default:
			err = errBadDump
		}
		if err != nil {
			return nil, err
		}
	}
	if cur != nil || len(dumps) == 0 || len(dumps) > 2 || len(dumps) == 2 && (dumps[0].full || !dumps[1].full) {
		return nil, errBadDump
	}
	if len(dumps) == 2 {
		dumps[0].check = dumps[1]
	}
	return dumps[0], nil
}

func (d *dump) parseVars(body []byte) error {
	for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		if line == "" {
			continue
		}
		v, err := parseDecl(line)
		if err != nil {
			return fmt.Errorf("%w: %q", errBadDump, line)
		}
		if keptVar(v.name) {
			d.vars[v.name] = line
		}
	}
	return nil
}

func (d *dump) parseFunc(head string, body []byte) error {
	if name, ok := strings.CutPrefix(head, "none "); ok {
		d.funcs[name] = nil
		return nil
	}
	flags, name, ok := strings.Cut(strings.TrimPrefix(head, "declare -f"), " ")
	if !ok || !validFuncName(name) || strings.Trim(flags, "rtx") != "" {
		return errBadDump
	}
	if strings.HasPrefix(name, "__cc") {
		return nil
	}
	d.funcs[name] = &funcDef{attrs: flags, text: string(body)}
	return nil
}

func (d *dump) parseAliases(body []byte) error {
	s := string(body)
	for s != "" && s != "\n" {
		name, value, rest, err := parseAlias(s)
		if err != nil {
			return errBadDump
		}
		d.aliases[name] = value
		s = rest
	}
	return nil
}

// userTraps: `trap -p` shows a trap that runs code when the runner cannot
// see it (any but EXIT, which runs when the shell ends).
func userTraps(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l != "" && !strings.HasSuffix(l, " EXIT") {
			return true
		}
	}
	return false
}

// applyDump brings st up to date with d, dumped after a round trip that
// could change only plan's names (everything, for a full dump), and calls
// changed with each key (v:NAME, f:NAME or a:NAME) whose value differs,
// before changing it: old is its value then ("" and had false: none).
func (st *shellState) applyDump(d *dump, plan *dumpPlan, changed func(key, old string, had bool)) {
	setVar := func(name, line string, ok bool) {
		old, had := st.vars[name]
		if ok && (!had || old != line) {
			changed("v:"+name, old, had)
			st.vars[name] = line
		} else if !ok && had {
			changed("v:"+name, old, had)
			delete(st.vars, name)
		}
	}
	setFunc := func(name string, f *funcDef) {
		old, had := st.funcs[name]
		if f != nil && (!had || old != *f) {
			changed("f:"+name, old.attrs+"\x00"+old.text, had)
			st.funcs[name] = *f
		} else if f == nil && had {
			changed("f:"+name, old.attrs+"\x00"+old.text, had)
			delete(st.funcs, name)
		}
	}
	setAlias := func(name, v string, ok bool) {
		old, had := st.aliases[name]
		if ok && (!had || old != v) {
			changed("a:"+name, "="+old, had)
			st.aliases[name] = v
		} else if !ok && had {
			changed("a:"+name, "="+old, had)
			delete(st.aliases, name)
		}
	}
	if d.full {
		for name, line := range d.vars {
			setVar(name, line, true)
		}
		for name := range st.vars {
			if _, ok := d.vars[name]; !ok {
				setVar(name, "", false)
			}
		}
		for name, f := range d.funcs {
			setFunc(name, f)
		}
		for name := range st.funcs {
			if _, ok := d.funcs[name]; !ok {
				setFunc(name, nil)
			}
		}
		for name, v := range d.aliases {
			setAlias(name, v, true)
		}
		for name := range st.aliases {
			if _, ok := d.aliases[name]; !ok {
				setAlias(name, "", false)
			}
		}
		st.traps = d.traps
	} else {
		for _, name := range alwaysDumped {
			line, ok := d.vars[name]
			setVar(name, line, ok)
		}
		for _, name := range plan.vars {
			line, ok := d.vars[name]
			setVar(name, line, ok)
		}
		for _, name := range plan.funcs {
			setFunc(name, d.funcs[name])
		}
		for _, name := range plan.aliases {
			v, ok := d.aliases[name]
			setAlias(name, v, ok)
		}
	}
	st.umask, st.cwd, st.dirs = d.umask, d.cwd, d.dirs
}

// diff lists what differs between two states (for checkDeltas).
func (st *shellState) diff(o *shellState) []string {
	var out []string
	for _, k := range sortedKeys(st.vars, o.vars) {
		if st.vars[k] != o.vars[k] {
			out = append(out, fmt.Sprintf("variable %s: %q, dumped %q", k, st.vars[k], o.vars[k]))
		}
	}
	for _, k := range sortedKeys(st.funcs, o.funcs) {
		if st.funcs[k] != o.funcs[k] {
			out = append(out, fmt.Sprintf("function %s: %q, dumped %q", k, st.funcs[k], o.funcs[k]))
		}
	}
	for _, k := range sortedKeys(st.aliases, o.aliases) {
		if st.aliases[k] != o.aliases[k] {
			out = append(out, fmt.Sprintf("alias %s: %q, dumped %q", k, st.aliases[k], o.aliases[k]))
		}
	}
	return out
}

func sortedKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func validUmask(s string) bool {
	if len(s) < 3 || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}

// validFuncName: a function name the restore can define and the wrapper
// can name in `declare -f NAME`: no blanks, quotes, expansions or
// operators, and not an option.
func validFuncName(s string) bool {
	if s == "" || s[0] == '-' || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return !strings.ContainsAny(s, " \t\n$`='\"\\|&;()<>[]*?{}!#~")
}
