package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Checkpoints are written as changes, not whole states, so that saving one
// costs what the step changed, not what the shell holds. Each checkpoint
// file has a level-0 section: the changes since the checkpoint before it.
// A restore adds sections up from a root (a whole state, written when a
// session's shell did not start from a checkpoint), so a long chain would
// make a late restore read every file before it. To keep that short, every
// 16th step's file also holds a level-1 section (the changes of the last
// 16 steps at once), every 256th a level-2 one, every 4,096th a level-3
// one: a restore of step 900 of 1,000 reads 16 files, not 900, and every
// change is written at most four times, so the disk a run takes grows with
// what its steps change (docs/benchmarks.md, "Checkpoints").
const (
	levelFanout = 16
	numLevels   = 4
)

// levelWindow is what changed since a level's base: the stored form each
// changed key had there, and the history and filesystem checkpoints added.
type levelWindow struct {
	base    int // the base's step index; -1 before the first checkpoint
	baseID  string
	dirty   map[string]string
	history []string
	fs      []string
}

// liveState follows the live shell's state for a session: its dumps, the
// changes since each window's base, and the writing of checkpoints.
type liveState struct {
	policy *envPolicy
	// st is the shell's state as of the last dump; nil until the first
	// (full) dump of a fresh or restored shell.
	st *shellState
	// known: st is the shell's state now (the last dump was read). When
	// not, the next dump is a full one.
	known bool
	// restored holds a restored checkpoint's entries until the first full
	// dump of the shell it was restored into is compared with them.
	restored map[string]string
	win      [numLevels]levelWindow
	// history is the shell's history list as the runner keeps it.
	history []string
}

func newLiveState(policy *envPolicy) *liveState {
	ls := &liveState{policy: policy}
	ls.reset(-1, "", nil)
	return ls
}

// reset starts every window at checkpoint base (-1: none, the next
// checkpoint is a root) for a shell in state rs (nil: a fresh shell).
func (ls *liveState) reset(base int, id string, rs *restoredState) {
	for l := range ls.win {
		ls.win[l] = levelWindow{base: base, baseID: id, dirty: map[string]string{}}
	}
	ls.st, ls.known, ls.restored, ls.history = nil, false, nil, nil
	if rs != nil {
		ls.restored = rs.entries
		ls.history = slices.Clone(rs.history)
	}
}

// plan is what to dump after script.
func (ls *liveState) plan(script string) *dumpPlan {
	var p *dumpPlan
	if !ls.known {
		p = planDump(nil, script)
	} else {
		p = planDump(ls.st, script)
	}
	if planned != nil {
		planned(p)
	}
	return p
}

// planned, when set (tests), sees every plan.
var planned func(*dumpPlan)

// ingest reads the dump a round trip left in path and brings the state up
// to date. The state is unknown after a failed read: the next dump is a
// full one.
func (ls *liveState) ingest(path, sentinel string, plan *dumpPlan) error {
	b, err := readNoFollow(path)
	_ = os.Remove(path)
	if err != nil {
		ls.known = false
		return errBadDump
	}
	d, err := parseDump(b, sentinel)
	if err == nil && !d.full && (!ls.known || ls.st == nil) {
		err = errBadDump
	}
	if err != nil {
		ls.known = false
		return err
	}
	if d.cwd == "" {
		d.cwd = ls.cwdOr("")
	}
	if ls.st == nil {
		ls.st = newShellState()
		if ls.restored != nil {
			// A shell restored from a checkpoint: its changes are what
			// differs from that checkpoint's stored state.
			ls.st.applyDump(d, plan, func(string, string, bool) {})
			keys := ls.policy.keys(ls.st)
			for k := range ls.restored {
				keys = append(keys, k)
			}
			for _, k := range keys {
				if old := ls.restored[k]; ls.policy.stored(ls.st, k) != old {
					ls.mark(k, old)
				}
			}
			ls.restored = nil
		} else {
			ls.st.applyDump(d, plan, func(string, string, bool) {})
		}
	} else {
		ls.st.applyDump(d, plan, func(key, old string, had bool) {
			ls.mark(key, ls.storedOld(key, old, had))
		})
	}
	ls.known = true
	if d.check != nil {
		full := newShellState()
		full.applyDump(d.check, plan, func(string, string, bool) {})
		if diff := ls.st.diff(full); len(diff) > 0 {
			return &deltaMissError{plan: plan, diff: diff}
		}
	}
	return nil
}

// deltaMissError: a delta dump missed a change a full dump saw
// (checkDeltas): the planner has a bug.
type deltaMissError struct {
	plan *dumpPlan
	diff []string
}

func (e *deltaMissError) Error() string {
	return fmt.Sprintf("the step changed what its plan (vars %v, functions %v, aliases %v) did not name: %s",
		e.plan.vars, e.plan.funcs, e.plan.aliases, strings.Join(e.diff, "; "))
}

func (ls *liveState) cwdOr(def string) string {
	if ls.st != nil && ls.st.cwd != "" {
		return ls.st.cwd
	}
	return def
}

// storedOld is the stored form key had before a change (old, had: its
// value in the state then).
func (ls *liveState) storedOld(key, old string, had bool) string {
	name := key[2:]
	switch key[0] {
	case 'v':
		return ls.policy.storedVar(name, old, had)
	case 'f', 'a':
		if had {
			return old
		}
	}
	return ""
}

func (ls *liveState) mark(key, base string) {
	for l := range ls.win {
		if _, ok := ls.win[l].dirty[key]; !ok {
			ls.win[l].dirty[key] = base
		}
	}
}

// addHistory takes the lines the shell's history gained.
func (ls *liveState) addHistory(lines []string) {
	if len(lines) == 0 {
		return
	}
	ls.history = append(ls.history, lines...)
	for l := range ls.win {
		ls.win[l].history = append(ls.win[l].history, lines...)
	}
	if keep := ls.histKeep(); keep >= 0 && len(ls.history) > 2*keep+64 {
		ls.history = slices.Clone(ls.history[len(ls.history)-keep:])
	}
}

// addFS notes a filesystem checkpoint taken with the next checkpoint.
func (ls *liveState) addFS(name string) {
	for l := range ls.win {
		ls.win[l].fs = append(ls.win[l].fs, name)
	}
}

// histKeep is how many history lines the shell keeps (HISTSIZE; 500 is
// bash's default), -1 for no limit. A checkpoint holds no more.
func (ls *liveState) histKeep() int {
	if ls.st == nil {
		return -1
	}
	d, err := parseDecl(ls.st.vars["HISTSIZE"])
	if err != nil || d.array {
		return 500
	}
	n, err := strconv.Atoi(d.value)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func tailLines(lines []string, keep int) []string {
	if keep >= 0 && len(lines) > keep {
		return lines[len(lines)-keep:]
	}
	return lines
}

// checkpoint is step i's checkpoint of the live state, and makes it the
// base the next one builds on. The state must be known.
func (ls *liveState) checkpoint(i int) *checkpointFile {
	f := &checkpointFile{step: i + 1, id: newStateID()}
	keep := ls.histKeep()
	parent := ls.win[0].base
	if parent < 0 {
		s := &section{root: true}
		for _, k := range ls.policy.keys(ls.st) {
			if v := ls.policy.stored(ls.st, k); v != "" {
				s.entries = append(s.entries, entry{k, v})
			}
		}
		ls.place(s)
		s.history = slices.Clone(tailLines(ls.history, keep))
		s.fs = ls.win[0].fs
		f.sections = append(f.sections, s)
	} else {
		for l := range ls.win {
			w := &ls.win[l]
			// Level 0 every time; level l when a multiple of 16^l was
			// passed since its base, and not when its base is the
			// parent (the section would be level 0's again).
			if l > 0 && (i+1)/pow(levelFanout, l) <= (w.base+1)/pow(levelFanout, l) {
				continue
			}
			if l > 0 && w.base == parent {
				*w = levelWindow{base: i, baseID: f.id, dirty: map[string]string{}}
				continue
			}
			s := &section{level: l, base: w.base + 1, baseID: w.baseID}
			keys := make([]string, 0, len(w.dirty)+len(alwaysDumped))
			for k := range w.dirty {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if v := ls.policy.stored(ls.st, k); v != w.dirty[k] {
					s.entries = append(s.entries, entry{k, v})
				}
			}
			// The options (and PS4, which the wrapper changes) are in
			// every section whether they changed or not: small, and the
			// first thing one looks for in a checkpoint.
			for _, n := range alwaysDumped {
				k := "v:" + n
				if line, ok := ls.st.vars[n]; ok && !slices.ContainsFunc(s.entries, func(e entry) bool { return e.key == k }) {
					s.entries = append(s.entries, entry{k, line})
				}
			}
			ls.place(s)
			s.history = slices.Clone(tailLines(w.history, keep))
			s.fs = w.fs
			f.sections = append(f.sections, s)
			*w = levelWindow{base: i, baseID: f.id, dirty: map[string]string{}}
		}
	}
	if parent < 0 {
		for l := range ls.win {
			ls.win[l] = levelWindow{base: i, baseID: f.id, dirty: map[string]string{}}
		}
	}
	return f
}

// place sets a section's umask, cwd and directory stack from the state.
func (ls *liveState) place(s *section) {
	s.umask, s.cwd, s.dirs = ls.st.umask, ls.st.cwd, slices.Clone(ls.st.dirs)
}

func pow(b, e int) int {
	n := 1
	for ; e > 0; e-- {
		n *= b
	}
	return n
}

func newStateID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// rootSection is a restored state written whole.
func (rs *restoredState) rootSection() *section {
	s := &section{root: true, umask: rs.umask, cwd: rs.cwd, dirs: rs.dirs, history: rs.history, fs: rs.fs}
	keys := make([]string, 0, len(rs.entries))
	for k := range rs.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.entries = append(s.entries, entry{k, rs.entries[k]})
	}
	return s
}

func sortStrings(s []string) { sort.Strings(s) }
