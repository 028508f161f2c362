package report

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// BenchmarkLiveOutput feeds a step's output through the live writer's
// status-line bookkeeping, as a step printing fast would: the cost per
// byte decides whether coursectl keeps up with a chatty step.
func BenchmarkLiveOutput(b *testing.B) {
	chunk := bytes.Repeat([]byte("Unpacking docker-ce (5:27.3.1-1~debian.12~bookworm) ...\n"), 4096/56+1)[:4096]
	mod := module("bench.md", script("chatty", 3, "yes"))
	l := NewLive(io.Discard)
	l.Status = true
	ev := l.Module(mod)
	ev.StepStarted(mod.Steps[0])
	b.SetBytes(int64(len(chunk)))
	b.ResetTimer()
	for range b.N {
		ev.StepOutput(mod.Steps[0], chunk)
	}
}

// BenchmarkTextReport writes the report of a 200-step module with one
// failure.
func BenchmarkTextReport(b *testing.B) {
	mr := &result.Module{File: "big.md"}
	var steps []*course.Step
	for i := range 200 {
		steps = append(steps, script(fmt.Sprintf("step-%d", i+1), 3+4*i, "echo hi"))
	}
	module("big.md", steps...)
	for _, st := range steps {
		mr.Steps = append(mr.Steps, stepResultFor(st, result.Passed, 3*time.Millisecond))
	}
	last := mr.Steps[199]
	last.Status, last.ExitCode, last.Output = result.Failed, 1, string(bytes.Repeat([]byte("some output line\n"), 1000))
	b.ResetTimer()
	for range b.N {
		Text{}.WriteModule(io.Discard, mr)
	}
}
