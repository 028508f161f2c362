//go:build linux

package runner

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchOpens reports, when called, the names in dir that were opened since
// (inotify's IN_OPEN; an O_PATH open, which runs no file's open, makes
// none).
func watchOpens(t *testing.T, dir string) func() []string {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skip("no inotify: ", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		var names []string
		buf := make([]byte, 64*1024)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil || n <= 0 {
				return names
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
				for len(name) > 0 && name[len(name)-1] == 0 {
					name = name[:len(name)-1]
				}
				names = append(names, string(name))
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}
}

// What the host reads from the container sandbox's channel, which the
// container's root writes, is opened only when it is a regular file:
// anything else (a FIFO here; a device node the container's root made is
// the same) is refused before it is opened, and a link is not followed.
func TestOpenNoFollowOpensNothingButARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "dump")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	opens := watchOpens(t, dir)
	if f, err := openNoFollow(fifo); !errors.Is(err, syscall.EINVAL) {
		if f != nil {
			f.Close()
		}
		t.Errorf("openNoFollow(FIFO) = %v, want EINVAL", err)
	}
	if got := opens(); len(got) > 0 {
		t.Errorf("openNoFollow opened %q", got)
	}

	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("host"), 0o600); err != nil {
		t.Fatal(err)
	}
	opens()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := readNoFollow(link); err == nil {
		t.Error("readNoFollow followed a link")
	}
	if got := opens(); len(got) > 0 {
		t.Errorf("readNoFollow of a link opened %q", got)
	}
	if b, err := readNoFollow(target); err != nil || string(b) != "host" {
		t.Errorf("readNoFollow(regular file) = %q, %v", b, err)
	}
}

// A dead run's scratch directory whose lock a step replaced by a link to a
// host file: the sweep does not open the host file (O_RDWR, flock) and
// judges the directory by the pid in its name.
func TestSweepDoesNotFollowALockLink(t *testing.T) {
	parent := t.TempDir()
	dir, lock, err := lockedDir(parent, "coursectl-run-999999999-")
	if err != nil {
		t.Fatal(err)
	}
	lock.Close()
	hostDir := t.TempDir()
	victim := filepath.Join(hostDir, "victim")
	if err := os.WriteFile(victim, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	opens := watchOpens(t, hostDir)
	sweepScratch(parent)
	if got := opens(); len(got) > 0 {
		t.Errorf("the sweep opened the lock link's target: %q", got)
	}
	if _, err := os.Lstat(dir); err == nil {
		t.Error("a dead run's directory (pid 999999999) with a lock link was not swept")
	}
}
