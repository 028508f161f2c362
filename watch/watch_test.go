package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coursectl/coursectl/iostreams"
	"github.com/fsnotify/fsnotify"
)

// The watch loop is driven in-process with its output in a buffer: a test
// edits the module on disk and waits (with a generous deadline, never a
// fixed sleep) for the update it expects to be written.

const watchDeadline = 60 * time.Second

// watchOutput is a concurrency-safe buffer that wakes waiters on each write.
type watchOutput struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newWatchOutput() *watchOutput { return &watchOutput{changed: make(chan struct{}, 1)} }

func (o *watchOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	n, err := o.buf.Write(p)
	o.mu.Unlock()
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (o *watchOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until cond holds for the output, or fails the test showing
// what was written.
func (o *watchOutput) waitFor(t testing.TB, what string, cond func(string) bool) string {
	t.Helper()
	deadline := time.After(watchDeadline)
	for {
		s := o.String()
		if cond(s) {
			return s
		}
		select {
		case <-o.changed:
		case <-deadline:
			t.Fatalf("waited %s for %s; the output so far:\n%s", watchDeadline, what, s)
		}
	}
}

// update returns the text of the n-th update (its separator line up to the
// next one), "" while it has not been written.
func update(out string, n int) string {
	head := fmt.Sprintf(", update %d ===\n", n)
	i := strings.Index(out, head)
	if i < 0 {
		return ""
	}
	rest := out[i+len(head):]
	if j := strings.Index(rest, "=== coursectl watch: "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// waitUpdate waits until update n holds every one of wants.
func (o *watchOutput) waitUpdate(t testing.TB, n int, wants ...string) string {
	t.Helper()
	var got string
	o.waitFor(t, fmt.Sprintf("update %d with %q", n, wants), func(s string) bool {
		got = update(s, n)
		if got == "" {
			return false
		}
		for _, w := range wants {
			if !strings.Contains(got, w) {
				return false
			}
		}
		return true
	})
	return got
}

// startWatch runs the watch loop on path until the test ends (or stop is
// called), with its output in the returned buffer.
func startWatch(t testing.TB, opts Options) (out *watchOutput, stop func() error) {
	t.Helper()
	out = newWatchOutput()
	if opts.Debounce == 0 {
		opts.Debounce = 50 * time.Millisecond
	}
	if opts.StateDir == "" {
		opts.StateDir = t.TempDir()
	}
	streams := &iostreams.IOStreams{Out: out, Err: out, Width: 80}
	w := New(opts, streams)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Loop(ctx) }()
	var once sync.Once
	var err error
	// stop is Ctrl-C: the loop must end with ErrStopped (the command's
	// exit status 130), and any other result is the error stop returns.
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
				if errors.Is(err, ErrStopped) {
					err = nil
				} else {
					err = fmt.Errorf("the watch loop returned %v after Ctrl-C, want ErrStopped", err)
				}
			case <-time.After(watchDeadline):
				err = fmt.Errorf("the watch loop did not return %s after cancel", watchDeadline)
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return out, stop
}

// saveByRename saves the way vim and most editors do: a new file renamed
// over the old one, which ends any watch on the old file itself.
func saveByRename(t testing.TB, path, text string) {
	t.Helper()
	tmp := path + ".swp~"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func saveInPlace(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const watchDoc = "# Watched\n\n## %s\n\n```sh\necho hello\n```\n"

func TestWatchRedrawsOnEverySave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.md")
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "First heading"))
	out, stop := startWatch(t, Options{Path: path})

	first := out.waitUpdate(t, 1, "Step 1/1 · First heading", "lint: clean")
	if strings.Contains(first, "##") {
		t.Errorf("the render shows raw markdown:\n%s", first)
	}
	saveByRename(t, path, fmt.Sprintf(watchDoc, "Renamed save"))
	out.waitUpdate(t, 2, "Step 1/1 · Renamed save")
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "Written in place"))
	out.waitUpdate(t, 3, "Step 1/1 · Written in place")
	// The sidecar changes the module's settings: a save of it counts.
	saveInPlace(t, filepath.Join(filepath.Dir(path), "coursectl.yaml"), "m.md:\n  timeout: 5m\n")
	out.waitUpdate(t, 4, "Written in place")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	all := out.String()
	if strings.ContainsAny(all, "\x1b\r") {
		t.Errorf("output to a non-terminal holds escape codes or \\r:\n%q", all)
	}
	if !strings.HasSuffix(all, "stopped watching\n") {
		t.Errorf("leaving does not end on its own line: %q", all[max(0, len(all)-80):])
	}
}

func TestWatchSavesModule(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "m.md")
	for _, tc := range []struct {
		name string
		op   fsnotify.Op
		want bool
	}{
		{"m.md", fsnotify.Write, true},
		{"m.md", fsnotify.Create, true}, // a new file renamed over it
		{"m.md", fsnotify.Rename, true}, // moved away: the next event says what came
		{"m.md", fsnotify.Remove, true},
		{"m.md", fsnotify.Chmod, false},
		{"coursectl.yaml", fsnotify.Write, true},
		{"coursectl.yaml", fsnotify.Create, true},
		{"other.md", fsnotify.Write, false},
		{"m.md.swp~", fsnotify.Create, false}, // the editor's temporary file
		{"m.md~", fsnotify.Write, false},
	} {
		ev := fsnotify.Event{Name: filepath.Join(dir, tc.name), Op: tc.op}
		if got := savesModule(abs, ev); got != tc.want {
			t.Errorf("savesModule(%s %s) = %v, want %v", tc.op, tc.name, got, tc.want)
		}
	}
}

// On a terminal every update clears the screen and draws the page again
// (no separator lines); a running step's status line is replaced by its
// result.
func TestWatchTerminalClearsAndRedraws(t *testing.T) {
	requireBash(t)
	path := filepath.Join(t.TempDir(), "m.md")
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "One"))
	out := newWatchOutput()
	w := New(Options{Path: path, Run: true, Debounce: 50 * time.Millisecond, StateDir: t.TempDir()},
		&iostreams.IOStreams{Out: out, Err: out, OutTTY: true, Width: 80})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Loop(ctx) }()
	out.waitFor(t, "the first run", func(s string) bool { return strings.Contains(s, "run: passed") })
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "Two"))
	s := out.waitFor(t, "the second page", func(s string) bool {
		return strings.Count(s, clearScreen) == 2 && strings.Contains(s, "Step 1/1 · Two")
	})
	cancel()
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Fatalf("the loop returned %v after Ctrl-C, want ErrStopped", err)
	}
	if !strings.HasPrefix(s, clearScreen) || strings.Contains(s, "=== coursectl watch") {
		t.Errorf("a terminal page does not start with clear-screen, or has a separator:\n%q", s)
	}
	if !strings.Contains(s, "  ▸ one (line 5) running…"+eraseLine+"  ✓ passed") {
		t.Errorf("the running line is not replaced by the result:\n%q", s)
	}
	if got := out.String(); !strings.HasSuffix(got, eraseLine+"stopped watching\n") {
		t.Errorf("leaving does not erase the echoed ^C: %q", got[max(0, len(got)-60):])
	}
}

// Every update lints the module again: a finding appears with the save that
// causes it and goes with the save that fixes it.
func TestWatchShowsLintFindings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.md")
	saveInPlace(t, path, "# T\n\n## Notes\n\n```sh\necho hi > notes.txt\n```\n")
	out, stop := startWatch(t, Options{Path: path})
	out.waitUpdate(t, 1, "1 step · lint: clean")
	saveInPlace(t, path, "# T\n\n## Notes\n\n```sh\nless notes.txt\n```\n")
	u2 := out.waitUpdate(t, 2, "lint: 1 error, 0 warnings")
	if !strings.Contains(u2, path+":6: error: step notes: less") {
		t.Errorf("the finding is not shown as lint prints it:\n%s", u2)
	}
	saveInPlace(t, path, "# T\n\n## Notes\n\n```sh {interactive}\nless notes.txt\n```\n")
	out.waitUpdate(t, 3, "lint: clean")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestWatchBurstOfWritesIsOneUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.md")
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "Start"))
	// A long debounce makes "one update for the burst" independent of how
	// fast this machine writes.
	out, stop := startWatch(t, Options{Path: path, Debounce: 500 * time.Millisecond})
	out.waitUpdate(t, 1, "Start")
	for i := 1; i <= 5; i++ {
		saveInPlace(t, path, fmt.Sprintf(watchDoc, "Burst "+strconv.Itoa(i)))
	}
	out.waitUpdate(t, 2, "Burst 5")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, "update 3") {
		t.Errorf("a burst of writes gave more than one update:\n%s", s)
	}
}

func TestWatchParseErrorThenFixKeepsWatching(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.md")
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "Good"))
	out, stop := startWatch(t, Options{Path: path})
	out.waitUpdate(t, 1, "Step 1/1 · Good")

	saveInPlace(t, path, "# Broken\n\x00\x01 half-saved\n")
	u2 := out.waitUpdate(t, 2, "coursectl: "+path+":2: not a UTF-8 text file", "fix it and save again")
	if strings.Contains(u2, "Step 1/1") {
		t.Errorf("a module that does not parse still shows the old render:\n%s", u2)
	}
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "Fixed"))
	out.waitUpdate(t, 3, "Step 1/1 · Fixed")

	// A save by delete-then-create passes through "no file at all".
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	out.waitUpdate(t, 4, "is gone (renamed or deleted); waiting for it to come back")
	saveInPlace(t, path, fmt.Sprintf(watchDoc, "Back"))
	out.waitUpdate(t, 5, "Step 1/1 · Back")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// A three-step module whose steps append to a log file outside the sandbox,
// so the test sees which steps ran and what state they saw.
const watchRunDoc = "# Run\n\n## Set\n\n```sh\nexport GREETING=hi\necho one >> %[1]q\n```\n\n" +
	"## Second\n\n```sh\necho two >> %[1]q\n```\n\n## Third\n\n```sh\necho \"%[2]s sees $GREETING\" >> %[1]q\n```\n"

func TestWatchRunRerunsOnlyFromTheChangedStep(t *testing.T) {
	requireBash(t)
	dir := t.TempDir()
	path, logf := filepath.Join(dir, "m.md"), filepath.Join(dir, "log")
	saveInPlace(t, path, fmt.Sprintf(watchRunDoc, logf, "three"))
	out, stop := startWatch(t, Options{Path: path, Run: true})

	u1 := out.waitUpdate(t, 1, "run: passed")
	for _, want := range []string{"run: from the first step, set (line 5)", "✓ passed", "third (line 18)", "3 passed, 0 failed, 0 skipped; 0 unchanged"} {
		if !strings.Contains(u1, want) {
			t.Errorf("first run: want %q in\n%s", want, u1)
		}
	}
	if got, want := readFile(t, logf), "one\ntwo\nthree sees hi\n"; got != want {
		t.Fatalf("log after the first run = %q, want %q", got, want)
	}

	// Edit step 3 only: steps 1 and 2 must not run again, and step 3 must
	// still see the variable step 1 exported (restored from its checkpoint).
	saveByRename(t, path, fmt.Sprintf(watchRunDoc, logf, "edited"))
	u2 := out.waitUpdate(t, 2, "run: passed")
	if !strings.Contains(u2, "run: from step third (line 18): 2 steps before it unchanged") {
		t.Errorf("second run does not say it starts at the edited step:\n%s", u2)
	}
	if !strings.Contains(u2, "1 passed, 0 failed, 0 skipped; 2 unchanged") {
		t.Errorf("second run ran other steps than the edited one:\n%s", u2)
	}
	if got, want := readFile(t, logf), "one\ntwo\nthree sees hi\nedited sees hi\n"; got != want {
		t.Errorf("log after editing step 3 = %q, want %q (steps 1–2 not re-run, GREETING restored)", got, want)
	}

	// A save that changes no step runs nothing.
	saveInPlace(t, path, fmt.Sprintf(watchRunDoc, logf, "edited")+"\nMore prose.\n")
	out.waitUpdate(t, 3, "More prose.", "nothing to run: all 3 steps passed before and none changed since")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, logf); strings.Count(got, "one") != 1 {
		t.Errorf("step 1 ran more than once: %q", got)
	}
}

// --run works in check's sandbox: HOME and the working directory are fresh
// ones inside the state directory, never the author's own.
func TestWatchRunIsSandboxed(t *testing.T) {
	requireBash(t)
	dir, state := t.TempDir(), t.TempDir()
	path, logf := filepath.Join(dir, "m.md"), filepath.Join(dir, "where")
	saveInPlace(t, path, fmt.Sprintf("# W\n\n```sh\necho \"$HOME|$PWD\" > %q\n```\n", logf))
	out, stop := startWatch(t, Options{Path: path, Run: true, StateDir: state})
	out.waitUpdate(t, 1, "run: passed")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	home, wd, _ := strings.Cut(strings.TrimSpace(readFile(t, logf)), "|")
	for _, d := range []string{home, wd} {
		if !strings.HasPrefix(d, state+string(filepath.Separator)) {
			t.Errorf("a step ran with %q, outside the state directory %s", d, state)
		}
	}
	if real, _ := os.UserHomeDir(); home == real {
		t.Errorf("a step ran with the real HOME %s", real)
	}
}

// A save in the middle of a run stops it, every process it started with it,
// before the new run starts.
func TestWatchSaveMidRunStopsTheStaleRun(t *testing.T) {
	requireBash(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.md")
	bg, fg := testMarker("bg"), testMarker("fg")
	doc := "# Slow\n\n## Start a server\n\n```sh\n(exec -a %s sleep 600) &\n```\n\n## Wait\n\n```sh\n%s\n```\n"
	// The foreground process ignores Ctrl-C, as some programs do, so the
	// stale run takes the runner's firmer signals to stop.
	saveInPlace(t, path, fmt.Sprintf(doc, bg, "(trap '' INT; exec -a "+fg+" sleep 600)"))
	out, stop := startWatch(t, Options{Path: path, Run: true})

	out.waitUpdate(t, 1, "start-a-server (line 5)")
	waitProcs(t, bg, true)
	waitProcs(t, fg, true)

	// The new step itself checks that the stale run's processes are gone
	// by the time it starts: the old run is waited for, not left dying.
	check := fmt.Sprintf(`for f in /proc/[0-9]*/cmdline; do
  if read -r -d '' a0 < "$f" && { [ "$a0" = %s ] || [ "$a0" = %s ]; }; then echo "stale process $f"; false; fi
done`, bg, fg)
	saveInPlace(t, path, fmt.Sprintf(doc, bg, check))
	u2 := out.waitUpdate(t, 2, "skipped; 1 unchanged")
	if !strings.Contains(u2, "run: passed") {
		t.Fatalf("the new run met the stale run's processes:\n%s", u2)
	}
	// Step 1 was not run again (its checkpoint stands for it), and the run
	// that started both markers is gone with them.
	if !strings.Contains(u2, "1 passed, 0 failed, 0 skipped; 1 unchanged") {
		t.Errorf("the new run did not start at the edited step:\n%s", u2)
	}
	if pids := markerProcs(bg, fg); len(pids) > 0 {
		t.Errorf("processes of the stopped run are left: %v", pids)
	}
	if strings.Contains(out.String(), "interrupted") {
		t.Errorf("the stale run's last result was shown:\n%s", out.String())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// Ctrl-C (ctx cancelled) during a run stops it, leaves no process, and the
// loop ends with exit status 130 (stop checks it).
func TestWatchInterruptMidRunLeavesCleanly(t *testing.T) {
	requireBash(t)
	path := filepath.Join(t.TempDir(), "m.md")
	mark := testMarker("wait")
	saveInPlace(t, path, fmt.Sprintf("# Slow\n\n```sh\n(exec -a %s sleep 600)\n```\n", mark))
	out, stop := startWatch(t, Options{Path: path, Run: true})
	out.waitUpdate(t, 1, "run: from the first step")
	waitProcs(t, mark, true)
	if err := stop(); err != nil {
		t.Fatalf("leaving: %v", err)
	}
	if pids := markerProcs(mark); len(pids) > 0 {
		t.Errorf("processes left after Ctrl-C: %v", pids)
	}
	if s := out.String(); !strings.HasSuffix(s, "stopped watching\n") {
		t.Errorf("output does not end with the leaving line:\n%s", s)
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// requireBash skips a test that runs steps where they cannot run: no bash,
// or no /proc to look for the processes a run left.
func requireBash(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash")
	}
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("needs /proc (Linux)")
	}
}

// testMarker is a process name no other test or program uses, given to a
// process with `exec -a` so /proc tells whether it still lives.
func testMarker(what string) string {
	return fmt.Sprintf("cc-watch-%s-%d-%d", what, os.Getpid(), time.Now().UnixNano())
}

// markerProcs are the live processes whose argv[0] is one of the markers.
func markerProcs(markers ...string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(b) == 0 {
			continue // gone, or a zombie (an exited process has no cmdline)
		}
		argv0, _, _ := bytes.Cut(b, []byte{0})
		for _, m := range markers {
			if string(argv0) == m {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// waitProcs waits until a process named marker runs (want) or none does.
func waitProcs(t testing.TB, marker string, want bool) {
	t.Helper()
	deadline := time.Now().Add(watchDeadline)
	for (len(markerProcs(marker)) > 0) != want {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for process %s running=%v", watchDeadline, marker, want)
		}
		time.Sleep(20 * time.Millisecond) // polling /proc: there is no event to wait on
	}
}

// watch --run does not run a module check refuses (an annotation value the
// parser had to drop): it shows the error as it shows a parse error, and
// runs the module once the author fixes it.
func TestWatchRunRefusesWhatCheckRefuses(t *testing.T) {
	requireBash(t)
	dir := t.TempDir()
	path, logf := filepath.Join(dir, "m.md"), filepath.Join(dir, "log")
	const doc = "# Bad\n\n## One\n\n```sh {timeout=%s}\necho ran >> %q\n```\n"
	saveInPlace(t, path, fmt.Sprintf(doc, "banana", logf))
	out, stop := startWatch(t, Options{Path: path, Run: true})
	u1 := out.waitUpdate(t, 1, "coursectl: "+path+":5: ", "timeout", "not run", "fix it and save again")
	if strings.Contains(u1, "run: from") || strings.Contains(u1, "✓ passed") {
		t.Errorf("a module check refuses was run:\n%s", u1)
	}
	saveInPlace(t, path, fmt.Sprintf(doc, "30s", logf))
	out.waitUpdate(t, 2, "run: passed")
	if got := readFile(t, logf); got != "ran\n" {
		t.Errorf("log = %q, want one run, after the fix", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
