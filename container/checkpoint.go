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
func (c *Container) Checkpoint(ctx context.Context, dir string) (FSCheckpoint, error) {
	start := time.Now()
	cp := FSCheckpoint{Image: c.ImageID}
	inside, err := c.checkpointPath(dir)
	if err != nil {
		return cp, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cp, err
	}
	tmpTar, tmpDel := filepath.Join(dir, FSTar+".tmp"), filepath.Join(dir, FSDeleted+".tmp")
	defer os.Remove(tmpTar)
	defer os.Remove(tmpDel)
	err = c.helper.request(ctx, "checkpoint "+inside, func() error {
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
		return cp, fmt.Errorf("checkpointing the container's files: %w", err)
	}
	fi, err := os.Stat(tmpTar)
	if err != nil {
		return cp, err
	}
	cp.Bytes = fi.Size()
	cp.Duration = time.Since(start)
	rec, err := json.Marshal(cp)
	if err != nil {
		return cp, err
	}
	if err := writeFileAtomic(filepath.Join(dir, FSRecord), append(rec, '\n')); err != nil {
		return cp, err
	}
	if err := os.Rename(tmpDel, filepath.Join(dir, FSDeleted)); err != nil {
		return cp, err
	}
	return cp, os.Rename(tmpTar, filepath.Join(dir, FSTar))
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
	return c.helper.request(ctx, "rebase", func() error {
		_, _, err := c.helper.answer("OK")
		return err
	})
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
