package runner

// The container sandbox (docs/spec.md §8, docs/sandbox.md): the run's one
// bash lives in a container of a Docker engine (package container) instead
// of on the host. Everything else — the pty, the wrapper, the records, the
// checkpoints of the shell's state — is the dir sandbox's; what differs is
// gathered here: where the shell starts and how the runner reaches it
// (FIFOs for the pipes, paths as the container sees them), what it reads
// of the shell's processes (the helper inside, not the host's /proc), and
// the container's files in every checkpoint (Options.FS).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coursectl/coursectl/container"
	"github.com/coursectl/coursectl/course"
)

// Docker asks for the container sandbox: the shell runs in a container of
// Image (default container.DefaultImage), as the image's learner.
type Docker struct {
	Image string
}

// SandboxName is what a run's record says of its sandbox: "docker:IMAGE",
// "dir", or "none".
func (o Options) SandboxName() string {
	switch {
	case o.Docker != nil:
		img := o.Docker.Image
		if img == "" {
			img = container.DefaultImage
		}
		return "docker:" + img
	case o.Sandbox:
		return "dir"
	}
	return "none"
}

// dockerName is the run record's sandbox: set for a container only, so
// the records of other runs stay as they were.
func dockerName(o Options) string {
	if o.Docker == nil {
		return ""
	}
	return o.SandboxName()
}

// Where the learner stands in the container: the image's HOME, which is
// also the shell's first working directory.
const (
	boxHome = "/home/" + container.Learner
	// boxPath is the image's PATH (scripts/sandbox-image.sh); the fakes go
	// in front of it.
	boxPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	// boxBash is the container's bash, the fakes' interpreter.
	boxBash = "/bin/bash"
	// boxStage is the stage directory beside the checkpoints
	// (container.Options.StageDir).
	boxStage = "docker-stage"
)

// dockerBox is a session's container.
type dockerBox struct {
	c *container.Container
	// fresh: no step has run in the container yet. A restore puts the
	// files of the checkpoints back only then: a shell restarted in the
	// same container (a step ended it) finds the files where they are,
	// as in the dir sandbox.
	fresh bool
}

// Checkpoint and Restore are Options.FS for the container's files.
func (b *dockerBox) Checkpoint(ctx context.Context, dir string) error {
	b.fresh = false
	_, err := b.c.Checkpoint(ctx, dir)
	return err
}

func (b *dockerBox) Restore(ctx context.Context, dirs ...string) error {
	if !b.fresh {
		return nil
	}
	b.fresh = false
	return b.c.Restore(ctx, dirs...)
}

// ErrSandbox wraps what keeps a container sandbox from starting (no engine,
// no image): the command's exit status 2, with the one-line message that
// says what to do.
var ErrSandbox = errors.New("sandbox")

// startBox starts the session's container: what runs killed before they
// could remove theirs left is swept first. The scratch directory is the
// channel, the module's checkpoint directory is mounted read-only, and a
// stage beside it takes what the helper writes (container.moveStaged).
func (s *Session) startBox(ctx context.Context) error {
	if _, err := container.SweepLeftovers(ctx); err != nil {
		if errors.Is(err, container.ErrNoEngine) {
			return fmt.Errorf("%w: %w", ErrSandbox, err)
		}
		s.warn(fmt.Sprintf("removing what killed runs left in the Docker engine: %v", err))
	}
	ckpt := s.store.checkpointsDir()
	if err := os.MkdirAll(ckpt, 0o700); err != nil {
		return err
	}
	// A run holds the sandbox's lock: its stage has a fixed name, and
	// what a killed run left there goes. `shell --at` takes no lock (and
	// no checkpoint): a stage of its own.
	stage := filepath.Join(s.store.dir, boxStage)
	if s.sandboxLock != nil {
		if err := removeTree(stage); err != nil {
			return err
		}
		if err := os.Mkdir(stage, 0o700); err != nil {
			return err
		}
	} else {
		var err error
		if stage, err = os.MkdirTemp(s.store.dir, boxStage+"-"); err != nil {
			return err
		}
	}
	s.stage = stage
	opts := container.Options{
		Image:         s.opts.Docker.Image,
		CourseDir:     s.courseDir(),
		ChannelDir:    s.runDir,
		CheckpointDir: ckpt,
		StageDir:      stage,
		Workdir:       boxHome,
	}
	if abs, err := filepath.Abs(s.opts.StateDir); err == nil {
		opts.StateDir = abs
	}
	if uid := os.Getuid(); uid != 0 {
		// The learner's files in the channel are then the runner's.
		opts.LearnerUID, opts.LearnerGID = uid, os.Getgid()
	} else if err := chownLearner(s.runDir); err != nil {
		return err
	}
	c, err := container.Start(ctx, opts)
	if err != nil {
		if errors.Is(err, container.ErrNoEngine) || errors.Is(err, container.ErrNoImage) {
			return fmt.Errorf("%w: %w", ErrSandbox, err)
		}
		return fmt.Errorf("starting the sandbox container: %w", err)
	}
	s.box = &dockerBox{c: c, fresh: true}
	s.opts.FS = s.box
	return nil
}

// chownLearner gives dir to the image's learner when the runner is root
// (a root runner reads everything; the learner, uid 1000 in the image, must
// write there). A runner that is not root runs the learner as itself.
func chownLearner(dir string) error {
	if os.Getuid() != 0 {
		return nil
	}
	return os.Chown(dir, 1000, 1000)
}

// closeBox removes the container (every process in it ends) and the stage.
func (s *Session) closeBox() {
	if s.box == nil {
		return
	}
	if err := s.box.c.Close(); err != nil {
		s.warn(fmt.Sprintf("removing the sandbox container: %v", err))
	}
	_ = removeTree(s.stage)
}

// courseDir is $COURSE_DIR on the host: the course's root, else the
// module's directory.
func (s *Session) courseDir() string {
	if s.mod.CourseDir != "" {
		return s.mod.CourseDir
	}
	if abs, err := filepath.Abs(s.mod.Path); err == nil {
		return filepath.Dir(abs)
	}
	return "."
}

// boxEnvironment is the shell's environment in a container: not the
// host's (a host PATH or HOME means nothing inside). The image gives LANG,
// container.ShellCommand HOME, USER, LOGNAME and COURSE_DIR.
func (s *Session) boxEnvironment() []string {
	env := []string{"PATH=" + boxPath}
	term := os.Getenv("TERM")
	if s.opts.Terminal == nil || term == "" {
		term = "xterm-256color"
	}
	env = append(env, "TERM="+term)
	for k, v := range s.mod.Settings.Env {
		env = append(env, k+"="+v)
	}
	return append(env, s.opts.Env...)
}

// inside is where the host path p (under the scratch directory) is for the
// shell: itself on the host, the container's mount of it in a container
// (known before the container starts: the fakes are written first).
func (s *Session) inside(p string) string {
	if s.opts.Docker == nil || s.runDir == "" {
		return p
	}
	rel, err := filepath.Rel(s.runDir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return p
	}
	return filepath.Join(container.ChannelMount, rel)
}

// fakesDir is where the module's fakes are written: the scratch directory
// in a container (which sees it), else the module's state directory.
func (s *Session) fakesDir() string {
	if s.opts.Docker != nil {
		return filepath.Join(s.runDir, "fakes")
	}
	return filepath.Join(s.store.dir, "fakes")
}

// boxFileScript writes a file step's body (the runner put it in the
// scratch directory's "file") where the step says, as the shell in the
// container: relative to its working directory, ~ its HOME.
func boxFileScript(step *course.Step) string {
	p := step.Attrs.File
	dest := shellQuote(p)
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		dest = `"$HOME"/` + shellQuote(rest)
	}
	redir := ">|"
	if step.Attrs.Append {
		redir = ">>"
	}
	line := `mkdir -p -- "$(dirname -- ` + dest + `)" && cat -- "$__cc_dir/file" ` + redir + dest
	if step.Attrs.Mode != "" {
		line += " && chmod " + shellQuote(step.Attrs.Mode) + " -- " + dest
	}
	return line + "\n"
}

// scratchPerm is the mode of files the runner writes for the shell to
// read: the learner in a container is another uid than the runner.
func (s *Session) scratchPerm() os.FileMode {
	if s.box != nil {
		return 0o644
	}
	return 0o600
}

// writeScratch writes a file of the scratch directory for the shell. In a
// container, root inside (the course's sudo) can put a link there in its
// place: the file is created afresh, never through a link.
func (s *Session) writeScratch(p string, data []byte) error {
	return writeNoFollow(p, data, s.scratchPerm())
}

func writeNoFollow(p string, data []byte, perm os.FileMode) error {
	if err := removeNotDir(p); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		// The umask narrowed perm. Through f, not by name: the container
		// may have put a link at p since.
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeNotDir removes the file or link p, if any, so that it can be made
// afresh; a directory there is an error (EISDIR), as opening it would be.
func removeNotDir(p string) error {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return &os.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
	}
	return os.Remove(p)
}

// openNoFollow opens a file the shell wrote in the scratch directory for
// reading: never through a link, never blocking on a FIFO put in its
// place, only a regular file — and, where the kernel can tell first
// (openRegular), never opening anything else at all: a FIFO's writer is
// not woken, a device node the container's root made is not opened.
func openNoFollow(p string) (*os.File, error) {
	return openRegular(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK)
}

// readNoFollow is os.ReadFile through openNoFollow.
func readNoFollow(p string) ([]byte, error) {
	f, err := openNoFollow(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// boxCtx bounds one request to the container's helper.
func boxCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// The shell's processes in a container: the helper inside reads and
// signals them (container.Session, Signal); pids are the container's.

// boxSession is the shell's session as the helper sees it.
func (sh *shell) boxSession() (container.SessionState, bool) {
	ctx, cancel := boxCtx()
	defer cancel()
	st, err := sh.box.c.Session(ctx, sh.inner)
	return st, err == nil
}

// boxSignal sends sig to process (or, negative, group) id inside.
func (sh *shell) boxSignal(id int, sig syscall.Signal) {
	ctx, cancel := boxCtx()
	defer cancel()
	_ = sh.box.c.Signal(ctx, id, sig)
}

// boxKill ends every process of the shell's session inside, then the
// docker CLI that relays its terminal.
func (sh *shell) boxKill(grace time.Duration) {
	if st, ok := sh.boxSession(); ok {
		if grace > 0 {
			for _, p := range st.Procs {
				if p.PID != sh.inner {
					sh.boxSignal(p.PID, syscall.SIGTERM)
				}
			}
			deadline := time.Now().Add(grace)
			for time.Now().Before(deadline) {
				if st, ok = sh.boxSession(); !ok || len(st.Procs) <= 1 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		for _, p := range st.Procs {
			sh.boxSignal(p.PID, syscall.SIGKILL)
		}
	}
	sh.boxSignal(sh.inner, syscall.SIGKILL)
	if sh.cmd.Process != nil {
		_ = sh.cmd.Process.Kill()
	}
}

// atPrompt reports whether the shell itself has the terminal and waits
// reading it: a signal ended the step's line without finishing the step.
func (sh *shell) atPrompt() bool {
	if sh.box == nil {
		return sh.foreground() == sh.pid && blockedOnTTY(sh.pid)
	}
	st, ok := sh.boxSession()
	if !ok || st.Foreground != sh.inner {
		return false
	}
	for _, p := range st.Procs {
		if p.PID == sh.inner {
			return p.ReadingTTY
		}
	}
	return false
}

// waiting is what waits on the keyboard in a running step.
type waiting struct {
	pid     int
	cmdline string
	// program is the full-screen program that has the terminal (vim,
	// less), "" for a plain read.
	program string
}

// waitingForInput reports a process of the step's foreground group that
// waits for keys: a full-screen program, or one blocked reading the
// terminal.
func (sh *shell) waitingForInput() (waiting, bool) {
	if sh.box == nil {
		pg := sh.foreground()
		if leader, prog, ok := fullScreenWaiting(sh.pty, sh.pid, pg); ok {
			return waiting{pid: leader.pid, cmdline: readCmdline(leader.pid), program: prog}, true
		}
		if pid, cmdline, ok := readingTTY(sh.pid, pg); ok {
			return waiting{pid: pid, cmdline: cmdline}, true
		}
		return waiting{}, false
	}
	st, ok := sh.boxSession()
	if !ok {
		return waiting{}, false
	}
	pg := st.Foreground
	var group []container.Proc
	parents := map[int]bool{}
	sleeping := true
	for _, p := range st.Procs {
		if p.PGID != pg || pg == sh.inner {
			continue
		}
		group = append(group, p)
		parents[p.PPID] = true
		if p.State != 'S' {
			sleeping = false
		}
	}
	if !st.Canonical && pg != sh.inner && len(group) > 0 && sleeping {
		leader, leaf := group[0], container.Proc{}
		for _, p := range group {
			if p.PID == pg {
				leader = p
			}
			if !parents[p.PID] && p.PID > leaf.PID {
				leaf = p
			}
		}
		if leaf.PID == 0 {
			leaf = leader
		}
		prog := leaf.Cmdline
		if f := strings.Fields(prog); len(f) > 0 {
			prog = filepath.Base(f[0])
		}
		return waiting{pid: leader.PID, cmdline: leader.Cmdline, program: prog}, true
	}
	for _, p := range st.Procs {
		if p.PGID == pg && p.State == 'S' && p.ReadingTTY {
			return waiting{pid: p.PID, cmdline: p.Cmdline}, true
		}
	}
	return waiting{}, false
}

// cwd is the shell's working directory (file blocks are relative to it).
func (sh *shell) cwd() (string, error) {
	if sh.box == nil {
		return os.Readlink(fmt.Sprintf("/proc/%d/cwd", sh.pid))
	}
	ctx, cancel := boxCtx()
	defer cancel()
	return sh.box.c.Cwd(ctx, sh.inner)
}

// alivePID reports whether process pid (the shell's namespace) runs.
func (sh *shell) alivePID(pid int) bool {
	if sh.box == nil {
		st, ok := readStat(pid)
		return ok && st.state != 'Z'
	}
	st, ok := sh.boxSession()
	if !ok {
		return false
	}
	for _, p := range st.Procs {
		if p.PID == pid {
			return p.State != 'Z'
		}
	}
	return false
}

// startBoxShell is startShell in a container: the interactive bash is
// `docker exec -it` on our pty (the CLI relays the terminal both ways),
// and the records and the answer are the channel's FIFOs, which the
// wrapper opens by name (prelude.bash, __CC_FIFO).
func startBoxShell(cfg shellConfig, rc string) (*shell, error) {
	if err := container.MakeChannel(cfg.dir); err != nil {
		return nil, err
	}
	tokens, err := openScratch(filepath.Join(cfg.dir, "tokens"), cfg.perm)
	if err != nil {
		return nil, err
	}
	cmd := cfg.box.c.ShellCommand(container.Shell{
		Args: []string{"--noprofile", "--rcfile", cfg.inside(rc), "--noediting", "-i"},
		Dir:  cfg.workdir,
		Env:  append(append([]string(nil), cfg.env...), "__CC_DIR="+cfg.inside(cfg.dir), "__CC_FIFO=1"),
	})
	master, tty, err := ptyStart(cmd, cfg.rows, cfg.cols, nil, nil)
	if err != nil {
		tokens.Close()
		return nil, fmt.Errorf("starting bash in the container: %w", err)
	}
	ttyName := tty.Name()
	tty.Close()
	s := newShell(cfg, cmd, master, ttyName, tokens)
	// The wrapper opens its ends once bash reads the rcfile; a shell that
	// never starts (the CLI failed) ends the wait.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	go func() {
		select {
		case <-s.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	recR, ackW, err := container.OpenChannel(ctx, cfg.dir)
	cancel()
	if err != nil {
		_ = cmd.Process.Kill()
		<-s.exited
		master.Close()
		tokens.Close()
		s.pump.wait()
		return nil, fmt.Errorf("bash did not start in the container: %s", strings.TrimSpace(s.pump.discarded()))
	}
	s.ack = ackW
	go s.readRecords(recR)
	return s.ready(cfg)
}
