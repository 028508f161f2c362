package course

import (
	"strings"

	"github.com/coursectl/coursectl/shellsyntax"
)

// shellState is the line-by-line view of where a command ends that
// TestShellComplete pins: lines fed so far, and whether bash would stop
// asking for more (shellsyntax.Complete).
type shellState struct{ lines []string }

func (s *shellState) feed(line string) { s.lines = append(s.lines, line) }

func (s *shellState) complete() bool {
	return shellsyntax.Complete(strings.Join(s.lines, "\n"))
}
