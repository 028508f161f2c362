package runner

import (
	"strings"
	"sync"
)

// The wrapper keeps code it needs as a string (its ERR trap) in a variable,
// read in prelude.bash from a here-document so the source stays readable.
// But bash gives a small here-document to `read` through a pipe, and `read`
// takes a pipe one byte per read(2): when all the wrapper's code was kept
// so (8 KB), that was 8,000 system calls at every shell start
// (docs/benchmarks.md, "Checkpoints"). So the text bash gets has each
// here-document the prelude reads into a variable (`read -r -d` from
// `<<'EOF'`) turned into the assignment NAME=$'...' of the same code —
// once, when the first shell starts, not before every command's main.
var prelude = sync.OnceValue(func() string { return inlineHeredocs(preludeSource) })

// heredocOpen starts a here-document the prelude reads into a variable;
// the variable's name follows it, then heredocTag.
const (
	heredocOpen = "IFS= read -r -d '' "
	heredocTag  = " <<'EOF'"
)

// Comment lines go too: bash would parse them at every step. A scan of
// lines, not a regular expression: this runs before every command's main
// (a lazy `(?s:.*?)` over the 20 KB prelude took 2 ms of each start).
func inlineHeredocs(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	lines := strings.SplitAfter(src, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		name, ok := strings.CutPrefix(strings.TrimSuffix(l, "\n"), heredocOpen)
		if ok {
			name, ok = strings.CutSuffix(name, heredocTag)
		}
		end := i + 1
		for ok && end < len(lines) && lines[end] != "EOF\n" {
			end++
		}
		if !ok || end == len(lines) || !isName(name) {
			b.WriteString(l)
			continue
		}
		body := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(stripComments(strings.Join(lines[i+1:end], "")))
		b.WriteString(name + "=$'" + body + "'\n")
		i = end
	}
	return b.String()
}

func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// stripComments drops the lines that are only a comment (the wrapper's
// code has no here-document or multi-line string a `#` line could be in).
func stripComments(code string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(code, "\n") {
		if !strings.HasPrefix(strings.TrimLeft(l, " \t"), "#") {
			b.WriteString(l)
		}
	}
	return b.String()
}
