package render

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

// The watch loop re-renders on every save (save → new screen in
// 100 ms for the seed); these measure the rendering part of that.
func BenchmarkTerminalModuleSeed(b *testing.B) {
	mod := seedModule(b)
	tm := Terminal{Width: 100, Color: true, Hyperlinks: true}
	for b.Loop() {
		_ = tm.Module(mod, nil)
	}
}

func BenchmarkHTMLSeed(b *testing.B) {
	mod := seedModule(b)
	rec := seedRecord()
	for b.Loop() {
		if _, err := HTML(mod, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTerminalManySteps renders documents of 1,000 and 4,000 steps:
// the time per step must stay flat (the whole source was split again for
// every step's prose, which made 20,000 steps take two minutes).
func BenchmarkTerminalManySteps(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var src strings.Builder
			src.WriteString("# Big\n\n")
			for i := range n {
				fmt.Fprintf(&src, "## Step %d\n\nSome prose for step %d.\n\n```sh\necho step %d\n```\n\n", i, i, i)
			}
			mod, err := course.Parse("big.md", []byte(src.String()))
			if err != nil {
				b.Fatal(err)
			}
			tm := Terminal{Width: 100}
			for b.Loop() {
				_ = tm.Module(mod, nil)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/step")
		})
	}
}
