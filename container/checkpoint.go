package container

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
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
// last checkpoint (or Start, or Restore) into dir, which it creates. Its
// cost is one walk of the container's filesystem (stat only) plus copying
// what changed: a step that changed nothing costs the walk.
func (c *Container) Checkpoint(ctx context.Context, dir string) (FSCheckpoint, error) {
	start := time.Now()
	cp := FSCheckpoint{Image: c.ImageID}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cp, err
	}
	tmpTar, tmpDel := filepath.Join(dir, FSTar+".tmp"), filepath.Join(dir, FSDeleted+".tmp")
	defer os.Remove(tmpTar)
	defer os.Remove(tmpDel)
	err := c.helper.request(ctx, "checkpoint", func() error {
		n, _, err := c.helper.answer("DELETED")
		if err != nil {
			return err
		}
		del, err := os.Create(tmpDel)
		if err != nil {
			return err
		}
		_, err = io.CopyN(del, c.helper.out, n)
		if cerr := del.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		// The deleted list is small; count its entries from the file.
		b, err := os.ReadFile(tmpDel)
		if err != nil {
			return err
		}
		for _, c := range b {
			if c == 0 {
				cp.Deleted++
			}
		}
		f, err := os.Create(tmpTar)
		if err != nil {
			return err
		}
		// The tar is copied byte for byte as the helper's tar wrote it;
		// reading it through archive/tar finds where it ends (two zero
		// blocks) in the stream and checks it is whole.
		cw := &countWriter{w: f}
		tr := tar.NewReader(io.TeeReader(c.helper.out, cw))
		for {
			_, err = tr.Next()
			if err == io.EOF {
				err = nil
				break
			}
			if err != nil {
				break
			}
			if _, err = io.Copy(io.Discard, tr); err != nil {
				break
			}
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("reading the checkpoint's tar: %w", err)
		}
		cp.Bytes = cw.n
		// tar's status: 1 is "a file changed as we read it", which the
		// next checkpoint takes again; more is a real failure.
		status, count, err := c.helper.answer("END")
		if err != nil {
			return err
		}
		if status > 1 {
			return fmt.Errorf("tar in the container failed (status %d)", status)
		}
		cp.Changed, _ = strconv.Atoi(count)
		return nil
	})
	if err != nil {
		return cp, fmt.Errorf("checkpointing the container's files: %w", err)
	}
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

// Restore applies the checkpoints in dirs, oldest first (the steps'
// order), to the container's filesystem, and makes the result the base of
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
	del, err := os.Open(filepath.Join(dir, FSDeleted))
	if err != nil {
		return err
	}
	defer del.Close()
	tf, err := os.Open(filepath.Join(dir, FSTar))
	if err != nil {
		return err
	}
	defer tf.Close()
	dst, err := del.Stat()
	if err != nil {
		return err
	}
	tst, err := tf.Stat()
	if err != nil {
		return err
	}
	line := fmt.Sprintf("apply %d %d", dst.Size(), tst.Size())
	return c.helper.request(ctx, line, func() error {
		if _, err := io.Copy(c.helper.in, del); err != nil {
			return err
		}
		if _, err := io.Copy(c.helper.in, tf); err != nil {
			return err
		}
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

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

func writeFileAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
