package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/iostreams"
)

// pageWriter signals every page watch draws (a page is one Write that
// holds the footer), so the benchmark times a save up to the screen.
type pageWriter struct{ pages chan struct{} }

func (p *pageWriter) Write(b []byte) (int, error) {
	if strings.Contains(string(b), "Ctrl-C to stop") {
		p.pages <- struct{}{}
	}
	return len(b), nil
}

// BenchmarkWatchSaveToScreen times a save of the seed module
// (testdata/module1.md) to its re-rendered screen being written: the file
// write, fsnotify, the debounce, parse, lint, render and the write of the
// page. The target is 100 ms with the default 50 ms debounce.
//
//	go test ./cmd/coursectl/ -run '^$' -bench WatchSaveToScreen -benchtime 50x
func BenchmarkWatchSaveToScreen(b *testing.B) {
	seed, err := os.ReadFile("../testdata/module1.md")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name     string
		tty      bool
		debounce time.Duration
	}{
		{"terminal", true, 50 * time.Millisecond},
		{"plain", false, 50 * time.Millisecond},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "module1.md")
			if err := os.WriteFile(path, seed, 0o644); err != nil {
				b.Fatal(err)
			}
			out := &pageWriter{pages: make(chan struct{}, 1)}
			streams := &iostreams.IOStreams{Out: out, Err: out, OutTTY: bc.tty, Color: bc.tty, Width: 100}
			w := New(Options{Path: path, Debounce: bc.debounce, StateDir: b.TempDir()}, streams)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- w.Loop(ctx) }()
			defer func() { cancel(); <-done }()
			waitPage(b, out)

			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Each save differs, as an author's do.
				text := append(append([]byte{}, seed...), fmt.Sprintf("\nEdit %d.\n", i)...)
				start := time.Now()
				if err := os.WriteFile(path, text, 0o644); err != nil {
					b.Fatal(err)
				}
				waitPage(b, out)
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
		})
	}
}

func waitPage(b *testing.B, out *pageWriter) {
	b.Helper()
	select {
	case <-out.pages:
	case <-time.After(watchDeadline):
		b.Fatalf("no page drawn within %s of a save", watchDeadline)
	}
}

// BenchmarkWatchUpdate is the work of one update alone, without the file
// system and the debounce: read, parse, lint, render, draw.
//
//	go test ./cmd/coursectl/ -run '^$' -bench WatchUpdate
func BenchmarkWatchUpdate(b *testing.B) {
	seed, err := os.ReadFile("../testdata/module1.md")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "module1.md")
	out := &pageWriter{pages: make(chan struct{}, 1)}
	streams := &iostreams.IOStreams{Out: out, Err: out, OutTTY: true, Color: true, Width: 100}
	w := New(Options{Path: path, StateDir: b.TempDir()}, streams)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		text := append(append([]byte{}, seed...), fmt.Sprintf("\nEdit %d.\n", i)...)
		if err := os.WriteFile(path, text, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		w.update(context.Background())
		waitPage(b, out)
	}
}
