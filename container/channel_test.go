package container

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The container's root may replace the channel's FIFOs (the directory is
// mounted read-write) by links to host files before the runner makes them
// again for a restarted shell: neither the chmod nor the opens may follow
// them (docs/sandbox.md).
func TestChannelDoesNotFollowLinksMadeInside(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(victim, []byte("host secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := MakeChannel(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{RecordsFIFO, AnswerFIFO} {
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(victim, p); err != nil {
			t.Fatal(err)
		}
	}

	// Opened as they are: refused, and the host file is not touched.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := OpenChannel(ctx, dir); !errors.Is(err, errNotFIFO) {
		t.Errorf("OpenChannel through links: %v, want %v", err, errNotFIFO)
	}

	// Made again: FIFOs in their place, and the host file keeps its mode.
	if err := MakeChannel(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(victim); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the linked host file: %v, %v (want mode 0600)", fi.Mode(), err)
	}
	for _, name := range []string{RecordsFIFO, AnswerFIFO} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil || fi.Mode()&os.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o666 {
			t.Errorf("%s after MakeChannel: %v, %v (want a FIFO, 0666)", name, fi.Mode(), err)
		}
	}
	if b, err := os.ReadFile(victim); err != nil || string(b) != "host secret\n" {
		t.Errorf("the linked host file now holds %q, %v", b, err)
	}
}

// The opens still pair with the other side's: the runner's ends block
// until the wrapper's open, through the pinned descriptor.
func TestChannelOpensPairWithTheOtherSide(t *testing.T) {
	dir := t.TempDir()
	if err := MakeChannel(dir); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(filepath.Join(dir, RecordsFIFO), os.O_WRONLY, 0)
		if err != nil {
			done <- err
			return
		}
		defer w.Close()
		r, err := os.OpenFile(filepath.Join(dir, AnswerFIFO), os.O_RDONLY, 0)
		if err != nil {
			done <- err
			return
		}
		defer r.Close()
		_, err = w.WriteString("ready\n")
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	records, answer, err := OpenChannel(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer records.Close()
	defer answer.Close()
	buf := make([]byte, 6)
	if _, err := records.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Errorf("read %q, %v", buf, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
