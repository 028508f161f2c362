package runner

import (
	"regexp"
	"strings"
)

// The wrapper keeps code it needs as a string (its ERR trap) in a variable,
// read in prelude.bash from a here-document so the source stays readable.
// But bash gives a small here-document to `read` through a pipe, and `read`
// takes a pipe one byte per read(2): when all the wrapper's code was kept
// so (8 KB), that was 8,000 system calls at every shell start
// (docs/benchmarks.md, "Checkpoints"). So the text bash gets has each
// here-document the prelude reads into a variable (`read -r -d` from
// `<<'EOF'`) turned into the assignment NAME=$'...' of the same code.
func init() { prelude = inlineHeredocs(prelude) }

var heredocRead = regexp.MustCompile(`(?m)^IFS= read -r -d '' (\w+) <<'EOF'\n((?s:.*?))^EOF\n`)

// Comment lines go too: bash would parse them at every step.
func inlineHeredocs(src string) string {
	return heredocRead.ReplaceAllStringFunc(src, func(m string) string {
		sub := heredocRead.FindStringSubmatch(m)
		body := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(stripComments(sub[2]))
		return sub[1] + "=$'" + body + "'\n"
	})
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
