package runner

// Fakes stand in for commands a check cannot run (the network, root):
// each is a small bash script named after the command, in a directory put
// first on PATH, so the module's own text runs unchanged. Every call is
// appended to a log that the runner reads after each step, so a report
// can say "wget was faked with these arguments" instead of hiding it.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/result"
)

// Fakes is a directory of shims and the log of their calls.
type Fakes struct {
	// Dir holds one executable per faked command; put it first on PATH.
	Dir string
	log string
	// shellDir and shellLog are Dir and the log as the shell sees them (a
	// container's mount of the scratch directory).
	shellDir, shellLog string
	// read is how much of the log earlier Calls have consumed.
	read int64
}

// NewFakes writes a shim for each command of fakes (name → bash snippet)
// into dir, replacing any shims already there, with bash the interpreter
// to use.
func NewFakes(dir string, fakes map[string]string, bash string) (*Fakes, error) {
	return newFakes(dir, fakes, bash, nil)
}

// newFakes is NewFakes for a shell that sees dir elsewhere (inside maps a
// host path to its path; nil for the same) and runs bash there.
func newFakes(dir string, fakes map[string]string, bash string, inside func(string) string) (*Fakes, error) {
	if inside == nil {
		inside = func(p string) string { return p }
	}
	names := make([]string, 0, len(fakes))
	for name := range fakes {
		if err := checkFakeName(name); err != nil {
			return nil, fmt.Errorf("fakes: %w", err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if err := refuseBuiltins(bash, names); err != nil {
		return nil, fmt.Errorf("fakes: %w", err)
	}
	// Shims left by an earlier run with other fakes must not linger.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f := &Fakes{Dir: dir, log: filepath.Join(dir, ".calls")}
	f.shellDir, f.shellLog = inside(dir), inside(f.log)
	if err := os.WriteFile(f.log, nil, 0o644); err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(f.shim(name, fakes[name], bash)), 0o755); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// checkFakeName refuses names that are not a plain command a shim could
// stand in for. The parser refuses them first (course.CheckFakeName); this
// guards modules built some other way.
func checkFakeName(name string) error { return course.CheckFakeName(name) }

// refuseBuiltins fails for a name bash runs itself (a builtin such as
// `cd` or `read`, or a keyword): a shim on PATH would never be called,
// and a fake that silently does nothing is worse than an error.
func refuseBuiltins(bash string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	out, err := exec.Command(bash, append([]string{"--norc", "--noprofile", "-c", `for n; do t=$(type -t -- "$n"); case $t in builtin|keyword) echo "$n $t";; esac; done`, "bash"}, names...)...).Output()
	if err != nil {
		return fmt.Errorf("asking %s which fakes are builtins: %v", bash, err)
	}
	if line, _, _ := strings.Cut(string(out), "\n"); line != "" {
		name, kind, _ := strings.Cut(line, " ")
		return fmt.Errorf("%q is a bash %s, which a fake on PATH cannot stand in for — fake the programs it runs instead", name, kind)
	}
	return nil
}

// shim is the script standing in for name. It records the call first —
// the argument count, then each word NUL-terminated, so arguments holding
// newlines or spaces read back exactly — and then runs the snippet with
// the call's arguments as "$@".
func (f *Fakes) shim(name, snippet, bash string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!%s\n", bash)
	fmt.Fprintf(&b, "# coursectl fake for %s: stands in for it during check (--no-fakes runs the real one)\n", name)
	fmt.Fprintf(&b, "printf '%%s\\0' \"$(( $# + 1 ))\" %s \"$@\" >> %s\n", shellWord(name), shellWord(f.shellLog))
	b.WriteString(snippet)
	if !strings.HasSuffix(snippet, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// PathEnv returns the PATH value with the shims first.
func (f *Fakes) PathEnv(path string) string {
	if path == "" {
		return f.shellDir
	}
	return f.shellDir + string(os.PathListSeparator) + path
}

// Calls returns the calls made since the last Calls, in order. A nil
// *Fakes (fakes off) has none.
func (f *Fakes) Calls() ([]result.FakeCall, error) {
	if f == nil {
		return nil, nil
	}
	file, err := openNoFollow(f.log)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	if _, err := file.Seek(f.read, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	calls, used := parseFakeCalls(data)
	f.read += int64(used)
	return calls, nil
}

// parseFakeCalls decodes complete records from data and says how many
// bytes they took; a record still being written is left for next time.
func parseFakeCalls(data []byte) (calls []result.FakeCall, used int) {
	field := func(at int) (string, int, bool) {
		end := bytes.IndexByte(data[at:], 0)
		if end < 0 {
			return "", 0, false
		}
		return string(data[at : at+end]), at + end + 1, true
	}
	for used < len(data) {
		countText, at, ok := field(used)
		if !ok {
			break
		}
		count, err := strconv.Atoi(countText)
		if err != nil || count < 1 {
			// Not a record this shim wrote: skip to the end rather than
			// misread everything after it.
			used = len(data)
			break
		}
		words := make([]string, 0, count)
		for len(words) < count {
			var w string
			if w, at, ok = field(at); !ok {
				return calls, used
			}
			words = append(words, w)
		}
		calls = append(calls, result.FakeCall{Command: words[0], Args: words[1:]})
		used = at
	}
	return calls, used
}

// shellWord quotes s for bash only when it needs it, so reports read
// naturally (`apt install docker.io`, not `'apt' ...`).
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == '+' || r == ',' || r == '@' || r == '%' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
