//go:build !linux

package procwait

import "os/exec"

// Wait waits for cmd's process to end (wait_linux.go says why Linux
// waits otherwise).
func Wait(cmd *exec.Cmd) error { return cmd.Wait() }
