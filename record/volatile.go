package record

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Volatile output: what a command prints that will differ when check runs
// it again — dates, times, durations, PIDs, temporary and sandbox paths,
// the user and host names. A line holding any of these is written as a
// ` (re)` line (expect/match.go) in which each such part is a pattern and
// the rest is literal; the whole output of commands that print nothing but
// the state of the machine (ps, df, env...) is written as `...`.

// volatility holds what is particular to this recording.
type volatility struct {
	// paths are the sandbox's (or the author's) workdir and HOME: check
	// runs in other ones. Longest first.
	paths []string
	// names are the user and host names.
	names []string
}

func newVolatility(workdir, home, user, host string) *volatility {
	v := &volatility{}
	for _, p := range []string{workdir, home} {
		if len(p) > 1 {
			v.paths = append(v.paths, p)
		}
	}
	sort.Slice(v.paths, func(i, j int) bool { return len(v.paths[i]) > len(v.paths[j]) })
	for _, n := range []string{user, host} {
		// Short names would match ordinary words.
		if len(n) >= 3 {
			v.names = append(v.names, n)
		}
	}
	return v
}

// span is a volatile part of a line and the pattern that stands for it.
type span struct {
	start, end int
	pattern    string
}

const (
	monthNames   = `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?`
	weekdayNames = `(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?`
)

// volatilePatterns are compiled on first use: only record needs them, and
// a package-level regexp is compiled before every command's main
// (docs/benchmarks.md, "Start-up").
var volatilePatterns = sync.OnceValue(func() *patterns {
	return &patterns{
		isoDate:   regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?\b`),
		clockTime: regexp.MustCompile(`\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:AM|PM|am|pm))?(?:\s+(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2})\b)?`),
		monthDay:  regexp.MustCompile(`\b` + monthNames + `\s+\d{1,2}\b`),
		dayMonth:  regexp.MustCompile(`\b\d{1,2}\s+` + monthNames + `(?:\s|$)`),
		weekday:   regexp.MustCompile(`\b` + weekdayNames),
		year:      regexp.MustCompile(`\b(?:19|20)\d{2}\b`),
		duration:  regexp.MustCompile(`\b\d+m\d+(?:\.\d+)?s\b|\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s)\b|\b\d+(?:\.\d+)? (?:seconds?|secs?|minutes?|mins?|milliseconds?)\b`),
		tempName:  regexp.MustCompile(`\btmp\.[A-Za-z0-9]{6,}\b`),
		pidNumber: regexp.MustCompile(`(?i)\b(?:pid|process)[ =:#]*\d+\b`),
		digits:    regexp.MustCompile(`\d+`),
		blanks:    regexp.MustCompile(`[ \t]+`),
	}
})

type patterns struct {
	// Anchors: one of these makes a line a date line.
	isoDate, clockTime, monthDay, dayMonth *regexp.Regexp
	// In a date line only.
	weekday, year *regexp.Regexp
	// Durations: `time`'s 0m0.003s, 1.5s, 12ms, 3 seconds.
	duration *regexp.Regexp
	// mktemp's names: /tmp/tmp.Xa3b9QkLmZ.
	tempName *regexp.Regexp
	// A number that says it is a process id.
	pidNumber, digits, blanks *regexp.Regexp
}

// shape turns a token into a pattern of its shape: each run of digits
// `\d+`, each run of letters (a month, a zone) `[A-Za-z]+`, blanks `\s+`,
// the rest literal.
func shape(tok string) string {
	var b strings.Builder
	for i := 0; i < len(tok); {
		c := tok[i]
		j := i + 1
		switch {
		case c >= '0' && c <= '9':
			for j < len(tok) && tok[j] >= '0' && tok[j] <= '9' {
				j++
			}
			b.WriteString(`\d+`)
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			for j < len(tok) && (tok[j] >= 'a' && tok[j] <= 'z' || tok[j] >= 'A' && tok[j] <= 'Z') {
				j++
			}
			b.WriteString(`[A-Za-z]+`)
		case c == ' ' || c == '\t':
			for j < len(tok) && (tok[j] == ' ' || tok[j] == '\t') {
				j++
			}
			b.WriteString(`\s+`)
		default:
			b.WriteString(regexp.QuoteMeta(tok[i:j]))
		}
		i = j
	}
	return b.String()
}

// spans finds the volatile parts of line.
func (v *volatility) spans(line string) []span {
	var out []span
	pat := volatilePatterns()
	add := func(re *regexp.Regexp, pattern func(string) string) {
		for _, m := range re.FindAllStringIndex(line, -1) {
			out = append(out, span{m[0], m[1], pattern(line[m[0]:m[1]])})
		}
	}
	for _, p := range v.paths {
		for i := 0; ; {
			j := strings.Index(line[i:], p)
			if j < 0 {
				break
			}
			// The directory itself or a path below it, not a longer name.
			end := i + j + len(p)
			if end == len(line) || strings.ContainsRune("/ \t:'\"", rune(line[end])) {
				out = append(out, span{i + j, end, `.+`})
			}
			i = end
		}
	}
	before := len(out)
	add(pat.isoDate, shape)
	add(pat.clockTime, func(tok string) string {
		// A zone may be another on the machine that runs check.
		if f := strings.Fields(tok); len(f) > 1 {
			last := f[len(f)-1]
			if last != "AM" && last != "PM" && last != "am" && last != "pm" {
				head := strings.TrimRight(strings.TrimSuffix(tok, last), " \t")
				return shape(head) + `\s+\S+`
			}
		}
		return shape(tok)
	})
	n := len(out)
	add(pat.monthDay, shape)
	if len(out) == n {
		// `10 Jun 2025`, unless the month came first (`6 Jun 10` in ls -l
		// is a size, then the date).
		add(pat.dayMonth, shape)
	}
	if len(out) > before {
		// A date line: its weekday and year are the date's too.
		add(pat.weekday, shape)
		add(pat.year, shape)
	}
	add(pat.duration, func(tok string) string {
		if strings.Contains(tok, " ") {
			return `[0-9.]+ [a-z]+`
		}
		if strings.Contains(tok, "m") && !strings.HasSuffix(tok, "ms") {
			return `\d+m[0-9.]+s`
		}
		return `[0-9.]+(?:ns|µs|us|ms|s)`
	})
	add(pat.tempName, func(string) string { return `tmp\.\w+` })
	add(pat.pidNumber, func(tok string) string { return pat.digits.ReplaceAllLiteralString(regexp.QuoteMeta(tok), `\d+`) })
	for _, n := range v.names {
		add(regexp.MustCompile(`\b`+regexp.QuoteMeta(n)+`\b`), func(string) string { return `\S+` })
	}
	return merge(out)
}

// merge orders spans and drops those that overlap an earlier (or, at the
// same start, a longer) one.
func merge(s []span) []span {
	sort.Slice(s, func(i, j int) bool {
		if s[i].start != s[j].start {
			return s[i].start < s[j].start
		}
		return s[i].end > s[j].end
	})
	var out []span
	end := 0
	for _, sp := range s {
		if sp.start < end {
			continue
		}
		out = append(out, sp)
		end = sp.end
	}
	return out
}

// generalise returns line as a ` (re)` pattern when it holds volatile
// parts; ok is false when it holds none.
func (v *volatility) generalise(line string) (string, bool) {
	sp := v.spans(line)
	if len(sp) == 0 {
		return line, false
	}
	var b strings.Builder
	at := 0
	literal := func(s string) {
		// Runs of blanks are `\s+`: padding moves with the width of what
		// varies (date pads a one-digit day), and compare: blanks folds them.
		parts := volatilePatterns().blanks.Split(s, -1)
		for i, p := range parts {
			if i > 0 {
				b.WriteString(`\s+`)
			}
			b.WriteString(regexp.QuoteMeta(p))
		}
	}
	lead := len(line) - len(strings.TrimLeft(line, " \t"))
	if lead > 0 {
		b.WriteString(`\s*`)
		at = lead
	}
	for _, s := range sp {
		if s.start < at {
			continue
		}
		literal(line[at:s.start])
		b.WriteString(s.pattern)
		at = s.end
	}
	literal(line[at:])
	return b.String() + " (re)", true
}

// stateCommands print the state of the machine: their output is `...`.
var stateCommands = map[string]bool{
	"ps": true, "top": true, "htop": true, "uptime": true, "free": true, "df": true, "du": true,
	"who": true, "w": true, "env": true, "printenv": true, "history": true, "hostname": true,
	"ip": true, "ifconfig": true, "netstat": true, "ss": true, "lsof": true, "pgrep": true,
	"vmstat": true, "iostat": true, "last": true, "id": true, "groups": true,
}

// volatileCommand reports whether line's output is the machine's state.
func volatileCommand(line string) bool {
	f := strings.Fields(line)
	for len(f) > 0 && (f[0] == "sudo" || f[0] == "command" || f[0] == "time" || strings.Contains(f[0], "=")) {
		f = f[1:]
	}
	if len(f) == 0 {
		return false
	}
	if f[0] == "uname" {
		// uname alone is the kernel's name; -a, -r, -v the machine's.
		return len(f) > 1 && f[1] != "-s"
	}
	return stateCommands[f[0]]
}
