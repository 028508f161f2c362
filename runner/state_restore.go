package runner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// restoreScript is the script that puts a fresh shell (the prelude run)
// into state rs, built from parsed values only: every value is quoted here,
// every function was checked to be one definition (checkFunction), and
// nothing of the checkpoint's text is run. Options come last so that an
// errexit or nounset the course set cannot trip the restore itself. notes
// say what was left out, and why.
func restoreScript(rs *restoredState) (script string, notes []string) {
	keys := make([]string, 0, len(rs.entries))
	for k := range rs.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var vars, funcs, aliases strings.Builder
	var shellopts, bashopts string
	for _, k := range keys {
		name, v := k[2:], rs.entries[k]
		switch k[0] {
		case 'v':
			if v == storedUnset {
				fmt.Fprintf(&vars, "unset -v %s\n", name)
				continue
			}
			d, err := parseDecl(v)
			if err != nil || d.name != name {
				notes = append(notes, fmt.Sprintf("variable %s: %v", name, err))
				continue
			}
			switch {
			case name == "SHELLOPTS":
				shellopts = d.value
			case name == "BASHOPTS":
				bashopts = d.value
			case name == "PROMPT_COMMAND":
				// It holds the wrapper's hook; the course's own never
				// reaches here (the planner dumps everything then, and a
				// restore would run it at the first prompt).
			case strings.HasPrefix(name, "PS") && runsCode(v):
				notes = append(notes, fmt.Sprintf("%s is not restored: it would run a command at every prompt", name))
			default:
				vars.WriteString(d.render())
				vars.WriteByte('\n')
			}
		case 'f':
			attrs, text, _ := strings.Cut(v, "\x00")
			if why := checkFunction(name, text); why != "" {
				notes = append(notes, fmt.Sprintf("function %s: %s", name, why))
				continue
			}
			funcs.WriteString(text)
			if attrs != "" {
				fmt.Fprintf(&funcs, "declare -f%s %s\n", attrs, name)
			}
		case 'a':
			fmt.Fprintf(&aliases, "alias -- %s\n", shellQuote(name+"="+v[1:]))
		}
	}
	var s strings.Builder
	s.WriteString(vars.String())
	s.WriteString(funcs.String())
	s.WriteString(aliases.String())
	if rs.cwd != "" {
		fmt.Fprintf(&s, "cd -- %s\n", shellQuote(rs.cwd))
	}
	// The directory stack: pushed deepest first.
	for i := len(rs.dirs) - 1; i >= 0; i-- {
		fmt.Fprintf(&s, "pushd -n %s >/dev/null\n", shellQuote(rs.dirs[i]))
	}
	// The cd made OLDPWD the fresh shell's directory: the checkpoint's
	// goes back, or `cd -` after a restore goes elsewhere than live.
	// With no entry no step changed it: as a fresh shell has it (the
	// session's environment drops the caller's), exported and unset.
	if rs.cwd != "" {
		v, ok := rs.entries["v:OLDPWD"]
		d, err := parseDecl(v)
		switch {
		case !ok:
			s.WriteString("unset -v OLDPWD; declare -x OLDPWD\n")
		case v == storedUnset || err != nil:
			s.WriteString("unset -v OLDPWD\n")
		case !d.set:
			s.WriteString("unset -v OLDPWD\n" + d.render() + "\n")
		default:
			s.WriteString(d.render() + "\n")
		}
	}
	if rs.umask != "" {
		fmt.Fprintf(&s, "umask %s\n", rs.umask)
	}
	if !validOptList(shellopts) || !validOptList(bashopts) {
		notes = append(notes, "options not restored: not a list of option names")
		shellopts, bashopts = "", ""
	}
	// Every option is set or unset as the checkpoint's SHELLOPTS/BASHOPTS
	// say: off, those the shell has on and the checkpoint has not (read
	// from $BASHOPTS and $SHELLOPTS by parameter expansion: a process
	// substitution of `shopt -p` forks the shell and is read a byte at a
	// time); then on, the checkpoint's, errexit last so that it cannot trip
	// the restore. One redirection for all.
	fmt.Fprintf(&s, "__cc_so=%s __cc_bo=%s\n", shellQuote(":"+shellopts+":"), shellQuote(":"+bashopts+":"))
	s.WriteString(`{
__cc_x=${BASHOPTS-}:; while [[ -n $__cc_x ]]; do __cc_o=${__cc_x%%:*} __cc_x=${__cc_x#*:}; if [[ -n $__cc_o && $__cc_bo != *:$__cc_o:* ]]; then shopt -u "$__cc_o"; fi; done
__cc_x=${SHELLOPTS-}:; while [[ -n $__cc_x ]]; do __cc_o=${__cc_x%%:*} __cc_x=${__cc_x#*:}; if [[ -n $__cc_o && $__cc_so != *:$__cc_o:* ]]; then set +o "$__cc_o"; fi; done
`)
	if bashopts != "" {
		fmt.Fprintf(&s, "shopt -s %s\n", strings.ReplaceAll(bashopts, ":", " "))
	}
	var last []string
	for _, o := range strings.Split(shellopts, ":") {
		switch o {
		case "":
		case "errexit", "nounset":
			last = append(last, o)
		default:
			fmt.Fprintf(&s, "set -o %s\n", o)
		}
	}
	for _, o := range last {
		fmt.Fprintf(&s, "set -o %s\n", o)
	}
	s.WriteString("} 2>/dev/null\nunset __cc_so __cc_bo __cc_x __cc_o\n")
	return s.String(), notes
}

// restoreHistory ends a restore script: the history list becomes the
// checkpoint's (histFile). Last, because bash adds the lines of a sourced
// file that come after a `history -r` to the history; cleared even when the
// checkpoint has none, since the line the runner typed to restore is in it.
func restoreHistory(histFile string) string {
	return "history -c; history -r " + shellQuote(histFile) + "\n"
}

func validOptList(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_' || c == ':' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// historyText is history lines as the file `history -r` reads.
func historyText(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// snapshot is the live state as a restored state with everything in it
// (no policy: it never reaches the disk), for a debug shell.
func (ls *liveState) snapshot() *restoredState {
	rs := &restoredState{entries: map[string]string{}, umask: ls.st.umask, cwd: ls.st.cwd,
		dirs: slices.Clone(ls.st.dirs), history: slices.Clone(ls.history)}
	for n, line := range ls.st.vars {
		rs.entries["v:"+n] = line
	}
	for n, f := range ls.st.funcs {
		rs.entries["f:"+n] = f.attrs + "\x00" + f.text
	}
	for n, a := range ls.st.aliases {
		rs.entries["a:"+n] = "=" + a
	}
	return rs
}
