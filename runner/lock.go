package runner

// One run per sandbox at a time. A sandboxed run empties its sandbox when
// it starts at the first step, so a second `check` of the same module (or
// `watch --run` beside a `check`) emptied it under the first, and both
// failed. A run holds an exclusive flock(2) on `sandbox.lock` beside the
// sandbox for as long as it is open; another run of the same sandbox is
// refused at once with who holds it (docs/check.md, "One run per sandbox").
// Refused rather than made to wait: a wait would look like a hang in one
// terminal while the other runs, and a CI job that shares a state
// directory by mistake should say so. The kernel drops the lock however
// the holder dies, so a killed run never leaves it taken.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coursectl/coursectl/course"
)

// lockName is the lock file in a module's state directory.
const lockName = "sandbox.lock"

// SandboxBusyError says that another run holds the sandbox a run needs.
type SandboxBusyError struct {
	Module string // the module's path
	PID    int    // the holder, 0 when it did not say
	Holder string // its command line
	Since  time.Time
}

func (e *SandboxBusyError) Error() string {
	who := "another coursectl"
	if e.PID > 0 {
		who += fmt.Sprintf(" (pid %d", e.PID)
		if e.Holder != "" {
			who += ": " + e.Holder
		}
		if !e.Since.IsZero() {
			who += ", since " + e.Since.Format("15:04:05")
		}
		who += ")"
	}
	return fmt.Sprintf("%s: its sandbox is in use by %s — wait for that run to end, or give this one its own state directory with --state DIR", e.Module, who)
}

// lockSandbox takes the sandbox lock in modDir (the module's state
// directory) for mod, or returns a *SandboxBusyError.
func lockSandbox(stateDir, modDir string, mod *course.Module) (*os.File, error) {
	if err := noLinksUnder(stateDir, modDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(modDir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(modDir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, busyError(path, mod.Path)
		}
		return nil, fmt.Errorf("locking the sandbox: %w", err)
	}
	// Who holds it, for the message another run gives.
	info := fmt.Sprintf("%d\n%d\n%s\n", os.Getpid(), time.Now().Unix(), strings.Join(os.Args, " "))
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(info), 0)
	return f, nil
}

// busyError reads who holds the lock at path.
func busyError(path, module string) *SandboxBusyError {
	e := &SandboxBusyError{Module: module}
	b, err := os.ReadFile(path)
	if err != nil {
		return e
	}
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) == 3 {
		e.PID, _ = strconv.Atoi(lines[0])
		if sec, err := strconv.ParseInt(lines[1], 10, 64); err == nil {
			e.Since = time.Unix(sec, 0)
		}
		e.Holder = oneLine(strings.TrimSpace(lines[2]))
	}
	return e
}

// unlockSandbox lets go of a lock lockSandbox took. The file stays: removing
// it would let a run that opened it before the removal and one that
// creates it afresh both hold "the" lock.
func unlockSandbox(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// SandboxBusy reports whether another run holds mod's sandbox (a
// *SandboxBusyError) without keeping the lock: `check` asks before it runs
// anything, so a busy sandbox is one clear error rather than a module
// that fails halfway through a list. Open takes the lock for real.
func SandboxBusy(stateDir string, mod *course.Module) error {
	if stateDir == "" {
		stateDir = DefaultStateDir()
	}
	st, err := openStore(stateDir, mod, true)
	if err != nil {
		return err
	}
	path := filepath.Join(st.dir, lockName)
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil // no lock file: nobody ever ran it
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); errors.Is(err, unix.EWOULDBLOCK) {
		return busyError(path, mod.Path)
	}
	return nil
}
