package runner

import (
	"strings"
	"syscall"

	"github.com/coursectl/coursectl/internal/lazyre"
)

// bash's own words for a process killed by a signal (strsignal), as it
// reports a foreground job that died of one.
var signalWords = map[syscall.Signal]string{
	syscall.SIGINT:  "Interrupt",
	syscall.SIGTERM: "Terminated",
	syscall.SIGKILL: "Killed",
}

// stopReport matches the two forms of bash's job-status line for a
// foreground job killed by a signal: the interactive shell's bare
// `Terminated`, and a non-interactive bash's (a script the step ran)
// `NAME: line N:  PID Terminated              COMMAND`. A course's own
// background job's report (`[1]+  Terminated  sleep 5`) matches neither.
var (
	stopReportBare   = lazyre.New(`^(Interrupt|Terminated|Killed)(?: \(core dumped\))?$`)
	stopReportScript = lazyre.New(`^.*: line \d+: +\d+ (Interrupt|Terminated|Killed)(?: \(core dumped\))?(?: +.*)?$`)
)

// dropStopReports takes out of a step's output the lines at its end that are
// the shell's report of a signal the runner sent to stop the step (sent):
// noise made by coursectl, not by the course. Only trailing lines, and only
// for those signals, so a course's own `kill` earlier in the step keeps its
// report. It returns the output and how many lines it took out.
func dropStopReports(output string, sent []syscall.Signal) (string, int) {
	words := map[string]bool{}
	for _, sig := range sent {
		if w, ok := signalWords[sig]; ok {
			words[w] = true
		}
	}
	if len(words) == 0 {
		return output, 0
	}
	dropped := 0
	for {
		body := strings.TrimSuffix(output, "\n")
		start := strings.LastIndexByte(body, '\n') + 1
		line := strings.TrimRight(body[start:], " ")
		m := stopReportBare().FindStringSubmatch(line)
		if m == nil {
			m = stopReportScript().FindStringSubmatch(line)
		}
		if m == nil || !words[m[1]] {
			return output, dropped
		}
		output = body[:start]
		dropped++
	}
}
