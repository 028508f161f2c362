package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Labels on everything a run makes in the engine. The run label finds what
// one run made (RemoveRun, at its end); the owner labels let a later run
// tell that the process that made it is gone (SweepLeftovers, after a
// SIGKILL). The image scripts/sandbox-image.sh builds carries
// coursectl.image instead: it is shared and never swept.
const (
	LabelRun = "coursectl.run"
	// LabelPID is the owning coursectl's pid, LabelPIDStart its start time
	// (clock ticks after boot, /proc/PID/stat field 22): a pid is reused,
	// the pair is not.
	LabelPID      = "coursectl.pid"
	LabelPIDStart = "coursectl.pidstart"
	// LabelHost is the owner's host name. One engine can serve several
	// machines (DOCKER_HOST) or pid namespaces (a CI job in a container
	// with the socket mounted); a pid means something only on its own.
	LabelHost = "coursectl.host"
	// LabelState is the run's state directory (Options.StateDir).
	LabelState = "coursectl.state"
)

// owner identifies this process in labels.
type owner struct{ pid, start, host string }

var self = sync.OnceValue(func() owner {
	h, _ := os.Hostname()
	return owner{pid: strconv.Itoa(os.Getpid()), start: pidStart(os.Getpid()), host: h}
})

func (o owner) labels(run string) []string {
	l := []string{LabelRun + "=" + run, LabelPID + "=" + o.pid, LabelHost + "=" + o.host}
	if o.start != "" {
		l = append(l, LabelPIDStart+"="+o.start)
	}
	return l
}

// pidStart is field 22 of /proc/PID/stat, "" where there is no /proc.
func pidStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name may hold spaces and parentheses: count after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state), so field 22 is f[19].
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// ownerGone reports whether the process the labels name is certainly gone.
// Another host's process is never judged gone: only its own runs can tell.
func ownerGone(pid, start, host string) bool {
	if host != self().host {
		return false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return false
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		now := pidStart(n)
		return now == "" || (start != "" && now != start)
	}
	return errors.Is(syscall.Kill(n, 0), syscall.ESRCH)
}

// RemoveRun removes every container (with its anonymous volumes), image
// and volume labelled with run. What is already gone is no error.
func RemoveRun(ctx context.Context, run string) error {
	filter := "label=" + LabelRun + "=" + run
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	// The three kinds are independent; each list is a CLI round trip.
	for _, kind := range [][2][]string{
		{{"ps", "-aq", "--filter", filter}, {"rm", "-f", "-v"}},
		{{"image", "ls", "-q", "--filter", filter}, {"image", "rm", "-f"}},
		{{"volume", "ls", "-q", "--filter", filter}, {"volume", "rm", "-f"}},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := removeListed(ctx, kind[0], kind[1]); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func removeListed(ctx context.Context, list, rm []string) error {
	out, err := docker(ctx, nil, list...)
	if err != nil || out == "" {
		return err
	}
	ids := uniq(strings.Fields(out))
	_, err = docker(ctx, nil, append(rm, ids...)...)
	if err != nil && strings.Contains(err.Error(), "No such") {
		return nil
	}
	return err
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// SweepLeftovers removes what runs whose coursectl is gone left in the
// engine (a SIGKILL gives no chance to clean up), and returns the runs it
// removed. Runs of live processes, and of other hosts, are left alone. A
// run calls it before it starts its own container.
func SweepLeftovers(ctx context.Context) ([]string, error) {
	format := fmt.Sprintf(`{{.Label %q}}	{{.Label %q}}	{{.Label %q}}	{{.Label %q}}`, LabelRun, LabelPID, LabelPIDStart, LabelHost)
	// Containers and volumes list their labels; images do not (their
	// run's containers name them, and RemoveRun removes both).
	filter := "label=" + LabelPID
	var lines []string
	for _, list := range [][]string{
		{"ps", "-a", "--filter", filter, "--format", format},
		{"volume", "ls", "--filter", filter, "--format", format},
	} {
		out, err := docker(ctx, nil, list...)
		if err != nil {
			return nil, err
		}
		if out != "" {
			lines = append(lines, strings.Split(out, "\n")...)
		}
	}
	dead := map[string]bool{}
	var runs []string
	for _, line := range lines {
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" || dead[f[0]] {
			continue
		}
		if ownerGone(f[1], f[2], f[3]) {
			dead[f[0]] = true
			runs = append(runs, f[0])
		}
	}
	var errs []error
	for _, run := range runs {
		if err := RemoveRun(ctx, run); err != nil {
			errs = append(errs, err)
		}
	}
	return runs, errors.Join(errs...)
}

// Orphans lists the containers of runs with state directory stateDir
// (any, when "") whose coursectl (on this host) is gone: what
// SweepLeftovers would remove. For tests and for a person's look.
func Orphans(ctx context.Context, stateDir string) ([]string, error) {
	format := fmt.Sprintf(`{{.ID}}	{{.Label %q}}	{{.Label %q}}	{{.Label %q}}`, LabelPID, LabelPIDStart, LabelHost)
	filter := "label=" + LabelPID
	if stateDir != "" {
		filter = "label=" + LabelState + "=" + stateDir
	}
	out, err := docker(ctx, nil, "ps", "-a", "--filter", filter, "--format", format)
	if err != nil || out == "" {
		return nil, err
	}
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 4 && ownerGone(f[1], f[2], f[3]) {
			ids = append(ids, f[0])
		}
	}
	return ids, nil
}
