package render

import "testing"

// The watch loop re-renders on every save (issue 6: save → new screen in
// 100 ms for the seed); these measure the rendering part of that.
func BenchmarkTerminalModuleSeed(b *testing.B) {
	mod := seedModule(b)
	tm := Terminal{Width: 100, Color: true, Hyperlinks: true}
	for b.Loop() {
		_ = tm.Module(mod, nil)
	}
}

func BenchmarkHTMLSeed(b *testing.B) {
	mod := seedModule(b)
	rec := seedRecord()
	for b.Loop() {
		if _, err := HTML(mod, rec); err != nil {
			b.Fatal(err)
		}
	}
}
