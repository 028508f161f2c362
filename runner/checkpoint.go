package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/internal/lazyre"
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
	// docker: the container sandbox's namespace (its checkpoints hold the
	// container's files, and mean nothing to a run on the host).
	docker bool
	made   bool     // checkpoints/ exists
	chain  []string // chain[i]: hash of steps 0..i (bodies and what affects running)
}

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
	name = unsafeInName().ReplaceAllString(name, "_")
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
				fmt.Fprintf(h, "want\x00%q\x00%s\x00", c.Want.Lines, chainInt(c.Want.Exit))
			}
		}
		if len(s.Commands) == 0 {
			fmt.Fprintf(h, "body\x00%s\x00", s.Body)
		}
		a := s.Attrs
		fmt.Fprintf(h, "attrs\x00%v\x00%s\x00%v\x00%v\x00%q\x00%v\x00%q\x00%v\x00%q\x00%v\x00",
			a.Skip, chainInt(a.Exit), a.ExitAny, a.Interactive, a.File, a.Append, a.Mode, a.Background, a.Ready, a.Interact)
		if s.Expected != nil {
			fmt.Fprintf(h, "expected\x00%q\x00%s\x00", s.Expected.Lines, chainInt(s.Expected.Exit))
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

// chainInt is an expected exit status as the chain hashes it: the value,
// not the pointer (whose address differs in every process, so a step with
// `exit=N` or a `[N]` line had a new key in each run and no checkpoint from
// it on was ever found again). Absent is "<nil>", as %v wrote it, so the
// chains of steps without one stay as they were.
func chainInt(p *int) string {
	if p == nil {
		return "<nil>"
	}
	return strconv.Itoa(*p)
}

// checkpointsDir is the namespace's checkpoint directory: the learner's
// live one keeps the name it always had, so their progress survives an
// upgrade.
func (st *store) checkpointsDir() string {
	if st.docker {
		return filepath.Join(st.dir, "docker-checkpoints")
	}
	if st.sandboxed {
		return filepath.Join(st.dir, "sandbox-checkpoints")
	}
	return filepath.Join(st.dir, "checkpoints")
}

func (st *store) checkpointPath(i int) string {
	return filepath.Join(st.checkpointsDir(), fmt.Sprintf("%03d-%s.ckpt", i+1, st.chain[i][:16]))
}

// fsPath is where the sandbox's files of step i's checkpoint go, beside it
// (FSCheckpointer: the container sandbox).
func (st *store) fsPath(i int) string {
	return strings.TrimSuffix(st.checkpointPath(i), ".ckpt") + ".fs"
}

func (st *store) recordPath() string {
	if st.docker {
		return filepath.Join(st.dir, "docker-record.json")
	}
	if st.sandboxed {
		return filepath.Join(st.dir, "sandbox-record.json")
	}
	return filepath.Join(st.dir, "record.json")
}

// write stores step i's checkpoint: written whole under a temporary name and
// renamed, so a reader sees the old checkpoint or the new one, never half of
// one; the checksum inside finds what a crash or a disk damaged anyway.
func (st *store) write(i int, data []byte) error {
	if !st.made {
		if err := os.MkdirAll(st.checkpointsDir(), 0o700); err != nil {
			return err
		}
		st.made = true
	}
	dst := st.checkpointPath(i)
	if done, err := writeNew(dst, data); done || err != nil {
		return err
	}
	return writeRename(dst, data)
}

// drop removes the checkpoints of steps from..to-1 (this chain's; files of other
// chains are never read).
func (st *store) drop(from, to int) error {
	for i := from; i < to && i < len(st.chain); i++ {
		if err := os.Remove(st.checkpointPath(i)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := os.RemoveAll(st.fsPath(i)); err != nil {
			return err
		}
	}
	return nil
}

// dropOne removes step i's checkpoint but keeps the later ones: those that
// build on it are first rewritten whole (with the same id, so the ones
// after them still build on them).
func (st *store) dropOne(i int) error {
	r := st.reader()
	for j := i + 1; j < len(st.chain); j++ {
		path, err := r.resolve(j)
		if err != nil || !slices.ContainsFunc(path, func(l link) bool { return l.i == i }) {
			continue
		}
		f := r.files[j]
		rs := stateOf(path)
		root := &checkpointFile{step: j + 1, id: f.id, sections: []*section{rs.rootSection()}}
		if err := writeRename(st.checkpointPath(j), root.encode()); err != nil {
			return err
		}
		r.files[j], r.res[j] = root, &resolved{path: []link{{j, root.sections[0]}}}
	}
	return st.drop(i, i+1)
}

// prune removes the checkpoint files of other chains (steps since edited,
// steps that no longer exist), leftovers of interrupted writes and files of
// older formats: a module keeps one set, this chain's.
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
		keep[filepath.Base(st.fsPath(i))] = true
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

// baseError: a checkpoint whose file is sound but whose state builds on
// one that is missing, damaged, or was made again since.
type baseError struct {
	step  int   // the base's index
	cause error // why it cannot be used
}

func (e *baseError) Error() string {
	if errors.Is(e.cause, errNoCheckpoint) {
		return fmt.Sprintf("the checkpoint it builds on (step %d) is missing", e.step+1)
	}
	return fmt.Sprintf("the checkpoint it builds on (step %d) cannot be used: %v", e.step+1, e.cause)
}

// chainReader reads a store's checkpoint files, each once, and finds for
// a step the chain of sections that leads to its state.
type chainReader struct {
	st    *store
	files map[int]*checkpointFile
	errs  map[int]error
	res   map[int]*resolved
}

type resolved struct {
	path []link
	err  error
}

// link is one section on the way to a state: file i's section s.
type link struct {
	i int
	s *section
}

func (st *store) reader() *chainReader {
	return &chainReader{st: st, files: map[int]*checkpointFile{}, errs: map[int]error{}, res: map[int]*resolved{}}
}

// file reads and checks step i's checkpoint file.
func (r *chainReader) file(i int) (*checkpointFile, error) {
	if f, ok := r.files[i]; ok {
		return f, nil
	}
	if err, ok := r.errs[i]; ok {
		return nil, err
	}
	p := r.st.checkpointPath(i)
	data, err := os.ReadFile(p)
	var f *checkpointFile
	switch {
	case errors.Is(err, os.ErrNotExist):
		err = errNoCheckpoint
	case err == nil:
		f, err = decodeCheckpoint(p, data)
		if err == nil && f.step != i+1 {
			f, err = nil, &CorruptError{Path: p, Reason: fmt.Sprintf("it says it is step %d's", f.step)}
		}
	}
	if err != nil {
		r.errs[i] = err
		return nil, err
	}
	r.files[i] = f
	return f, nil
}

// resolve finds the sections that lead to step i's state, root first:
// through the section whose base is furthest back that can be used.
func (r *chainReader) resolve(i int) ([]link, error) {
	if res, ok := r.res[i]; ok {
		return res.path, res.err
	}
	r.res[i] = &resolved{err: errNoCheckpoint} // a cycle cannot be written, but a planted file could try
	path, err := r.resolveFile(i)
	r.res[i] = &resolved{path: path, err: err}
	return path, err
}

func (r *chainReader) resolveFile(i int) ([]link, error) {
	f, err := r.file(i)
	if err != nil {
		return nil, err
	}
	secs := slices.Clone(f.sections)
	slices.SortStableFunc(secs, func(a, b *section) int {
		if a.root != b.root {
			if a.root {
				return -1
			}
			return 1
		}
		return a.base - b.base
	})
	var cause error = errNoSection
	causeStep := -1
	for _, s := range secs {
		if s.root {
			return []link{{i, s}}, nil
		}
		b := s.base - 1
		bf, err := r.file(b)
		if err == nil && bf.id != s.baseID {
			err = errors.New("it was made again since")
		}
		if err == nil {
			var bp []link
			if bp, err = r.resolve(b); err == nil {
				return append(slices.Clone(bp), link{i, s}), nil
			}
		}
		if causeStep < 0 || b > causeStep {
			cause, causeStep = err, b
		}
	}
	return nil, &baseError{step: causeStep, cause: cause}
}

// state is step i's restored state.
func (r *chainReader) state(i int) (*restoredState, error) {
	path, err := r.resolve(i)
	if err != nil {
		return nil, err
	}
	return stateOf(path), nil
}

func stateOf(path []link) *restoredState {
	rs := &restoredState{entries: map[string]string{}}
	for _, l := range path {
		rs.apply(l.s)
	}
	// The shell keeps HISTSIZE lines; the sections together may hold more.
	st := &shellState{vars: map[string]string{}}
	if h, ok := rs.entries["v:HISTSIZE"]; ok {
		st.vars["HISTSIZE"] = h
	}
	rs.history = tailLines(rs.history, (&liveState{st: st}).histKeep())
	return rs
}

// valid reports whether step i has a usable checkpoint, and when it was made.
func (r *chainReader) valid(i int) (time.Time, error) {
	if _, err := r.resolve(i); err != nil {
		return time.Time{}, err
	}
	fi, err := os.Stat(r.st.checkpointPath(i))
	if err != nil {
		return time.Time{}, errNoCheckpoint
	}
	return fi.ModTime(), nil
}

// shellQuote quotes s for bash: nothing in it is expanded.
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

// LoadDockerProgress is LoadProgress for the container sandbox's runs
// (--sandbox=docker), whose checkpoints hold the container's files too.
func LoadDockerProgress(stateDir string, mod *course.Module) (*Progress, error) {
	st, err := openStore(stateDir, mod, true)
	if err != nil {
		return nil, err
	}
	st.docker = true
	return loadStoreProgress(st, mod)
}

func loadProgress(stateDir string, mod *course.Module, sandboxed bool) (*Progress, error) {
	st, err := openStore(stateDir, mod, sandboxed)
	if err != nil {
		return nil, err
	}
	return loadStoreProgress(st, mod)
}

func loadStoreProgress(st *store, mod *course.Module) (*Progress, error) {
	p := &Progress{Done: make([]bool, len(mod.Steps)), When: make([]time.Time, len(mod.Steps)), Next: -1}
	r := st.reader()
	missingBase := map[int]bool{}
	for i := range mod.Steps {
		t, err := r.valid(i)
		var be *baseError
		switch {
		case err == nil:
			p.Done[i], p.When[i] = true, t
		case errors.Is(err, errNoCheckpoint):
		case errors.As(err, &be) && !errors.Is(be.cause, errNoCheckpoint):
			// The damaged one it builds on has its own warning.
		case be != nil && missingBase[be.step]:
		default:
			if be != nil {
				missingBase[be.step] = true
			}
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
	for _, ns := range []int{0, 1, 2} {
		st, err := openStore(stateDir, mod, ns > 0)
		if err != nil {
			return nil, err
		}
		st.docker = ns == 2
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
// sandbox, with every file in them (the sandbox's files too, however a
// course set their permissions), and removes what runs killed before they
// could clean up left in the scratch directories: a dump of the shell's
// state there holds its environment.
func Reset(stateDir string, mod *course.Module) error {
	st, err := openStore(stateDir, mod, false)
	if err != nil {
		return err
	}
	for _, d := range scratchParents() {
		sweepScratch(d)
	}
	sweepScratch(st.dir)
	return removeTree(st.dir)
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

// unsafeInName is what a module's state directory name replaces with "_".
var unsafeInName = lazyre.New(`[^A-Za-z0-9._-]+`)
