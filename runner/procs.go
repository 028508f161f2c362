package runner

// Every process a run starts is gone when the run ends (docs/spec.md §3) — also
// when coursectl itself is killed (kill -9, the OOM killer, a CI runner
// that SIGKILLs the job), which leaves no one to end them: the pty's
// hangup ends the shell, but a `sleep 1041 &` and a background step's
// job outlive it, reparented to PID 1. Two ways to find them again:
//
//   - A cgroup (v2) of the run's own, where one can be had: a directory
//     under coursectl's own cgroup that the process may create (root, or
//     a delegated subtree as systemd gives a user's services). Every
//     process the shell starts is in it, those that left its session
//     (setsid, daemons) included, and ending them is one write to
//     cgroup.kill. Not on CI machines that run jobs as a user in a
//     cgroup they do not own, or in a container whose cgroupfs is
//     read-only: then
//   - the session: the shell leads a session of its own, and its jobs
//     stay in it unless they call setsid. A session id is the leader's
//     pid, which the kernel does not hand out again while any process
//     still uses it as its session.
//
// The run notes both in a file of its own, STATE/runs/run-PID-N.procs, that
// it holds an flock(2) on while it lives (the kernel drops the lock however
// the process dies). Every run sweeps that directory when it opens: a file
// whose lock it can take belongs to a dead run, and what it names is ended
// before the file goes. A shell's line carries its start time, so a pid
// reused since is never taken for it. The file is in the state directory,
// not beside the scratch directory on tmpfs, which any coursectl on the
// machine (an older one too) may sweep away: the next run with the same
// state directory, of any module, ends what a killed run left.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// runsDir is where the runs' records live, in the state directory.
const runsDir = "runs"

// runProcs is a session's record of its processes, and its cgroup.
type runProcs struct {
	file string   // the record, STATE/runs/run-PID-N.procs
	lock *os.File // its open file, locked while the run lives

	mu     sync.Mutex // cgroup: end may come from KillAll's goroutine
	cgroup string     // the run's cgroup directory, "" when none could be had
}

// noCgroup turns the cgroup off (tests of the session-only way).
var noCgroup bool

// newRunProcs starts the run's record in stateDir and makes its cgroup
// when it can. The record is made under a name the sweep ignores
// (.new-*), locked, and only then renamed into view.
func newRunProcs(stateDir string) (*runProcs, error) {
	dir := filepath.Join(stateDir, runsDir)
	if err := noLinksUnder(stateDir, dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".new-*")
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(tmp.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	name := fmt.Sprintf("run-%d-%d", os.Getpid(), randUint32())
	p := &runProcs{file: filepath.Join(dir, name+".procs"), lock: tmp}
	if err := os.Rename(tmp.Name(), p.file); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	if !noCgroup {
		if parent := ownCgroup(); parent != "" {
			cg := filepath.Join(parent, "coursectl-"+name)
			if err := os.Mkdir(cg, 0o755); err == nil {
				p.cgroup = cg
				p.note("cgroup " + cg)
			}
		}
	}
	return p, nil
}

// close ends what is left (end) and removes the record.
func (p *runProcs) close() {
	if p == nil || p.lock == nil {
		return
	}
	p.end()
	os.Remove(p.file)
	p.lock.Close()
	p.lock = nil
}

// note appends a line to the procs file.
func (p *runProcs) note(line string) {
	if _, err := p.lock.Seek(0, io.SeekEnd); err == nil {
		_, _ = p.lock.WriteString(line + "\n")
	}
}

// shellStarted records a new shell (the leader of a session of its own)
// and, unless it started there (inCgroup), moves it into the run's cgroup.
// It is called once bash has read its rcfile and before the first step:
// the prelude starts no process, so every process of the run is forked
// after the move and inherits it.
func (p *runProcs) shellStarted(pid int, inCgroup bool) {
	if p == nil {
		return
	}
	if start, ok := procStart(pid); ok {
		p.note(fmt.Sprintf("shell %d %d", pid, start))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cgroup == "" || inCgroup {
		return
	}
	if err := os.WriteFile(filepath.Join(p.cgroup, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		// Not movable here (a cgroup we may create but not move into):
		// the session alone then — unless an earlier shell's processes
		// are in it, which the run's end must still find.
		removeCgroup(p.cgroup)
		if _, err := os.Stat(p.cgroup); err != nil {
			p.cgroup = ""
		}
	}
}

// cgroupDir opens the run's cgroup directory for a shell to start in
// (ptyStart); nil when the run has none.
func (p *runProcs) cgroupDir() *os.File {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	dir := p.cgroup
	p.mu.Unlock()
	if dir == "" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	return f
}

// end ends every process left in the run's cgroup (the shell's session is
// ended before, politely, by shell.kill) and removes the cgroup. Safe from
// any goroutine, and more than once.
func (p *runProcs) end() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cgroup != "" {
		killCgroup(p.cgroup)
		removeCgroup(p.cgroup)
		p.cgroup = ""
	}
}

// cgroupPids are the processes in the run's cgroup; ok is false when the
// run has none.
func (p *runProcs) cgroupPids() (pids []int, ok bool) {
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	dir := p.cgroup
	p.mu.Unlock()
	if dir == "" {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, false
	}
	for _, l := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(l); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, true
}

// endDeadRuns ends what runs that died before they could left running, as
// their records in stateDir say, and removes the records.
func endDeadRuns(stateDir string) {
	sweepCgroups()
	dir := filepath.Join(stateDir, runsDir)
	if noLinksUnder(stateDir, dir) != nil {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), "run-") || !strings.HasSuffix(e.Name(), ".procs") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := os.OpenFile(path, os.O_RDWR|unix.O_NOFOLLOW, 0)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			// Ours now: its run is gone.
			endLeftovers(f)
			os.Remove(path)
		}
		f.Close()
	}
}

// sweepCgroups removes the empty cgroups of runs whose process is gone
// (coursectl-run-PID-N beside this process's own cgroup directory): a run
// with another state directory, whose record no run here will read. Only
// empty ones: a cgroup with processes is a record's to end.
func sweepCgroups() {
	if noCgroup {
		return
	}
	parent := ownCgroup()
	if parent == "" {
		return
	}
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "coursectl-run-")
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			continue // its process lives (or a process with its pid)
		}
		// rmdir fails for a cgroup that still has processes.
		removeCgroup(filepath.Join(parent, e.Name()))
	}
}

// endLeftovers ends what a dead run's record names: everything in its
// cgroup, and every process of each of its shells' sessions.
func endLeftovers(record *os.File) {
	b, err := io.ReadAll(io.LimitReader(record, 1<<20))
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "cgroup":
			// Only a directory of ours, on a cgroup2 file system.
			if strings.HasPrefix(filepath.Base(f[1]), "coursectl-run-") && isCgroup2(f[1]) {
				killCgroup(f[1])
				removeCgroup(f[1])
			}
		case len(f) == 3 && f[0] == "shell":
			pid, err1 := strconv.Atoi(f[1])
			start, err2 := strconv.ParseUint(f[2], 10, 64)
			if err1 == nil && err2 == nil && pid > 1 {
				endSession(pid, start)
			}
		}
	}
}

// endSession kills the session that the shell pid, started at start (in
// clock ticks since boot), led. When pid is alive and started at another
// time, it is another process now, and the kernel hands a pid out again
// only once no process uses it as a session id: the run's are all gone.
func endSession(pid int, start uint64) {
	if s, ok := procStart(pid); ok && s != start {
		return
	}
	for round := 0; round < 50; round++ {
		var left []int
		for _, p := range sessionProcs(pid) {
			if p.state != 'Z' {
				if s, ok := procStart(p.pid); ok && s >= start {
					left = append(left, p.pid)
				}
			}
		}
		if len(left) == 0 {
			return
		}
		for _, p := range left {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killCgroup kills every process in the cgroup dir and the cgroups a step
// made under it, and waits (briefly) until they are empty: cgroup.kill
// where the kernel has it (5.14; it takes the descendants too), else a
// SIGKILL to each pid listed until none is.
func killCgroup(dir string) {
	_ = os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0)
	for round := 0; round < 200; round++ {
		pids := cgroupTreePids(dir)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			if pid > 1 && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cgroupTreePids lists the processes of the cgroup dir and of every cgroup
// under it.
func cgroupTreePids(dir string) []int {
	var pids []int
	if b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
		for _, l := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(l); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	for _, sub := range subCgroups(dir) {
		pids = append(pids, cgroupTreePids(sub)...)
	}
	return pids
}

// subCgroups are the cgroups directly under dir (a step may make some:
// rmdir of a cgroup with children fails).
func subCgroups(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var subs []string
	for _, e := range ents {
		if e.IsDir() {
			subs = append(subs, filepath.Join(dir, e.Name()))
		}
	}
	return subs
}

// removeCgroup removes the cgroup dir, the cgroups under it first. A
// cgroup that still has processes stays, and so do those above it.
func removeCgroup(dir string) {
	for _, sub := range subCgroups(dir) {
		removeCgroup(sub)
	}
	_ = os.Remove(dir)
}

// ownCgroup is the directory of this process's cgroup v2, "" when there
// is none (cgroup v1 only, no cgroupfs mounted).
func ownCgroup() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	var path string
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "0::"); ok {
			path = rest
		}
	}
	if path == "" {
		return ""
	}
	mount := cgroup2Mount()
	if mount == "" {
		return ""
	}
	dir := filepath.Join(mount, path)
	if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err != nil {
		return ""
	}
	return dir
}

// cgroup2Mount is where the cgroup v2 hierarchy is mounted, "" if nowhere.
func cgroup2Mount() string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
		pre, post, ok := strings.Cut(l, " - ")
		if !ok || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		f := strings.Fields(pre)
		if len(f) >= 5 && f[3] == "/" {
			return unescapeMount(f[4])
		}
	}
	return ""
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isCgroup2 reports whether dir is a directory on a cgroup2 file system.
func isCgroup2(dir string) bool {
	var st syscall.Statfs_t
	const cgroup2Magic = 0x63677270
	return syscall.Statfs(dir, &st) == nil && st.Type == cgroup2Magic
}

// procStart is the start time of pid in clock ticks since boot (field 22
// of /proc/PID/stat).
func procStart(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, false
	}
	f := strings.Fields(string(b[i+2:]))
	// f[0] is field 3 (state): starttime, field 22, is f[19].
	if len(f) < 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(f[19], 10, 64)
	return n, err == nil
}
