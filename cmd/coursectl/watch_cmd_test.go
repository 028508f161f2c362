package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coursectl/coursectl/iostreams"
)

// syncBuffer is a buffer two goroutines may use: the command writes, the
// test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Through the command, as Main runs it: Ctrl-C (Main's context cancelled)
// ends `coursectl watch` with exit status 130, interrupted (docs/spec.md
// §4), and no error line, since "stopped watching" already says what
// happened.
func TestWatchCommandCtrlCExits130(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.md")
	if err := os.WriteFile(path, []byte("# M\n\n```sh\necho hi\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	streams := &iostreams.IOStreams{Out: &out, Err: &errOut, Width: 80}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- exitCode(Run(ctx, []string{"watch", "--state", t.TempDir(), path}, streams), streams)
	}()
	// The first page is written in one piece; its footer says watching.
	for end := time.Now().Add(time.Minute); !strings.Contains(out.String(), "watching "+path); {
		if time.Now().After(end) {
			t.Fatalf("no page within a minute; output:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond) // a buffer has no event to wait on
	}
	cancel()
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Errorf("exit status %d, want %d", code, exitInterrupted)
		}
	case <-time.After(time.Minute):
		t.Fatal("watch did not end after Ctrl-C")
	}
	if !strings.HasSuffix(out.String(), "stopped watching\n") || errOut.String() != "" {
		t.Errorf("stdout ends %q, stderr %q", out.String()[max(0, len(out.String())-40):], errOut.String())
	}
}
