package runner

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Reading /proc (Linux) for what the pty alone cannot tell: which processes a
// run started (its session), and whether a step sits waiting on the terminal.

type procStat struct {
	pid, ppid, pgrp, session int
	state                    byte
	comm                     string
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// comm may hold spaces and parentheses: the fields start after the last ')'.
	open := bytes.IndexByte(b, '(')
	close := bytes.LastIndexByte(b, ')')
	if open < 0 || close < 0 || close+2 >= len(b) {
		return procStat{}, false
	}
	f := strings.Fields(string(b[close+2:]))
	if len(f) < 4 {
		return procStat{}, false
	}
	st := procStat{pid: pid, state: f[0][0], comm: string(b[open+1 : close])}
	st.ppid, _ = strconv.Atoi(f[1])
	st.pgrp, _ = strconv.Atoi(f[2])
	st.session, _ = strconv.Atoi(f[3])
	return st, true
}

// procPids are the pids in /proc, unsorted.
func procPids() []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil
	}
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// sessionProcs are the processes of session sid, zombies included. Each
// process is asked its session with getsid(2) first: reading a
// /proc/PID/stat costs the kernel 30-70 µs (it gathers the memory figures
// too), and with a hundred processes on the machine a scan that read them
// all took several milliseconds, paid a few times as every run ends
// (docs/benchmarks.md, "Start-up"). Only the members' stat is read.
func sessionProcs(sid int) []procStat {
	var out []procStat
	for _, pid := range procPids() {
		// A process gone in between (ESRCH) is skipped; one getsid may
		// not ask (a security module's EPERM) is read as before.
		if s, err := unix.Getsid(pid); err == unix.ESRCH || err == nil && s != sid {
			continue
		}
		if st, ok := readStat(pid); ok && st.session == sid {
			out = append(out, st)
		}
	}
	return out
}

// sessionMembers are the live (non-zombie) processes of session sid.
func sessionMembers(sid int) []int {
	var pids []int
	for _, p := range sessionProcs(sid) {
		if p.state != 'Z' {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// readingTTY reports a process of the foreground group pg of session sid that
// is blocked reading the terminal, with its command line.
func readingTTY(sid, pg int) (pid int, cmdline string, ok bool) {
	for _, p := range sessionProcs(sid) {
		if p.pgrp != pg || p.state != 'S' {
			continue
		}
		if blockedOnTTY(p.pid) {
			return p.pid, readCmdline(p.pid), true
		}
	}
	return 0, "", false
}

func blockedOnTTY(pid int) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	if w, err := os.ReadFile(dir + "wchan"); err == nil && strings.Contains(string(w), "n_tty_read") {
		return true
	}
	// wchan is often just "wait_woken" on newer kernels: look at the syscall
	// and where its fd points instead.
	sc, err := os.ReadFile(dir + "syscall")
	if err != nil {
		return false
	}
	f := strings.Fields(string(sc))
	if len(f) < 2 {
		return false
	}
	switch f[0] {
	case "0", "17", "19": // read, pread64, readv
	default:
		return false
	}
	fd, err := strconv.ParseInt(strings.TrimPrefix(f[1], "0x"), 16, 64)
	if err != nil {
		return false
	}
	target, err := os.Readlink(dir + "fd/" + strconv.FormatInt(fd, 10))
	if err != nil {
		return false
	}
	return strings.HasPrefix(target, "/dev/pts/") || target == "/dev/tty"
}

func readCmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// fullScreenWaiting reports a full-screen program that owns the terminal
// and waits for keys: the terminal is out of canonical mode (ICANON off:
// vim, less, man's pager, a REPL set it so they get every key) while a
// foreground group other than the shell's runs, and every process of that
// group sleeps. Such programs wait in poll or select, not read, so
// blockedOnTTY cannot see them. It returns the group's leader (what the
// step ran: `git commit`) and the program that has the terminal (vim,
// opened by git): the group's newest process that started no other.
func fullScreenWaiting(master *os.File, sid, pg int) (leader procStat, program string, ok bool) {
	if pg <= 0 || pg == sid {
		return procStat{}, "", false
	}
	tio, err := ttyTermios(int(master.Fd()))
	if err != nil || tio.Lflag&unix.ICANON != 0 {
		return procStat{}, "", false
	}
	var group []procStat
	parents := map[int]bool{}
	for _, p := range sessionProcs(sid) {
		if p.pgrp != pg || p.state == 'Z' {
			continue
		}
		if p.state != 'S' {
			return procStat{}, "", false // working, not waiting
		}
		group = append(group, p)
		parents[p.ppid] = true
	}
	if len(group) == 0 {
		return procStat{}, "", false
	}
	leader = group[0]
	var leaf procStat
	for _, p := range group {
		if p.pid == pg {
			leader = p
		}
		if !parents[p.pid] && p.pid > leaf.pid {
			leaf = p
		}
	}
	if leaf.pid == 0 {
		leaf = leader
	}
	return leader, leaf.comm, true
}
