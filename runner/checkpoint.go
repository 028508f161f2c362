package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// store is where one module's checkpoints, run record and sandbox live:
// STATE/modules/NAME-HASH/, HASH from the module's absolute path so two
// modules with the same file name never share.
type store struct {
	dir string
	// sandboxed: the store holds a sandboxed run's checkpoints and record
	// (check, watch --run), kept apart from the learner's live ones (run,
	// check --no-sandbox) so neither restores the other's state.
	sandboxed bool
	made      bool     // checkpoints/ exists
	chain     []string // chain[i]: hash of steps 0..i (bodies and what affects running)
}

const (
	checkpointHeader = "# coursectl checkpoint 1\n"
	checkpointEnd    = "# end\n"
)

// DefaultStateDir is docs/spec.md §3's default: $XDG_STATE_HOME/coursectl, else
// ~/.local/state/coursectl.
func DefaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "coursectl")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "coursectl-state")
	}
	return filepath.Join(home, ".local", "state", "coursectl")
}

func openStore(stateDir string, mod *course.Module, sandboxed bool) (*store, error) {
	if stateDir == "" {
		stateDir = DefaultStateDir()
	}
	// Absolute, so the run's own files stay reachable after a step's cd.
	stateDir, err := filepath.Abs(stateDir)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(mod.Path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(abs))
	name := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	name = regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(name, "_")
	st := &store{dir: filepath.Join(stateDir, "modules", name+"-"+hex.EncodeToString(sum[:6])), sandboxed: sandboxed}
	st.chain = stepChain(mod)
	return st, nil
}

// stepChain hashes each step's running content onto the hash of the steps
// before it, so an edit invalidates that step's checkpoint and all after it.
func stepChain(mod *course.Module) []string {
	prev := sha256.Sum256([]byte("coursectl-chain-1"))
	if env := mod.Settings.Env; len(env) > 0 {
		// The env: of the settings is in the shell of every step (a
		// checkpoint stores it), so a change invalidates them all; without
		// it, --resume would restore the old values. Only when set, so the
		// chains of modules without env: stay as they were.
		h := sha256.New()
		h.Write(prev[:])
		for _, k := range slices.Sorted(maps.Keys(env)) {
			fmt.Fprintf(h, "env\x00%s\x00%s\x00", k, env[k])
		}
		copy(prev[:], h.Sum(nil))
	}
	out := make([]string, len(mod.Steps))
	for i, s := range mod.Steps {
		h := sha256.New()
		h.Write(prev[:])
		fmt.Fprintf(h, "%s\x00%s\x00", s.Kind, s.Lang)
		for _, c := range s.Commands {
			fmt.Fprintf(h, "cmd\x00%s\x00", c.Text)
			if c.Want != nil {
				fmt.Fprintf(h, "want\x00%q\x00%v\x00", c.Want.Lines, c.Want.Exit)
			}
		}
		if len(s.Commands) == 0 {
			fmt.Fprintf(h, "body\x00%s\x00", s.Body)
		}
		a := s.Attrs
		fmt.Fprintf(h, "attrs\x00%v\x00%v\x00%v\x00%v\x00%q\x00%v\x00%q\x00%v\x00%q\x00%v\x00",
			a.Skip, a.Exit, a.ExitAny, a.Interactive, a.File, a.Append, a.Mode, a.Background, a.Ready, a.Interact)
		if s.Expected != nil {
			fmt.Fprintf(h, "expected\x00%q\x00%v\x00", s.Expected.Lines, s.Expected.Exit)
		}
		// Written only when set, so the chains of steps without them stay
		// as they were.
		if s.Error != nil {
			fmt.Fprintf(h, "error\x00%q\x00", s.Error.Lines)
		}
		if s.Pipefail() {
			fmt.Fprintf(h, "pipefail\x00")
		}
		if s.Edit != nil {
			content, ok := s.EditContent()
			fmt.Fprintf(h, "edit\x00%d\x00%s\x00%v\x00%s\x00", s.Edit.Command, s.Edit.File, ok, content)
		}
		for _, v := range s.Verify {
			fmt.Fprintf(h, "verify\x00%s\x00", v.Body)
		}
		copy(prev[:], h.Sum(nil))
		out[i] = hex.EncodeToString(prev[:])
	}
	return out
}

// checkpointsDir is the namespace's checkpoint directory: the learner's
// live one keeps the name it always had, so their progress survives an
// upgrade.
func (st *store) checkpointsDir() string {
	if st.sandboxed {
		return filepath.Join(st.dir, "sandbox-checkpoints")
	}
	return filepath.Join(st.dir, "checkpoints")
}

func (st *store) checkpointPath(i int) string {
	return filepath.Join(st.checkpointsDir(), fmt.Sprintf("%03d-%s.sh", i+1, st.chain[i][:16]))
}

func (st *store) recordPath() string {
	if st.sandboxed {
		return filepath.Join(st.dir, "sandbox-record.json")
	}
	return filepath.Join(st.dir, "record.json")
}

// prepare reads the wrapper's freshly written state file (in the scratch
// directory, on tmpfs when there is one) and returns the checkpoint to store,
// the shell's history so far as its last section.
func prepareCheckpoint(tmp string, history []byte) ([]byte, error) {
	b, err := os.ReadFile(tmp)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte(checkpointHeader)) || !bytes.HasSuffix(b, []byte(checkpointEnd)) {
		return nil, fmt.Errorf("the shell wrote an incomplete checkpoint (%d bytes)", len(b))
	}
	out := make([]byte, 0, len(b)+len(history)+32)
	out = append(out, b[:len(b)-len(checkpointEnd)]...)
	out = append(out, "# history\n"...)
	out = append(out, history...)
	if len(history) > 0 && history[len(history)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, checkpointEnd...), nil
}

// write stores step i's checkpoint: written whole under a temporary name and
// renamed, so a reader sees the old checkpoint or the new one, never half of
// one. One write(2): bash writes a line per write(2), cheap on tmpfs and not
// on a journalling filesystem, so the wrapper never writes the store itself.
func (st *store) write(i int, data []byte) error {
	if !st.made {
		if err := os.MkdirAll(st.checkpointsDir(), 0o755); err != nil {
			return err
		}
		st.made = true
	}
	return writeRename(st.checkpointPath(i), data)
}

// drop removes the checkpoints of steps from..to-1 (this chain's; files of other
// chains are never read).
func (st *store) drop(from, to int) error {
	for i := from; i < to && i < len(st.chain); i++ {
		if err := os.Remove(st.checkpointPath(i)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// prune removes the checkpoint files of other chains (steps since edited,
// steps that no longer exist) and leftovers of interrupted writes: a module
// keeps one set, this chain's.
func (st *store) prune() error {
	dir := st.checkpointsDir()
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	keep := map[string]bool{}
	for i := range st.chain {
		keep[filepath.Base(st.checkpointPath(i))] = true
	}
	for _, e := range ents {
		if !keep[e.Name()] {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeRename(dst string, b []byte) error {
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// errNoCheckpoint: the step has no checkpoint (never passed, or edited since).
var errNoCheckpoint = errors.New("no checkpoint")

// valid reports whether step i has a usable checkpoint, and when it was made.
func (st *store) valid(i int) (time.Time, error) {
	p := st.checkpointPath(i)
	fi, err := os.Stat(p)
	if err != nil {
		return time.Time{}, errNoCheckpoint
	}
	if err := validCheckpoint(p); err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

func validCheckpoint(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// Only the ends: a checkpoint is whole when it has both (the wrapper
	// writes the end marker last), and this runs after every step.
	head := make([]byte, len(checkpointHeader))
	tail := make([]byte, len(checkpointEnd))
	fi, err := f.Stat()
	if err == nil && fi.Size() >= int64(len(head)+len(tail)) {
		if _, err = f.ReadAt(head, 0); err == nil {
			_, err = f.ReadAt(tail, fi.Size()-int64(len(tail)))
		}
	}
	if err != nil || string(head) != checkpointHeader || string(tail) != checkpointEnd {
		return fmt.Errorf("it is corrupt (truncated or not written by coursectl): %s", path)
	}
	return nil
}

// Names a fresh shell must not take from a checkpoint: bash's own dynamic and
// read-only variables, the terminal's, and the runner's.
var skipVars = map[string]bool{
	"BASH": true, "BASHOPTS": true, "BASHPID": true, "BASH_ALIASES": true, "BASH_ARGC": true,
	"BASH_ARGV": true, "BASH_ARGV0": true, "BASH_CMDS": true, "BASH_COMMAND": true,
	"BASH_EXECUTION_STRING": true, "BASH_LINENO": true, "BASH_SOURCE": true, "BASH_SUBSHELL": true,
	"BASH_VERSINFO": true, "BASH_VERSION": true, "COMP_WORDBREAKS": true, "DIRSTACK": true,
	"EPOCHREALTIME": true, "EPOCHSECONDS": true, "EUID": true, "FUNCNAME": true, "GROUPS": true,
	"HISTCMD": true, "LINENO": true, "PIPESTATUS": true, "PPID": true, "PWD": true, "RANDOM": true,
	"SECONDS": true, "SHELLOPTS": true, "SHLVL": true, "SRANDOM": true, "UID": true, "_": true,
	"COLUMNS": true, "LINES": true, "TERM": true, "HOME": true, "COURSE_DIR": true, "HISTFILE": true,
	"PROMPT_COMMAND": true,
}

// declRe splits a `declare -p` line: flags, name, rest.
var declRe = regexp.MustCompile(`^declare (-[-a-zA-Z]+) ([A-Za-z_][A-Za-z0-9_]*)(.*)$`)

// restoreScript turns checkpoint file path into a script that puts a fresh
// shell (prelude already run) into the checkpoint's state, and the history
// the script reads from histFile. Options come last
// so an errexit or nounset the steps set cannot trip the restore itself.
func restoreScript(path, histFile string) (script, history string, err error) {
	if err := validCheckpoint(path); err != nil {
		return "", "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	var vars, funcs, aliases, umask, cwd, hist strings.Builder
	var shellopts, bashopts string
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		// declare -f output has no comment lines, so inside the functions
		// section only the next section's header ends it.
		if strings.HasPrefix(line, "# ") && (section != "functions" || line == "# aliases") {
			section = strings.TrimPrefix(line, "# ")
			continue
		}
		switch section {
		case "vars":
			m := declRe.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			switch name := m[2]; {
			case name == "SHELLOPTS":
				shellopts = optList(m[3])
			case name == "BASHOPTS":
				bashopts = optList(m[3])
			case skipVars[name] || strings.HasPrefix(name, "__cc"):
			default:
				vars.WriteString(line + "\n")
			}
		case "functions":
			funcs.WriteString(line + "\n")
		case "aliases":
			aliases.WriteString(line + "\n")
		case "options":
			umask.WriteString(line + "\n")
		case "cwd":
			cwd.WriteString(line + "\n")
		case "history":
			hist.WriteString(line + "\n")
		}
	}
	var s strings.Builder
	s.WriteString(vars.String())
	s.WriteString(funcs.String())
	s.WriteString(aliases.String())
	s.WriteString(cwd.String())
	s.WriteString(umask.String())
	// Every option is set or unset as the checkpoint's SHELLOPTS/BASHOPTS
	// say; set -o last, so an errexit there cannot trip the restore.
	fmt.Fprintf(&s, "__cc_so=%s __cc_bo=%s\n", shellQuote(":"+shellopts+":"), shellQuote(":"+bashopts+":"))
	s.WriteString(`while read -r _ __cc_x __cc_o; do if [[ $__cc_bo == *:$__cc_o:* ]]; then shopt -s "$__cc_o"; else shopt -u "$__cc_o"; fi 2>/dev/null; done < <(shopt -p)
while read -r _ __cc_x __cc_o; do if [[ $__cc_so == *:$__cc_o:* ]]; then set -o "$__cc_o"; else set +o "$__cc_o"; fi 2>/dev/null; done < <(set +o)
unset __cc_so __cc_bo __cc_x __cc_o
`)
	return s.String(), hist.String(), nil
}

// restoreHistory ends a restore script: the history list becomes the
// checkpoint's (histFile). Last, because bash adds the lines of a sourced
// file that come after a `history -r` to the history; cleared even when the
// checkpoint has none, since the line the runner typed to restore is in it.
func restoreHistory(histFile string) string {
	return "history -c; history -r " + shellQuote(histFile) + "\n"
}

// optList is the value of `declare -r SHELLOPTS="a:b"`.
func optList(rest string) string {
	v := strings.TrimPrefix(rest, "=")
	return strings.Trim(v, `"`)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Progress is what the checkpoints say about a module (status, run's resume).
type Progress struct {
	// Done[i] is true when step i has a valid checkpoint.
	Done []bool
	// When[i] is when step i's checkpoint was made (zero when not done).
	When []time.Time
	// Next is the first step that is not done (len(Steps) when all are).
	Next int
	// LastRun is the last run's record, nil when there is none.
	LastRun *result.Module
	// Failed is the id of the step that failed in the last run, "" if none.
	Failed string
	// Warnings are corrupt checkpoints and records found (and ignored).
	Warnings []string
}

// LoadProgress reads which steps of mod have valid checkpoints in the
// learner's live namespace (run, check --no-sandbox): what `run` resumes,
// `status` shows and `shell` stands in.
func LoadProgress(stateDir string, mod *course.Module) (*Progress, error) {
	return loadProgress(stateDir, mod, false)
}

// LoadSandboxProgress is LoadProgress for the sandboxed runs' namespace
// (check, watch --run): what `check --resume` and `watch --run` go on from.
func LoadSandboxProgress(stateDir string, mod *course.Module) (*Progress, error) {
	return loadProgress(stateDir, mod, true)
}

func loadProgress(stateDir string, mod *course.Module, sandboxed bool) (*Progress, error) {
	st, err := openStore(stateDir, mod, sandboxed)
	if err != nil {
		return nil, err
	}
	p := &Progress{Done: make([]bool, len(mod.Steps)), When: make([]time.Time, len(mod.Steps)), Next: -1}
	for i := range mod.Steps {
		t, err := st.valid(i)
		if err == nil {
			p.Done[i], p.When[i] = true, t
		} else if !errors.Is(err, errNoCheckpoint) {
			step := mod.Steps[i]
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: ignoring the checkpoint of step %s: %v — the step runs again", mod.Path, step.Line, step.ID, err))
		}
		if !p.Done[i] && p.Next < 0 {
			p.Next = i
		}
	}
	if p.Next < 0 {
		p.Next = len(mod.Steps)
	}
	rec, err := st.readRecord(mod)
	if err != nil {
		p.Warnings = append(p.Warnings, err.Error()+"; ignored")
	} else if rec != nil {
		p.LastRun = rec
		for _, s := range rec.Steps {
			if s.Status == result.Failed || s.Status == result.Timeout {
				p.Failed = s.ID
			}
		}
	}
	return p, nil
}

// LoadRecord reads the latest run's record of mod, sandboxed or live,
// whichever ended last (`render --state` shows the most recent results);
// nil, nil when there is none.
func LoadRecord(stateDir string, mod *course.Module) (*result.Module, error) {
	var latest *result.Module
	for _, sandboxed := range []bool{false, true} {
		st, err := openStore(stateDir, mod, sandboxed)
		if err != nil {
			return nil, err
		}
		r, err := st.readRecord(mod)
		if err != nil {
			return nil, err
		}
		if r != nil && (latest == nil || r.Started.Add(r.Duration).After(latest.Started.Add(latest.Duration))) {
			latest = r
		}
	}
	return latest, nil
}

func (st *store) readRecord(mod *course.Module) (*result.Module, error) {
	b, err := os.ReadFile(st.recordPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r result.Module
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("run record %s is corrupt: %v", st.recordPath(), err)
	}
	// What the record says of each step's place and kind may predate an
	// edit of the module: the module as it is now wins.
	for _, s := range r.Steps {
		if step := mod.Step(s.ID); step != nil {
			fresh := newResult(step)
			s.Line, s.Index, s.Kind, s.Hidden, s.Command = fresh.Line, fresh.Index, fresh.Kind, fresh.Hidden, fresh.Command
		}
	}
	return &r, nil
}

// Reset forgets mod's checkpoints and run records (both namespaces) and
// sandbox.
func Reset(stateDir string, mod *course.Module) error {
	st, err := openStore(stateDir, mod, false)
	if err != nil {
		return err
	}
	return os.RemoveAll(st.dir)
}

func (st *store) writeRecord(r *result.Module) error {
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(st.dir, "record-*.tmp")
	if err != nil {
		return err
	}
	if err := encodeRecord(tmp, r); err != nil { // spill.go
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), st.recordPath())
}
