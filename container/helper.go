package container

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/coursectl/coursectl/internal/procwait"
)

// helperDir is a tmpfs inside the container for the helper's lists: outside
// the walk, never in a checkpoint, gone with the container.
const helperDir = "/run/coursectl"

//go:embed helper.bash
var helperScript string

// helper is the root bash of helper.bash inside the container, talked to
// over its stdin and stdout: one docker exec for the run instead of one per
// checkpoint (each costs the CLI's start and the engine's exec, ~150ms
// here). One request at a time.
type helper struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	errMu  sync.Mutex   // stderr arrives from exec's copy, during requests
	stderr bytes.Buffer // for errors; the helper says little
	broken error        // set when a request was cut off: the stream is out of step
	exited chan struct{}
}

type helperSetup struct {
	workdir  string
	uid, gid int
}

func startHelper(ctx context.Context, id string, setup helperSetup) (*helper, error) {
	h := &helper{exited: make(chan struct{})}
	// Not ctx: the helper lives as long as the container.
	h.cmd = exec.Command(dockerProgram(), "exec", "-i", "--user", "0", id,
		"bash", "-c", helperScript, "coursectl-helper",
		helperDir, setup.workdir, strconv.Itoa(setup.uid), strconv.Itoa(setup.gid))
	h.cmd.Stderr = lockedWriter{h}
	var err error
	if h.in, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h.out = bufio.NewReaderSize(stdout, 64*1024)
	if err := h.cmd.Start(); err != nil {
		return nil, classify([]string{"exec"}, err, "")
	}
	go func() {
		_ = procwait.Wait(h.cmd)
		close(h.exited)
	}()
	line, err := h.readLine(ctx)
	if err != nil || line != "READY" {
		h.close()
		return nil, h.failure(err, line)
	}
	return h, nil
}

// lockedWriter is the helper's stderr, kept for failure.
type lockedWriter struct{ h *helper }

func (l lockedWriter) Write(b []byte) (int, error) {
	l.h.errMu.Lock()
	defer l.h.errMu.Unlock()
	if l.h.stderr.Len() > 64*1024 {
		l.h.stderr.Reset()
	}
	return l.h.stderr.Write(b)
}

// failure is the error for a helper that answered line (or nothing).
func (h *helper) failure(err error, line string) error {
	h.errMu.Lock()
	msg := firstLine(h.stderr.String())
	h.errMu.Unlock()
	switch {
	case msg != "":
		return errors.New(msg)
	case err != nil:
		return err
	default:
		return fmt.Errorf("unexpected answer %q", line)
	}
}

// readLine reads one line of the helper's answer, giving up (and killing
// the helper: its stream is then out of step) when ctx ends first.
func (h *helper) readLine(ctx context.Context) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := h.out.ReadString('\n')
		ch <- result{strings.TrimSuffix(s, "\n"), err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return r.s, fmt.Errorf("the helper is gone: %w", r.err)
		}
		return r.s, nil
	case <-ctx.Done():
		h.kill()
		<-ch
		return "", ctx.Err()
	}
}

// request sends one command line and, under the same lock, lets do read
// the answer (and write any body). A request cut off half-way leaves the
// helper unusable: later ones fail at once.
func (h *helper) request(ctx context.Context, line string, do func() error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.broken != nil {
		return h.broken
	}
	stop := context.AfterFunc(ctx, h.kill)
	defer stop()
	_, err := io.WriteString(h.in, line+"\n")
	if err == nil {
		err = do()
	}
	// The helper answered, and the answer is a failure (a process gone
	// before its signal reached it): the stream is still in step, and
	// later requests are served. (A failed checkpoint or restore still
	// breaks the helper: its walk has moved on, and a later checkpoint
	// would be a delta from files no checkpoint holds.)
	var a answered
	if errors.As(err, &a) {
		return a.error
	}
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		h.broken = fmt.Errorf("container helper: %w", err)
		h.kill()
		return h.broken
	}
	return nil
}

// answered is a failure the helper reported in a whole answer: do returns
// it so that request does not take the helper for broken.
type answered struct{ error }

func (a answered) Unwrap() error { return a.error }

// answer reads "WORD N [rest]" and checks WORD.
func (h *helper) answer(word string) (int64, string, error) {
	line, err := h.out.ReadString('\n')
	if err != nil {
		return 0, "", h.failure(fmt.Errorf("the helper is gone: %w", err), line)
	}
	line = strings.TrimSuffix(line, "\n")
	f := strings.SplitN(line, " ", 3)
	if len(f) < 2 || f[0] != word {
		return 0, "", fmt.Errorf("unexpected answer %q", line)
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("unexpected answer %q", line)
	}
	rest := ""
	if len(f) == 3 {
		rest = f[2]
	}
	return n, rest, nil
}

func (h *helper) kill() {
	if h.cmd.Process != nil {
		_ = h.cmd.Process.Kill()
	}
}

func (h *helper) close() {
	_ = h.in.Close()
	h.kill()
	<-h.exited
}
