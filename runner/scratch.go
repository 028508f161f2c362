package runner

// The run's directories: the sandbox's workdir and HOME, and the scratch
// directory the wrapper talks through, locked so a sweep by another run
// never removes a live one.

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// prepareDirs sets up the workdir and HOME; fresh re-seeds the sandbox's
// own directories (never ones the caller named).
func (s *Session) prepareDirs(fresh bool) error {
	// Never through a link a step planted (safepath.go).
	if err := guardStateDir(s.opts.StateDir, s.store.dir); err != nil {
		return err
	}
	if s.opts.Docker != nil {
		// The container is fresh: its learner's HOME is the workdir.
		s.workdir, s.home = boxHome, boxHome
		return nil
	}
	if s.opts.Sandbox {
		if err := os.MkdirAll(s.store.dir, 0o755); err != nil {
			return err
		}
		sb := filepath.Join(s.store.dir, "sandbox")
		if err := ownDir(sb); err != nil {
			return err
		}
		s.workdir = filepath.Join(sb, "work")
		s.home = filepath.Join(sb, "home")
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		s.workdir = wd
		s.home = os.Getenv("HOME")
	}
	if s.opts.Workdir != "" {
		s.workdir = s.opts.Workdir
	} else if s.opts.Sandbox && fresh {
		if err := removeTree(s.workdir); err != nil {
			return fmt.Errorf("emptying the sandbox: %w", err)
		}
	}
	if s.opts.Home != "" {
		s.home = s.opts.Home
	} else if s.opts.Sandbox && fresh {
		if err := removeTree(s.home); err != nil {
			return fmt.Errorf("emptying the sandbox: %w", err)
		}
	}
	var err error
	if s.workdir, err = filepath.Abs(s.workdir); err != nil {
		return err
	}
	if err := os.MkdirAll(s.workdir, 0o755); err != nil {
		return err
	}
	if s.opts.Sandbox || s.opts.Home != "" {
		if s.home, err = filepath.Abs(s.home); err != nil {
			return err
		}
		if _, err := os.Stat(s.home); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(s.home, 0o755); err != nil {
				return err
			}
			if err := os.CopyFS(s.home, os.DirFS("/etc/skel")); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("seeding %s from /etc/skel: %w", s.home, err)
			}
		}
	}
	return nil
}

// removeTree removes dir even when a step left directories without write
// permission in it (a course's `chmod -R a-w`).
func removeTree(dir string) error {
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d != nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

func removeAll(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// removeScratch removes the session's scratch directory, then lets go of
// its lock.
func (s *Session) removeScratch() {
	s.procs.close() // what left the shell's session, where a cgroup holds it
	removeAll(s.runDir)
	if s.runLock != nil {
		s.runLock.Close()
		s.runLock = nil
	}
}

// scratchDir is where the shell and the runner exchange files during a run
// (the step, the state the wrapper dumps after each step): on tmpfs when the
// machine has one, since bash writes its builtins' output a line per write(2).
//
// Runs of other processes sweep away the scratch directories of runs that
// were killed before they could (sweepScratch), so a live one must be told
// apart reliably. A pid in the name cannot do it: pids are reused (pid_max
// is often 32768, and a busy CI machine wraps it in minutes), and another
// pid namespace sharing /dev/shm (containers) sees none of ours. So a live
// run holds an exclusive flock(2) on the file `lock` in its directory for
// as long as the directory exists; the kernel drops it when the process
// dies, however it dies. The directory is made and locked under a name the
// sweep ignores (`.coursectl-new-*`) and only then renamed into view, so no
// sweep ever sees it unlocked. The pid stays in the name for people.
func scratchDir(stateModDir string) (string, *os.File, error) {
	prefix := fmt.Sprintf("coursectl-run-%d-", os.Getpid())
	for _, d := range scratchParents() {
		sweepScratch(d)
		if dir, lock, err := lockedDir(d, prefix); err == nil {
			return dir, lock, nil
		}
	}
	if err := os.MkdirAll(stateModDir, 0o755); err != nil {
		return "", nil, err
	}
	return lockedDir(stateModDir, prefix)
}

// scratchParents are the tmpfs directories scratch directories go in.
func scratchParents() []string {
	var out []string
	for _, d := range []string{os.Getenv("XDG_RUNTIME_DIR"), "/dev/shm"} {
		if d == "" {
			continue
		}
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// lockedDir makes a directory in parent named prefix+random, locked.
func lockedDir(parent, prefix string) (string, *os.File, error) {
	tmp, err := os.MkdirTemp(parent, ".coursectl-new-")
	if err != nil {
		return "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(tmp, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err == nil {
		err = unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != nil {
			lock.Close()
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	for i := 0; i < 100; i++ {
		dir := filepath.Join(parent, prefix+strconv.FormatUint(uint64(randUint32()), 10))
		if err = os.Rename(tmp, dir); err == nil {
			return dir, lock, nil
		}
		if !errors.Is(err, os.ErrExist) && !errors.Is(err, syscall.ENOTEMPTY) {
			break
		}
	}
	lock.Close()
	os.RemoveAll(tmp)
	return "", nil, err
}

// sweepScratch removes the scratch directories in parent that no live run
// holds (their lock can be taken). A directory without a lock file (a
// coursectl from before the lock) is judged by the pid in its name, and
// only when that process is certainly gone.
func sweepScratch(parent string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "coursectl-run-")
		if !ok || !e.IsDir() {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		// The scratch directory was the container sandbox's channel, which
		// the container's root writes: its "lock" may be a link or a
		// device node by now, opened only if a regular file, and else
		// judged as no lock.
		lock, err := openRegular(filepath.Join(dir, "lock"), os.O_RDWR)
		if errors.Is(err, syscall.EINVAL) {
			err = os.ErrNotExist
		}
		if err == nil {
			if unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
				// Ours now: no run can be using it.
				_ = os.RemoveAll(dir)
			}
			lock.Close()
			continue
		}
		if !errors.Is(err, os.ErrNotExist) {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); errors.Is(err, os.ErrNotExist) {
			_ = os.RemoveAll(dir)
		}
	}
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
