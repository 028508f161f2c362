package container

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// The runner reads /proc and signals process groups for what the terminal
// alone cannot tell it (which processes a run started, whether a step waits
// on the keyboard, what to stop on a timeout). For a shell in a container,
// neither works from outside: the foreground group of our pty is the docker
// CLI's, and the host's /proc of another uid's processes is not readable.
// The helper inside does both; pids here are the container's.

// Proc is a live process of the shell's session.
type Proc struct {
	PID, PPID, PGID int
	State           byte // as in /proc/PID/stat: R, S, D, T...
	// ReadingTTY: blocked reading the terminal (the runner's idle
	// detection: a step waiting for input no one will type).
	ReadingTTY bool
	Cmdline    string
}

// SessionState is what the runner reads of the shell's session.
type SessionState struct {
	Procs []Proc
	// Foreground is the process group that has the terminal (the shell's
	// own between steps and during builtins).
	Foreground int
	// Canonical: the terminal inside is in canonical (line) mode; a
	// full-screen program (vim, less) turns it off. Our own pty cannot
	// tell: the docker CLI keeps it raw.
	Canonical bool
}

// Session reads session sid — the shell's pid inside, which the wrapper
// reports (its $$): its live processes and its terminal's state.
func (c *Container) Session(ctx context.Context, sid int) (SessionState, error) {
	var st SessionState
	err := c.helper.request(ctx, "session "+strconv.Itoa(sid), func() error {
		for {
			line, err := c.helper.out.ReadString('\n')
			if err != nil {
				return fmt.Errorf("the helper is gone: %w", err)
			}
			line = strings.TrimSuffix(line, "\n")
			if end, ok := strings.CutPrefix(line, "END "); ok {
				var canon int
				if _, err := fmt.Sscan(end, &st.Foreground, &canon); err != nil {
					return fmt.Errorf("unexpected answer %q", line)
				}
				st.Canonical = canon == 1
				return nil
			}
			f := strings.SplitN(line, " ", 7)
			if len(f) < 6 || f[0] != "P" || f[4] == "" {
				return fmt.Errorf("unexpected answer %q", line)
			}
			var p Proc
			p.PID, _ = strconv.Atoi(f[1])
			p.PPID, _ = strconv.Atoi(f[2])
			p.PGID, _ = strconv.Atoi(f[3])
			p.State = f[4][0]
			p.ReadingTTY = f[5] == "1"
			if len(f) == 7 {
				p.Cmdline = f[6]
			}
			st.Procs = append(st.Procs, p)
		}
	})
	return st, err
}

// Signal sends sig to process id inside, or to process group -id when id
// is negative, as kill(2) does.
func (c *Container) Signal(ctx context.Context, id int, sig syscall.Signal) error {
	return c.helper.request(ctx, fmt.Sprintf("signal %d %d", int(sig), id), func() error {
		status, _, err := c.helper.answer("OK")
		if err == nil && status != 0 {
			err = answered{fmt.Errorf("kill -%d %d: no such process", int(sig), id)}
		}
		return err
	})
}

// Cwd is process pid's working directory inside: file blocks are written
// relative to the shell's.
func (c *Container) Cwd(ctx context.Context, pid int) (string, error) {
	var dir string
	err := c.helper.request(ctx, "cwd "+strconv.Itoa(pid), func() error {
		_, rest, err := c.helper.answer("OK")
		dir = rest
		if err == nil && dir == "" {
			err = answered{fmt.Errorf("no process %d", pid)}
		}
		return err
	})
	return dir, err
}

// FlushInput discards what waits unread in the terminal of session sid: the
// docker CLI has already moved what was typed into the terminal inside, so
// a tcflush on our own pty finds nothing there.
func (c *Container) FlushInput(ctx context.Context, sid int) error {
	return c.helper.request(ctx, "flush "+strconv.Itoa(sid), func() error {
		status, _, err := c.helper.answer("OK")
		if err == nil && status != 0 {
			err = answered{fmt.Errorf("flushing the terminal of session %d failed (status %d)", sid, status)}
		}
		return err
	})
}
