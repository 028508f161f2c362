package runner

// The session's side of checkpoints: reading the dumped state, keeping a
// passing step's checkpoint, the sandbox's files (Options.FS), and the
// save queue that writes them in the background in step order.

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
	b, err := readNoFollow(p)
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
	if r.Status != result.Passed && r.Status != result.Skipped || s.unkept {
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

type saveJob struct {
	step *course.Step
	data []byte
	// dropFrom >= 0 makes the job drop the checkpoints of steps
	// dropFrom.. instead (ordered with the writes before it); with
	// dropOne, of step dropFrom alone.
	dropFrom int
	dropOne  bool
}

// save hands a checkpoint to the writer goroutine: creating a file on a busy
// disk can take longer than a step, and nothing waits for it but a restore
// and Close (flush).
func (s *Session) save(step *course.Step, data []byte) {
	s.queue(saveJob{step: step, data: data, dropFrom: -1})
}

// dropBefore makes sure no checkpoint of step index i or later survives from
// before this run of step i: a step run again is judged again.
func (s *Session) dropBefore(i int) {
	if s.opts.KeepLaterCheckpoints {
		// Only the step's own checkpoint is judged again.
		if i < s.dropFrom {
			s.queue(saveJob{dropFrom: i, dropOne: true})
		}
		return
	}
	if i >= s.dropFrom {
		return
	}
	s.dropFrom = i
	s.queue(saveJob{dropFrom: i})
}

func (s *Session) queue(job saveJob) {
	if s.saves == nil {
		s.saves = make(chan saveJob, 64)
		go func(jobs chan saveJob) {
			for j := range jobs {
				if err := noLinksUnder(s.opts.StateDir, s.store.dir); err != nil {
					// A step replaced the state directory by a link: write
					// and remove nothing there.
					s.warn(fmt.Sprintf("%s: checkpoint not saved: %v", s.mod.Path, err))
				} else if j.dropFrom >= 0 {
					var err error
					if j.dropOne {
						err = s.store.dropOne(j.dropFrom)
					} else {
						err = s.store.drop(j.dropFrom, len(s.mod.Steps))
					}
					if err != nil {
						s.warn(fmt.Sprintf("%s: removing old checkpoints: %v", s.mod.Path, err))
					}
				} else if err := s.store.write(j.step.Index-1, j.data); err != nil {
					s.warn(fmt.Sprintf("%s:%d: step %s: checkpoint not saved: %v", s.file(j.step), j.step.Line, j.step.ID, err))
				}
				s.pending.Done()
			}
		}(s.saves)
	}
	s.pending.Add(1)
	s.saves <- job
}

// flush waits until every checkpoint handed to save is on disk.
func (s *Session) flush() { s.pending.Wait() }

// Flush waits until the checkpoints of the steps run so far are on disk
// (they are written in the background; Close flushes too). Call it before
// reading progress of a live session with LoadProgress.
func (s *Session) Flush() { s.flush() }
