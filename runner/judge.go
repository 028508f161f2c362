package runner

// Judging a finished step: its exit status, expected output and verify
// against what the step declared, and why it stopped when the shell died.

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// shellDeath says how the shell ended and with which status — the step's
// exit code, as a terminal's `$?` would have shown it: `exit 3` is 3, a
// signal is 128+N (`kill -9 $$` is 137), -1 when it cannot be known (a
// program the step exec'd is still running) — and kills what is left of its
// session and collects the last output.
func (s *Session) shellDeath() (*result.Stop, int) {
	// A shell still there after the grace has exec'd a program. In a
	// container the shell is the docker CLI's, which ends some time after
	// bash inside: over a second on a loaded machine (an `exit 3` was
	// taken for an exec).
	grace := 300 * time.Millisecond
	if s.sh.box != nil {
		grace = 5 * time.Second
	}
	select {
	case <-s.sh.exited:
	case <-time.After(grace):
	}
	stop := &result.Stop{Kind: result.StopExited}
	code := -1
	if s.sh.alive() {
		stop.Kind = result.StopExec
	} else {
		var ee *exec.ExitError
		if errors.As(s.sh.waitErr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				stop.Kind, stop.Signal = result.StopSignalled, ws.Signal().String()
				code = 128 + int(ws.Signal())
			} else {
				code = ee.ExitCode()
			}
		} else {
			code = 0
		}
		stop.Status = code
	}
	s.sh.kill()
	s.sh.pump.disarm()
	return stop, code
}

// judge turns the outcome into the result's status and message. Expected
// output and verify checks plug in after the exit status check.
func (s *Session) judge(step *course.Step, p *plan, o *outcome, r *result.Step) {
	r.Output, r.OutputLines = o.output, o.outputLines
	where := fmt.Sprintf("%s:%d", s.file(step), step.Line)
	if p.skip != "" {
		r.Status, r.Note = result.Skipped, p.skip
		if o.died != nil || o.status != 0 {
			// The empty round trip for the checkpoint failed: the shell is gone.
			r.Status, r.Error = result.Failed, fmt.Sprintf("step %s (%s): %s", step.ID, where, o.died.Phrase())
			r.Stop = o.died
		}
		return
	}
	r.ExitCode = o.status
	if o.failLine > 0 && o.failLine < len(p.lineMap) {
		r.FailLine = p.lineMap[o.failLine]
		if ci := p.cmdAt[o.failLine]; ci >= 0 {
			// A command spanning lines is named by its first line.
			r.FailLine = step.Commands[ci].Line
			r.FailCommand = step.Commands[ci].Text
		}
		where = fmt.Sprintf("%s:%d", s.file(step), r.FailLine)
	}
	if o.lostInput && o.died == nil {
		o.died = &result.Stop{Kind: result.StopInputClosed}
	}
	if o.died != nil && r.FailLine == 0 {
		// The shell is gone, so no ERR trap said where: the step's only
		// line that could end it is the one (when there is one).
		if i := p.lineCalling(endsShell(o.died)); i > 0 {
			r.FailLine = p.lineMap[i]
			if ci := p.cmdAt[i]; ci >= 0 {
				r.FailCommand = step.Commands[ci].Text
			}
			where = fmt.Sprintf("%s:%d", s.file(step), r.FailLine)
		}
	}
	switch {
	case o.died != nil:
		r.Status, r.Stop = result.Failed, o.died
		r.Error = fmt.Sprintf("step %s (%s): %s", step.ID, where, o.died.Phrase())
		if o.interrupted {
			s.result.Interrupted = true
		}
	case o.authorErr != nil:
		r.Status = result.Failed
		r.Error = authorError(step, where, o.authorErr)
	case o.idle != "":
		r.Status = result.Failed
		if o.idleLine > 0 {
			r.FailLine, r.FailCommand = o.idleLine, o.idle
			where = fmt.Sprintf("%s:%d", s.file(step), o.idleLine)
		}
		r.Stop = &result.Stop{Kind: result.StopWaiting, Command: o.idle, Program: o.idleProgram, Limit: p.idle}
		r.Error = fmt.Sprintf("step %s (%s) %s: add `interact` or `interactive`", step.ID, where, r.Stop.Phrase())
		// The status bash gave is that of our own SIGINT (130), not the
		// step's: it has none.
		r.ExitCode = -1
	case o.timedOut:
		r.Status = result.Timeout
		r.ExitCode = -1 // likewise: our SIGTERM's 143 or SIGINT's 130
		r.Stop = &result.Stop{Kind: result.StopTimedOut, Limit: p.timeout}
		r.Error = fmt.Sprintf("step %s (%s) %s", step.ID, where, r.Stop.Phrase())
	case o.interrupted:
		r.Status = result.Failed
		r.Stop = &result.Stop{Kind: result.StopInterrupted}
		r.Error = fmt.Sprintf("step %s (%s) interrupted", step.ID, where)
		s.result.Interrupted = true
		if r.ExitCode == 0 {
			r.ExitCode = 130
		}
	case o.syntaxErr != "" && o.status != 0 && o.failLine == 0:
		// bash stopped reading the step: whatever the exit status was
		// meant to be, the step is not valid shell.
		r.Status, r.FailLine = result.Failed, o.syntaxLine
		where = fmt.Sprintf("%s:%d", s.file(step), o.syntaxLine)
		r.Error = fmt.Sprintf("step %s (%s): %s", step.ID, where, o.syntaxErr)
	case step.Attrs.ExitAny:
		r.Status = result.Passed
	case p.wantFail && p.wantExit == nil:
		if o.status != 0 {
			r.Status = result.Passed
		} else {
			r.Status = result.Failed
			r.Error = fmt.Sprintf("step %s (%s): exit status 0, want a failure (the page shows an error at line %d)", step.ID, where, step.Error.FenceLine)
		}
	case p.wantExit != nil:
		if o.status == *p.wantExit {
			r.Status = result.Passed
		} else {
			r.Status = result.Failed
			r.Error = fmt.Sprintf("step %s (%s): exit status %d, want %d", step.ID, where, o.status, *p.wantExit)
		}
	case o.status != 0:
		r.Status = result.Failed
		if r.FailCommand != "" {
			r.Error = fmt.Sprintf("step %s (%s): `%s` failed with exit status %d", step.ID, where, oneLine(r.FailCommand), o.status)
		} else {
			r.Error = fmt.Sprintf("step %s (%s): exit status %d", step.ID, where, o.status)
		}
	default:
		r.Status = result.Passed
	}
}
