package result

import (
	"fmt"
	"time"
)

// StopKind says why a step ended other than by running to its end.
type StopKind string

const (
	// StopExited: the step ended the shell (`exit 3`, an exec'd program
	// that exited); Status is the shell's exit status.
	StopExited StopKind = "exited"
	// StopExec: the step replaced the shell with a program still running.
	StopExec StopKind = "exec"
	// StopInputClosed: the step closed the shell's input (`exec </dev/null`).
	StopInputClosed StopKind = "input-closed"
	// StopSignalled: the shell was killed by Signal (`kill -9 $$`).
	StopSignalled StopKind = "signalled"
	// StopTimedOut: the runner stopped the step after Limit.
	StopTimedOut StopKind = "timed-out"
	// StopWaiting: the step waited for input no one would type, at
	// Command, for Limit (the idle timeout).
	StopWaiting StopKind = "waiting-for-input"
	// StopInterrupted: Ctrl-C (or SIGTERM, SIGHUP) stopped the run.
	StopInterrupted StopKind = "interrupted"
	// StopUnstoppable: the step ignored every signal; the runner killed the
	// shell.
	StopUnstoppable StopKind = "unstoppable"
	// StopShellLost: the runner could not reach the shell (Detail says how).
	StopShellLost StopKind = "shell-lost"
)

// Stop is why the runner, not the step, ended a step.
type Stop struct {
	Kind StopKind `json:"kind"`
	// Limit is the timeout or idle timeout that ran out.
	Limit time.Duration `json:"limit,omitempty"`
	// Command is what waited for input (StopWaiting).
	Command string `json:"command,omitempty"`
	// Program is the full-screen program that waited for keys (vim opened
	// by `git commit`, less, man's pager), "" for a plain read.
	Program string `json:"program,omitempty"`
	// Signal names the signal that killed the shell (StopSignalled).
	Signal string `json:"signal,omitempty"`
	// Status is the shell's exit status (StopExited).
	Status int `json:"status,omitempty"`
	// Detail is the underlying error (StopShellLost).
	Detail string `json:"detail,omitempty"`
}

// EndedShell reports whether the stop left the session without its shell:
// the next step starts a new one from the last checkpoint.
func (s *Stop) EndedShell() bool {
	switch s.Kind {
	case StopExited, StopExec, StopInputClosed, StopSignalled, StopUnstoppable, StopShellLost:
		return true
	}
	return false
}

// Phrase is the stop as the end of a sentence about the step, the words
// reports and the walkthrough show.
func (s *Stop) Phrase() string {
	switch s.Kind {
	case StopExited:
		return fmt.Sprintf("the step ended the shell with exit status %d", s.Status)
	case StopExec:
		return "the step replaced the shell (exec); the shell is gone"
	case StopInputClosed:
		return "the step closed the shell's input (the shell cannot read another command; the next step starts a new shell from the last checkpoint)"
	case StopSignalled:
		return "the shell was killed by signal " + s.Signal
	case StopTimedOut:
		return "timed out after " + s.Limit.String()
	case StopWaiting:
		if s.Program != "" {
			return fmt.Sprintf("is waiting for keys in %s (a full-screen program) at `%s`", s.Program, s.Command)
		}
		return fmt.Sprintf("is waiting for input at `%s`", s.Command)
	case StopInterrupted:
		return "interrupted"
	case StopUnstoppable:
		return "the step could not be stopped; the shell was killed"
	case StopShellLost:
		return s.Detail
	}
	return string(s.Kind)
}

// Short is the stop as a status word in a table or badge: "timed out after
// 2s", "waiting for input", "interrupted"; "" for the stops whose exit
// status says it (the shell's exit, a signal).
func (s *Stop) Short() string {
	switch s.Kind {
	case StopTimedOut:
		if s.Limit > 0 {
			return "timed out after " + s.Limit.String()
		}
		return "timed out"
	case StopWaiting:
		return "waiting for input"
	case StopInterrupted:
		return "interrupted"
	}
	return ""
}
