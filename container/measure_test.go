package container

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMeasure prints the numbers in docs/sandbox.md. It takes a few minutes
// and needs Debian's mirror for the apt step, so it runs only when asked:
//
//	COURSECTL_MEASURE=1 go test -run TestMeasure -v ./container/
func TestMeasure(t *testing.T) {
	if os.Getenv("COURSECTL_MEASURE") == "" {
		t.Skip("set COURSECTL_MEASURE=1 to measure (docs/sandbox.md)")
	}
	needImage(t)
	ctx := context.Background()

	// Start and Close.
	var starts, closes []time.Duration
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		c, err := Start(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		starts, closes = append(starts, t1.Sub(t0)), append(closes, time.Since(t1))
	}
	t.Logf("Start (docker run + helper + first walk): %v; Close (docker rm -f + label sweep): %v", median(starts), median(closes))

	// A step's round trip through the terminal: a line typed, the record
	// back on the channel. Local bash on a pty with a pipe, as the runner
	// does today, against bash in the container through docker exec and
	// the FIFOs.
	t.Logf("round trip of an empty step, local bash on a pty: %v", median(roundTrips(t, localShell(t), 50)))
	chanDir := sharedDir(t)
	ck := t.TempDir()
	c := startContainer(t, Options{ChannelDir: chanDir, CheckpointDir: ck})
	tm, recs, _, _ := shellInContainer(t, c, chanDir)
	t.Logf("round trip of an empty step, bash in the container: %v", median(roundTrips(t, shellLink{tm, recs}, 50)))

	// Checkpoints, one per kind of step.
	n := 0
	step := func(name, script string) {
		t.Helper()
		if script != "" {
			if out, err := c.Command(ctx, "", "bash", "-c", script).CombinedOutput(); err != nil {
				t.Logf("%s: skipped: %v: %s", name, err, lastLine(string(out)))
				return
			}
		}
		n++
		cp, err := c.Checkpoint(ctx, filepath.Join(ck, fmt.Sprint(n)))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("checkpoint after %-44s %7.0f ms  %5d changed %4d deleted %10d bytes", name+":", ms(cp.Duration), cp.Changed, cp.Deleted, cp.Bytes)
	}
	step("nothing", "")
	step("nothing", "true")
	step("echo >> .bashrc", "echo 'export X=1' >>~/.bashrc")
	step("mkdir soft; 2 files", "mkdir -p ~/soft && echo a >~/soft/a && echo b >~/soft/b")
	step("2000 small files", "mkdir -p ~/many && cd ~/many && for i in $(seq 2000); do echo $i >f$i; done")
	step("a 50 MB file", "head -c 50M /dev/urandom >~/big")
	step("rm -r the 2000 files", "rm -r ~/many")
	step("sudo groupadd, usermod -aG", "sudo groupadd docker && sudo usermod -aG docker learner")
	step("sudo apt-get update", "sudo apt-get update -qq")
	step("sudo apt-get install -y cowsay", "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cowsay >/dev/null")

	// The same chain restored into a fresh container.
	var dirs []string
	for i := 1; i <= n; i++ {
		dirs = append(dirs, filepath.Join(ck, fmt.Sprint(i)))
	}
	b := startContainer(t, Options{CheckpointDir: ck})
	t0 := time.Now()
	if err := b.Restore(ctx, dirs...); err != nil {
		t.Fatal(err)
	}
	t.Logf("Restore of those %d checkpoints into a fresh container: %v", n, time.Since(t0).Round(time.Millisecond))

	// What the engine's own tools cost on the same container, for the
	// choice in docs/sandbox.md.
	for _, args := range [][]string{
		{"diff", c.ID},
		{"commit", "--pause=false", c.ID},
		{"exec", c.ID, "true"},
		{"ps", "-q"},
	} {
		var ds []time.Duration
		for i := 0; i < 3; i++ {
			t0 := time.Now()
			out, err := docker(ctx, nil, args...)
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(t0))
			if args[0] == "commit" {
				_, _ = docker(ctx, nil, "image", "rm", out)
			}
		}
		t.Logf("docker %s: %v", args[0], median(ds))
	}
}

type stepper interface{ roundTrip() }

type shellLink struct {
	tm   *term
	recs *bufio.Reader
}

func (s shellLink) roundTrip() {
	s.tm.typ("printf 'E 0\\n' >&247\n")
	if line, err := s.recs.ReadString('\n'); err != nil || line != "E 0\n" {
		s.tm.t.Fatalf("record %q %v", line, err)
	}
}

// localShell is bash on a pty of ours with a pipe as fd 247, as the runner
// starts it today.
func localShell(t *testing.T) shellLink {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "rc")
	if err := os.WriteFile(rc, []byte("PS1='$ '\nexec 247>&3 3>&-\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--rcfile", rc, "--noediting", "-i")
	cmd.ExtraFiles = []*os.File{w}
	tm := startTerm(t, cmd)
	w.Close()
	t.Cleanup(func() { r.Close() })
	return shellLink{tm, bufio.NewReader(r)}
}

func roundTrips(t *testing.T, s stepper, n int) []time.Duration {
	s.roundTrip() // the first one pays for the prompt
	var ds []time.Duration
	for i := 0; i < n; i++ {
		t0 := time.Now()
		s.roundTrip()
		ds = append(ds, time.Since(t0))
	}
	return ds
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(10 * time.Microsecond)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
