package course

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// KnownAttrs are the annotation keys coursectl acts on (docs/spec.md §2).
var KnownAttrs = []string{
	"name", "skip", "timeout", "exit", "interactive", "interact",
	"file", "append", "mode", "background", "ready",
	"compare", "normalize", "pipefail", "content", "setup",
}

// ForeignAttrs are keys other tools write on the same fences (Runme,
// MkDocs). coursectl ignores them and lint does not call them typos.
var ForeignAttrs = []string{
	"id", "closeTerminalOnSuccess", "excludeFromRunAll", "promptEnv", "cwd",
	"terminalRows", "category", "interpreter", "hl_lines", "title", "linenums",
	"label",
}

// splitInfo splits a fence info string into the language and the
// attribute text inside braces ("" when there are none).
// "sh {name=x}" → ("sh", "name=x"); "{file=a.txt}" → ("", "file=a.txt").
func splitInfo(info string) (lang, attrs string, braces bool) {
	info = strings.TrimSpace(info)
	i := strings.IndexAny(info, " \t{")
	if i < 0 {
		return info, "", false
	}
	lang = info[:i]
	rest := strings.TrimSpace(info[i:])
	if strings.HasPrefix(rest, "{") {
		end := strings.LastIndexByte(rest, '}')
		if end < 0 {
			return lang, rest[1:], true
		}
		return lang, rest[1:end], true
	}
	return lang, "", false
}

// parseAttrText parses the inside of `{...}`: `key=value key="q v" flag`,
// or Runme's JSON form `"key":"value",...`. It sets a and returns the
// problems found (bad values), without stopping at the first.
func parseAttrText(a *Attrs, text string, line int) []Problem {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, `"`) {
		var m map[string]any
		if err := json.Unmarshal([]byte("{"+text+"}"), &m); err == nil {
			return setAttrMap(a, m, line)
		}
	}
	pairs, err := splitPairs(text)
	var probs []Problem
	if err != nil {
		probs = append(probs, Problem{Line: line, Code: ProblemBadAttr, Message: err.Error()})
	}
	for _, p := range pairs {
		if err := setAttr(a, p[0], p[1], line); err != nil {
			probs = append(probs, Problem{Line: line, Code: ProblemBadAttr, Message: err.Error()})
		}
	}
	return probs
}

// splitPairs reads `key=value key="quoted" key='q' flag` (commas allowed
// between pairs, as some tools write them).
func splitPairs(s string) ([][2]string, error) {
	var out [][2]string
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != '=' && s[j] != ' ' && s[j] != '\t' && s[j] != ',' {
			j++
		}
		key := strings.TrimPrefix(s[i:j], ".") // tolerate {.class} from pandoc
		key = strings.TrimPrefix(key, "#")
		if j >= len(s) || s[j] != '=' {
			out = append(out, [2]string{key, ""})
			i = j
			continue
		}
		j++ // '='
		if j < len(s) && (s[j] == '"' || s[j] == '\'') {
			q := s[j]
			var v strings.Builder
			k := j + 1
			for ; k < len(s) && s[k] != q; k++ {
				if s[k] == '\\' && q == '"' && k+1 < len(s) {
					k++
				}
				v.WriteByte(s[k])
			}
			if k >= len(s) {
				return out, fmt.Errorf("attribute %s: unclosed %c quote — close the quote", key, q)
			}
			out = append(out, [2]string{key, v.String()})
			i = k + 1
			continue
		}
		k := j
		for k < len(s) && s[k] != ' ' && s[k] != '\t' && s[k] != ',' {
			k++
		}
		out = append(out, [2]string{key, s[j:k]})
		i = k
	}
	return out, nil
}

// setAttrMap applies attributes from YAML or JSON values.
func setAttrMap(a *Attrs, m map[string]any, line int) []Problem {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var probs []Problem
	for _, k := range keys {
		v := m[k]
		if k == "interact" || k == "normalize" {
			set := setInteract
			if k == "normalize" {
				set = setNormalize
			}
			if err := set(a, v); err != nil {
				probs = append(probs, Problem{Line: line, Code: ProblemBadAttr, Message: err.Error()})
			}
			continue
		}
		s, err := scalarString(v)
		if err != nil {
			probs = append(probs, Problem{Line: line, Code: ProblemBadAttr, Message: fmt.Sprintf("attribute %s: %v — give one value, like %s: 30s", k, err, k)})
			continue
		}
		if err := setAttr(a, k, s, line); err != nil {
			probs = append(probs, Problem{Line: line, Code: ProblemBadAttr, Message: err.Error()})
		}
	}
	return probs
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	got := fmt.Sprintf("%T", v)
	switch v.(type) {
	case []any:
		got = "a list"
	case map[string]any:
		got = "a mapping"
	}
	return "", fmt.Errorf("want a single value, got %s", got)
}

func setInteract(a *Attrs, v any) error {
	if a.Raw == nil {
		a.Raw = map[string]string{}
	}
	a.Raw["interact"] = "(list)"
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("attribute interact: want a list of {expect, send} — see docs/authoring.md")
	}
	a.Interact = nil
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return fmt.Errorf("attribute interact: item %d is not {expect, send}", i+1)
		}
		var in Interaction
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		// Sorted: with two bad keys the same one is reported every time.
		sort.Strings(keys)
		for _, k := range keys {
			val := m[k]
			s, err := scalarString(val)
			if err != nil {
				return fmt.Errorf("attribute interact: item %d %s: %v", i+1, k, err)
			}
			switch k {
			case "expect":
				in.Expect = s
			case "send":
				in.Send = s
			case "timeout":
				d, err := time.ParseDuration(s)
				if err != nil {
					return fmt.Errorf("attribute interact: item %d timeout %q: want a Go duration like 30s", i+1, s)
				}
				in.Timeout = d
			default:
				return fmt.Errorf("attribute interact: item %d: unknown key %q (want expect, send, timeout)", i+1, k)
			}
		}
		if in.Expect == "" {
			return fmt.Errorf("attribute interact: item %d has no expect — add the text to wait for", i+1)
		}
		if _, err := regexp.Compile(in.Expect); err != nil {
			return fmt.Errorf("attribute interact: item %d: expect %q is not a Go regexp: %v — escape ( ) [ ] ? with a backslash", i+1, in.Expect, regexpReason(err))
		}
		a.Interact = append(a.Interact, in)
	}
	return nil
}

// setNormalize reads a normalize list: [{match: REGEXP, with: TEXT}, ...].
func setNormalize(a *Attrs, v any) error {
	if a.Raw == nil {
		a.Raw = map[string]string{}
	}
	a.Raw["normalize"] = "(list)"
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("attribute normalize: want a list of {match: REGEXP, with: TEXT} — see docs/author-features.md")
	}
	a.Normalize = nil
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return fmt.Errorf("attribute normalize: item %d is not {match, with}", i+1)
		}
		var n Normalize
		for k, val := range m {
			s, err := scalarString(val)
			if err != nil {
				return fmt.Errorf("attribute normalize: item %d %s: %v", i+1, k, err)
			}
			switch k {
			case "match":
				n.Match = s
			case "with":
				n.With = s
			default:
				return fmt.Errorf("attribute normalize: item %d: unknown key %q (want match, with)", i+1, k)
			}
		}
		if n.Match == "" {
			return fmt.Errorf("attribute normalize: item %d has no match — add the Go regexp to rewrite", i+1)
		}
		if _, err := regexp.Compile(n.Match); err != nil {
			return fmt.Errorf("attribute normalize: item %d: match %q is not a Go regexp: %v", i+1, n.Match, err)
		}
		a.Normalize = append(a.Normalize, n)
	}
	return nil
}

func parseBool(key, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("attribute %s=%q: want true or false", key, v)
}

// setAttr applies one key=value. Unknown keys are only recorded in Raw
// (lint reports them); bad values of known keys are errors.
func setAttr(a *Attrs, key, v string, line int) error {
	if a.Raw == nil {
		a.Raw = map[string]string{}
	}
	if a.Line == 0 {
		a.Line = line
	}
	a.Raw[key] = v
	var err error
	switch key {
	case "name":
		// A name is an id people type (--from ID) and every report shows:
		// a control character in it (an OSC title, a clipboard write)
		// would act on the terminal of whoever lists the steps.
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return fmt.Errorf("attribute name=%q holds a control character — use letters, digits, dashes, dots and underscores", v)
		}
		a.Name = v
	case "skip":
		a.Skip, err = parseBool(key, v)
	case "interactive":
		a.Interactive, err = parseBool(key, v)
	case "append":
		a.Append, err = parseBool(key, v)
	case "background":
		a.Background, err = parseBool(key, v)
	case "timeout":
		var d time.Duration
		d, err = time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("attribute timeout=%q: want a Go duration like 30s or 2m", v)
		}
		a.Timeout = d
	case "exit":
		if v == "any" || v == "*" {
			a.ExitAny, a.Exit = true, nil
			return nil
		}
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 || n > 255 {
			return fmt.Errorf("attribute exit=%q: want a status 0-255 or any", v)
		}
		a.Exit, a.ExitAny = &n, false
	case "file":
		if err := checkFilePath(v); err != nil {
			return fmt.Errorf("attribute file=%q: %v", v, err)
		}
		a.File = v
	case "mode":
		// Permission bits only: setuid, setgid and sticky (07777) are not
		// what a file block is for, and the runner would refuse them late.
		if m, perr := strconv.ParseUint(v, 8, 32); perr != nil || m > 0o777 {
			return fmt.Errorf("attribute mode=%q: want octal permissions from 0000 to 0777, like 0755", v)
		}
		a.Mode = v
	case "ready":
		if _, rerr := regexp.Compile(v); rerr != nil {
			return fmt.Errorf("attribute ready=%q is not a Go regexp: %v — escape ( ) [ ] with a backslash", v, regexpReason(rerr))
		}
		a.Ready = v
	case "compare":
		switch v {
		case CompareExact, CompareBlanks, CompareWords, CompareNone:
			a.Compare = v
		default:
			return fmt.Errorf("attribute compare=%q: want exact, blanks, words or none", v)
		}
	case "pipefail":
		var b bool
		b, err = parseBool(key, v)
		a.Pipefail = &b
	case "content":
		a.Content = &v
	case "setup":
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("attribute setup: want the commands to run before the step, like setup: mkdir -p raw")
		}
		a.Setup = v
	case "interact", "normalize":
		return fmt.Errorf("attribute %s: write it as YAML in a <!-- coursectl --> comment or coursectl.yaml — see docs/authoring.md", key)
	}
	return err
}

// merge applies the keys set in over (those in its Raw) on top of a.
func (a *Attrs) merge(over Attrs) {
	if over.Raw == nil {
		return
	}
	if a.Raw == nil {
		a.Raw = map[string]string{}
	}
	for k, v := range over.Raw {
		a.Raw[k] = v
		switch k {
		case "name":
			a.Name = over.Name
		case "skip":
			a.Skip = over.Skip
		case "interactive":
			a.Interactive = over.Interactive
		case "append":
			a.Append = over.Append
		case "background":
			a.Background = over.Background
		case "timeout":
			a.Timeout = over.Timeout
		case "exit":
			a.Exit, a.ExitAny = over.Exit, over.ExitAny
		case "file":
			a.File = over.File
		case "mode":
			a.Mode = over.Mode
		case "ready":
			a.Ready = over.Ready
		case "interact":
			a.Interact = over.Interact
		case "compare":
			a.Compare = over.Compare
		case "pipefail":
			a.Pipefail = over.Pipefail
		case "content":
			a.Content, a.ContentAt = over.Content, over.ContentAt
		case "setup":
			a.Setup, a.SetupAt = over.Setup, over.SetupAt
		case "normalize":
			// Rewrites add up, the outer level's first: a module's
			// `/Users/nelle` rewrite still holds for a step that adds its own.
			a.Normalize = append(a.Normalize[:len(a.Normalize):len(a.Normalize)], over.Normalize...)
		}
	}
	if a.Line == 0 {
		a.Line = over.Line
	}
}

// Suggest returns the known key closest to an unknown one (edit distance
// at most 2), or "" — for "did you mean timeout?".
func Suggest(key string) string { return suggestFrom(key, KnownAttrs) }

// Nearest is the word of known closest to word (edit distance at most 2,
// case ignored), or "": the one "did you mean" of every coursectl message.
func Nearest(word string, known []string) string { return suggestFrom(word, known) }

func suggestFrom(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if unicode.ToLower(ra[i-1]) == unicode.ToLower(rb[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// checkFilePath refuses a file= path that can never name a file to write,
// at parse time, so lint reports it and check refuses the module before
// anything runs (the runner would refuse it only when the step is reached).
func checkFilePath(p string) error {
	switch {
	case p == "":
		return errors.New("want a path, like file=app.py")
	case strings.ContainsRune(p, 0):
		return errors.New("a path cannot hold a NUL byte")
	case strings.HasSuffix(p, "/") || p == "~" || p == "." || p == ".." || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/.."):
		return errors.New("names a directory — give a file name")
	case strings.HasPrefix(p, "~") && !strings.HasPrefix(p, "~/"):
		return errors.New("only ~ and ~/ are understood, not ~user — write ~/PATH or a path relative to the workdir")
	}
	return nil
}

// regexpReason is a regexp error without the pattern, which the message
// already quotes.
func regexpReason(err error) string {
	var re *syntax.Error
	if errors.As(err, &re) {
		return string(re.Code)
	}
	return err.Error()
}
