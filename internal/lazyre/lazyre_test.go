package lazyre

import "testing"

func TestCompiledOnceOnFirstUse(t *testing.T) {
	re := New(`a+b`)
	if !re().MatchString("xaab") {
		t.Fatal("a+b does not match xaab")
	}
	if first, second := re(), re(); first != second {
		t.Fatal("compiled again on the second call")
	}
}

func TestInvalidPanicsOnFirstUse(t *testing.T) {
	re := New(`(`) // no panic yet: nothing is compiled before use
	defer func() {
		if recover() == nil {
			t.Fatal("an invalid expression did not panic on first use")
		}
	}()
	re()
}
