// Command ptyfloor is the least a pty runner can do for a 1-step check: a
// Go program that starts an interactive bash on a new pty, has it run
// `true` and exit, and waits. scripts/bench-startup.sh times it beside
// `coursectl check`, as the floor of this machine (docs/benchmarks.md,
// "Start-up").
package main

import (
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
)

func main() {
	master, tty, err := pty.Open()
	if err != nil {
		os.Exit(1)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "--noediting", "-i")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		os.Exit(1)
	}
	tty.Close()
	go func() { _, _ = io.Copy(io.Discard, master) }()
	_, _ = master.Write([]byte("true; exit\n"))
	if cmd.Wait() != nil {
		os.Exit(1)
	}
}
