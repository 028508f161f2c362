package main

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/coursectl/coursectl/container"
)

// TestContainerScripts runs testdata/container/*.txtar: --sandbox=docker
// through the binary, on the real Docker engine (docs/sandbox.md). They
// skip when there is no engine or no image, and [mirror] steps skip when
// the Debian mirror apt uses is not reachable.
func TestContainerScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("container scripts take minutes: not with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := container.ImageID(ctx, container.DefaultImage); err != nil {
		t.Skipf("no container sandbox here: %v", err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:   "testdata/container",
		Setup: scriptSetup(root),
		Condition: func(cond string) (bool, error) {
			if cond == "mirror" {
				return mirrorReachable(), nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"orphans": cmdOrphans,
		},
	})
}

// cmdOrphans is `orphans`: it succeeds when the engine holds a container
// of a coursectl of this host that is gone (a killed run's), and lists
// them; `! orphans` fails if it does.
func cmdOrphans(ts *testscript.TestScript, neg bool, args []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	found, err := container.Orphans(ctx, filepath.Join(ts.Getenv("WORK"), "state", "coursectl"))
	if err != nil {
		ts.Fatalf("listing containers: %v", err)
	}
	ts.Logf("orphans: %v", found)
	switch {
	case neg && len(found) > 0:
		ts.Fatalf("left behind: %s", strings.Join(found, " "))
	case !neg && len(found) == 0:
		ts.Fatalf("no container of a gone coursectl")
	}
}

// mirrorReachable reports whether the first mirror in apt's one-line
// sources answers on its port within a few seconds: the container reaches
// it through the host's network.
func mirrorReachable() bool {
	f, err := os.Open("/etc/apt/sources.list")
	if err != nil {
		f, err = os.Open("/etc/apt/sources.list.d/debian.sources")
		if err != nil {
			return false
		}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "#") {
			continue
		}
		for _, w := range strings.Fields(sc.Text()) {
			u, err := url.Parse(w)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				continue
			}
			port := u.Port()
			if port == "" {
				port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
			}
			c, err := net.DialTimeout("tcp", net.JoinHostPort(u.Hostname(), port), 3*time.Second)
			if err != nil {
				return false
			}
			c.Close()
			return true
		}
	}
	return false
}
