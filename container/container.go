package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Learner is the user the course runs as: the image's non-root user with
// passwordless sudo (scripts/sandbox-image.sh).
const Learner = "learner"

// Where the host's directories are inside. Under /run, outside the
// learner's files: the walk prunes mount points, so they are never in a
// checkpoint.
const (
	ChannelMount    = "/run/coursectl-channel"
	CheckpointMount = "/run/coursectl-checkpoints"
	StageMount      = "/run/coursectl-stage"
)

// Options say what container to start for a run.
type Options struct {
	// Image is a tag or id (default DefaultImage). The container starts
	// from the id it has now, so a rebuild during the run changes nothing.
	Image string
	// Run names the run in the labels (default: random).
	Run string
	// CourseDir (host) is mounted read-only at CourseMount (default
	// /course), which is $COURSE_DIR inside.
	CourseDir, CourseMount string
	// Workdir is made (owned by the learner) when missing: where the
	// shell starts. Default: the learner's HOME.
	Workdir string
	// ChannelDir (host) is mounted read-write at ChannelMount: the
	// runner's scratch directory (the step file, the tokens, the FIFOs of
	// MakeChannel, the shell's state dumps). Container.Path gives the
	// paths to tell the shell. Not at its host path: that may be under a
	// HOME the learner cannot enter (/root is 0700).
	ChannelDir string
	// CheckpointDir (host) is mounted at CheckpointMount, for the helper:
	// the directories Checkpoint writes and Restore reads are under it
	// (the runner's checkpoints of this module). It must exist. Read-only
	// when StageDir is set, else read-write.
	CheckpointDir string
	// StageDir (host), when set, is mounted read-write at StageMount, and
	// CheckpointDir read-only: the helper writes a checkpoint's files
	// into the stage, and the host moves them into CheckpointDir without
	// following a link (moveStaged). Root in the container (the course's
	// sudo) can then plant nothing in the checkpoint directory that the
	// host would write or read through. It must exist, on the same file
	// system as CheckpointDir.
	StageDir string
	// LearnerUID and LearnerGID, when set, become the learner's ids
	// before the shell starts, so that files the learner's shell writes in
	// ChannelDir belong to the host user that runs coursectl (a rootful
	// engine maps ids one to one). Leave them 0 when coursectl runs as
	// root: root reads everything.
	LearnerUID, LearnerGID int
	// Hostname inside (default "sandbox"): stable, so output that shows
	// it (a prompt, `hostname`) is the same every run.
	Hostname string
	// StateDir, when set, is the coursectl state directory of the run, in
	// the label LabelState: a person (or a test) can tell whose a
	// container is.
	StateDir string
}

// Container is one run's container: kept running (PID 1 sleeps, under
// docker's init, which reaps what the course leaves behind) until Close.
type Container struct {
	ID      string // the engine's container id
	Run     string // the run label
	ImageID string // what it started from: checkpoints are relative to it
	Workdir string
	// CourseMount is where the course is inside ("" when none is mounted).
	CourseMount string

	// The host directories mounted at ChannelMount, CheckpointMount and
	// StageMount, absolute; "" when not mounted.
	channelDir, checkpointDir, stageDir string
	helper                              *helper
	// gap: a checkpoint failed after its walk (Checkpoint); later ones
	// fail until a Restore.
	gap       error
	closeOnce sync.Once
	closeErr  error
}

// Start starts the run's container and its root helper (checkpoints), and
// returns once both are ready. A missing engine or image is an error
// wrapping ErrNoEngine or ErrNoImage, one line that says what to do.
func Start(ctx context.Context, opts Options) (*Container, error) {
	if opts.Image == "" {
		opts.Image = DefaultImage
	}
	if opts.Run == "" {
		opts.Run = newRunID()
	}
	if opts.Hostname == "" {
		opts.Hostname = "sandbox"
	}
	if opts.Workdir == "" {
		opts.Workdir = "/home/" + Learner
	}
	image, err := ImageID(ctx, opts.Image)
	if err != nil {
		return nil, err
	}
	args := []string{"run", "-d", "--init",
		"--name", "coursectl-" + opts.Run,
		"--hostname", opts.Hostname,
		// The helper's lists live here, out of the walk and of checkpoints.
		"--tmpfs", helperDir + ":mode=0700",
		// Root inside may read the learner's /proc/PID/syscall and fd
		// links (the helper's Session) only with it. The course's sudo
		// gets it too: strace and gdb work in the sandbox.
		"--cap-add", "SYS_PTRACE",
		// No device nodes: the scratch directory is a host directory the
		// container writes, and a node made there is one the host might
		// open (the host also refuses all but regular files and FIFOs).
		"--cap-drop", "MKNOD",
	}
	for _, l := range self().labels(opts.Run) {
		args = append(args, "--label", l)
	}
	if opts.StateDir != "" {
		args = append(args, "--label", LabelState+"="+opts.StateDir)
	}
	c := &Container{Run: opts.Run, ImageID: image, Workdir: opts.Workdir}
	if opts.CourseDir != "" {
		if opts.CourseMount == "" {
			opts.CourseMount = "/course"
		}
		src, err := filepath.Abs(opts.CourseDir)
		if err != nil {
			return nil, err
		}
		args = append(args, "--mount", mountSpec(src, opts.CourseMount, true))
		c.CourseMount = opts.CourseMount
	}
	for _, m := range []struct {
		dir, target string
		abs         *string
		readonly    bool
	}{
		{opts.ChannelDir, ChannelMount, &c.channelDir, false},
		{opts.CheckpointDir, CheckpointMount, &c.checkpointDir, opts.StageDir != ""},
		{opts.StageDir, StageMount, &c.stageDir, false},
	} {
		if m.dir == "" {
			continue
		}
		if *m.abs, err = filepath.Abs(m.dir); err != nil {
			return nil, err
		}
		args = append(args, "--mount", mountSpec(*m.abs, m.target, m.readonly))
	}
	// PID 1 is docker's init; `sleep infinity` only keeps the container
	// up. As root: usermod (LearnerUID) refuses a user that has processes.
	args = append(args, "--user", "0", "--entrypoint", "sleep", image, "infinity")
	id, err := docker(ctx, nil, args...)
	if err != nil {
		// A failed `run -d` may leave a created container behind.
		_ = RemoveRun(context.WithoutCancel(ctx), opts.Run)
		return nil, err
	}
	c.ID = id
	c.helper, err = startHelper(ctx, id, helperSetup{workdir: opts.Workdir, uid: opts.LearnerUID, gid: opts.LearnerGID})
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("starting the container's helper: %w", err)
	}
	return c, nil
}

// mountSpec is a --mount value; --mount (unlike -v) refuses a source that
// does not exist instead of creating it as root, and takes any path.
func mountSpec(src, dst string, readonly bool) string {
	s := "type=bind," + csvField("source="+src) + "," + csvField("target="+dst)
	if readonly {
		s += ",readonly"
	}
	return s
}

// csvField quotes one field of --mount's comma-separated value when needed.
func csvField(s string) string {
	for _, r := range s {
		if r == ',' || r == '"' || r == '\n' {
			return strconv.Quote(s)
		}
	}
	return s
}

func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// Path is where the host path p is inside the container: under
// ChannelMount or CheckpointMount when p is under Options.ChannelDir or
// CheckpointDir; ok is false for any other path, which the container does
// not see.
func (c *Container) Path(p string) (inside string, ok bool) {
	abs, err := filepath.Abs(p)
	if err != nil || strings.ContainsRune(abs, '\n') {
		return "", false
	}
	for _, m := range [][2]string{{c.channelDir, ChannelMount}, {c.checkpointDir, CheckpointMount}, {c.stageDir, StageMount}} {
		if m[0] == "" {
			continue
		}
		rel, err := filepath.Rel(m[0], abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			continue
		}
		return filepath.Join(m[1], rel), true
	}
	return "", false
}

// Shell says how to start the interactive bash inside.
type Shell struct {
	// Args follow "bash" (e.g. --noprofile --rcfile FILE --noediting -i).
	Args []string
	// Dir inside (default the container's Workdir).
	Dir string
	// Env is what the shell gets beyond the image's (PATH, LANG) and the
	// learner's HOME, USER and LOGNAME. Not the host's environment: a
	// host PATH or HOME means nothing inside.
	Env []string
}

// ShellCommand is the command line of the interactive bash inside the
// container, for the runner to start on its own pty exactly as it starts a
// local bash: stdin, stdout and stderr the pty's slave, Setsid and
// Setctty. The docker CLI needs that terminal (-t): it puts it in raw mode
// and relays bytes to a terminal the engine makes inside, where the line
// discipline, echo, job control and signals from keys (Ctrl-C) happen. A
// resize of our pty reaches the CLI as SIGWINCH and the inner terminal
// follows. No file descriptor other than the terminal reaches the shell:
// NewChannel is how the runner's pipes get there.
func (c *Container) ShellCommand(sh Shell) *exec.Cmd {
	dir := sh.Dir
	if dir == "" {
		dir = c.Workdir
	}
	args := []string{"exec", "-i", "-t",
		"--user", Learner,
		"--workdir", dir,
		// Ctrl-P is the CLI's default detach key: a learner's Ctrl-P in
		// bash or nano would wait for the next key, and Ctrl-P Ctrl-Q
		// would leave the shell running unattended. This sequence is
		// never typed by a person.
		"--detach-keys", "ctrl-@,ctrl-@,ctrl-@,ctrl-@",
		"--env", "HOME=/home/" + Learner,
		"--env", "USER=" + Learner,
		"--env", "LOGNAME=" + Learner,
	}
	if c.CourseMount != "" {
		args = append(args, "--env", "COURSE_DIR="+c.CourseMount)
	}
	for _, e := range sh.Env {
		args = append(args, "--env", e)
	}
	args = append(args, c.ID, "bash")
	args = append(args, sh.Args...)
	return exec.Command(dockerProgram(), args...)
}

// Command runs argv inside as user ("" is the learner, "0" root), not on a
// terminal: for short commands of the runner (what the shell cannot tell
// it) and for tests.
func (c *Container) Command(ctx context.Context, user string, argv ...string) *exec.Cmd {
	if user == "" {
		user = Learner
	}
	return dockerCmd(ctx, append([]string{"exec", "-i", "--user", user, "--workdir", c.Workdir, c.ID}, argv...)...)
}

// Close removes the container — every process in it ends — and everything
// else labelled with its run. Safe to call more than once.
func (c *Container) Close() error {
	c.closeOnce.Do(func() {
		if c.helper != nil {
			c.helper.close()
		}
		// Not the caller's context: a cancelled run (Ctrl-C) must still
		// leave nothing behind.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var errs []error
		if c.ID != "" {
			if _, err := docker(ctx, nil, "rm", "-f", "-v", c.ID); err != nil && !errors.Is(err, ErrNoEngine) {
				errs = append(errs, err)
			}
		}
		errs = append(errs, RemoveRun(ctx, c.Run))
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}
