package lint

import (
	"fmt"
	"strings"
)

// Diff is a unified diff of two versions of a file that have the same
// number of lines (what --fix produces: it only rewrites within lines),
// with three lines of context, as `diff -u` would print it.
func Diff(name string, before, after []byte) string {
	a := strings.SplitAfter(string(before), "\n")
	b := strings.SplitAfter(string(after), "\n")
	if len(a) != len(b) {
		// Not expected from --fix; show the whole file rather than lie.
		return fmt.Sprintf("--- a/%s\n+++ b/%s\n@@ -1,%d +1,%d @@\n%s%s", name, name, len(a), len(b),
			prefixLines("-", a), prefixLines("+", b))
	}
	var changed []int
	for i := range a {
		if a[i] != b[i] {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return ""
	}
	const ctx = 3
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", name, name)
	for k := 0; k < len(changed); {
		start := max(0, changed[k]-ctx)
		end := min(len(a), changed[k]+ctx+1)
		j := k + 1
		for j < len(changed) && changed[j]-ctx <= end {
			end = min(len(a), changed[j]+ctx+1)
			j++
		}
		// A final empty piece after the last newline is not a line.
		if end == len(a) && a[end-1] == "" {
			end--
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", start+1, end-start, start+1, end-start)
		for i := start; i < end; {
			if a[i] == b[i] {
				out.WriteString(" " + noNewline(a[i]))
				i++
				continue
			}
			// A run of changed lines: the old ones, then the new ones.
			r := i
			for r < end && a[r] != b[r] {
				r++
			}
			for x := i; x < r; x++ {
				out.WriteString("-" + noNewline(a[x]))
			}
			for x := i; x < r; x++ {
				out.WriteString("+" + noNewline(b[x]))
			}
			i = r
		}
		k = j
	}
	return out.String()
}

// noNewline ends a diff line, marking a last line without a newline.
func noNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n\\ No newline at end of file\n"
}

func prefixLines(p string, lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(p + noNewline(l))
		}
	}
	return b.String()
}
