package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// FSCheckpointer keeps a sandbox's files with each checkpoint, for a
// sandbox whose files are not simply kept in place (a container's
// filesystem, docs/spec.md §8). With one in Options.FS, every checkpoint names the
// directory its files went to (`fs` lines), and a restore gives back those
// of every step up to the one restored.
type FSCheckpointer interface {
	// Checkpoint writes what changed in the sandbox's files since the last
	// Checkpoint or Restore into dir, which it creates.
	Checkpoint(ctx context.Context, dir string) error
	// Restore puts back the files as the checkpoints in dirs left them,
	// oldest first. The runner calls it before it restores the shell's
	// state.
	Restore(ctx context.Context, dirs ...string) error
}

// readState takes in what the wrapper dumped of the shell's state after a
// round trip (end token sentinel, planned as plan).
func (s *Session) readState(sentinel string, plan *dumpPlan) {
	err := s.state.ingest(filepath.Join(s.runDir, "checkpoint.tmp"), sentinel, plan)
	if miss, ok := err.(*deltaMissError); ok && checkDeltas {
		panic(fmt.Sprintf("%s: %v", s.mod.Path, miss))
	}
}

// collectHistory takes the lines the wrapper handed over (history -a) since
// the last time.
func (s *Session) collectHistory() {
	p := filepath.Join(s.runDir, "checkpoint.tmp.hist")
	b, err := os.ReadFile(p)
	if err != nil {
		return
	}
	_ = os.Remove(p)
	if len(b) > 0 {
		s.state.addHistory(strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))
	}
}

// keep is Exec's last phase for the shell's state: a passing (or skipped)
// step's checkpoint goes to the writer.
func (s *Session) keep(ctx context.Context, step *course.Step, r *result.Step) {
	if r.Status != result.Passed && r.Status != result.Skipped {
		return
	}
	if !s.state.known {
		s.warn(fmt.Sprintf("%s:%d: step %s: checkpoint not saved: %v", s.file(step), step.Line, step.ID, errBadDump))
		return
	}
	i := step.Index - 1
	if s.opts.FS != nil {
		dir := s.store.fsPath(i)
		err := os.MkdirAll(filepath.Dir(dir), 0o700)
		if err == nil {
			err = s.opts.FS.Checkpoint(ctx, dir)
		}
		if err != nil {
			s.warn(fmt.Sprintf("%s:%d: step %s: checkpoint not saved: the sandbox's files: %v", s.file(step), step.Line, step.ID, err))
			return
		}
		s.state.addFS(filepath.Base(dir))
	}
	s.save(step, s.state.checkpoint(i).encode())
	s.restored = i
}

// restoreFS gives the sandbox its files back as a checkpoint's chain left
// them (Options.FS).
func (s *Session) restoreFS(ctx context.Context, rs *restoredState) error {
	if s.opts.FS == nil {
		return nil
	}
	if len(rs.fs) == 0 {
		return fmt.Errorf("it holds no checkpoint of the sandbox's files")
	}
	dirs := make([]string, len(rs.fs))
	for i, name := range rs.fs {
		dirs[i] = filepath.Join(s.store.checkpointsDir(), name)
	}
	return s.opts.FS.Restore(ctx, dirs...)
}
