package runner

// The author features around a step's round trip: fakes on PATH,
// file blocks, scripted answers, background jobs, hidden setup steps,
// transcripts run command by command, expected output and verify checks.
// Session.Exec calls in here at three points: planAuthor (what to run),
// runTranscript (instead of one round trip), judgeAuthor (after the exit
// status is judged). The pieces themselves live in their own files
// (fakes.go, files.go, interact.go, background.go, the expect package).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coursectl/coursectl/container"
	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/expect"
	"github.com/coursectl/coursectl/internal/lazyre"
	"github.com/coursectl/coursectl/result"
)

// setupFakes writes the module's fakes and puts them first on the shell's
// PATH. Fakes are for unattended runs and sandboxes (run --sandbox): with a
// learner at the keyboard in their own place, or with --no-fakes, the real
// commands run — and stale shims from an earlier run are removed, so a
// shell restored with their PATH cannot find them.
func (s *Session) setupFakes() error {
	dir := s.fakesDir()
	if s.opts.NoFakes || (s.opts.Terminal != nil && !s.opts.Sandbox) || len(s.mod.Settings.Fakes) == 0 {
		_ = os.RemoveAll(dir)
		return nil
	}
	source := s.mod.Settings.Source
	if source == "" {
		source = s.mod.Path
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		return err
	}
	shellBash, inside := bash, (func(string) string)(nil)
	if s.opts.Docker != nil {
		shellBash, inside = boxBash, s.inside
	}
	f, err := newFakes(dir, s.mod.Settings.Fakes, shellBash, inside)
	if err != nil {
		return &course.PosError{File: source, Err: err}
	}
	if s.opts.Docker != nil {
		// The learner appends to it (as itself, or as root under sudo).
		if err := os.Chmod(f.log, 0o666); err != nil {
			return err
		}
	}
	s.fakes = f
	for i := len(s.env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(s.env[i], "PATH="); ok {
			s.env[i] = "PATH=" + f.PathEnv(v)
			return nil
		}
	}
	s.env = append(s.env, "PATH="+f.PathEnv("/usr/local/bin:/usr/bin:/bin"))
	return nil
}

// fakesPathLine ends a restore script. A checkpoint carries the PATH of
// the run that saved it, with or without the fakes directory; this run's
// choice (fakes on in check, off with --no-fakes or a learner) wins.
func (s *Session) fakesPathLine() string {
	q := shellQuote(s.inside(s.fakesDir()))
	line := fmt.Sprintf("PATH=\":$PATH:\"; PATH=${PATH//:%s:/:}; PATH=${PATH#:}; PATH=${PATH%%:}\n", q)
	if s.fakes != nil {
		line += fmt.Sprintf("PATH=%s${PATH:+:$PATH}\n", q)
	}
	return line + "hash -r\n"
}

// planAuthor completes a plan with the author features of step.
func (s *Session) planAuthor(step *course.Step, p *plan) {
	p.wantExit = step.Attrs.Exit
	if p.wantExit == nil && !step.Attrs.ExitAny && step.Expected != nil && step.Expected.Exit != nil {
		p.wantExit = step.Expected.Exit // the `[N]` of an output fence
	}
	// An `error` fence: the step fails, with whatever status.
	p.wantFail = step.Error != nil && !step.Attrs.ExitAny
	if step.Hidden {
		// Setup is the course's, not the learner's: not in their history.
		p.history = ""
	}
	if step.Hidden && p.attach {
		// A setup step is not the learner's: it gets neither their
		// keyboard nor their screen, and so is watched for idle reads.
		p.attach = false
		p.idle = s.idleTimeout()
	}
	fail := func(err error) { p.before = func() error { return err } }
	if e := step.Edit; e != nil && step.Kind == course.Script && len(step.Attrs.Interact) == 0 {
		content, ok := step.EditContent()
		switch {
		case p.attach:
			// The learner edits, in their own editor when they have one;
			// the walkthrough shows the content to type.
			if !strings.HasPrefix(e.Editor, "$") {
				p.replaceCommand(e.Command, "${VISUAL:-${EDITOR:-"+e.Editor+"}} "+e.File)
			}
		case ok:
			// No one to type: the file gets the content the page shows.
			if err := s.writeScratch(filepath.Join(s.runDir, "edit"), []byte(content)); err != nil {
				fail(err)
				return
			}
			p.replaceCommand(e.Command, `__cc_edit "$__cc_dir/edit" `+e.File)
			p.edit = e
		}
	}
	switch {
	case step.Kind == course.File && s.box != nil:
		// In a container the shell writes it, as the learner (owner,
		// umask), relative to where it stands: the container is the
		// sandbox, nothing to confine.
		p.script, p.lineMap, p.cmdAt, p.history = boxFileScript(step), []int{0, step.Line}, []int{-1, -1}, ""
		p.before = func() error { return s.writeScratch(filepath.Join(s.runDir, "file"), []byte(step.Body)) }
	case step.Kind == course.File:
		p.script, p.lineMap, p.cmdAt, p.history = "", []int{0}, []int{-1}, ""
		place := FilePlace{Home: s.home, Workdir: s.workdir, Confine: s.opts.Terminal == nil || s.opts.Sandbox}
		p.before = func() error {
			dir, err := s.sh.cwd()
			if err != nil {
				dir = s.workdir
			}
			place.Dir = dir
			_, err = WriteFileStep(s.file(step), step, place)
			return err
		}
	case step.Attrs.Background:
		job := &backgroundJob{
			log:    filepath.Join(s.runDir, "background-"+strconv.Itoa(step.Index)+".log"),
			pid:    filepath.Join(s.runDir, "background-"+strconv.Itoa(step.Index)+".pid"),
			status: filepath.Join(s.runDir, "background-"+strconv.Itoa(step.Index)+".status"), // backgroundScript
		}
		if step.Attrs.Ready != "" {
			re, err := regexp.Compile(step.Attrs.Ready)
			if err != nil {
				fail(&course.PosError{File: s.file(step), Line: step.Line,
					Err: fmt.Errorf("ready=%q is not a Go regexp: %v", step.Attrs.Ready, err)})
				return
			}
			job.ready = re
		}
		job.timeout = step.Attrs.Timeout
		if job.timeout <= 0 {
			job.timeout = DefaultReadyTimeout
		}
		job.alive = func() bool { return s.sh.jobAlive(job.pid) }
		p.script = backgroundScript(p.script, s.inside(job.log), s.inside(job.pid), step.Index)
		// The wrapper's `{` line comes first: shift the line maps.
		p.lineMap = append([]int{0, step.Line}, p.lineMap[1:]...)
		p.cmdAt = append([]int{-1, -1}, p.cmdAt[1:]...)
		job.mapLine = func(n int) int { return p.markdownLine(n - 1) }
		p.background = job
	}
	if len(step.Attrs.Interact) > 0 && !p.attach {
		kb := newKeyboard(s.sh.pty)
		in, err := NewInteractor(s.file(step), annotationLine(step), step.Attrs.Interact, kb.send, nil)
		if err != nil {
			kb.close()
			fail(err)
			return
		}
		in.closeKeyboard = kb.close
		in.Start()
		p.interact = in
	}
}

// replaceCommand makes the script run text instead of command ci (a
// one-line command); the history keeps the command as written.
func (p *plan) replaceCommand(ci int, text string) {
	lines := strings.Split(p.script, "\n")
	for i := 1; i < len(p.cmdAt) && i <= len(lines); i++ {
		if p.cmdAt[i] == ci {
			lines[i-1] = text
			break
		}
	}
	p.script = strings.Join(lines, "\n")
}

func (s *Session) idleTimeout() time.Duration {
	if s.opts.IdleTimeout > 0 {
		return s.opts.IdleTimeout
	}
	return defaultIdleTimeout
}

// annotationLine is where a step's annotations were written, for errors.
func annotationLine(step *course.Step) int {
	if step.Attrs.Line > 0 {
		return step.Attrs.Line
	}
	return step.Line
}

// keyboard types an interactor's answers into the pty from its own
// goroutine: the interactor runs inside the pty reader, which must never
// block on a write to the same pty.
type keyboard struct {
	keys chan []byte
	done chan struct{}
}

func newKeyboard(w io.Writer) *keyboard {
	k := &keyboard{keys: make(chan []byte, 64), done: make(chan struct{})}
	go func() {
		defer close(k.done)
		for b := range k.keys {
			_, _ = w.Write(b)
		}
	}()
	return k
}

func (k *keyboard) send(b []byte) error {
	select {
	case k.keys <- b:
		return nil
	default:
		return errors.New("too many answers queued: the terminal is not reading them")
	}
}

func (k *keyboard) close() {
	close(k.keys)
	<-k.done
}

// backgroundJob is a background step's job: its log, its pid file, and
// what ready line to wait for.
type backgroundJob struct {
	log, pid, status string
	// mapLine maps a line of the step file to the markdown's.
	mapLine func(int) int
	// alive reports whether the job's process still runs.
	alive   func() bool
	ready   *regexp.Regexp
	timeout time.Duration
}

// jobAlive reports whether the background job whose pid file (the
// shell wrote it) is pidFile still runs (a zombie does not).
func (sh *shell) jobAlive(pidFile string) bool {
	b, err := readNoFollow(pidFile)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return false
	}
	return sh.alivePID(pid)
}

// commandOutcome is one transcript command's round trip.
type commandOutcome struct {
	cmd    int // index in Step.Commands
	output string
	status int
}

// runTranscript runs a transcript's commands one round trip each, so each
// has its own output and status to compare with what the markdown shows.
// A command whose status is not the one written ends the step (its first
// failing command), unless updating; a command whose output merely
// differs does not — judgeAuthor reports every difference at once.
func (s *Session) runTranscript(ctx context.Context, step *course.Step, p *plan) *outcome {
	all := &outcome{}
	out := newTail(outputCap)
	// The step's timeout is shared by its commands. None (p.timeout 0, a
	// person at the terminal in run) is no deadline, not one already past.
	var deadline time.Time
	if p.timeout > 0 {
		deadline = time.Now().Add(p.timeout)
	}
	offset := 0 // script line of the command's first line, minus one
	for ci, c := range step.Commands {
		sub := *p
		sub.script, sub.lineMap, sub.cmdAt = "", []int{0}, []int{-1}
		lines := strings.Split(c.Text, "\n")
		for k, l := range lines {
			sub.script += l + "\n"
			sub.lineMap = append(sub.lineMap, c.Line+k)
			sub.cmdAt = append(sub.cmdAt, ci)
		}
		if p.history != "" {
			sub.history = historyEntry(c.Text) + "\n"
		}
		if ci > 0 {
			sub.before = nil
		}
		if !deadline.IsZero() {
			sub.timeout = time.Until(deadline)
			if sub.timeout <= 0 {
				all.timedOut = true
				break
			}
		}
		o := s.run(ctx, step, &sub)
		fmt.Fprintf(out, "$ %s\n%s", strings.ReplaceAll(c.Text, "\n", "\n> "), o.output)
		all.status = 0
		if o.failLine > 0 {
			all.failLine = offset + o.failLine
		} else {
			all.failLine = offset + 1
		}
		offset += len(lines)
		if o.died != nil || o.lostInput || o.timedOut || o.idle != "" || o.interrupted || o.authorErr != nil {
			// Cut short: its output is no answer to compare, nor to
			// write into the markdown under --update.
			all.status, all.died, all.lostInput, all.timedOut, all.idle, all.idleLine, all.interrupted, all.authorErr =
				o.status, o.died, o.lostInput, o.timedOut, o.idle, o.idleLine, o.interrupted, o.authorErr
			break
		}
		all.perCommand = append(all.perCommand, &commandOutcome{cmd: ci, output: o.output, status: o.status})
		if want := transcriptExit(c); o.status != want && !s.opts.Update {
			all.status = o.status
			break
		}
	}
	if all.status == 0 && !all.timedOut {
		all.failLine = 0
	}
	all.output = out.String()
	return all
}

// transcriptExit is the status a transcript command must end with: its
// `[N]`, else 0.
func transcriptExit(c course.Command) int {
	if c.Want != nil && c.Want.Exit != nil {
		return *c.Want.Exit
	}
	return 0
}

// judgeAuthor adds the author features' verdicts to a judged step: the
// prompts left unanswered, expected output, the background job's ready
// line, verify checks, and the calls of fakes.
func (s *Session) judgeAuthor(ctx context.Context, step *course.Step, p *plan, o *outcome, r *result.Step) {
	r.Diff, r.Verify, r.Actuals, r.OutputMismatch, r.Fakes, r.Edits = "", "", nil, false, nil, nil
	defer func() {
		calls, err := s.fakes.Calls()
		if err != nil {
			s.warn(fmt.Sprintf("%s:%d: step %s: reading the calls of fakes: %v", s.file(step), step.Line, step.ID, err))
		}
		r.Fakes = calls
	}()
	if p.interact != nil {
		err := p.interact.Stop()
		if p.interact.closeKeyboard != nil {
			p.interact.closeKeyboard()
		}
		if err != nil && r.Status == result.Passed {
			r.Status = result.Failed
			r.Error = authorError(step, fmt.Sprintf("%s:%d", s.file(step), step.Line), err)
		}
	}
	if p.skip != "" {
		return
	}
	clean := o.died == nil && !o.timedOut && o.idle == "" && !o.interrupted && o.authorErr == nil
	if p.edit != nil && clean && s.editRan(p, o) {
		content, _ := step.EditContent()
		r.Edits = []result.Edit{{File: course.Unquote(p.edit.File), Lines: strings.Count(content, "\n")}}
	}
	vars := s.stepVars()
	cmp, err := expect.NewComparison(step.Compare(), step.Normalize(), vars)
	if err != nil {
		badExpectation(step, r, &course.PosError{File: s.file(step), Line: step.Line, Err: err})
		return
	}
	switch {
	case step.Kind == course.Transcript:
		s.judgeTranscript(step, o, r, clean, cmp, vars)
	case step.Error != nil && r.Status == result.Passed:
		// What a failing step prints is compared line by line for
		// presence: its own messages and the page's shell differ in
		// prefixes, and stdout and stderr interleave.
		diff := cmp.ErrorLines(s.file(step), step.Error, o.output)
		at := step.Error.Line
		if diff == "" && step.Expected != nil {
			diff, at = cmp.ErrorLines(s.file(step), step.Expected, o.output), step.Expected.Line
		}
		if diff != "" {
			r.Status, r.Diff = result.Failed, diff
			r.Error = fmt.Sprintf("step %s (%s:%d): %v", step.ID, s.file(step), at, expect.ErrOutputMismatch)
		}
	case step.Expected != nil && r.Status == result.Passed:
		exit := 0
		if step.Expected.Exit != nil {
			exit = o.status
		}
		r.Actuals = []result.Actual{{Step: moduleIndex(step), Command: -1, Output: o.output, Exit: o.status, Vars: vars}}
		m, err := cmp.Compare(s.file(step), step.Expected, o.output, exit)
		if err != nil {
			badExpectation(step, r, err)
			return
		}
		if !m.OK {
			r.Status, r.Diff, r.OutputMismatch = result.Failed, m.Diff, true
			r.Error = fmt.Sprintf("step %s (%s:%d): %v", step.ID, s.file(step), step.Expected.Line, expect.ErrOutputMismatch)
		}
	}
	if p.background != nil && r.Status == result.Passed {
		s.awaitBackground(ctx, step, p.background, r)
	}
	if r.Status == result.Passed {
		for _, v := range step.Verify {
			if !s.verify(ctx, step, p, v, r) {
				break
			}
		}
	}
}

// judgeTranscript compares each command's output and status with what the
// transcript shows, and gathers the differences into one diff.
func (s *Session) judgeTranscript(step *course.Step, o *outcome, r *result.Step, clean bool, cmp *expect.Comparison, vars map[string]string) {
	var diffs []string
	first := -1
	for _, pc := range o.perCommand {
		c := step.Commands[pc.cmd]
		want := c.Want
		if want == nil {
			// Nothing written: the command must print nothing. Its
			// output would go on the line after the command.
			want = &course.Expected{Line: c.Line + strings.Count(c.Text, "\n") + 1}
		}
		r.Actuals = append(r.Actuals, result.Actual{Step: moduleIndex(step), Command: pc.cmd, Output: pc.output, Exit: pc.status, Vars: vars})
		m, err := cmp.Compare(s.file(step), want, pc.output, pc.status)
		if err != nil {
			badExpectation(step, r, err)
			return
		}
		if !m.OK {
			diffs = append(diffs, m.Diff)
			if first < 0 {
				first = pc.cmd
			}
		}
	}
	if first < 0 {
		return
	}
	r.Diff = strings.Join(diffs, "")
	if r.Status == result.Passed {
		c := step.Commands[first]
		r.Status, r.FailLine, r.FailCommand = result.Failed, c.Line, c.Text
		r.Error = fmt.Sprintf("step %s (%s:%d): %v", step.ID, s.file(step), c.Line, expect.ErrOutputMismatch)
	}
	// A status that differs is part of the transcript too (`[N]`), so a
	// transcript that ran to its end failed only on what it showed.
	r.OutputMismatch = clean
}

// editRan reports whether the step got as far as its edit: it passed, or
// failed at a later command.
func (s *Session) editRan(p *plan, o *outcome) bool {
	if o.status == 0 {
		return true
	}
	return o.failLine > 0 && o.failLine < len(p.cmdAt) && p.cmdAt[o.failLine] > p.edit.Command
}

// stepVars are $HOME, $PWD and $USER as the step left them, for normalize.
func (s *Session) stepVars() map[string]string {
	vars := map[string]string{"HOME": s.home, "PWD": s.workdir}
	if dir, err := s.sh.cwd(); err == nil {
		vars["PWD"] = dir
	}
	if s.box != nil {
		vars["USER"] = container.Learner
	}
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, "USER="); ok {
			vars["USER"] = v
		}
	}
	if vars["USER"] == "" {
		if u, err := user.Current(); err == nil {
			vars["USER"] = u.Username
		}
	}
	return vars
}

// awaitBackground waits for a background step's ready line; the step's
// output is then what the job logged.
func (s *Session) awaitBackground(ctx context.Context, step *course.Step, job *backgroundJob, r *result.Step) {
	var err error
	if job.ready != nil {
		err = waitReady(ctx, job.log, job.ready, job.timeout, job.alive)
	}
	// What bash says of the step file it says of the markdown, as in the
	// foreground (scriptPaths): the scratch directory means nothing to a
	// reader.
	courseTerms := func(b []byte) []byte {
		var out bytes.Buffer
		paths := &scriptPaths{
			needle: []byte(filepath.Join(s.runDir, "step.sh") + ": line "),
			name:   s.file(step), mapLine: job.mapLine,
			out: func(b []byte) { out.Write(b) },
		}
		paths.Write(b)
		paths.flush()
		return out.Bytes()
	}
	if b, rerr := readNoFollow(job.log); rerr == nil {
		t := newTail(outputCap)
		t.Write(courseTerms(b))
		r.Output = t.String()
	}
	var re *ReadyError
	if errors.As(err, &re) {
		re.LogTail = string(courseTerms([]byte(re.LogTail)))
		if b, rerr := readNoFollow(job.status); rerr == nil && re.Exited {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				re.Status = n
			}
		}
	}
	switch {
	case err == nil:
	case errors.As(err, &re) && !re.Exited:
		r.Status = result.Timeout
		r.Stop = &result.Stop{Kind: result.StopTimedOut, Limit: re.Waited}
		r.Error = fmt.Sprintf("step %s (%s:%d): %v", step.ID, s.file(step), step.Line, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		r.Status = result.Failed
		r.Stop = &result.Stop{Kind: result.StopInterrupted}
		r.Error = fmt.Sprintf("step %s (%s:%d) interrupted", step.ID, s.file(step), step.Line)
		s.result.Interrupted = true
	default:
		r.Status = result.Failed
		r.Error = fmt.Sprintf("step %s (%s:%d): %v", step.ID, s.file(step), step.Line, err)
	}
}

// verify runs one coursectl:verify check after its step passed. It runs in
// a subshell, so a check cannot change the learner's state, with each
// command traced (`$ cmd`) so its output reads like a transcript. It
// reports whether the check passed.
func (s *Session) verify(ctx context.Context, step *course.Step, p *plan, v *course.Hidden, r *result.Step) bool {
	vp := &plan{timeout: p.timeout, idle: s.idleTimeout(), lineMap: []int{0}, cmdAt: []int{-1}, ownTrace: true}
	// Inside the subshell plain errexit replaces the wrapper's ERR trap,
	// so the trace shows the check's commands and nothing of ours. The
	// trace prefix is a control character (bash repeats it per nesting
	// level) turned into `$ ` afterwards.
	var b strings.Builder
	// A course's own set -x is off in the check's subshell until its own
	// (untraced: in braces), and stays on in the shell. The subshell's ERR
	// trap (untraced, and errexit keeps the failing status) notes the
	// failing command's line in vline: the wrapper's trap only sees the
	// subshell fail, at the `(`.
	vline := filepath.Join(s.runDir, "vline")
	_ = os.Remove(vline)
	header := []string{"(", "{ set +o xtrace;} 2>/dev/null", "trap - ERR",
		`trap '{ printf %s "$LINENO" >|"$__cc_dir/vline";} 2>/dev/null' ERR`, "set -e", "PS4=$'\\x1f '", "set -x"}
	for _, l := range header {
		b.WriteString(l)
		b.WriteByte('\n')
		vp.lineMap, vp.cmdAt = append(vp.lineMap, v.Line), append(vp.cmdAt, -1)
	}
	for ci, c := range v.Commands {
		b.WriteString(c.Text)
		b.WriteByte('\n')
		for k := range strings.Split(c.Text, "\n") {
			vp.lineMap, vp.cmdAt = append(vp.lineMap, c.Line+k), append(vp.cmdAt, ci)
		}
	}
	b.WriteString(")\n")
	vp.lineMap, vp.cmdAt = append(vp.lineMap, v.Line), append(vp.cmdAt, -1)
	vp.script = b.String()
	o := s.run(ctx, step, vp)
	if o.status == 0 && o.died == nil && !o.timedOut && o.idle == "" && !o.interrupted && o.authorErr == nil {
		return true
	}
	r.Verify = traceAsTranscript(o.output)
	r.Status, r.FailLine, r.ExitCode = result.Failed, v.Line, o.status
	r.FailCommand = lastTraced(r.Verify)
	// The failing command's line (a command spanning lines: its first).
	if b, err := readNoFollow(vline); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			n-- // a line of step.sh, past stepPrefix
			if n > 0 && n < len(vp.cmdAt) && vp.cmdAt[n] >= 0 {
				r.FailLine = v.Commands[vp.cmdAt[n]].Line
			}
		}
	}
	where := fmt.Sprintf("%s:%d", s.file(step), r.FailLine)
	switch {
	case o.died != nil:
		r.Stop = o.died
		r.Error = fmt.Sprintf("step %s (%s): verify: %s", step.ID, where, o.died.Phrase())
	case o.timedOut:
		r.Status = result.Timeout
		r.Stop = &result.Stop{Kind: result.StopTimedOut, Limit: p.timeout}
		r.Error = fmt.Sprintf("step %s (%s): verify %s", step.ID, where, r.Stop.Phrase())
	case o.idle != "":
		r.Stop = &result.Stop{Kind: result.StopWaiting, Command: o.idle, Limit: p.idle}
		r.Error = fmt.Sprintf("step %s (%s): verify %s", step.ID, where, r.Stop.Phrase())
	case o.interrupted:
		r.Stop = &result.Stop{Kind: result.StopInterrupted}
		r.Error = fmt.Sprintf("step %s (%s): verify interrupted", step.ID, where)
		s.result.Interrupted = true
	case r.FailCommand != "":
		r.Error = fmt.Sprintf("step %s (%s): verify failed with exit status %d at `%s`", step.ID, where, o.status, r.FailCommand)
	default:
		r.Error = fmt.Sprintf("step %s (%s): verify failed with exit status %d", step.ID, where, o.status)
	}
	return false
}

var tracePrefix = lazyre.New(`(?m)^\x1f+ `)

// traceAsTranscript turns the verify's xtrace lines into `$ ` prompts.
func traceAsTranscript(out string) string {
	return tracePrefix().ReplaceAllString(out, "$$ ")
}

// lastTraced is the last command xtrace showed: the one that failed.
func lastTraced(out string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if cmd, ok := strings.CutPrefix(strings.TrimRight(lines[i], "\r"), "$ "); ok {
			return cmd
		}
	}
	return ""
}

// badExpectation fails a step whose expected output cannot be read (a bad
// regexp), pointing at the line to fix.
func badExpectation(step *course.Step, r *result.Step, err error) {
	r.Status, r.Error = result.Failed, authorError(step, "", err)
	var pe *course.PosError
	if errors.As(err, &pe) && pe.Line > 0 {
		r.FailLine, r.FailCommand = pe.Line, ""
	}
}

// authorError is a step error from an author feature, in the runner's
// "step ID (file:line): what" form; a positioned error supplies its place.
func authorError(step *course.Step, where string, err error) string {
	var pe *course.PosError
	if errors.As(err, &pe) {
		where = pe.File
		if pe.Line > 0 {
			where = fmt.Sprintf("%s:%d", pe.File, pe.Line)
		}
		err = pe.Err
	}
	return fmt.Sprintf("step %s (%s): %v", step.ID, where, err)
}

// moduleIndex is the step's 1-based index in its own module, which
// result.Actual.Step is (check --update rewrites the module's file): in a
// course's run Index counts from the course's first step.
func moduleIndex(step *course.Step) int {
	if step.Origin != nil {
		return step.Origin.Index
	}
	return step.Index
}
