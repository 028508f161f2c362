package container

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary play a coursectl that owns a container: with
// COURSECTL_TEST_OWNER set it starts one, prints its id and waits to be killed.
func TestMain(m *testing.M) {
	if os.Getenv("COURSECTL_TEST_OWNER") != "" {
		c, err := Start(context.Background(), Options{Image: testImage(), Run: os.Getenv("COURSECTL_TEST_OWNER")})
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString(c.ID + "\n")
		select {}
	}
	os.Exit(m.Run())
}

func fileOwner(fi os.FileInfo) (uid, gid int) {
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func containerExists(t *testing.T, id string) bool {
	t.Helper()
	out, err := docker(context.Background(), nil, "ps", "-aq", "--no-trunc", "--filter", "id="+id)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out) != ""
}

func TestSweepRemovesWhatAKilledRunLeft(t *testing.T) {
	needImage(t)
	owner := exec.Command(os.Args[0], "-test.run=^$")
	owner.Env = append(os.Environ(), "COURSECTL_TEST_OWNER=sweep-"+newRunID())
	owner.Stderr = os.Stderr
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = owner.Process.Kill()
		t.Fatalf("the owner did not start its container: %v", err)
	}
	orphan := strings.TrimSpace(line)
	// A live run's container, which the sweep must leave alone.
	mine := startContainer(t, Options{})

	if _, err := SweepLeftovers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !containerExists(t, orphan) {
		t.Fatal("the sweep removed the container of a live owner")
	}
	_ = owner.Process.Signal(syscall.SIGKILL)
	_ = owner.Wait()
	if !containerExists(t, orphan) {
		t.Fatal("the container went with its owner; nothing for the sweep to do")
	}
	runs, err := SweepLeftovers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if containerExists(t, orphan) {
		t.Errorf("the container of a SIGKILLed owner is still there (swept %q)", runs)
	}
	if !containerExists(t, mine.ID) {
		t.Error("the sweep removed this live process's container")
	}
}

func TestOwnerGoneTellsAReusedPid(t *testing.T) {
	me := self()
	if ownerGone(me.pid, me.start, me.host) {
		t.Error("this process counts as gone")
	}
	if me.start != "" && !ownerGone(me.pid, me.start+"1", me.host) {
		t.Error("a pid with another start time counts as its owner")
	}
	if ownerGone("999999999", "", "another-host") {
		t.Error("another host's process was judged")
	}
}
