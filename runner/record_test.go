package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/coursectl/coursectl/expect"
)

// waitCount waits until the terminal has shown s n times.
func (l *learner) waitCount(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		ok := strings.Count(l.screen.String(), s) >= n
		l.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("the terminal never showed %q %d times; it shows:\n%q", s, n, l.screen.String())
}

// Record reports every line entered at the prompt, in order, with its
// output, status and directory; an empty Enter is an entry of its own,
// Ctrl-C at the prompt is none; a line read with echo on is kept as typed,
// keys typed with echo off are only noted; the state of the steps run
// before is the shell's; the tokens never reach the terminal.
func TestRecordReportsEachLine(t *testing.T) {
	mod := module(t, "export FROM_STEP=one\nmkdir -p sub && cd sub\n")
	opts := testOptions(t)
	l := newLearner(t, 24, 100)
	s := open(t, mod, opts)
	mustPass(t, s.Exec(ctxT(t), mod.Steps[0]))

	var got []Entry
	done := make(chan error)
	go func() {
		done <- s.Record(ctxT(t), &Terminal{In: l.tty, Out: l.tty}, func(e Entry) { got = append(got, e) })
	}()
	const prompt = "(recording) "
	prompts := 1
	enter := func(keys string) {
		t.Helper()
		l.waitCount(t, prompt, prompts)
		l.typeKeys(keys)
		prompts++
	}
	enter("echo \"$FROM_STEP in ${PWD##*/}\"\r")
	enter("\r")
	enter("# a note\r")
	enter("ls no-such-file\r")
	enter("half-typed\x03")
	enter("read -r -p 'Name? ' n; echo \"hi $n\"\r")
	l.waitCount(t, "Name? ", 2) // the line's echo, then read's prompt
	l.typeKeys("Bbo\x7f\x7fob\r")
	enter("stty -echo; read -r -p 'Password: ' pw; stty echo; echo; echo ${#pw} chars\r")
	l.waitCount(t, "Password: ", 2)
	l.typeKeys("hunter2\r")
	enter("history | grep -c 'export FROM_STEP=one'\r") // the steps' history is the shell's
	enter("cd /tmp\r")
	enter("exit\r")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Record did not return after exit")
	}

	var lines []string
	for _, e := range got {
		lines = append(lines, e.Line)
	}
	want := []string{`echo "$FROM_STEP in ${PWD##*/}"`, "", "# a note", "ls no-such-file",
		`read -r -p 'Name? ' n; echo "hi $n"`,
		`stty -echo; read -r -p 'Password: ' pw; stty echo; echo; echo ${#pw} chars`,
		"history | grep -c 'export FROM_STEP=one'", "cd /tmp"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines entered:\n%q\nwant\n%q", lines, want)
	}
	if out := expect.OutputLines(got[0].Output); strings.Join(out, "\n") != "one in sub" || got[0].Status != 0 ||
		!strings.HasSuffix(got[0].Dir, "/sub") || got[0].DirBefore != got[0].Dir {
		t.Errorf("echo: output %q status %d dir %q before %q", out, got[0].Status, got[0].Dir, got[0].DirBefore)
	}
	if got[2].Output != "" || got[2].Status != 0 {
		t.Errorf("comment: output %q status %d", got[2].Output, got[2].Status)
	}
	if out := expect.OutputLines(got[3].Output); got[3].Status != 2 || len(out) != 1 || !strings.Contains(out[0], "no-such-file") {
		t.Errorf("ls: output %q status %d", out, got[3].Status)
	}
	name := got[4]
	if len(name.Typed) != 1 || name.Typed[0].Text != "Bob" || !strings.HasSuffix(name.Output[:name.Typed[0].At], "Name? ") ||
		name.Secret || name.Raw {
		t.Errorf("read: typed %+v (secret %v raw %v) in %q", name.Typed, name.Secret, name.Raw, name.Output)
	}
	pw := got[5]
	if !pw.Secret || len(pw.Typed) != 0 || !strings.Contains(pw.Output, "7 chars") {
		t.Errorf("password: secret %v typed %+v output %q", pw.Secret, pw.Typed, pw.Output)
	}
	if out := expect.OutputLines(got[6].Output); strings.Join(out, "\n") != "2" {
		t.Errorf("history: the step's command and this line: %q", out)
	}
	if last := got[7]; last.Dir != "/tmp" || !strings.HasSuffix(last.DirBefore, "/sub") {
		t.Errorf("cd: dir %q before %q", last.Dir, last.DirBefore)
	}
	l.mu.Lock()
	screen := l.screen.String()
	l.mu.Unlock()
	for _, secret := range []string{"hunter2", "6973"} {
		if strings.Contains(screen, secret) {
			t.Errorf("the terminal shows %q:\n%q", secret, screen)
		}
		for _, e := range got {
			if strings.Contains(e.Output, secret) || strings.Contains(e.Line, secret) {
				t.Errorf("an entry holds %q: %+v", secret, e)
			}
		}
	}
}

// A line's output is kept up to MaxRecordOutput bytes, and says it was cut;
// the terminal still gets all of it, and never the tokens.
func TestRecordOutputIsCapped(t *testing.T) {
	var screen countingWriter
	p := newRecordPump(&screen, "t0k")
	p.feed([]byte("prompt \x1b]6973;t0"))
	p.feed([]byte("k\aout"))
	chunk := []byte(strings.Repeat("x", 64<<10))
	for i := 0; i < (MaxRecordOutput/len(chunk))+2; i++ {
		p.feed(chunk)
	}
	p.feed([]byte("\x1b]6973;t0k;1\aprompt "))
	seg := p.take(1)
	if !seg.truncated || len(seg.output) != MaxRecordOutput || string(seg.output[:3]) != "out" {
		t.Errorf("segment: truncated %v, %d bytes, starting %q", seg.truncated, len(seg.output), seg.output[:3])
	}
	if want := len("prompt out") + ((MaxRecordOutput/len(chunk))+2)*len(chunk) + len("prompt "); screen.n != want {
		t.Errorf("the terminal got %d bytes, want %d", screen.n, want)
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(b []byte) (int, error) {
	if strings.Contains(string(b), "6973") {
		panic("a token reached the terminal")
	}
	w.n += len(b)
	return len(b), nil
}
