package walkthrough

import (
	"fmt"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
)

// tailLines is the last n lines of a step's captured output, escapes
// dropped, for a failure the learner did not see happen.
func tailLines(out string, n int) []string {
	out = strings.TrimRight(xansi.Strip(out), "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if j := strings.LastIndexByte(l, '\r'); j >= 0 {
			lines[i] = l[j+1:]
		}
	}
	return lines
}

// headLines is the first n lines of a step's captured output, escapes and
// \r redraws dropped, with a last line counting those left out.
func headLines(out string, n int) []string {
	out = strings.TrimRight(xansi.Strip(out), "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	more := 0
	if len(lines) > n {
		more = len(lines) - n
		lines = lines[:n]
	}
	for i, l := range lines {
		if j := strings.LastIndexByte(l, '\r'); j >= 0 {
			lines[i] = l[j+1:]
		}
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("… %s more", plural(more, "line")))
	}
	return lines
}
