package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/expect"
	"github.com/coursectl/coursectl/result"
)

// TestCorpusSurvey runs every step of every corpus page, each in the shell
// the steps before it left — also after a failure, unlike check, which
// stops a module at its first failing step — and prints one line per step,
// for docs/real-docs.md. It reaches no network: the only network command
// in the corpus (`dig`) is faked to fail as it would offline. Opt-in:
//
//	COURSECTL_SURVEY=1 go test ./runner -run TestCorpusSurvey -v
func TestCorpusSurvey(t *testing.T) {
	if os.Getenv("COURSECTL_SURVEY") == "" {
		t.Skip("set COURSECTL_SURVEY=1 to survey testdata/corpus")
	}
	pages, err := filepath.Glob("../testdata/corpus/*/*.md")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(pages)
	var total [4]int
	for _, page := range pages {
		mod, err := course.Load(page)
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		mod.Settings.Fakes = map[string]string{
			"dig": `echo ";; connection timed out; no servers could be reached (offline survey)"; exit 9`,
		}
		opts := testOptions(t)
		opts.IdleTimeout = 5e9
		opts.Timeout = 60e9
		s, err := Open(ctxT(t), mod, opts)
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		var counts [4]int // passed, failed, skipped, timeout
		for _, st := range mod.Steps {
			r := s.Exec(ctxT(t), st)
			why := firstLine(r.Error)
			if why == "" {
				why = r.Note
			}
			if r.Diff != "" {
				why += " [diff]"
			}
			last := lastLines(strings.Join(expect.OutputLines(r.Output), "\n"), 1)
			fmt.Printf("SURVEY\t%s\t%s\t%d\t%s\t%s\t%s\n", filepath.Base(page), r.ID, r.Line, r.Status, why, last)
			switch r.Status {
			case result.Passed:
				counts[0]++
			case result.Failed:
				counts[1]++
			case result.Skipped:
				counts[2]++
			case result.Timeout:
				counts[3]++
			}
		}
		s.Close()
		fmt.Printf("SURVEY-TOTAL\t%s\tsteps=%d\tpassed=%d\tfailed=%d\tskipped=%d\ttimeout=%d\n",
			filepath.Base(page), len(mod.Steps), counts[0], counts[1], counts[2], counts[3])
		for i := range total {
			total[i] += counts[i]
		}
	}
	fmt.Printf("SURVEY-ALL\tpassed=%d\tfailed=%d\tskipped=%d\ttimeout=%d\n", total[0], total[1], total[2], total[3])
}
