package container

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// testImage is the image the tests run (COURSECTL_SANDBOX_IMAGE, as for
// scripts/sandbox-image.sh, else the default).
func testImage() string {
	if s := os.Getenv("COURSECTL_SANDBOX_IMAGE"); s != "" {
		return s
	}
	return DefaultImage
}

// needImage skips the test where there is no engine or no image: the tests
// run on machines without Docker too, and say why they did not run.
func needImage(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := CheckEngine(ctx); err != nil {
		t.Skip("no docker engine: " + err.Error())
	}
	if _, err := ImageID(ctx, testImage()); err != nil {
		if errors.Is(err, ErrNoImage) {
			t.Skip("no sandbox image: " + err.Error())
		}
		t.Fatal(err)
	}
}

// startContainer starts a container removed when the test ends.
func startContainer(t *testing.T, opts Options) *Container {
	t.Helper()
	if opts.Image == "" {
		opts.Image = testImage()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// sharedDir is a temporary directory the container's learner (another uid
// than the test's) may use, as the runner's channel directory will be.
func sharedDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o777); err != nil {
		t.Fatal(err)
	}
	return d
}

// run runs argv inside as user and returns its combined output.
func run(t *testing.T, c *Container, user string, argv ...string) string {
	t.Helper()
	out, err := c.Command(context.Background(), user, argv...).CombinedOutput()
	if err != nil {
		t.Fatalf("%q: %v\n%s", argv, err, out)
	}
	return string(out)
}

// term is a command on a pty of the test's, with everything it printed.
type term struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	more   chan struct{} // closed and replaced whenever output arrives
	done   chan struct{}
}

func startTerm(t *testing.T, cmd *exec.Cmd) *term {
	t.Helper()
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, cmd: cmd, master: master, more: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			close(tm.more)
			tm.more = make(chan struct{})
			tm.mu.Unlock()
			if err != nil {
				return // EIO: the slave side is closed
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		master.Close()
		<-tm.done
	})
	return tm
}

func (tm *term) typ(s string) {
	tm.t.Helper()
	if _, err := tm.master.Write([]byte(s)); err != nil {
		tm.t.Fatal(err)
	}
}

// waitFor waits until the output holds want, and returns the output.
func (tm *term) waitFor(want string) string {
	tm.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		tm.mu.Lock()
		s, more := tm.out.String(), tm.more
		tm.mu.Unlock()
		if strings.Contains(s, want) {
			return s
		}
		select {
		case <-more:
		case <-deadline:
			tm.t.Fatalf("no %q on the terminal after 30s; it shows:\n%s", want, s)
		}
	}
}
