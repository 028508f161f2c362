package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// benchSteps are 200 small commands of the kind course steps hold.
func benchSteps() []string {
	kinds := []string{
		"x=$((x+1))\n",
		"echo step $x\n",
		"mkdir -p d$x && cd d$x && cd ..\n",
		"alias a$x='echo a'\n",
		"f() { echo f$x; }\n",
		"export V$x=$x\n",
		"true\n",
		"test -n \"$HOME\"\n",
	}
	var steps []string
	for i := 0; i < 200; i++ {
		steps = append(steps, kinds[i%len(kinds)])
	}
	return steps
}

// execTimed runs steps in s, each of which must pass, and appends the
// time each took to per.
func execTimed(b *testing.B, s *Session, steps []*course.Step, per []time.Duration) []time.Duration {
	for _, st := range steps {
		t0 := time.Now()
		r := s.Exec(ctxT(b), st)
		per = append(per, time.Since(t0))
		if r.Status != result.Passed {
			b.Fatalf("%s: %s %q", r.ID, r.Error, r.Output)
		}
	}
	return per
}

// BenchmarkStepOverhead: the median time of one step through the runner
// (pty round trip, errexit wrapper, checkpoint written and renamed) minus
// the time per command of the same 200 commands as one plain bash script.
//
//	go test ./runner -run '^$' -bench StepOverhead -benchtime 5x
func BenchmarkStepOverhead(b *testing.B) {
	steps := benchSteps()
	mod := module(b, steps...)
	opts := testOptions(b)
	s, err := Open(ctxT(b), mod, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var per []time.Duration
	self0, shell0 := runnerCPU(b, s.sh.pid)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		per = execTimed(b, s, mod.Steps, per)
	}
	b.StopTimer()
	self1, shell1 := runnerCPU(b, s.sh.pid)
	n := time.Duration(len(per))
	selfPer, shellPer := (self1-self0)/n, (shell1-shell0)/n
	cpuPer := selfPer + shellPer
	sort.Slice(per, func(i, j int) bool { return per[i] < per[j] })
	median := per[len(per)/2]

	// The same commands as one plain script, in a plain bash.
	dir := b.TempDir()
	script := filepath.Join(dir, "plain.sh")
	os.WriteFile(script, []byte(strings.Join(steps, "")), 0o644)
	var plain []time.Duration
	var plainCPU time.Duration
	for i := 0; i < 5; i++ {
		cmd := exec.Command("bash", "--noprofile", "--norc", "-O", "expand_aliases", script)
		cmd.Dir = dir
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("plain bash: %v %s", err, out)
		}
		plain = append(plain, time.Since(t0)/time.Duration(len(steps)))
		plainCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	plainCPUPer := plainCPU / time.Duration(5*len(steps))
	sort.Slice(plain, func(i, j int) bool { return plain[i] < plain[j] })
	plainPer := plain[len(plain)/2]
	b.ReportMetric(float64(median.Microseconds())/1000, "ms/step")
	b.ReportMetric(float64(plainPer.Microseconds())/1000, "plain-ms/cmd")
	b.ReportMetric(float64((median-plainPer).Microseconds())/1000, "overhead-ms/step")
	// CPU time (the runner process, the shell and the commands it ran) is
	// what the machine's other load does not inflate.
	b.ReportMetric(float64(cpuPer.Microseconds())/1000, "cpu-ms/step")
	b.ReportMetric(float64(plainCPUPer.Microseconds())/1000, "plain-cpu-ms/cmd")
	b.ReportMetric(float64((cpuPer-plainCPUPer).Microseconds())/1000, "cpu-overhead-ms/step")
	b.ReportMetric(float64(selfPer.Microseconds())/1000, "runner-cpu-ms/step")
	b.ReportMetric(float64(shellPer.Microseconds())/1000, "shell-cpu-ms/step")
}

// runnerCPU is the CPU time used so far by this process, and by the shell
// with the commands it has waited for.
func runnerCPU(b *testing.B, shellPid int) (self, shell time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", shellPid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+2:]))
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return self, time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// BenchmarkOutput1GB: peak memory of the process while a step prints 1 GB.
//
//	go test ./runner -run '^$' -bench Output1GB -benchtime 1x
func BenchmarkOutput1GB(b *testing.B) {
	mod := module(b, "yes 'a line of output from a chatty step' | head -c 1000000000\necho the-end\n")
	opts := testOptions(b)
	opts.Timeout = 10 * time.Minute
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.Sys > peak.Load() {
				peak.Store(ms.Sys)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := RunModule(ctxT(b), mod, opts)
		if err != nil {
			b.Fatal(err)
		}
		if r := res.Steps[0]; r.Status != result.Passed || !strings.HasSuffix(r.Output, "the-end\n") {
			b.Fatalf("%s: %s", r.Status, r.Error)
		}
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-sys-MB")
	fmt.Fprintf(os.Stderr, "peak Go runtime memory (MemStats.Sys): %.1f MB\n", float64(peak.Load())/(1<<20))
}

// BenchmarkSessionMembers is one look for the processes of a session, as a
// run's end takes (docs/benchmarks.md, "Start-up"): the time grows with
// the processes on the machine, not in the session.
func BenchmarkSessionMembers(b *testing.B) {
	sid, err := unix.Getsid(0)
	if err != nil {
		b.Skip(err)
	}
	procs := len(procPids())
	for b.Loop() {
		if len(sessionMembers(sid)) == 0 {
			b.Fatal("this process is not in its own session")
		}
	}
	b.ReportMetric(float64(procs), "procs")
}
