package runner

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Recording (`coursectl record`): the author works in a bash of their own,
// on a pty attached to their terminal as `script` does (raw mode, resizes,
// every key), and every line they enter at its prompt is reported with
// what it printed, its exit status and the working directory. The shell is
// a person's (readline, a prompt that says it records); the hooks that
// report are record.bash, the wrapper's idea again (docs/design.md): the
// output of a line is the bytes between two tokens on the terminal stream
// (PS0 opens the window, the prompt hook closes it), and what happened
// comes on a channel of its own, never parsed out of the terminal text.
// What the author types is never kept except the lines a running command
// read with the terminal echoing them: keys typed with echo off (a
// password) or in raw mode (a full-screen program) are only noted.

//go:embed record.bash
var recordHooks string

// Entry is one line the author entered at the recording shell's prompt.
type Entry struct {
	// Line is the line as entered (a command over several lines keeps
	// its newlines); "" for an empty Enter.
	Line string
	// Output is what the line printed on the terminal, as the terminal
	// got it (escapes, \r\n, the echo of what was typed to it).
	Output string
	// Status is the line's exit status ($?).
	Status int
	// DirBefore and Dir are the working directory before and after.
	DirBefore, Dir string
	// Typed are the lines typed to the command while it ran, with the
	// terminal echoing them (the answer to a `read`).
	Typed []Typed
	// Secret: keys were typed while the terminal did not echo them (a
	// password prompt). What they were is not kept anywhere.
	Secret bool
	// Raw: keys were typed while the terminal was not in line mode (a
	// full-screen program such as an editor, or a pager).
	Raw bool
	// Truncated: the line printed more than MaxRecordOutput bytes; Output
	// holds the first ones.
	Truncated bool
}

// MaxRecordOutput is how much of one line's output Record keeps: a module
// shows a command's output, not a log file.
const MaxRecordOutput = 1 << 20

// Typed is one line typed to a running command.
type Typed struct {
	// At is the offset in Entry.Output where the typing began: what
	// the command printed before it is the prompt it answers.
	At int
	// Text is the line the command read (erase and kill applied),
	// without the Enter.
	Text string
}

// Record gives t an interactive bash in the session's workdir, with its
// HOME and environment and the state its shell is in now (the steps run so
// far: variables, functions, the directory...), and calls each with every
// line the person enters at its prompt, in order, from this goroutine. It
// returns when they leave the shell (exit, Ctrl-D) or ctx is cancelled;
// whatever they left running in the shell's session is ended.
func (s *Session) Record(ctx context.Context, t *Terminal, each func(Entry)) error {
	if t == nil {
		return errors.New("recording needs a terminal")
	}
	dir, err := os.MkdirTemp("", "coursectl-record-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	restore, err := s.recordState(dir)
	if err != nil {
		return err
	}
	return recordShell(ctx, t, dir, s.workdir, s.env, restore, each)
}

// recordState is the script that puts a fresh bash into the state the
// session's shell is in now, "" when it is fresh (as Shell does).
func (s *Session) recordState(dir string) (string, error) {
	s.flush()
	rs, err := s.currentState()
	if err != nil || rs == nil {
		return "", err
	}
	hist := filepath.Join(dir, "restore.hist")
	script, _ := restoreScript(rs)
	// The steps' commands are the shell's history, so Up reaches them.
	return script + restoreHistory(hist), os.WriteFile(hist, []byte(historyText(rs.history)), 0o600)
}

// recRecord is one record of the prompt hook.
type recRecord struct {
	kind   byte // R, C, B, I (record.bash)
	n      int
	status int
	dir    string
	line   string
}

// recordShell runs the recording shell; the order is the pty lifecycle's
// (STYLE §5): start with the size, attach, copy, wait, end the session,
// close.
func recordShell(ctx context.Context, t *Terminal, dir, workdir string, env []string, restore string, each func(Entry)) error {
	tok := newToken()
	rc := filepath.Join(dir, "rc.bash")
	if err := os.WriteFile(rc, []byte(restore+"\n"+recordHooks), 0o600); err != nil {
		return err
	}
	// The records come through a FIFO the hook opens at each prompt, not
	// an inherited descriptor: nothing the author starts holds it.
	fifo := filepath.Join(dir, "records")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	// Read-write, so opening it for writing never blocks and the reader
	// never sees end-of-file between prompts.
	recs, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer recs.Close()

	cmd := exec.Command("bash", "--noprofile", "--rcfile", rc, "-i")
	cmd.Dir = workdir
	cmd.Env = append(env[:len(env):len(env)], "__CC_REC_DIR="+dir, "__CC_REC_TOKEN="+tok)
	p := newRecordPump(t.Out, tok)
	sh, err := startPersonShell(t, cmd, func(master, tty *os.File) io.Writer {
		return &recordKeys{pump: p, master: master, tty: tty}
	}, p.copy)
	if err != nil {
		return err
	}
	records := make(chan recRecord, 16)
	go readRecRecords(recs, records)

	var waitErr error
	before := workdir
	running := true
	for running {
		select {
		case r := <-records:
			before = deliver(r, p, before, each)
		case waitErr = <-sh.exited:
			running = false
		case <-ctx.Done():
			waitErr = sh.hangUp()
			running = false
		}
	}
	// Records written before the shell ended and not read yet.
	_ = recs.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	for r := range records {
		before = deliver(r, p, before, each)
	}
	return sh.end(ctx, waitErr)
}

// deliver turns record r into an Entry for each, with its output; it
// returns the working directory after it.
func deliver(r recRecord, p *recordPump, before string, each func(Entry)) string {
	seg := p.take(r.n)
	switch r.kind {
	case 'C':
		each(Entry{Line: r.line, Output: string(seg.output), Status: r.status, DirBefore: before, Dir: r.dir,
			Typed: seg.typed, Secret: seg.secret, Raw: seg.raw, Truncated: seg.truncated})
	case 'B':
		each(Entry{DirBefore: before, Dir: r.dir})
	}
	return r.dir
}

// readRecRecords parses the hook's records (five NUL-terminated fields)
// until the FIFO is closed or its deadline passes.
func readRecRecords(f *os.File, out chan<- recRecord) {
	defer close(out)
	br := bufio.NewReader(f)
	for {
		var fields [5]string
		for i := range fields {
			s, err := br.ReadString(0)
			if err != nil {
				return
			}
			fields[i] = s[:len(s)-1]
		}
		if fields[0] == "" {
			continue
		}
		r := recRecord{kind: fields[0][0], dir: fields[3], line: fields[4]}
		r.n, _ = strconv.Atoi(fields[1])
		r.status, _ = strconv.Atoi(fields[2])
		out <- r
	}
}

// segment is what one line printed, and what was typed while it ran.
type segment struct {
	output                 []byte
	typed                  []Typed
	secret, raw, truncated bool
}

// recordPump copies the shell's terminal output to the author's terminal,
// without the tokens, and keeps each line's output between them.
type recordPump struct {
	out       io.Writer
	start     []byte // PS0's token
	endPrefix []byte // the prompt hook's, before its number

	mu        sync.Mutex
	pending   []byte // bytes that may begin a token
	capturing bool
	cur       segment
	line      []byte // the line being typed (echoed line mode)
	lineAt    int
	segs      map[int]segment
	arrived   chan struct{} // closed and replaced when a segment arrives
	ended     bool          // the terminal's output ended
}

func newRecordPump(out io.Writer, tok string) *recordPump {
	return &recordPump{
		out: out, start: []byte(tokenOSC(tok)), endPrefix: []byte("\x1b]6973;" + tok + ";"),
		segs: map[int]segment{}, arrived: make(chan struct{}),
	}
}

func (p *recordPump) copy(master *os.File) {
	buf := make([]byte, 32*1024)
	for {
		n, err := master.Read(buf)
		if n > 0 {
			p.feed(buf[:n])
		}
		if err != nil {
			// EIO: the slave side closed.
			break
		}
	}
	p.mu.Lock()
	if len(p.pending) > 0 {
		p.show(p.pending)
		p.pending = nil
	}
	p.ended = true
	close(p.arrived)
	p.mu.Unlock()
}

// feed splits b into what is shown and the tokens.
func (p *recordPump) feed(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	data := b
	if len(p.pending) > 0 {
		data = append(p.pending, b...)
		p.pending = nil
	}
	common := p.endPrefix[:len(p.endPrefix)-1] // "ESC ] 6973 ; TOKEN", both tokens' start
	for len(data) > 0 {
		i := bytes.Index(data, common)
		if i < 0 {
			k := partialSuffix(data, common)
			p.show(data[:len(data)-k])
			p.pending = append([]byte(nil), data[len(data)-k:]...)
			return
		}
		p.show(data[:i])
		rest := data[i+len(common):]
		switch {
		case len(rest) == 0:
			p.pending = append([]byte(nil), data[i:]...)
			return
		case rest[0] == '\a':
			// The start token: the line's output begins.
			p.capturing, p.cur, p.line = true, segment{}, nil
			data = rest[1:]
		case rest[0] == ';':
			j := bytes.IndexByte(rest, '\a')
			if j < 0 {
				if len(rest) > 32 {
					// Not ours after all.
					p.show(data[i : i+len(common)])
					data = rest
					continue
				}
				p.pending = append([]byte(nil), data[i:]...)
				return
			}
			n, err := strconv.Atoi(string(rest[1:j]))
			if err != nil {
				p.show(data[i : i+len(common)])
				data = rest
				continue
			}
			p.segs[n] = p.cur
			p.capturing, p.cur, p.line = false, segment{}, nil
			close(p.arrived)
			p.arrived = make(chan struct{})
			data = rest[j+1:]
		default:
			p.show(data[i : i+len(common)])
			data = rest
		}
	}
}

// show passes b to the author's terminal, keeping it when a line runs.
func (p *recordPump) show(b []byte) {
	if len(b) == 0 {
		return
	}
	if p.capturing {
		room := MaxRecordOutput - len(p.cur.output)
		if len(b) > room {
			p.cur.truncated = true
			room = max(room, 0)
		}
		p.cur.output = append(p.cur.output, b[:min(len(b), room)]...)
	}
	_, _ = p.out.Write(b)
}

// take waits for the output of the line numbered n: its end token travels
// the terminal stream, which may lag the record that names it.
func (p *recordPump) take(n int) segment {
	deadline := time.After(10 * time.Second)
	for {
		p.mu.Lock()
		seg, ok := p.segs[n]
		if ok {
			delete(p.segs, n)
		}
		ended, arrived := p.ended, p.arrived
		p.mu.Unlock()
		if ok || ended {
			return seg
		}
		select {
		case <-arrived:
		case <-deadline:
			return segment{}
		}
	}
}

// keys notes keys typed while a line runs, in the terminal's mode then.
func (p *recordPump) keys(b []byte, echo, lineMode bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.capturing {
		return // at the prompt: the line itself comes from history
	}
	switch {
	case !lineMode:
		p.cur.raw = true
		return
	case !echo:
		p.cur.secret = true
		p.line = nil
		return
	}
	for _, c := range b {
		switch c {
		case '\r', '\n':
			p.cur.typed = append(p.cur.typed, Typed{At: p.lineAt, Text: string(p.line)})
			p.line = nil
		case 0x7f, '\b':
			if len(p.line) > 0 {
				_, size := utf8.DecodeLastRune(p.line)
				p.line = p.line[:len(p.line)-size]
			}
		case 0x15: // Ctrl-U, the kill character
			p.line = nil
		case 0x03, 0x1a, 0x1c: // Ctrl-C, Ctrl-Z, Ctrl-\: a signal, not input
			p.line = nil
		default:
			if c < 0x20 && c != '\t' {
				// Ctrl-D (end of input), escape sequences: nothing a
				// line of answers can say.
				p.cur.raw = true
				continue
			}
			if p.line == nil {
				p.lineAt = len(p.cur.output)
			}
			p.line = append(p.line, c)
		}
	}
}

// recordKeys is the keyboard's way into the recording shell.
type recordKeys struct {
	pump   *recordPump
	master *os.File
	tty    *os.File // the slave, for its modes
}

func (k *recordKeys) Write(b []byte) (int, error) {
	echo, lineMode := true, true
	if tio, err := unix.IoctlGetTermios(int(k.tty.Fd()), ioctlGetTermios); err == nil {
		echo, lineMode = tio.Lflag&unix.ECHO != 0, tio.Lflag&unix.ICANON != 0
	}
	k.pump.keys(b, echo, lineMode)
	return k.master.Write(b)
}
