package runner

import (
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/creack/pty"
	"github.com/muesli/cancelreader"
	"golang.org/x/term"
)

// termSize is the learner's terminal size.
func termSize(t *Terminal) (rows, cols int, ok bool) {
	for _, f := range []*os.File{t.Out, t.In} {
		if f == nil {
			continue
		}
		if r, c, err := pty.Getsize(f); err == nil && r > 0 && c > 0 {
			return r, c, true
		}
	}
	return 0, 0, false
}

// attach connects the learner's terminal to the pty while a step runs: raw
// mode (so keys reach the step as typed, Ctrl-C included, and the pty's line
// discipline does the echo), the window size and its changes, and keystrokes.
// The returned detach undoes all of it and stops reading the keyboard, so the
// caller can read keys between steps. Keys go to keys (the shell's keyboard
// gate), the size to master.
func attach(t *Terminal, master *os.File, keys io.Writer) (detach func()) {
	var undo []func()
	if t.In != nil && term.IsTerminal(int(t.In.Fd())) {
		if st, err := term.MakeRaw(int(t.In.Fd())); err == nil {
			undo = append(undo, func() { _ = term.Restore(int(t.In.Fd()), st) })
		}
	}
	resize := func() {
		if r, c, ok := termSize(t); ok {
			_ = pty.Setsize(master, &pty.Winsize{Rows: uint16(r), Cols: uint16(c)})
		}
	}
	resize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	stopWinch := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-winch:
				resize()
			case <-stopWinch:
				return
			}
		}
	}()
	undo = append(undo, func() {
		signal.Stop(winch)
		close(stopWinch)
	})
	var cr cancelreader.CancelReader
	if t.In != nil {
		var err error
		if cr, err = cancelreader.NewReader(t.In); err == nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(keys, cr)
			}()
			undo = append(undo, func() { cr.Cancel() })
		} else {
			cr = nil
		}
	}
	return func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		wg.Wait()
		// Its epoll fd and wake-up pipe, once the copy has stopped:
		// otherwise every attached step leaks them.
		if cr != nil {
			_ = cr.Close()
		}
	}
}
