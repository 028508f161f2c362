// Package procwait waits for a child process without holding a thread in
// a blocking wait(2) (wait_linux.go says why).
package procwait

import (
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// Wait waits for cmd's process to end, then reaps it (cmd.Wait), for a
// process that lives as long as a run: a shell, a container's helper.
// The wait itself is on the runtime's poller: a pidfd turns readable when
// its process exits. A goroutine in a blocking wait(2) holds its thread
// and, for a while, its P; with two cores the goroutines it shares them
// with — the one reading the shell's records, the step's caller — waited
// for the runtime's monitor to take the P back, and the monitor sleeps up
// to 10 ms when the process is idle: 5–15 ms of every shell's start
// (docs/benchmarks.md, "Start-up").
func Wait(cmd *exec.Cmd) error {
	fd, err := unix.PidfdOpen(cmd.Process.Pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return cmd.Wait() // an older kernel: the blocking wait
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Read(func(fd uintptr) bool {
			p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(p, 0)
			return err != nil || n > 0
		})
	}
	return cmd.Wait()
}
