package procwait

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
)

// Wait reports what cmd.Wait would: the exit status, a death by signal.
func TestWaitReportsTheEnd(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := Wait(cmd); !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Wait = %v, want exit status 3", err)
	}

	cmd = exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- Wait(cmd) }()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	err := <-done
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("Wait = %v, want killed", err)
	}
	if cmd.ProcessState == nil {
		t.Fatal("the process is not reaped")
	}
}
