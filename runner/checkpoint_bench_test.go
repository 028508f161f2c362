package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/result"
)

// growingSteps are n steps whose shell state grows as they go: each exports
// one more variable, and every step also does one of benchSteps' kinds
// (arithmetic, cd, an alias and a function named by a counter, an export
// whose name is computed), so variables, aliases and history all grow.
func growingSteps(n int) []string {
	kinds := benchSteps()[:8]
	steps := make([]string, n)
	for i := range steps {
		steps[i] = fmt.Sprintf("export GROW_%d=value-%d\n", i, i) + kinds[i%len(kinds)]
	}
	return steps
}

// BenchmarkGrowingState: the median time of one step through the runner
// minus the time per step of the same commands as one plain bash script,
// for a module of 200 and of 1,000 steps whose state grows by at least one
// exported variable per step. Every iteration is a fresh session, so the
// state really grows from nothing. scripts/bench-overhead.sh runs it and
// prints the 1,000/200 ratio.
//
//	go test ./runner -run '^$' -bench GrowingState -benchtime 3x
func BenchmarkGrowingState(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) {
			steps := growingSteps(n)
			mod := module(b, steps...)
			var per []time.Duration
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				opts := testOptions(b)
				s, err := Open(ctxT(b), mod, opts)
				if err != nil {
					b.Fatal(err)
				}
				self0, shell0 := runnerCPU(b, s.sh.pid)
				b.StartTimer()
				per = execTimed(b, s, mod.Steps, per)
				s.Flush()
				b.StopTimer()
				self1, shell1 := runnerCPU(b, s.sh.pid)
				cpu += self1 - self0 + shell1 - shell0
				s.Close()
				b.StartTimer()
			}
			b.StopTimer()
			sort.Slice(per, func(i, j int) bool { return per[i] < per[j] })
			median := per[len(per)/2]
			plain, plainCPU := plainBash(b, steps)
			cpuPer := cpu / time.Duration(len(per))
			b.ReportMetric(ms(median), "ms/step")
			b.ReportMetric(ms(plain), "plain-ms/step")
			b.ReportMetric(ms(median-plain), "overhead-ms/step")
			b.ReportMetric(ms(cpuPer), "cpu-ms/step")
			b.ReportMetric(ms(cpuPer-plainCPU), "cpu-overhead-ms/step")
		})
	}
}

// plainBash is the median wall time and the CPU time per step of steps run
// as one script by a plain bash (five runs).
func plainBash(b *testing.B, steps []string) (wall, cpu time.Duration) {
	dir := b.TempDir()
	script := filepath.Join(dir, "plain.sh")
	if err := os.WriteFile(script, []byte(strings.Join(steps, "")), 0o644); err != nil {
		b.Fatal(err)
	}
	var walls []time.Duration
	for i := 0; i < 5; i++ {
		cmd := exec.Command("bash", "--noprofile", "--norc", "-O", "expand_aliases", script)
		cmd.Dir = dir
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("plain bash: %v %s", err, out)
		}
		walls = append(walls, time.Since(t0)/time.Duration(len(steps)))
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return walls[len(walls)/2], cpu / time.Duration(5*len(steps))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkResumeFrom900: restoring the checkpoint of step 900 of a
// 1,000-step module of growing state (read its chain, check it, build the
// script, source it), against the median step of the run that wrote it.
//
//	go test ./runner -run '^$' -bench ResumeFrom900 -benchtime 20x
func BenchmarkResumeFrom900(b *testing.B) {
	mod := module(b, growingSteps(1000)...)
	opts := testOptions(b)
	s, err := Open(ctxT(b), mod, opts)
	if err != nil {
		b.Fatal(err)
	}
	var per []time.Duration
	for _, st := range mod.Steps {
		t0 := time.Now()
		if r := s.Exec(ctxT(b), st); r.Status != result.Passed {
			b.Fatalf("%s: %s", r.ID, r.Error)
		}
		per = append(per, time.Since(t0))
	}
	s.Close()
	sort.Slice(per, func(i, j int) bool { return per[i] < per[j] })
	// Opened past the start, so the sandbox and checkpoints stay.
	opts.From = mod.Steps[len(mod.Steps)-1].ID
	s, err = Open(ctxT(b), mod, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	files := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := s.store.reader()
		if err := s.restore(ctxT(b), 899); err != nil {
			b.Fatal(err)
		}
		if _, err := r.resolve(899); err == nil {
			files = len(r.files)
		}
	}
	b.StopTimer()
	restore := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(ms(restore), "ms/restore")
	b.ReportMetric(ms(per[len(per)/2]), "ms/step")
	b.ReportMetric(float64(restore)/float64(per[len(per)/2]), "steps/restore")
	b.ReportMetric(float64(files), "files-read")
}

// BenchmarkLoad20000: 20,000 steps through one session (the kinds of
// benchSteps: a variable, an alias and a directory every eight steps),
// printing the checkpoints' disk and the process's memory as it goes:
// both must grow linearly, not with the square of the steps.
//
//	go test ./runner -run '^$' -bench Load20000 -benchtime 1x -timeout 60m
//
// COURSECTL_LOAD_STEPS runs fewer steps.
func BenchmarkLoad20000(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("COURSECTL_LOAD_STEPS")); err == nil && v > 0 {
		n = v
	}
	kinds := benchSteps()[:8]
	steps := make([]string, n)
	for i := range steps {
		steps[i] = kinds[i%len(kinds)]
	}
	mod := module(b, steps...)
	for i := 0; i < b.N; i++ {
		opts := testOptions(b)
		s, err := Open(ctxT(b), mod, opts)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "%8s %12s %10s %10s %14s\n", "steps", "disk bytes", "bytes/step", "RSS MB", "ms/step (last)")
		var window []time.Duration
		var disk int64
		for j, st := range mod.Steps {
			t0 := time.Now()
			if r := s.Exec(ctxT(b), st); r.Status != result.Passed {
				b.Fatalf("%s: %s %q", r.ID, r.Error, r.Output)
			}
			window = append(window, time.Since(t0))
			if k := j + 1; k == 100 || k == 1000 || k%5000 == 0 || k == n {
				s.Flush()
				disk = dirSize(s.store.checkpointsDir())
				sort.Slice(window, func(a, c int) bool { return window[a] < window[c] })
				fmt.Fprintf(os.Stderr, "%8d %12d %10d %10.1f %14.3f\n", k, disk, disk/int64(k), rssMB(), ms(window[len(window)/2]))
				window = window[:0]
			}
		}
		s.Close()
		b.ReportMetric(float64(disk)/float64(n), "disk-bytes/step")
		b.ReportMetric(rssMB(), "rss-MB")
	}
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// rssMB is this process's resident set size.
func rssMB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}
