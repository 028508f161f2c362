package runner

import (
	"bufio"
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coursectl/coursectl/internal/procwait"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// This file is the pty lifecycle: the one place that starts bash, reads the
// terminal, signals process groups and ends the session (STYLE §5).

//go:embed prelude.bash
var preludeSource string

// shell is one interactive bash on one pty. Steps arrive as a short line typed
// on the terminal; completion comes back on a pipe (never parsed out of the
// terminal output), and the output of a step is the bytes between two random
// tokens the wrapper prints, so nothing a step prints can be taken for them.
type shell struct {
	cmd    *exec.Cmd
	pty    *os.File // the master side
	pid    int
	dir    string      // scratch files shared with the wrapper
	tokens *os.File    // the tokens file, rewritten for every step
	recs   chan record // closed when the shell's end of the record pipe closes
	exited chan struct{}
	pump   *pump
	step   *os.File // step.sh, rewritten for every step
	owner  *Session // for Session.Kill
	// inCgroup: the shell started in the run's cgroup (ptyStart).
	inCgroup bool
	// ack (runner → bash) lets the wrapper go on after a step's E record
	// once the runner has thrown away what was typed and not read
	// (endInput): it waits for one byte on it before its next prompt.
	ack     *os.File
	ttyName string // the slave's path, opened to flush its input
	// box is the container the shell runs in (nil: on the host); inner
	// is the shell's pid in its own pid namespace (the wrapper's $$),
	// pid being the docker CLI's then.
	box   *dockerBox
	inner int

	// in gates the learner's keystrokes: open while a step runs attached,
	// closed by the step's E record before the pty's input is flushed.
	in struct {
		sync.Mutex
		open    bool
		writing int // keystrokes being written to the pty now
	}

	waitErr error // valid after exited is closed
}

// record is one line the wrapper wrote on the record pipe.
type record struct {
	kind     byte // 'R' ready, 'E' step ended, 'Y' sync
	status   int  // for 'R', the shell's pid as it sees it
	failLine int
	// lostInput: after the step the shell's stdin was no longer the
	// terminal (exec </dev/null); it cannot read another step.
	lostInput bool
}

type shellConfig struct {
	dir     string // scratch directory (the run's)
	workdir string
	env     []string
	rows    int
	cols    int
	owner   *Session
	box     *dockerBox // run in this container (nil: on the host)
	// inside maps a host path under dir to the shell's view of it.
	inside func(string) string
	perm   os.FileMode // of the files the shell reads in dir
	// cgroup is the run's cgroup directory, open, for the shell to start
	// in; nil when the run has none.
	cgroup *os.File
}

// live are the shells of this process that are not yet killed, for KillAll.
var live struct {
	sync.Mutex
	shells map[*shell]bool
}

// KillAll sends SIGKILL at once to every process of every run in this
// process — each shell, its jobs, the step in the foreground — without the
// grace periods of Close. It is the second Ctrl-C (the first cancels the
// runs' context, so RunModule starts no further step): the running steps
// fail at once as killed. RunModule, Exec and Close still return normally
// (their cleanup finds nothing left to stop) and should be waited for.
func KillAll() {
	live.Lock()
	shells := make([]*shell, 0, len(live.shells))
	for sh := range live.shells {
		shells = append(shells, sh)
	}
	live.Unlock()
	for _, sh := range shells {
		sh.killNow()
		if sh.owner != nil {
			// What left the session, and the cgroup itself: the process
			// is about to exit without Close (procs.go). So is the
			// scratch directory, which holds a dump of the shell's
			// variables: on tmpfs, it would outlive us until another
			// run swept it.
			sh.owner.procs.end()
			removeAll(sh.owner.runDir)
		}
	}
}

// Kill is KillAll for this session only; safe to call from any goroutine.
func (s *Session) Kill() {
	live.Lock()
	var mine []*shell
	for sh := range live.shells {
		if sh.owner == s {
			mine = append(mine, sh)
		}
	}
	live.Unlock()
	for _, sh := range mine {
		sh.killNow()
	}
}

// killNow SIGKILLs the shell's whole session, no grace period.
func (s *shell) killNow() {
	if s.box != nil {
		s.boxKill(0)
		return
	}
	for _, p := range sessionMembers(s.pid) {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	_ = syscall.Kill(s.pid, syscall.SIGKILL)
}

// ptyStart starts cmd as the leader of a new session whose controlling
// terminal, stdin, stdout and stderr are a new pty of rows×cols: the one
// way coursectl starts a bash (the run's, in a container too, and a
// person's). extra, when not nil, gives cmd's ExtraFiles (it may name the
// slave). It returns the master and our copy of the slave, which the
// caller closes once it needs it no longer (EOF on the master waits for
// it); on an error both are closed.
//
// cgroup, when not nil, is a cgroup (v2) directory the process starts in
// (clone3's CLONE_INTO_CGROUP): moving it in afterwards, by a write to
// cgroup.procs, waits for an RCU grace period in the kernel — 5–8 ms, the
// largest part of a one-step check (docs/benchmarks.md, "Start-up, third
// pass").
func ptyStart(cmd *exec.Cmd, rows, cols int, cgroup *os.File, extra func(tty *os.File) []*os.File) (master, tty *os.File, err error) {
	master, tty, err = pty.Open()
	if err != nil {
		return nil, nil, err
	}
	_ = pty.Setsize(master, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if extra != nil {
		cmd.ExtraFiles = extra(tty)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if cgroup != nil {
		startInCgroup(cmd.SysProcAttr, cgroup)
	}
	if err := cmd.Start(); err != nil {
		master.Close()
		tty.Close()
		return nil, nil, err
	}
	return master, tty, nil
}

// newShell is the run's shell for a started cmd: everything kill needs
// exists before anything after it can fail — the pump (kill waits for it)
// and the waiter.
func newShell(cfg shellConfig, cmd *exec.Cmd, master *os.File, ttyName string, tokens *os.File) *shell {
	s := &shell{
		cmd: cmd, pty: master, pid: cmd.Process.Pid, dir: cfg.dir, tokens: tokens,
		recs: make(chan record, 4), exited: make(chan struct{}), owner: cfg.owner,
		ttyName: ttyName, box: cfg.box,
	}
	s.pump = newPump(master)
	go func() {
		s.waitErr = procwait.Wait(cmd)
		close(s.exited)
	}()
	return s
}

func startShell(cfg shellConfig) (*shell, error) {
	if err := os.MkdirAll(cfg.dir, 0o700); err != nil {
		return nil, err
	}
	if cfg.perm == 0 {
		cfg.perm = 0o600
	}
	if cfg.inside == nil {
		cfg.inside = func(p string) string { return p }
	}
	rc := filepath.Join(cfg.dir, "prelude.bash")
	if err := writeNoFollow(rc, []byte(prelude()), cfg.perm); err != nil {
		return nil, err
	}
	if cfg.box != nil {
		return startBoxShell(cfg, rc)
	}
	recR, recW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ackR, ackW, err := os.Pipe()
	if err != nil {
		recR.Close()
		recW.Close()
		return nil, err
	}
	closePipes := func() { recR.Close(); recW.Close(); ackR.Close(); ackW.Close() }
	// The tokens go through a small file the wrapper reads with one read(2);
	// bash reads a pipe one byte per read(2) (and two fcntl(2)s).
	tokens, err := openScratch(filepath.Join(cfg.dir, "tokens"), cfg.perm)
	if err != nil {
		closePipes()
		return nil, err
	}
	bash := func() *exec.Cmd {
		cmd := exec.Command("bash", "--noprofile", "--rcfile", rc, "--noediting", "-i")
		cmd.Dir = cfg.workdir
		cmd.Env = append(cfg.env, "__CC_DIR="+cfg.dir)
		return cmd
	}
	files := func(tty *os.File) []*os.File { return []*os.File{recW, tty, ackR} }
	cmd := bash()
	master, tty, err := ptyStart(cmd, cfg.rows, cfg.cols, cfg.cgroup, files)
	inCgroup := err == nil && cfg.cgroup != nil
	if err != nil && cfg.cgroup != nil {
		// A kernel before 5.7, or a cgroup this process may create but
		// not start processes in: the shell is moved in once started.
		cmd = bash()
		master, tty, err = ptyStart(cmd, cfg.rows, cfg.cols, nil, files)
	}
	// The child has its copies; ours must go so EOF means the shell is gone.
	recW.Close()
	ackR.Close()
	if err != nil {
		recR.Close()
		ackW.Close()
		tokens.Close()
		return nil, fmt.Errorf("starting bash: %w", err)
	}
	ttyName := tty.Name()
	tty.Close()
	s := newShell(cfg, cmd, master, ttyName, tokens)
	s.inCgroup = inCgroup
	s.ack = ackW
	go s.readRecords(recR)
	return s.ready(cfg)
}

// openScratch opens (empty) a file of the scratch directory the runner
// rewrites for the shell, never through a link put in its place.
func openScratch(p string, perm os.FileMode) (*os.File, error) {
	if err := removeNotDir(p); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, perm)
	if err == nil {
		err = f.Chmod(perm)
	}
	return f, err
}

// ready finishes a started shell: the step file, and the wrapper's ready
// record.
func (s *shell) ready(cfg shellConfig) (*shell, error) {
	var err error
	if s.step, err = openScratch(filepath.Join(cfg.dir, "step.sh"), cfg.perm); err != nil {
		s.kill()
		return nil, fmt.Errorf("starting bash: %w", err)
	}
	live.Lock()
	if live.shells == nil {
		live.shells = map[*shell]bool{}
	}
	live.shells[s] = true
	live.Unlock()
	// Wait for the prelude's ready record.
	select {
	case r, ok := <-s.recs:
		if ok && r.kind == 'R' {
			s.inner = r.status
			if s.inner <= 0 {
				s.inner = s.pid
			}
			return s, nil
		}
	case <-time.After(30 * time.Second):
	}
	out := s.pump.discarded()
	s.kill()
	return nil, fmt.Errorf("bash did not start: %s", strings.TrimSpace(out))
}

func (s *shell) writeStep(script string) error {
	if _, err := s.step.WriteAt([]byte(script), 0); err != nil {
		return err
	}
	return s.step.Truncate(int64(len(script)))
}

func (s *shell) readRecords(r *os.File) {
	defer close(s.recs)
	defer r.Close()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rec := record{kind: line[0]}
		if rec.kind == 'R' {
			fmt.Sscanf(line[1:], "%d", &rec.status)
		}
		if rec.kind == 'E' {
			input := 1
			fmt.Sscanf(line[1:], "%d %d %d", &rec.status, &rec.failLine, &input)
			rec.lostInput = input == 0
			// The wrapper waits for this before its next prompt: whatever
			// was typed during the step and not read is gone by then.
			s.endInput()
			_, _ = s.ack.Write([]byte{'\n'})
		}
		s.recs <- rec
	}
}

// keyboard is where a learner's keystrokes go while a step runs: the pty,
// until the step's end record closes the gate (endInput). Keys that arrive
// after that are dropped: they were typed for a step that is over.
func (s *shell) keyboard() io.Writer {
	s.in.Lock()
	s.in.open = true
	s.in.Unlock()
	return keyGate{s}
}

type keyGate struct{ s *shell }

func (g keyGate) Write(b []byte) (int, error) {
	in := &g.s.in
	in.Lock()
	if !in.open {
		in.Unlock()
		return len(b), nil
	}
	in.writing++
	in.Unlock()
	// Not under the lock: with the step's input full (a paste into a
	// step in raw mode that reads nothing) this write blocks until
	// endInput's flush makes room.
	n, err := g.s.pty.Write(b)
	in.Lock()
	in.writing--
	in.Unlock()
	return n, err
}

// endInput closes the keyboard gate and discards whatever waits unread in
// the terminal's input — type-ahead the step did not read, a half-typed
// line — so the shell never runs it as a command or glues it to the next
// line the runner types (tcflush(TCIFLUSH) on the slave: on the master it
// would flush the other direction). A write already under way is flushed
// until it is done; none starts after the gate is closed.
func (s *shell) endInput() {
	s.in.Lock()
	attached := s.in.open
	s.in.open = false
	s.in.Unlock()
	if !attached || s.box != nil {
		// No keyboard (check): only what the runner's answers to prompts
		// (interact) left, already in the queue — one flush. In a
		// container, the CLI has moved what was typed inside: one flush
		// there, after the gate closed.
		s.flushInput()
		return
	}
	f, err := os.OpenFile(s.ttyName, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fd := int(f.Fd())
	// The flush empties the line discipline's queue; a big paste also
	// fills the tty's buffers in front of it, which move in as room is
	// made. So: flush until the writer is done and nothing came back.
	for quiet := 0; quiet < 2; {
		s.in.Lock()
		busy := s.in.writing > 0
		s.in.Unlock()
		_ = flushTTYInput(fd)
		if busy {
			quiet = 0
			time.Sleep(time.Millisecond)
			continue
		}
		// Let the tty's buffer worker move what it holds, then look.
		time.Sleep(50 * time.Microsecond)
		if n, err := ttyInputQueued(fd); err == nil && n > 0 {
			quiet = 0
			continue
		}
		quiet++
	}
}

func (s *shell) flushInput() {
	if s.box != nil {
		// The docker CLI moved what was typed into the terminal inside.
		ctx, cancel := boxCtx()
		defer cancel()
		_ = s.box.c.FlushInput(ctx, s.inner)
		return
	}
	f, err := os.OpenFile(s.ttyName, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return
	}
	_ = flushTTYInput(int(f.Fd()))
	f.Close()
}

// newToken is a random id the wrapper prints as an OSC string with a private
// number (terminals ignore it; it is stripped before anything reaches a
// learner's terminal). Short, since bash reads the token pipe a byte at a time.
func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func tokenOSC(tok string) string { return "\x1b]6973;" + tok + "\x07" }

// send types line on the terminal after writing the tokens the wrapper will
// print around the output (start, end), and after them the lines the step
// adds to history. The wrapper reads them after reading
// the line, so writing them first is enough ordering.
func (s *shell) send(line string, tokens ...string) error {
	if len(tokens) > 0 {
		var b []byte
		for _, t := range tokens {
			if t != "" {
				b = append(b, t...)
				if t[len(t)-1] != '\n' {
					b = append(b, '\n')
				}
			}
		}
		if _, err := s.tokens.WriteAt(b, 0); err != nil {
			return err
		}
		if err := s.tokens.Truncate(int64(len(b))); err != nil {
			return err
		}
	}
	_, err := io.WriteString(s.pty, line+"\n")
	return err
}

// foreground is the terminal's foreground process group (the running
// pipeline, or the shell itself between commands and during builtins).
func (s *shell) foreground() int {
	pgrp, err := unix.IoctlGetInt(int(s.pty.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return 0
	}
	return pgrp
}

// signalStep sends sig to what the step is running. When the shell itself is
// in the foreground (a builtin loop), SIGINT is what stops it: an interactive
// bash aborts the command line on SIGINT and ignores SIGTERM. It returns the
// signal it sent.
func (s *shell) signalStep(sig syscall.Signal) syscall.Signal {
	if s.box != nil {
		// Our pty's foreground group is the docker CLI's: the group that
		// has the terminal inside is the helper's to find.
		pg := 0
		if st, ok := s.boxSession(); ok {
			pg = st.Foreground
		}
		if pg <= 0 || pg == s.inner {
			s.boxSignal(s.inner, syscall.SIGINT)
			return syscall.SIGINT
		}
		s.boxSignal(-pg, sig)
		return sig
	}
	pg := s.foreground()
	if pg <= 0 || pg == s.pid {
		_ = syscall.Kill(s.pid, syscall.SIGINT)
		return syscall.SIGINT
	}
	_ = syscall.Kill(-pg, sig)
	return sig
}

func (s *shell) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// kill ends every process of the shell's session (background jobs included),
// the shell, and the pty. Processes that left the session (setsid, daemons)
// are out of reach (docs/design.md) unless they kept the terminal open
// (releaseTerminal) or the run has a cgroup (runProcs.end).
func (s *shell) kill() {
	defer func() {
		live.Lock()
		delete(live.shells, s)
		live.Unlock()
	}()
	if s.box != nil {
		s.boxKill(500 * time.Millisecond)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
		}
		s.closeFiles()
		return
	}
	// The jobs get a grace period; a session that is only the shell (most
	// runs end so) needs no more than this one look before the shell goes.
	others := false
	for _, p := range s.members() {
		if p != s.pid {
			_ = syscall.Kill(p, syscall.SIGTERM)
			others = true
		}
	}
	if others {
		deadline := time.Now().Add(500 * time.Millisecond)
		for time.Now().Before(deadline) && len(s.members()) > 1 {
			time.Sleep(10 * time.Millisecond)
		}
		for _, p := range s.members() {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	_ = syscall.Kill(s.pid, syscall.SIGKILL)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
	// Killed processes may linger as zombies for a moment until reaped;
	// what the shell started since the look above (PROMPT_COMMAND's
	// programs) is killed here.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) && len(s.members()) > 0 {
		for _, p := range s.members() {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.releaseTerminal()
	s.closeFiles()
}

// releaseTerminal ends what still holds the shell's terminal once its
// session is gone. The pump ends at the master's end of file, which comes
// only when no process has the slave open, and a process that left the
// session but kept the terminal as its output (`setsid sleep 1000 &`, a
// daemon that keeps its stdio) is no member of it: the run's end, Ctrl-C's
// too, waited for it forever. Every process holding the pty is the run's
// (the pty is the run's own), so it ends as docs/spec.md §3 says all of
// them do; in the run's cgroup, where one is, else among all processes —
// only when the end of file has not come, never in the usual case.
func (s *shell) releaseTerminal() {
	if s.ttyName == "" {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for wait := 50 * time.Millisecond; ; wait = 20 * time.Millisecond {
		select {
		case <-s.pump.done:
			return
		case <-time.After(wait):
		}
		if time.Now().After(deadline) {
			return
		}
		for _, pid := range s.terminalHolders() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// terminalHolders are the processes (coursectl aside) with a descriptor of
// the shell's terminal open.
func (s *shell) terminalHolders() []int {
	var pids []int
	var ok bool
	if s.owner != nil {
		pids, ok = s.owner.procs.cgroupPids()
	}
	if !ok {
		pids = procPids()
	}
	var out []int
	for _, pid := range pids {
		if pid == os.Getpid() {
			continue
		}
		dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
		fds, _ := os.ReadDir(dir)
		for _, fd := range fds {
			if target, err := os.Readlink(dir + fd.Name()); err == nil && target == s.ttyName {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// members are the live processes of the shell's session. In the run's
// cgroup, which holds every process the shell started, they are looked for
// among the cgroup's few processes rather than among every process on the
// machine (sessionMembers): ending a run looks two to four times
// (docs/benchmarks.md, "Start-up").
func (s *shell) members() []int {
	var pids []int
	var ok bool
	if s.owner != nil {
		pids, ok = s.owner.procs.cgroupPids()
	}
	if !ok {
		return sessionMembers(s.pid)
	}
	var out []int
	for _, pid := range pids {
		if sid, err := unix.Getsid(pid); err == nil && sid != s.pid {
			continue
		}
		if st, ok := readStat(pid); ok && st.session == s.pid && st.state != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

func (s *shell) closeFiles() {
	s.tokens.Close()
	s.ack.Close()
	s.pty.Close()
	if s.step != nil {
		s.step.Close()
	}
	s.pump.wait()
}

// pump reads the master side for the shell's whole life. Between steps it
// discards (prompts, the echo of typed lines, job notices); during a step it
// captures the bytes between the start and end tokens.
type pump struct {
	master *os.File
	done   chan struct{}

	mu      sync.Mutex
	start   []byte // token that opens the window, nil when capturing or idle
	end     []byte // token that closes the window
	capture bool
	pending []byte // bytes that may be the beginning of a token
	sink    func([]byte)
	endSeen chan struct{}
	idle    bytes.Buffer // recent discarded bytes, for error messages
	all     bool         // passthrough: no tokens, everything to sink

	lastOutput atomic.Int64 // unix nanos of the last byte read

	// begun is closed when the start token is seen: the step is running.
	begun chan struct{}
}

func newPump(master *os.File) *pump {
	p := &pump{master: master, done: make(chan struct{})}
	p.lastOutput.Store(time.Now().UnixNano())
	go p.run()
	return p
}

func (p *pump) run() {
	defer close(p.done)
	buf := make([]byte, 32*1024)
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			p.lastOutput.Store(time.Now().UnixNano())
			p.feed(buf[:n])
		}
		if err != nil {
			// EIO is how a pty master reports that the slave side closed.
			return
		}
	}
}

func (p *pump) wait() { <-p.done }

// arm prepares for one step: output between start and end goes to sink.
func (p *pump) arm(start, end string, sink func([]byte)) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.end = []byte(tokenOSC(start)), []byte(tokenOSC(end))
	p.capture = false
	p.pending = nil
	p.sink = sink
	p.endSeen = make(chan struct{})
	p.begun = make(chan struct{})
	return p.endSeen
}

// started is closed once the window armed last has opened: the wrapper
// printed the start token, so the step's own commands are running.
func (p *pump) started() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.begun
}

// disarm stops capturing (the step ended without its end token).
func (p *pump) disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.capture && len(p.pending) > 0 && p.sink != nil {
		p.sink(p.pending)
	}
	p.start, p.end, p.capture, p.pending, p.sink = nil, nil, false, nil, nil
}

// passthrough sends everything from now on to sink (an interactive shell).
func (p *pump) passthrough(sink func([]byte)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.end, p.pending = nil, nil, nil
	p.capture, p.sink, p.all = true, sink, true
}

func (p *pump) discarded() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle.String()
}

func (p *pump) feed(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.all {
		p.sink(b)
		return
	}
	data := b
	if len(p.pending) > 0 {
		data = append(p.pending, b...)
		p.pending = nil
	}
	for len(data) > 0 {
		if !p.capture {
			if p.start == nil {
				p.keepIdle(data)
				return
			}
			i := bytes.Index(data, p.start)
			if i < 0 {
				k := partialSuffix(data, p.start)
				p.keepIdle(data[:len(data)-k])
				p.pending = append([]byte(nil), data[len(data)-k:]...)
				return
			}
			p.keepIdle(data[:i])
			data = data[i+len(p.start):]
			p.capture = true
			if p.begun != nil {
				select {
				case <-p.begun:
				default:
					close(p.begun)
				}
			}
			continue
		}
		i := bytes.Index(data, p.end)
		if i < 0 {
			k := partialSuffix(data, p.end)
			if p.sink != nil && len(data)-k > 0 {
				p.sink(data[:len(data)-k])
			}
			p.pending = append([]byte(nil), data[len(data)-k:]...)
			return
		}
		if p.sink != nil && i > 0 {
			p.sink(data[:i])
		}
		data = data[i+len(p.end):]
		p.capture = false
		p.start, p.end, p.sink = nil, nil, nil
		close(p.endSeen)
	}
}

func (p *pump) keepIdle(b []byte) {
	p.idle.Write(b)
	if p.idle.Len() > 4096 {
		rest := append([]byte(nil), p.idle.Bytes()[p.idle.Len()-2048:]...)
		p.idle.Reset()
		p.idle.Write(rest)
	}
}

// partialSuffix is the length of the longest suffix of data that is a proper
// prefix of tok: bytes to hold back in case the token is split across reads.
func partialSuffix(data, tok []byte) int {
	max := len(tok) - 1
	if max > len(data) {
		max = len(data)
	}
	for k := max; k > 0; k-- {
		if bytes.Equal(data[len(data)-k:], tok[:k]) {
			return k
		}
	}
	return 0
}

var errShellGone = errors.New("shell gone")
