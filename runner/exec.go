package runner

// One step through the shell (docs/spec.md §3): Exec plans the script
// (plan), hands it to the wrapper (run), follows the step until it ends,
// times out or waits for input (wait), then judges it (judge.go) and keeps
// its checkpoint (checkpoint_session.go).

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
	"github.com/coursectl/coursectl/shellsyntax"
)

const (
	defaultTimeout     = 10 * time.Minute
	defaultIdleTimeout = 60 * time.Second
	// stopGrace is how long a signalled step gets before the next, firmer signal.
	stopGrace = 2 * time.Second
	// tokenGrace is how long the end token may trail the step's end
	// record: they travel different ways (the pty, a pipe). Normally
	// microseconds; on a starved CI machine seconds, and the output still
	// in flight (the step's tail) would be cut if the wait gave up early.
	// It ends at once when the shell exits.
	tokenGrace = 30 * time.Second
	// minStepTimeout is the shortest timeout a step gets (timeout=1us
	// counts as this). A stop signal that reaches the shell while the
	// wrapper, not the step, is running (the step's last builtin just
	// returned) can leave the step unfinished until the shell is killed;
	// a step that ends within this much time is never signalled.
	minStepTimeout = 100 * time.Millisecond
	// outputCap is how much of a step's output a result keeps (the tail).
	outputCap = 64 << 10
)

// Exec runs one step in the session's shell and saves its checkpoint when
// it passes. The phases, in order: plan (skip? what to run), run (the shell
// round trip), judge (status from exit code and expectations), keep
// (checkpoint, events, record).
func (s *Session) Exec(ctx context.Context, step *course.Step) *result.Step {
	// A fresh result each time: a retried step must not show the last try's
	// fields, and a caller may keep the previous result.
	r := newResult(step)
	s.byIndex[step.Index] = r
	if s.closed {
		r.Status, r.Error = result.Failed, fmt.Sprintf("step %s (%s:%d): the session is closed", step.ID, s.file(step), step.Line)
		return r
	}
	if s.opts.Events.StepStarted != nil {
		s.opts.Events.StepStarted(step)
	}
	began := time.Now()
	if err := s.ensureShell(ctx, step); err != nil {
		r.Status, r.Error = result.Failed, fmt.Sprintf("step %s (%s:%d): cannot start the shell: %v", step.ID, s.file(step), step.Line, err)
		return s.finish(r, began)
	}
	s.dropBefore(step.Index - 1)
	s.startSpill(step.Index - 1)
	plan := s.plan(step)
	var out *outcome
	if step.Kind == course.Transcript && plan.skip == "" {
		out = s.runTranscript(ctx, step, plan)
	} else {
		out = s.run(ctx, step, plan)
	}
	s.judge(step, plan, out, r)
	s.judgeAuthor(ctx, step, plan, out, r)
	s.keepOutput(step, r)
	if out.lostInput {
		// The shell would read end-of-file at its next prompt and exit;
		// end it now so the next Exec starts a new one from the last
		// checkpoint (this step's state is not saved).
		s.collectHistory()
		s.sh.kill()
		return s.finish(r, began)
	}
	s.collectHistory()
	s.keep(ctx, step, r)
	return s.finish(r, began)
}

func (s *Session) finish(r *result.Step, began time.Time) *result.Step {
	if r.Status.Failed() && s.opts.Continue {
		r.FirstFailure, r.AfterFailure = !s.failed, s.failed
		s.failed = true
	}
	r.Duration = time.Since(began)
	r.Finished = time.Now()
	if s.opts.Events.StepDone != nil {
		s.opts.Events.StepDone(r)
	}
	return r
}

func (s *Session) stepResult(step *course.Step) *result.Step {
	if r, ok := s.byIndex[step.Index]; ok {
		return r
	}
	r := newResult(step)
	s.byIndex[step.Index] = r
	return r
}

// newResult is a not-run result for step, carrying what reports read of it.
func newResult(step *course.Step) *result.Step {
	return &result.Step{ID: step.ID, Line: step.Line, File: step.File, Index: step.Index, Kind: string(step.Kind),
		Hidden: step.Hidden, Command: step.OnlyCommand(), Status: result.NotRun}
}

// plan is what running a step means: the script bash sources and how its
// lines map back to the markdown. Author features (fakes, file blocks,
// verify) extend it.
type plan struct {
	skip string // why the step is not run ("" = run it)
	// ownTrace: the script sets its own PS4 marker (verify): its output is
	// not rewritten as a course's set -x is.
	ownTrace bool
	script   string
	// history is what the step adds to the shell's history: the course's
	// commands, never the runner's wrapping ("" for hidden work).
	history string
	lineMap []int // script line (1-based) → markdown line; index 0 unused
	cmdAt   []int // script line → index into step.Commands, -1 for none
	timeout time.Duration
	idle    time.Duration // 0: no idle detection
	attach  bool
	// wantExit is the expected exit status (the exit attribute, or the
	// `[N]` of an output fence); nil means 0 — or, with wantFail (an
	// `error` fence), any status but 0.
	wantExit *int
	wantFail bool
	// pipefail: the course turns pipefail on for the step.
	pipefail bool
	// edit is an editor step's edit as check makes it (nil in run, where
	// the editor opens): its command's index and the file as written.
	edit *course.Edit
	// Author features (author.go): work before the round trip (a file
	// block), prompts to answer, a background job.
	before     func() error
	interact   *Interactor
	background *backgroundJob

	// scriptCalls are the script's simple commands, parsed on first use
	// (calls, stepcalls.go).
	scriptCalls []shellsyntax.Call
	parsed      bool
}

func (s *Session) plan(step *course.Step) *plan {
	p := &plan{lineMap: []int{0}, cmdAt: []int{-1}}
	p.timeout = s.opts.Timeout
	settings := s.mod.Settings
	if step.Module != nil {
		// In a course, the step's own module's settings.
		settings = step.Module.Settings
	}
	p.attach = s.opts.Terminal != nil
	// The course's and module's timeout is a CI machine's limit (check);
	// with a person at the terminal only run-timeout applies, so a CI
	// timeout never cuts a learner off in nano. A step's own timeout is
	// the step's, wherever it runs.
	switch {
	case p.attach && settings.RunTimeout > 0:
		p.timeout = settings.RunTimeout
	case !p.attach && settings.Timeout > 0:
		p.timeout = settings.Timeout
	}
	if step.Attrs.Timeout > 0 {
		p.timeout = step.Attrs.Timeout
	}
	if p.timeout > 0 && p.timeout < minStepTimeout {
		p.timeout = minStepTimeout
	}
	if p.timeout <= 0 && !p.attach {
		// With a person at the terminal (run) there is no default limit:
		// nano or a long read must not be killed after ten minutes. A
		// run-timeout or the step's own timeout still applies.
		p.timeout = defaultTimeout
	}
	if !p.attach {
		p.idle = s.opts.IdleTimeout
		if p.idle == 0 {
			p.idle = defaultIdleTimeout
		}
	}
	switch {
	case step.Attrs.Skip:
		p.skip = "marked skip"
	case step.NeedsPerson() && s.opts.Terminal == nil:
		p.skip = "interactive: needs a person at the keyboard"
		if e := step.Edit; e != nil && !step.Attrs.Interactive {
			p.skip = fmt.Sprintf("interactive: `%s` needs a person at the keyboard: the page shows no content for %s (give it in coursectl.yaml: steps: {%s: {content: ...}})",
				step.Commands[e.Command].Text, course.Unquote(e.File), step.ID)
		}
	}
	if p.skip != "" {
		return p
	}
	var b strings.Builder
	for ci, c := range step.Commands {
		lines := strings.Split(c.Text, "\n")
		for k, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
			p.lineMap = append(p.lineMap, c.Line+k)
			p.cmdAt = append(p.cmdAt, ci)
		}
	}
	p.script = b.String()
	p.history = historyEntries(step.Commands)
	p.pipefail = step.Pipefail()
	s.planAuthor(step, p)
	return p
}

// outcome is what the shell round trip gave.
type outcome struct {
	status   int
	failLine int // line in the script, 0 when unknown
	output   string
	timedOut bool
	idle     string // the command waiting for input, when idle-stopped
	idleLine int    // its markdown line, 0 when unknown
	// idleProgram is the full-screen program that waited for keys (vim,
	// less), "" for a plain read.
	idleProgram string
	syntaxErr   string // bash's syntax error in the step, if any
	syntaxLine  int    // its markdown line
	capture     *tail  // the output so far (wait looks at the last prompt)
	outputLines int    // lines printed in all, kept or not
	interrupted bool
	died        *result.Stop // how the shell ended, when it did
	lostInput   bool         // the step left the shell without its terminal input
	typedAbort  bool         // the runner typed abortLine to finish the step
	// signalled holds the signals the runner sent to stop the step, so the
	// shell's report of them can be taken out of the output.
	signalled []syscall.Signal
	// authorErr is a failure of an author feature around the round trip:
	// a file block that could not be written, an unanswered interact.
	authorErr error
	// perCommand holds a transcript's commands' outcomes, in order.
	perCommand []*commandOutcome
}

const abortLine = `{ __cc_abort;} 2>/dev/null`

// stepPrefix is the step file's first line, before the step's script: it
// turns a course's set -x back on (see __cc_pre), so that neither the
// wrapper nor the `. step.sh` line is traced, and puts back the course's
// DEBUG trap — last, so it fires for none of this, and at the file's top
// level, so a `trap - DEBUG` in the step lasts.
// It also tells the wrapper whether the step turns pipefail on or off
// (pipefailIntent): __cc_post keeps that instead of the setting the step
// began with.
// With pipefail (the course's `pipefail: true`) it turns pipefail on for
// the step; a learner's shell has it off, and so does the wrapper's.
func stepPrefix(script string, pipefail bool) string {
	on := ""
	if pipefail {
		on = "__cc_pfon=1; set -o pipefail; "
	}
	return `{ ` + on + `__cc_pfw=` + pipefailIntent(script) + `; __cc_arm; if [[ -s $__cc_dir/dbgtrap ]]; then . "$__cc_dir/dbgtrap"; fi;} 2>/dev/null` + "\n"
}

func (s *Session) run(ctx context.Context, step *course.Step, p *plan) *outcome {
	o := &outcome{}
	// The wrapper sources step.sh and reads it into history; rewriting one
	// open file costs less than creating files per step.
	if err := s.sh.writeStep(stepPrefix(p.script, p.pipefail) + p.script); err != nil {
		o.status, o.died = 1, &result.Stop{Kind: result.StopShellLost, Detail: "cannot write the step: " + err.Error()}
		return o
	}
	if p.before != nil {
		if err := p.before(); err != nil {
			o.authorErr = err
			return o
		}
	}
	tail := newTail(outputCap)
	var termOut io.Writer
	if p.attach {
		termOut = s.opts.Terminal.Out
	}
	paths := &scriptPaths{
		needle: []byte(filepath.Join(s.runDir, "step.sh") + ": line "),
		name:   s.file(step), mapLine: func(n int) int { return p.markdownLine(n - 1) },
	}
	paths.out = func(b []byte) {
		tail.Write(b)
		s.spill.Write(b)
		if s.opts.Events.StepOutput != nil {
			s.opts.Events.StepOutput(step, b)
		}
		if termOut != nil {
			termOut.Write(b)
		}
		if p.interact != nil {
			p.interact.Write(b)
		}
	}
	sink := paths.Write
	trace := &xtraceLevels{out: paths.Write}
	if !p.ownTrace {
		sink = trace.Write
	}
	o.capture = tail
	t1, t2 := newToken(), newToken()
	endSeen := s.sh.pump.arm(t1, t2, sink)
	if p.attach {
		detach := attach(s.opts.Terminal, s.sh.pty, s.sh.keyboard())
		defer detach()
	}
	// Short: bash reads a terminal one byte per read(2). $__cc_f is step.sh.
	// The braces keep a course's `set -x` from tracing __cc_post into the
	// step's output (the wrapper's records and tokens use their own fds).
	// What the wrapper dumps of the shell's state afterwards (the tokens
	// file's lines 3-5, after the tokens).
	dump := s.state.plan(p.script)
	if err := s.sh.send(`__cc_pre;. "$__cc_f" 247>&- 248<&- 249>&-;{ __cc_post $?;} 2>/dev/null`, t1, t2, dump.lines(), p.history); err != nil {
		o.status, o.died = 1, &result.Stop{Kind: result.StopShellLost, Detail: "cannot reach the shell: " + err.Error()}
		return o
	}
	s.wait(ctx, step, p, o, endSeen)
	s.readState(t2, dump)
	trace.flush()
	paths.flush()
	if o.failLine > 0 {
		o.failLine-- // the script's line, past stepPrefix
	}
	o.syntaxErr, o.syntaxLine = paths.syntaxErr, paths.syntaxLine
	o.output, o.outputLines = tail.String(), int(tail.Lines())
	if o.typedAbort {
		// The terminal echoed the line the runner typed.
		o.output = strings.Replace(o.output, abortLine+"\n", "", 1)
	}
	if len(o.signalled) > 0 {
		var dropped int
		o.output, dropped = dropStopReports(o.output, o.signalled)
		o.outputLines -= dropped
	}
	return o
}

// wait follows a running step to its end: its end record, the shell's death,
// a timeout, an idle terminal read, or ctx cancellation.
func (s *Session) wait(ctx context.Context, step *course.Step, p *plan, o *outcome, endSeen chan struct{}) {
	var timeoutC <-chan time.Time
	if p.timeout > 0 {
		timeout := time.NewTimer(p.timeout)
		defer timeout.Stop()
		timeoutC = timeout.C
	}
	// A timeout that passes before the step has begun (timeout=1us) waits
	// for it to begin: a signal while bash still reads the typed line
	// would drop the line, and nothing would then end the step.
	begun, timeoutDue := s.sh.pump.started(), (<-chan struct{})(nil)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	// Stopping escalates: the first signal (INT for Ctrl-C, TERM for a
	// timeout), then firmer ones a grace period apart, then the shell itself.
	var escalation []syscall.Signal
	var aborted bool
	var nextStop time.Time
	ctxDone := ctx.Done()
	var interactFailed <-chan error
	if p.interact != nil {
		interactFailed = p.interact.Failures()
	}
	stop := func(seq ...syscall.Signal) {
		if escalation == nil {
			o.signalled = append(o.signalled, s.sh.signalStep(seq[0]))
			escalation = seq[1:]
			nextStop = time.Now().Add(stopGrace)
		}
	}
	for {
		select {
		case r, ok := <-s.sh.recs:
			if !ok {
				o.died, o.status = s.shellDeath()
				return
			}
			if r.kind != 'E' {
				continue
			}
			o.status, o.failLine, o.lostInput = r.status, r.failLine, r.lostInput
			select {
			case <-endSeen:
			case <-time.After(tokenGrace):
			case <-s.sh.exited:
			}
			s.sh.pump.disarm()
			return
		case <-ctxDone:
			ctxDone = nil
			o.interrupted = true
			stop(syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL)
		case <-timeoutC:
			timeoutC = nil
			select {
			case <-begun:
			default:
				timeoutDue = begun
				continue
			}
			o.timedOut = true
			stop(syscall.SIGTERM, syscall.SIGKILL)
		case <-timeoutDue:
			timeoutDue = nil
			o.timedOut = true
			stop(syscall.SIGTERM, syscall.SIGKILL)
		case err := <-interactFailed:
			interactFailed = nil
			o.authorErr = err
			stop(syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL)
		case <-tick.C:
			if escalation != nil && !aborted && s.sh.atPrompt() {
				// Our signal ended the line and the shell waits at its
				// prompt, but nothing finished the step: finish it.
				aborted = true
				o.typedAbort = true
				// Not glued to a half-typed line of the learner's.
				s.sh.flushInput()
				_ = s.sh.send(abortLine)
				continue
			}
			if escalation != nil && time.Now().After(nextStop) {
				if len(escalation) == 0 {
					o.status = -1
					o.died = &result.Stop{Kind: result.StopUnstoppable}
					s.sh.kill()
					return
				}
				o.signalled = append(o.signalled, s.sh.signalStep(escalation[0]))
				escalation = escalation[1:]
				nextStop = time.Now().Add(stopGrace)
				continue
			}
			// While a prompt is still to be answered, its expect's timeout
			// speaks for the wait, more precisely than idle detection.
			if p.idle > 0 && escalation == nil && !p.interact.Pending() {
				last := time.Unix(0, s.sh.pump.lastOutput.Load())
				if time.Since(last) >= p.idle {
					if w, ok := s.sh.waitingForInput(); ok && w.program != "" {
						o.idle, o.idleLine = s.waitingCommand(step, p, w.pid, w.cmdline, o.capture)
						o.idleProgram = w.program
						// vim and less take SIGINT as a key; SIGTERM ends them.
						stop(syscall.SIGTERM, syscall.SIGKILL)
					} else if ok {
						o.idle, o.idleLine = s.waitingCommand(step, p, w.pid, w.cmdline, o.capture)
						stop(syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL)
					}
				}
			}
		}
	}
}

// markdownLine maps line n of the step's script to the markdown: past the
// end (a syntax error at "end of file") is the line after the last, which is
// the closing fence.
func (p *plan) markdownLine(n int) int {
	last := len(p.lineMap) - 1
	switch {
	case last < 1:
		return 0
	case n < 1:
		return p.lineMap[1]
	case n > last:
		return p.lineMap[last] + 1
	}
	return p.lineMap[n]
}

// scriptLine is line i (1-based) of the step's script.
func (p *plan) scriptLine(i int) string {
	lines := strings.Split(p.script, "\n")
	if i < 1 || i > len(lines) {
		return ""
	}
	return lines[i-1]
}

// oneLine shows a command in a one-line message: continuation lines joined,
// long commands cut.
func oneLine(cmd string) string {
	cmd = strings.ReplaceAll(cmd, "\\\n", " ")
	cmd = strings.Join(strings.Fields(cmd), " ")
	if len(cmd) > 80 {
		cmd = cmd[:77] + "..."
	}
	return cmd
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}
