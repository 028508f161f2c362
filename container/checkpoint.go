package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The files of one step's filesystem checkpoint, in the directory the
// runner gives Checkpoint (one per step, beside the shell's state). Data,
// not code: a tar any tar reads, a list, and a small JSON record.
const (
	// FSTar holds every path the step created or changed (relative to /,
	// "./etc/group"), with owner, mode, times and extended attributes:
	// POSIX (pax) format, as GNU tar writes it inside the container.
	FSTar = "fs.tar"
	// FSDeleted lists the paths the step removed, NUL-separated, in the
	// same form.
	FSDeleted = "fs.deleted"
	// FSRecord is FSCheckpoint as JSON.
	FSRecord = "fs.json"
)

// FSCheckpoint describes one step's filesystem checkpoint: the changes since
// the previous checkpoint of the same container (or since it started or was
// restored). Restoring step N applies the checkpoints of steps 1..N in order
// to a fresh container of Image; the runner's hash chain of checkpoint keys
// already says which directories those are.
type FSCheckpoint struct {
	// Image is the id the container started from: a checkpoint means
	// nothing on top of another image.
	Image   string `json:"image"`
	Changed int    `json:"changed"` // paths in FSTar
	Deleted int    `json:"deleted"` // paths in FSDeleted
	Bytes   int64  `json:"bytes"`   // size of FSTar
	// Duration is what taking it cost, for the docs' numbers and for
	// a report that wants to show it.
	Duration time.Duration `json:"duration_ns"`
}

// ErrImageChanged: a checkpoint was made on another image than the
// container's (the image was rebuilt since). Its changes cannot be applied;
// the run must start again from the first step.
var ErrImageChanged = errors.New("the sandbox image changed since the checkpoint")

// Checkpoint writes what changed in the container's filesystem since the
// last checkpoint (or Start, or Restore) into dir, which it creates; dir
// must be under Options.CheckpointDir, which the container sees. Its cost
// is one walk of the container's filesystem (stat only) plus writing what
// changed: a step that changed nothing costs the walk.
//
// A checkpoint that fails once the walk is done leaves the changes it took
// in no checkpoint, and the next one (a delta from that walk) would miss
// them: a restore through it would lack a step's files. So every later
// Checkpoint fails too, until a Restore sets a new base.
func (c *Container) Checkpoint(ctx context.Context, dir string) (FSCheckpoint, error) {
	if c.gap != nil {
		return FSCheckpoint{Image: c.ImageID}, fmt.Errorf("an earlier checkpoint of the container's files failed, and this one would miss its changes (%v)", c.gap)
	}
	cp, walked, err := c.checkpoint(ctx, dir)
	if err != nil && walked {
		c.gap = err
	}
	return cp, err
}

func (c *Container) checkpoint(ctx context.Context, dir string) (cp FSCheckpoint, walked bool, err error) {
	start := time.Now()
	cp = FSCheckpoint{Image: c.ImageID}
	if _, err := c.checkpointPath(dir); err != nil {
		return cp, walked, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cp, walked, err
	}
	// Where the helper writes: the stage when there is one (the host then
	// moves the files in), else dir itself.
	out, outHost := "", dir
	if c.stageDir != "" {
		out, outHost = StageMount, c.stageDir
	} else {
		out, _ = c.checkpointPath(dir)
	}
	tmpTar, tmpDel := filepath.Join(outHost, FSTar+".tmp"), filepath.Join(outHost, FSDeleted+".tmp")
	defer os.Remove(tmpTar)
	defer os.Remove(tmpDel)
	walked = true
	err = c.helper.request(ctx, "checkpoint "+out, func() error {
		// tar's status: 1 is "a file changed as we read it", which the
		// next checkpoint takes again; more is a real failure.
		status, rest, err := c.helper.answer("END")
		if err != nil {
			return err
		}
		if status > 1 {
			return fmt.Errorf("tar in the container failed (status %d)", status)
		}
		if _, err := fmt.Sscan(rest, &cp.Changed, &cp.Deleted); err != nil {
			return fmt.Errorf("unexpected answer %q", rest)
		}
		return nil
	})
	if err != nil {
		return cp, walked, fmt.Errorf("checkpointing the container's files: %w", err)
	}
	if c.stageDir != "" {
		if _, err := moveStaged(c.stageDir, FSDeleted+".tmp", dir, FSDeleted); err != nil {
			return cp, walked, err
		}
		if cp.Bytes, err = moveStaged(c.stageDir, FSTar+".tmp", dir, FSTar); err != nil {
			return cp, walked, err
		}
	} else {
		fi, err := os.Stat(tmpTar)
		if err != nil {
			return cp, walked, err
		}
		cp.Bytes = fi.Size()
		if err := os.Rename(tmpDel, filepath.Join(dir, FSDeleted)); err != nil {
			return cp, walked, err
		}
		if err := os.Rename(tmpTar, filepath.Join(dir, FSTar)); err != nil {
			return cp, walked, err
		}
	}
	cp.Duration = time.Since(start)
	rec, err := json.Marshal(cp)
	if err != nil {
		return cp, walked, err
	}
	// Written by the host, never read back from what the container wrote.
	return cp, walked, writeFileAtomic(filepath.Join(dir, FSRecord), append(rec, '\n'))
}

// moveStaged moves the file name, which the helper wrote in the stage
// directory, to dir/to, and returns its size. Root in the container may
// have put anything in the stage by that name — a symbolic link to a host
// file, a directory, a FIFO — so the move is rename(2) between directory
// descriptors (which moves a link itself, never what it points to), and
// what arrived is looked at without following it: anything but a regular
// file is removed again and the checkpoint fails. The host never opens
// the file: only the helper of a later container reads it, inside.
func moveStaged(stage, name, dir, to string) (int64, error) {
	sfd, err := unix.Open(stage, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: stage, Err: err}
	}
	defer unix.Close(sfd)
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(dfd)
	if err := unix.Renameat(sfd, name, dfd, to); err != nil {
		return 0, &os.PathError{Op: "rename", Path: filepath.Join(stage, name), Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, to, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return 0, &os.PathError{Op: "stat", Path: filepath.Join(dir, to), Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		_ = unix.Unlinkat(dfd, to, 0)
		_ = unix.Unlinkat(dfd, to, unix.AT_REMOVEDIR)
		return 0, fmt.Errorf("the container left %s in place of its checkpoint file (not a regular file): refused", filepath.Join(stage, name))
	}
	return st.Size, nil
}

// checkpointPath is where dir is inside, when it is under
// Options.CheckpointDir.
func (c *Container) checkpointPath(dir string) (string, error) {
	if c.checkpointDir == "" {
		return "", errors.New("no Options.CheckpointDir: the container cannot write checkpoints")
	}
	in, ok := c.Path(dir)
	if !ok || !strings.HasPrefix(in, CheckpointMount) {
		return "", fmt.Errorf("checkpoint directory %s is not under %s", dir, c.checkpointDir)
	}
	return in, nil
}

// ReadFSCheckpoint reads the record Checkpoint wrote in dir.
func ReadFSCheckpoint(dir string) (FSCheckpoint, error) {
	var cp FSCheckpoint
	b, err := os.ReadFile(filepath.Join(dir, FSRecord))
	if err != nil {
		return cp, err
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return cp, fmt.Errorf("%s: %w", filepath.Join(dir, FSRecord), err)
	}
	return cp, nil
}

// Restore applies the checkpoints in dirs (under Options.CheckpointDir),
// oldest first (the steps' order), to the container's filesystem, and makes the result the base of
// the next Checkpoint. Meant for a fresh container, before its shell starts.
func (c *Container) Restore(ctx context.Context, dirs ...string) error {
	for _, dir := range dirs {
		cp, err := ReadFSCheckpoint(dir)
		if err != nil {
			return err
		}
		if cp.Image != c.ImageID {
			return fmt.Errorf("%s: %w (made on %.19s, the container runs %.19s)", dir, ErrImageChanged, cp.Image, c.ImageID)
		}
		if cp.Changed == 0 && cp.Deleted == 0 {
			continue
		}
		if err := c.apply(ctx, dir); err != nil {
			return fmt.Errorf("restoring %s: %w", dir, err)
		}
	}
	err := c.helper.request(ctx, "rebase", func() error {
		_, _, err := c.helper.answer("OK")
		return err
	})
	if err == nil {
		c.gap = nil
	}
	return err
}

func (c *Container) apply(ctx context.Context, dir string) error {
	inside, err := c.checkpointPath(dir)
	if err != nil {
		return err
	}
	return c.helper.request(ctx, "apply "+inside, func() error {
		status, msg, err := c.helper.answer("OK")
		if err != nil {
			return err
		}
		if status != 0 {
			return fmt.Errorf("tar in the container failed (status %d): %s", status, msg)
		}
		return nil
	})
}

func writeFileAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
