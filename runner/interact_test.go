package runner

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coursectl/coursectl/course"
)

type typed struct {
	mu   sync.Mutex
	keys []string
}

func (t *typed) send(b []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.keys = append(t.keys, string(b))
	return nil
}

func (t *typed) got() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.keys...)
}

func TestInteractorAnswersInOrder(t *testing.T) {
	var kb typed
	in, err := NewInteractor("m.md", 3, []course.Interaction{
		{Expect: `license terms\?`, Send: "yes\n"},
		{Expect: `Install location \[.*\]`, Send: "\n"},
		{Expect: `PATH\?`, Send: "no\n"},
	}, kb.send, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	defer in.Stop()
	// The later prompts' words appear first: they must not be answered
	// before the earlier prompt, nor from text before its match.
	for _, chunk := range []string{
		"Install location [x] is below. PATH? ",
		"Do you accept the lic", "\x1b[1mense\x1b[0m ter", "ms?\r\n",
	} {
		in.Write([]byte(chunk))
	}
	if got := kb.got(); len(got) != 1 || got[0] != "yes\r" {
		t.Fatalf("typed %q, want only the first answer", got)
	}
	// Two prompts in one read are both answered, in order.
	in.Write([]byte("Install location [/root/anaconda3] >>> ok\r\nUpdate PATH? "))
	if got := kb.got(); strings.Join(got, "|") != "yes\r|\r|no\r" {
		t.Fatalf("typed %q", got)
	}
	if err := in.Stop(); err != nil {
		t.Errorf("Stop after all answered: %v", err)
	}
	if in.Answered() != 3 {
		t.Errorf("answered %d", in.Answered())
	}
}

func TestInteractorTimeoutNamesTheExpect(t *testing.T) {
	var kb typed
	timedOut := make(chan error, 1)
	in, err := NewInteractor("m.md", 3, []course.Interaction{
		{Expect: `Name\?`, Send: "Ada\n"},
		{Expect: `Password:`, Send: "secret\n", Timeout: 30 * time.Millisecond},
	}, kb.send, func(err error) { timedOut <- err })
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	in.Write([]byte("Name? "))
	in.Write([]byte("Hello Ada\r\nsomething else entirely\r\n"))
	select {
	case err := <-timedOut:
		var ie *InteractError
		if !errors.As(err, &ie) || ie.Index != 2 || ie.Of != 2 || ie.Ended {
			t.Fatalf("err = %#v", err)
		}
		for _, want := range []string{"interact 2 of 2", `'Password:'`, "something else entirely", "longer timeout"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q: %v", want, err)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no timeout reported")
	}
	if in.Err() == nil {
		t.Error("Err() is nil after a timeout")
	}
	// Nothing more is typed after a failure.
	in.Write([]byte("Password: "))
	if got := kb.got(); len(got) != 1 {
		t.Errorf("typed %q after the timeout", got)
	}
}

// The first expect's clock starts at Start, and a timeout is reported even
// when the step prints nothing at all.
func TestInteractorTimeoutSilentStep(t *testing.T) {
	timedOut := make(chan error, 1)
	in, err := NewInteractor("m.md", 3, []course.Interaction{{Expect: `x`, Send: "y", Timeout: time.Millisecond}},
		func([]byte) error { return nil }, func(err error) { timedOut <- err })
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	select {
	case err := <-timedOut:
		if !strings.Contains(err.Error(), "nothing was printed") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no timeout reported")
	}
}

func TestInteractorStepEndedFirst(t *testing.T) {
	in, err := NewInteractor("m.md", 3, []course.Interaction{{Expect: `Continue\?`, Send: "y\n"}},
		func([]byte) error { return nil }, func(error) { t.Error("timeout after Stop") })
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	in.Write([]byte("done, no question\r\n"))
	err = in.Stop()
	var ie *InteractError
	if !errors.As(err, &ie) || !ie.Ended || !strings.Contains(err.Error(), "ended before") {
		t.Fatalf("Stop() = %v", err)
	}
}

func TestInteractorSendFails(t *testing.T) {
	boom := errors.New("pty closed")
	in, err := NewInteractor("m.md", 3, []course.Interaction{{Expect: `\?`, Send: "y\n"}},
		func([]byte) error { return boom }, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	in.Write([]byte("ok?"))
	if err := in.Stop(); !errors.Is(err, boom) {
		t.Errorf("Stop() = %v, want it to wrap %v", err, boom)
	}
}

func TestInteractorBadExpect(t *testing.T) {
	_, err := NewInteractor("m.md", 40, []course.Interaction{{Expect: `ok`}, {Expect: `(unclosed`}}, nil, nil)
	var pe *course.PosError
	if !errors.As(err, &pe) || pe.Line != 40 || !strings.Contains(err.Error(), "interact 2") {
		t.Errorf("err = %v", err)
	}
}

// A step printing a lot before its prompt keeps the interactor's memory
// bounded and still finds the prompt.
func TestInteractorLongOutput(t *testing.T) {
	var kb typed
	in, err := NewInteractor("m.md", 1, []course.Interaction{{Expect: `Proceed \(y/n\)\?`, Send: "y\n"}}, kb.send, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	defer in.Stop()
	line := []byte(strings.Repeat("z", 1000) + "\r\n")
	for i := 0; i < 1000; i++ {
		in.Write(line)
	}
	in.mu.Lock()
	size := in.text.Len()
	in.mu.Unlock()
	if size > interactWindow+len(line) {
		t.Errorf("kept %d bytes", size)
	}
	in.Write([]byte("Proceed (y/n)? "))
	if got := kb.got(); len(got) != 1 {
		t.Errorf("typed %q", got)
	}
}
