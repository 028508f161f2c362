package runner

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func shellTicks(pid int) int64 {
	st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+2:]))
	var t int64
	for _, i := range []int{11, 12} {
		var n int64
		fmt.Sscan(f[i], &n)
		t += n
	}
	return t
}

func TestDbgCPU(t *testing.T) {
	var steps []string
	for i := 0; i < 300; i++ {
		steps = append(steps, "true\n")
	}
	mod := module(t, steps...)
	s := open(t, mod, testOptions(t))
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(0, &ru0)
	b0 := shellTicks(s.sh.pid)
	t0 := time.Now()
	for _, st := range mod.Steps {
		s.Exec(ctxT(t), st)
	}
	el := time.Since(t0)
	syscall.Getrusage(0, &ru1)
	b1 := shellTicks(s.sh.pid)
	self := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) / 300
	fmt.Printf("wall/step %v go-cpu/step %v bash-cpu/step %v\n", el/300, self, time.Duration(b1-b0)*10*time.Millisecond/300)
}
