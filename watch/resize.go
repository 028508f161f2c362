package watch

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// WindowResizes reports the new width of the terminal out on every resize,
// so the module is wrapped to the window again (Watcher.Resized).
func WindowResizes(ctx context.Context, out *os.File) <-chan int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGWINCH)
	widths := make(chan int, 1)
	go func() {
		defer signal.Stop(sigs)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sigs:
			}
			w, _, err := term.GetSize(int(out.Fd()))
			if err != nil || w <= 0 {
				continue
			}
			select {
			case widths <- w:
			default:
				// The loop has not taken the last width yet: replace it.
				select {
				case <-widths:
				default:
				}
				widths <- w
			}
		}
	}()
	return widths
}
