package container

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// What root in the container leaves in the stage under a checkpoint
// file's name is moved only when it is a regular file: a link planted
// there (to a host file the runner could then write through) is refused
// and not left in the checkpoint directory, and its target is untouched.
func TestMoveStagedRefusesALink(t *testing.T) {
	stage, dir, outside := t.TempDir(), t.TempDir(), t.TempDir()
	target := filepath.Join(outside, "secret")
	if err := os.WriteFile(target, []byte("host"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(stage, "fs.tar.tmp")); err != nil {
		t.Fatal(err)
	}
	if _, err := moveStaged(stage, "fs.tar.tmp", dir, FSTar); err == nil {
		t.Fatal("a link in the stage was moved in")
	}
	if _, err := os.Lstat(filepath.Join(dir, FSTar)); !os.IsNotExist(err) {
		t.Errorf("the link is in the checkpoint directory: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "host" {
		t.Errorf("the link's target changed: %q", b)
	}
	if err := os.Mkdir(filepath.Join(stage, "fs.deleted.tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := moveStaged(stage, "fs.deleted.tmp", dir, FSDeleted); err == nil {
		t.Fatal("a directory in the stage was moved in")
	}
	// A regular file moves, with its size.
	if err := os.WriteFile(filepath.Join(stage, "fs.tar.tmp.2"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := moveStaged(stage, "fs.tar.tmp.2", dir, FSTar); err != nil || n != 5 {
		t.Fatalf("moveStaged: %d, %v", n, err)
	}
}

// A checkpoint refused after its walk (root in the container planted a
// link in the stage) holds changes no checkpoint has; the next one, a
// delta from that walk, would miss them, and a restore through it would
// lack the step's files. So it fails too.
func TestCheckpointAfterARefusedOneFails(t *testing.T) {
	needImage(t)
	ctx := context.Background()
	ckpt, stage := t.TempDir(), sharedDir(t)
	c := startContainer(t, Options{CheckpointDir: ckpt, StageDir: stage})
	if err := os.Symlink("/nonexistent", filepath.Join(stage, FSDeleted+".tmp")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Checkpoint(ctx, filepath.Join(ckpt, "1")); err == nil {
		t.Fatal("a checkpoint with a link in the stage succeeded")
	}
	_ = os.Remove(filepath.Join(stage, FSDeleted+".tmp"))
	if _, err := c.Checkpoint(ctx, filepath.Join(ckpt, "2")); err == nil {
		t.Error("the checkpoint after a refused one succeeded: it misses the refused one's changes")
	}
}
