package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
				for _, st := range mod.Steps {
					t0 := time.Now()
					r := s.Exec(ctxT(b), st)
					per = append(per, time.Since(t0))
					if r.Status != result.Passed {
						b.Fatalf("%s: %s %q", r.ID, r.Error, r.Output)
					}
				}
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
