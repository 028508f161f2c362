// Command interleave times commands round-robin: each runs once per round,
// round after round, and each one's median and quartiles are printed. On a
// shared machine whose speed swings from minute to minute (a neighbour's
// load, a host that steals CPU), timing one command's runs after another's
// compares two different machines; interleaved, every command sees the
// same ones. scripts/bench-startup.sh uses it (docs/benchmarks.md,
// "Start-up").
//
//	interleave [-n ROUNDS] [-prepare 'sh -c text'] 'cmd args' 'cmd args' ...
//
// A command is split on blanks (no quoting). Its output is discarded; a
// command that fails stops the run.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("n", 30, "rounds (runs of each command)")
	warmup := flag.Int("w", 3, "rounds run first and not counted")
	prepare := flag.String("prepare", "", "shell text run (untimed) before every run")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) == 0 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: interleave [-n ROUNDS] [-w WARMUP] [-prepare TEXT] 'command' ...")
		os.Exit(2)
	}
	times := make([][]time.Duration, len(cmds))
	for r := 0; r < *warmup+*rounds; r++ {
		for i, c := range cmds {
			if *prepare != "" {
				if err := exec.Command("sh", "-c", *prepare).Run(); err != nil {
					fmt.Fprintf(os.Stderr, "interleave: -prepare: %v\n", err)
					os.Exit(1)
				}
			}
			f := strings.Fields(c)
			cmd := exec.Command(f[0], f[1:]...)
			start := time.Now()
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "interleave: %s: %v\n", c, err)
				os.Exit(1)
			}
			if r >= *warmup {
				times[i] = append(times[i], time.Since(start))
			}
		}
	}
	for i, c := range cmds {
		t := times[i]
		slices.Sort(t)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		fmt.Printf("%.1f %.1f %.1f %s\n", ms(t[len(t)/2]), ms(t[len(t)/4]), ms(t[3*len(t)/4]), c)
	}
}
