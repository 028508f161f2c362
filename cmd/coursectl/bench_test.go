package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/text"
)

var (
	bigOnce sync.Once
	bigDoc  []byte
)

// bigDocument is ~10 MB of real course markdown: the corpus pages and the
// seed, repeated.
func bigDocument(b *testing.B) []byte {
	bigOnce.Do(func() {
		pages, _ := filepath.Glob("../../testdata/corpus/*/*.md")
		pages = append(pages, "../../testdata/module1.md")
		var one bytes.Buffer
		for _, p := range pages {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			one.Write(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
			one.WriteString("\n\n")
		}
		var all bytes.Buffer
		for all.Len() < 10<<20 {
			all.Write(one.Bytes())
		}
		bigDoc = all.Bytes()
	})
	return bigDoc
}

// BenchmarkListJSON is the work of `coursectl list --json` on the big
// document: parse into a Module and write the JSON.
func BenchmarkListJSON(b *testing.B) {
	src := bigDocument(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		m, err := course.Parse("big.md", src)
		if err != nil {
			b.Fatal(err)
		}
		if err := writeListJSON(io.Discard, m, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoldmarkParse is goldmark's bare parse of the same bytes, the
// floor BenchmarkListJSON is measured against (target: within 1.5×).
func BenchmarkGoldmarkParse(b *testing.B) {
	src := bigDocument(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	p := goldmark.New().Parser()
	defer reportCPU(b)()
	for b.Loop() {
		p.Parse(text.NewReader(src))
	}
}

// reportCPU adds a cpu-ns/op metric: the process's CPU time (all threads,
// GC included) per iteration. On a shared machine wall time swings with
// the neighbours' load; CPU time swings much less, so the ratio of the
// two benchmarks is read from it.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkListJSONRatio alternates the two measurements above in one
// loop and reports list-time / goldmark-time, so both halves see the same
// load from the machine's neighbours: the number to hold to ≤ 1.5.
func BenchmarkListJSONRatio(b *testing.B) {
	src := bigDocument(b)
	p := goldmark.New().Parser()
	var listWall, gmWall, listCPU, gmCPU time.Duration
	for b.Loop() {
		runtime.GC()
		w0, c0 := time.Now(), cpuTime()
		p.Parse(text.NewReader(src))
		gmWall += time.Since(w0)
		gmCPU += cpuTime() - c0

		runtime.GC()
		w0, c0 = time.Now(), cpuTime()
		m, err := course.Parse("big.md", src)
		if err != nil {
			b.Fatal(err)
		}
		if err := writeListJSON(io.Discard, m, false); err != nil {
			b.Fatal(err)
		}
		listWall += time.Since(w0)
		listCPU += cpuTime() - c0
	}
	b.ReportMetric(float64(listWall)/float64(gmWall), "wall-ratio")
	b.ReportMetric(float64(listCPU)/float64(gmCPU), "cpu-ratio")
}

// BenchmarkCheckOneStep is `coursectl check` of a 1-step module (`true`)
// run in this process, from an empty state directory each time: the cost
// of a check after the process has started (docs/benchmarks.md,
// "Start-up"; scripts/bench-startup.sh times the whole process).
//
//	go test ./cmd/coursectl -run '^$' -bench CheckOneStep -benchtime 50x
func BenchmarkCheckOneStep(b *testing.B) {
	dir := b.TempDir()
	mod := filepath.Join(dir, "one.md")
	if err := os.WriteFile(mod, []byte("# One step\n\n```sh\ntrue\n```\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	streams := &iostreams.IOStreams{In: &bytes.Buffer{}, Out: io.Discard, Err: io.Discard, Width: 80}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		state := filepath.Join(dir, "state")
		if err := os.RemoveAll(state); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := Run(context.Background(), []string{"check", "--state", state, mod}, streams); err != nil {
			b.Fatal(err)
		}
	}
}
