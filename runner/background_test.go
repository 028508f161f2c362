package runner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startLogged runs script in bash with its output in a log file; alive
// reports whether it still runs.
func startLogged(t *testing.T, script string) (log string, alive func() bool) {
	t.Helper()
	log = filepath.Join(t.TempDir(), "bg.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bashPath(t), "-c", script)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	return log, func() bool {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
}

// waitFor polls cond with a generous deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWaitReady(t *testing.T) {
	log, alive := startLogged(t, `echo starting; sleep 0.1; printf '\e[32mListening\e[0m on :8080\n'; exec sleep 30`)
	if err := waitReady(context.Background(), log, regexp.MustCompile(`Listening on :\d+`), time.Minute, alive); err != nil {
		t.Fatal(err)
	}
}

func TestWaitReadyExitedFirst(t *testing.T) {
	log, alive := startLogged(t, `echo "Error: port 8080 in use" >&2; exit 1`)
	err := waitReady(context.Background(), log, regexp.MustCompile(`Listening`), time.Minute, alive)
	var re *ReadyError
	if !errors.As(err, &re) || !re.Exited {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "port 8080 in use") || !strings.Contains(err.Error(), "ended before") {
		t.Errorf("message: %v", err)
	}
}

func TestWaitReadyTimeout(t *testing.T) {
	log, alive := startLogged(t, `echo "still booting"; exec sleep 30`)
	// The timeout is what is tested, not bash's start: wait for the line.
	waitFor(t, func() bool { b, _ := os.ReadFile(log); return strings.Contains(string(b), "still booting") })
	err := waitReady(context.Background(), log, regexp.MustCompile(`Listening`), 50*time.Millisecond, alive)
	var re *ReadyError
	if !errors.As(err, &re) || re.Exited {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{`ready='Listening'`, "still booting", "longer timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

func TestWaitReadyCancelled(t *testing.T) {
	log, alive := startLogged(t, `exec sleep 30`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := waitReady(ctx, log, regexp.MustCompile(`x`), time.Minute, alive); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// The wrapper starts the commands as a job, logs their output and tells
// their pid, and returns at once.
func TestBackgroundScript(t *testing.T) {
	dir := t.TempDir()
	log, pidFile := filepath.Join(dir, "my log"), filepath.Join(dir, "pid")
	script := "__cc_bg() { :; }\n" + backgroundScript("echo one\necho two >&2\nexec sleep 30\n", log, pidFile, 0)
	if out, err := exec.Command(bashPath(t), "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("job %d not running: %v", pid, err)
	}
	err = waitReady(context.Background(), log, regexp.MustCompile(`(?s)one.*two`), time.Minute, func() bool { return syscall.Kill(pid, 0) == nil })
	if err != nil {
		t.Fatal(err)
	}
}
