package container

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// A wrapper as small as the runner's prelude is at its start: it opens the
// channel's FIFOs where the prelude takes inherited fds, and says ready.
const testRC = `PS1='$ '
exec 247>"$CC_CHAN/records" 248<"$CC_CHAN/answer"
printf 'R %d\n' $$ >&247
`

// shellInContainer starts the interactive bash inside c on a pty of the
// test's, as the runner will, with the FIFO channel open.
func shellInContainer(t *testing.T, c *Container, chanDir string) (tm *term, recs *bufio.Reader, answer *os.File, pid int) {
	t.Helper()
	if err := MakeChannel(chanDir); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(chanDir, "rc.bash")
	if err := os.WriteFile(rc, []byte(testRC), 0o644); err != nil {
		t.Fatal(err)
	}
	rcIn, ok1 := c.Path(rc)
	chanIn, ok2 := c.Path(chanDir)
	if !ok1 || !ok2 || chanIn != ChannelMount {
		t.Fatalf("Path(%s) = %s, %v; Path(%s) = %s, %v", rc, rcIn, ok1, chanDir, chanIn, ok2)
	}
	cmd := c.ShellCommand(Shell{
		Args: []string{"--noprofile", "--rcfile", rcIn, "--noediting", "-i"},
		Env:  []string{"CC_CHAN=" + chanIn, "TERM=xterm-256color"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type opened struct {
		rec, ans *os.File
		err      error
	}
	ch := make(chan opened, 1)
	go func() {
		r, a, err := OpenChannel(ctx, chanDir)
		ch <- opened{r, a, err}
	}()
	tm = startTerm(t, cmd)
	o := <-ch
	if o.err != nil {
		t.Fatalf("opening the channel: %v; the terminal shows:\n%s", o.err, tm.out.String())
	}
	t.Cleanup(func() { o.rec.Close(); o.ans.Close() })
	recs = bufio.NewReader(o.rec)
	line, err := recs.ReadString('\n')
	if _, serr := fmt.Sscanf(line, "R %d\n", &pid); err != nil || serr != nil {
		t.Fatalf("ready record: %q, %v", line, err)
	}
	return tm, recs, o.ans, pid
}

func TestShellInContainerRunsOnOurPty(t *testing.T) {
	needImage(t)
	course := t.TempDir()
	if err := os.WriteFile(filepath.Join(course, "hello.txt"), []byte("from the course\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	chanDir := sharedDir(t)
	c := startContainer(t, Options{CourseDir: course, ChannelDir: chanDir, Workdir: "/home/learner/work"})
	tm, _, _, _ := shellInContainer(t, c, chanDir)

	tm.typ(`echo "hi $((6*7)) $USER $HOME $PWD $COURSE_DIR $(id -u) $(hostname)"; cat "$COURSE_DIR/hello.txt"` + "\n")
	tm.waitFor("hi 42 learner /home/learner /home/learner/work /course 1000 sandbox")
	tm.waitFor("from the course")

	// The course is read-only, sudo needs no password, the terminal is one.
	// (What the test waits for is never in the typed line, which the
	// terminal echoes: `ro-$((2+2))` shows as ro-4 only when it ran.)
	tm.typ(`touch "$COURSE_DIR/x" 2>&1 | grep -q 'Read-only file system' && echo ro-$((2+2))` + "\n")
	tm.waitFor("ro-4")
	tm.typ(`echo "sudo-$(sudo -n id -u)"; test -t 0 && echo tty-$((1+1))` + "\n")
	tm.waitFor("sudo-0")
	tm.waitFor("tty-2")

	// Our pty's size reaches the terminal inside, and so does a resize.
	tm.typ("stty size\n")
	tm.waitFor("24 80")
	if err := pty.Setsize(tm.master, &pty.Winsize{Rows: 30, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	// The CLI resizes the inner terminal when its SIGWINCH arrives; the
	// shell waits for it instead of the test sleeping.
	tm.typ(`until [ "$(stty size)" = "30 100" ]; do sleep 0.05; done; echo resized-$((1+1))` + "\n")
	tm.waitFor("resized-2")

	// Ctrl-P is the docker CLI's default detach key; it must reach the
	// shell like any other key.
	tm.typ("read -r x; printf '<%q>\\n' \"$x\"\n")
	tm.typ("a\x10b\n")
	tm.waitFor(`<$'a\020b'>`)

	// Ctrl-C reaches the step through the terminal inside, not the shell.
	// The child prints, then becomes sleep: once "started" shows, it is in
	// the foreground group Ctrl-C signals.
	tm.typ("bash -c 'echo started; exec sleep 30'\n")
	tm.waitFor("started\r\n")
	tm.typ("\x03")
	tm.typ("echo status=$?\n")
	tm.waitFor("status=130")
	tm.typ("echo still-$((1+1))\n")
	tm.waitFor("still-2")
}

func TestShellTalksToTheRunnerOverFIFOs(t *testing.T) {
	needImage(t)
	chanDir := sharedDir(t)
	c := startContainer(t, Options{ChannelDir: chanDir})
	tm, recs, answer, _ := shellInContainer(t, c, chanDir)

	// A step's end as the wrapper says it: a record, then it waits for the
	// runner's answer before its next prompt.
	tm.typ(`false; printf 'E %d\n' $? >&247; read -r a <&248; echo "answer=$a"` + "\n")
	line, err := recs.ReadString('\n')
	if err != nil || line != "E 1\n" {
		t.Fatalf("record: %q, %v", line, err)
	}
	if _, err := answer.WriteString("go\n"); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("answer=go")

	// EOF on the records once the shell is gone: how the runner sees it.
	tm.typ("exit\n")
	done := make(chan error, 1)
	go func() { _, err := recs.ReadString('\n'); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a record after exit")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no EOF on the records 30s after the shell exited")
	}
}

// manifest lists every path of the container's own filesystem with type,
// mode, owner, size, mtime and link target: two containers with the same
// manifest have the same files for any purpose of a course.
func manifest(t *testing.T, c *Container) string {
	t.Helper()
	const script = `cd / && find . -xdev \( -path ./proc -o -path ./run/coursectl -o -path ./etc/hosts -o -path ./etc/hostname -o -path ./etc/resolv.conf -o -path ./course -o -path ./usr/sbin/docker-init -o -path ./dev -o -path ./sys \) -prune -o -printf '%p %y %m %U:%G %s %T@ %l\n' | sort; md5sum home/learner/soft/a etc/group`
	var b strings.Builder
	for _, l := range strings.SplitAfter(run(t, c, "0", "bash", "-c", script), "\n") {
		// Made by the engine for each container (its init layer): not
		// the course's, never in a checkpoint.
		f := strings.Fields(l)
		if len(f) > 0 && (f[0] == "./.dockerenv" || f[0] == "./etc/mtab") {
			continue
		}
		if len(f) > 5 && (f[0] == "./run" || f[0] == "./usr" || f[0] == "./usr/sbin") {
			f[5] = "-" // their mtimes: mount points made at start
			l = strings.Join(f, " ") + "\n"
		}
		b.WriteString(l)
	}
	return b.String()
}

func TestCheckpointRestoresFilesInAFreshContainer(t *testing.T) {
	needImage(t)
	ctx := context.Background()
	ckpt := t.TempDir()
	a := startContainer(t, Options{CheckpointDir: ckpt})
	var dirs []string
	step := func(script string) FSCheckpoint {
		t.Helper()
		run(t, a, "", "bash", "-c", "set -e; cd; "+script)
		dir := filepath.Join(ckpt, fmt.Sprint(len(dirs)+1))
		cp, err := a.Checkpoint(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
		return cp
	}
	step(`mkdir -p soft/d/e && echo hi >soft/a && ln -s a soft/link && echo x >soft/d/e/f
		chmod 600 soft/a
		sudo groupadd docker && sudo usermod -aG docker learner && sudo rm /etc/motd`)
	// Renaming a directory leaves its contents' ctimes as they were; an
	// old mtime (tar -x, unzip, touch -d) must not hide a change either.
	cp := step(`mv soft/d soft/renamed && rm soft/link
		echo changed >soft/a && touch -d 2001-01-01 soft/a
		touch -d 2001-01-01 soft/new-but-old
		echo 'export PATH=$HOME/soft:$PATH' >>.bashrc
		sleep 0.02`) // what changed in the 10ms before a checkpoint is taken again by the next (helper.bash, mark)
	del, err := os.ReadFile(filepath.Join(dirs[1], FSDeleted))
	if err != nil {
		t.Fatal(err)
	}
	gone := strings.Split(strings.TrimSuffix(string(del), "\x00"), "\x00")
	for _, want := range []string{"./home/learner/soft/d", "./home/learner/soft/d/e/f", "./home/learner/soft/link"} {
		if !contains(gone, want) {
			t.Errorf("step 2's deleted list %q lacks %s", gone, want)
		}
	}
	if cp.Changed == 0 || cp.Deleted != len(gone) {
		t.Errorf("step 2's record: %+v, deleted list %d", cp, len(gone))
	}
	// A step that changes nothing costs a walk and keeps nothing.
	if cp := step(`true`); cp.Changed != 0 || cp.Deleted != 0 {
		out, _ := exec.Command("tar", "tvf", filepath.Join(dirs[2], FSTar)).CombinedOutput()
		t.Errorf("a step that changed nothing kept %+v:\n%s", cp, out)
	}

	b := startContainer(t, Options{CheckpointDir: ckpt})
	if err := b.Restore(ctx, dirs...); err != nil {
		t.Fatal(err)
	}
	want, got := manifest(t, a), manifest(t, b)
	if want != got {
		t.Errorf("restored files differ:\n%s", lineDiff(want, got))
	}
	if !strings.Contains(run(t, b, "", "id"), "(docker)") {
		t.Error("the restored container's learner is not in group docker")
	}
	// The restored state is the base of the next checkpoint.
	cp2, err := b.Checkpoint(ctx, filepath.Join(ckpt, "b1"))
	if err != nil {
		t.Fatal(err)
	}
	if cp2.Changed != 0 || cp2.Deleted != 0 {
		t.Errorf("a checkpoint right after a restore kept %+v", cp2)
	}
}

func TestRestoreRefusesAnotherImagesCheckpoint(t *testing.T) {
	needImage(t)
	dir := t.TempDir()
	c := startContainer(t, Options{CheckpointDir: dir})
	if _, err := c.Checkpoint(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, FSRecord)
	b, _ := os.ReadFile(rec)
	if err := os.WriteFile(rec, []byte(strings.Replace(string(b), c.ImageID, "sha256:0123456789abcdef0123", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Restore(context.Background(), dir); !errors.Is(err, ErrImageChanged) {
		t.Fatalf("Restore = %v, want ErrImageChanged", err)
	}
}

func TestLearnerTakesTheHostUsersIDs(t *testing.T) {
	needImage(t)
	chanDir := sharedDir(t)
	c := startContainer(t, Options{ChannelDir: chanDir, LearnerUID: 4242, LearnerGID: 4343})
	if got := run(t, c, "", "id", "-u"); strings.TrimSpace(got) != "4242" {
		t.Fatalf("id -u = %q", got)
	}
	run(t, c, "", "bash", "-c", "touch "+ChannelMount+"/mine && test -O ~/.bashrc")
	fi, err := os.Stat(filepath.Join(chanDir, "mine"))
	if err != nil {
		t.Fatal(err)
	}
	if uid, gid := fileOwner(fi); uid != 4242 || gid != 4343 {
		t.Errorf("a file the learner made belongs to %d:%d on the host", uid, gid)
	}
}

func TestMissingImageSaysHowToBuildIt(t *testing.T) {
	ctx := context.Background()
	if err := CheckEngine(ctx); err != nil {
		t.Skip("no docker engine: " + err.Error())
	}
	_, err := Start(ctx, Options{Image: "coursectl-no-such-image:never"})
	if !errors.Is(err, ErrNoImage) || !strings.Contains(err.Error(), "scripts/sandbox-image.sh") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Start with a missing image: %v", err)
	}
}

func TestMissingEngineIsOneLine(t *testing.T) {
	ctx := context.Background()
	t.Setenv("COURSECTL_DOCKER", filepath.Join(t.TempDir(), "docker"))
	err := CheckEngine(ctx)
	if !errors.Is(err, ErrNoEngine) || !strings.Contains(err.Error(), "command not found") {
		t.Errorf("no docker command: %v", err)
	}
	// A program that fails and says nothing is not docker: the message
	// asks whether it is, not "exit status 1".
	t.Setenv("COURSECTL_DOCKER", "false")
	_, err = Start(ctx, Options{})
	if !errors.Is(err, ErrNoEngine) || !strings.Contains(err.Error(), "is false the Docker CLI?") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a silent CLI: %v", err)
	}
	if _, err := exec.LookPath("docker"); err != nil {
		return // no CLI here to point at a dead socket
	}
	t.Setenv("COURSECTL_DOCKER", "")
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no.sock"))
	_, err = Start(ctx, Options{})
	if !errors.Is(err, ErrNoEngine) || strings.Contains(err.Error(), "\n") {
		t.Errorf("no daemon: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lineDiff shows the lines only one side has.
func lineDiff(want, got string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
