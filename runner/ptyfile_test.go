package runner

import (
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// The master stays non-blocking, on the runtime's poller, when something
// calls its Fd (pty.Setsize, the foreground's ioctl): ptyfile.go says why.
func TestPTYMasterStaysNonBlocking(t *testing.T) {
	master, tty, err := openPTY(30, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer tty.Close()
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	_ = (&shell{pty: master}).foreground()
	flags, err := unix.FcntlInt(master.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if flags&unix.O_NONBLOCK == 0 {
		t.Fatal("the master is in blocking mode")
	}
	if rows, cols, err := pty.Getsize(master); err != nil || rows != 40 || cols != 120 {
		t.Errorf("size %dx%d (%v), want 40x120", rows, cols, err)
	}
}
