package course

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/coursectl/coursectl/internal/lazyre"
)

// SidecarName is the settings file read beside a module.
const SidecarName = "coursectl.yaml"

// frontMatter finds a YAML front matter block (`---` on the first line to
// the next `---` or `...` line). It returns the YAML, the number of bytes
// the block takes (closing line included) and whether there was one.
func frontMatter(src []byte) (yml []byte, end int, ok bool) {
	first, rest, found := bytes.Cut(src, []byte("\n"))
	if !found || string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, 0, false
	}
	off := len(first) + 1
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		t := string(bytes.TrimRight(line, " \t\r"))
		if t == "---" || t == "..." {
			end = off + len(line)
			if end < len(src) {
				end++ // the newline
			}
			return src[len(first)+1 : off], end, true
		}
		off += len(line) + 1
		rest = next
	}
	return nil, 0, false
}

// settingsFromYAML decodes one module's settings mapping (the value under
// `coursectl:` in front matter, or under the module's name in the sidecar).
// line is added to the YAML's own line numbers in problems.
// where says whose settings they are, for messages ("under coursectl:").
func settingsFromYAML(node *yaml.Node, file string, lineOff int, where string) (Settings, error) {
	var s Settings
	var raw map[string]any
	// yaml.v3's own message spans lines ("unmarshal errors:\n  line 3: ...")
	// and a message is one line.
	if node.Kind != yaml.MappingNode && !(node.Kind == yaml.ScalarNode && node.Tag == "!!null") {
		return s, &PosError{File: file, Line: node.Line + lineOff,
			Err: fmt.Errorf("settings %s: want a mapping of settings, got %s — give keys such as %s", where, yamlKind(node), strings.Join(SettingKeys, ", "))}
	}
	if err := duplicateKeyError(node, file, lineOff); err != nil {
		return s, err
	}
	if err := node.Decode(&raw); err != nil {
		return s, yamlError(file, lineOff, err, "settings "+strings.TrimSuffix(where, ":")+": ", "want a mapping of "+strings.Join(SettingKeys, ", "))
	}
	s.Raw = raw
	s.Source = file
	posErr := func(key string, format string, a ...any) error {
		line := node.Line + lineOff
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == key {
				line = node.Content[i].Line + lineOff
			}
		}
		return &PosError{File: file, Line: line, Err: fmt.Errorf(format, a...)}
	}
	s.Problems = unknownSettings(node, file, lineOff, where)
	// In the order written, so that of several bad keys the first is
	// reported, the same one every time.
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, vnode := node.Content[i].Value, node.Content[i+1]
		v := raw[k]
		at := Pos{File: file, Line: node.Content[i].Line + lineOff}
		switch k {
		case "setup":
			str, err := scalarString(v)
			if err != nil {
				return s, posErr(k, "setup: %v — give the commands as one string (a YAML block: setup: |)", err)
			}
			// SetupAt is the line of the first command: a block scalar
			// (setup: |) starts on the line after its key.
			s.Setup, s.SetupAt = str, at
			if vnode.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				s.SetupAt.Line = vnode.Line + lineOff + 1
			}
		case "sections", "divs":
			rules, err := rulesFromYAML(k, vnode, file, lineOff)
			if err != nil {
				return s, err
			}
			if k == "sections" {
				s.Sections = rules
			} else {
				s.Divs = rules
			}
		case "compare", "normalize", "pipefail":
			if err := onlyKnownAttrs(map[string]any{k: v}); err != nil {
				return s, posErr(k, "%v", err)
			}
			probs := setAttrMap(&s.Attrs, map[string]any{k: v}, at.Line)
			if len(probs) > 0 {
				return s, posErr(k, "%s", probs[0].Message)
			}
		case "timeout", "run-timeout":
			str, _ := scalarString(v)
			d, err := time.ParseDuration(str)
			if err != nil || d <= 0 {
				return s, posErr(k, "%s %q: want a positive Go duration like 5m", k, str)
			}
			if k == "timeout" {
				s.Timeout = d
			} else {
				s.RunTimeout = d
			}
		case "fakes", "env":
			m, ok := v.(map[string]any)
			if !ok && v != nil {
				return s, posErr(k, "%s: want a mapping of name: value", k)
			}
			out := map[string]string{}
			for _, mk := range orderedKeys(vnode, m) {
				if k == "env" && mk == "exclude" {
					// Names (shell patterns) no checkpoint keeps: a list,
					// so it cannot be taken for a variable named exclude.
					list, ok := m[mk].([]any)
					if !ok {
						return s, posErr(k, "env.exclude: want a list of variable names or patterns, like [AWS_*, GITHUB_TOKEN]")
					}
					for _, it := range list {
						str, err := scalarString(it)
						if err != nil || str == "" {
							return s, posErr(k, "env.exclude: want a list of variable names or patterns, like [AWS_*, GITHUB_TOKEN]")
						}
						if _, err := path.Match(str, ""); err != nil {
							return s, posErr(k, "env.exclude: %q is not a valid pattern: %v", str, err)
						}
						s.EnvExclude = append(s.EnvExclude, str)
					}
					continue
				}
				str, err := scalarString(m[mk])
				if err != nil {
					return s, posErr(k, "%s.%s: %v", k, mk, err)
				}
				var nameErr error
				if k == "fakes" {
					nameErr = CheckFakeName(mk)
				} else if !envNameRE().MatchString(mk) {
					// bash drops such a variable from its environment
					// without a word; the steps would not see it.
					nameErr = fmt.Errorf("%q is not a variable name — use letters, digits and _, not starting with a digit", mk)
				}
				if nameErr != nil {
					line := node.Line + lineOff
					if kn := mappingKey(vnode, mk); kn != nil {
						line = kn.Line + lineOff
					}
					return s, &PosError{File: file, Line: line, Err: fmt.Errorf("%s: %v", k, nameErr)}
				}
				out[mk] = str
			}
			if k == "fakes" {
				s.Fakes = out
			} else {
				s.Env = out
			}
		case "sandbox":
			str, err := scalarString(v)
			if err != nil || !validSandbox(str) {
				return s, posErr(k, "sandbox: want dir, docker or docker:IMAGE")
			}
			s.Sandbox, s.SandboxAt = str, at
		case "docker":
			if where == "docker:" {
				return s, posErr(k, "docker: the container's own settings go in one docker: mapping, not nested")
			}
			sub, err := settingsFromYAML(vnode, file, lineOff, "docker:")
			if err != nil {
				return s, err
			}
			// A fake given as ~ (null) is not faked in the container.
			dm, _ := raw[k].(map[string]any)
			if fm, ok := dm["fakes"].(map[string]any); ok {
				for name, val := range fm {
					if val == nil {
						if sub.Fakes == nil {
							sub.Fakes = map[string]string{}
						}
						sub.Fakes[name] = unfaked
					}
				}
			}
			s.Problems = append(s.Problems, sub.Problems...)
			sub.Problems = nil
			s.Docker = &sub
		case "workdir":
			str, err := scalarString(v)
			if err != nil {
				return s, posErr(k, "workdir: %v", err)
			}
			if vnode.Tag == "!!null" && vnode.Value == "~" {
				// YAML reads a bare ~ as null; an author writing
				// `workdir: ~` means the home directory.
				str = "~"
			}
			s.Workdir, s.WorkdirAt = str, at
		case "steps":
			m, ok := v.(map[string]any)
			if !ok && v != nil {
				return s, posErr(k, "steps: want a mapping of step id to attributes")
			}
			s.Steps = map[string]Attrs{}
			// An error names the line of the attribute at fault, else of
			// the step's id, else of steps: itself.
			stepErr := func(id, attr string, format string, a ...any) error {
				line := 0
				if attr != "" {
					line = attrKeyLine(stepNode(vnode, id), attr, lineOff)
				}
				if line == 0 {
					line = attrKeyLine(vnode, id, lineOff)
				}
				if line == 0 {
					return posErr(k, format, a...)
				}
				return &PosError{File: file, Line: line, Err: fmt.Errorf(format, a...)}
			}
			for _, id := range orderedKeys(vnode, m) {
				am, ok := m[id].(map[string]any)
				if !ok && m[id] != nil {
					return s, stepErr(id, "", "steps.%s: want a mapping of attributes", id)
				}
				for _, attr := range orderedKeys(stepNode(vnode, id), am) {
					if err := onlyKnownAttrs(map[string]any{attr: am[attr]}); err != nil {
						return s, stepErr(id, attr, "steps.%s: %v", id, err)
					}
					if attr == "name" {
						return s, stepErr(id, attr, "steps.%s: name renames nothing here: the key under steps: is the step's id — give the name on the fence ({name=...}) and use it as the key", id)
					}
				}
				for _, attr := range orderedKeys(stepNode(vnode, id), am) {
					var one Attrs
					if probs := setAttrMap(&one, map[string]any{attr: am[attr]}, 0); len(probs) > 0 {
						return s, stepErr(id, attr, "steps.%s: %s", id, probs[0].Message)
					}
				}
				var a Attrs
				if probs := setAttrMap(&a, am, 0); len(probs) > 0 {
					return s, stepErr(id, "", "steps.%s: %s", id, probs[0].Message)
				}
				if a.Append && a.File == "" {
					return s, stepErr(id, "append", "steps.%s: append adds the fence to a file — give the file too: {file: PATH, append: true}", id)
				}
				if a.Raw == nil {
					a.Raw = map[string]string{}
				}
				if a.Setup != "" {
					a.SetupAt = Pos{File: file, Line: attrValueLine(stepNode(vnode, id), "setup", lineOff)}
				}
				if a.Content != nil {
					a.ContentAt = Pos{File: file, Line: attrKeyLine(stepNode(vnode, id), "content", lineOff)}
				}
				s.Steps[id] = a
			}
			s.StepKeys = stepKeys(node, k, file, lineOff)
		}
	}
	return s, nil
}

// orderedKeys are the keys of m in the order node (the mapping m was
// decoded from) writes them, then any others (from a YAML merge key)
// sorted: the first bad one is reported, the same one every time.
func orderedKeys(node *yaml.Node, m map[string]any) []string {
	keys := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for node != nil && node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if node != nil && node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			k := node.Content[i].Value
			if _, ok := m[k]; ok && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// mappingKey is the key node of key in a mapping node, nil if absent.
func mappingKey(node *yaml.Node, key string) *yaml.Node {
	for node != nil && node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if node == nil || node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i]
		}
	}
	return nil
}

// CheckFakeName refuses a fakes key that no shim on PATH could stand in
// for: not a plain command name (a path, "..", ""), or a word bash runs
// itself (a builtin such as cd or echo, a keyword) — such a fake would
// never be called, and a check that passes because nothing was faked is
// worse than an error.
func CheckFakeName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%q is not a command name", name)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("%q: give the command's name, not a path (a fake is found on PATH)", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%q: command names starting with a dot are not supported", name)
	case strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return fmt.Errorf("%q: a command name has no blanks or control characters", name)
	case slices.Contains(bashBuiltins, name):
		return fmt.Errorf("%q is a bash builtin, which a fake on PATH cannot stand in for — fake the programs it runs instead", name)
	case slices.Contains(bashKeywords, name):
		return fmt.Errorf("%q is a bash keyword, which a fake on PATH cannot stand in for", name)
	}
	return nil
}

// bashBuiltins and bashKeywords are bash 5's (compgen -b, compgen -k).
var (
	bashBuiltins = strings.Fields(". : [ alias bg bind break builtin caller cd command compgen complete compopt " +
		"continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history " +
		"jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift " +
		"shopt source suspend test times trap true type typeset ulimit umask unalias unset wait")
	bashKeywords = strings.Fields("if then else elif fi case esac for select while until do done in function time { } ! [[ ]] coproc")
)

// mergeSettings lays over on top of base, key by key.
func mergeSettings(base, over Settings) Settings {
	out := base
	if over.Timeout != 0 {
		out.Timeout = over.Timeout
	}
	if over.RunTimeout != 0 {
		out.RunTimeout = over.RunTimeout
	}
	if over.Workdir != "" {
		out.Workdir, out.WorkdirAt = over.Workdir, over.WorkdirAt
	}
	if over.Setup != "" {
		out.Setup, out.SetupAt = over.Setup, over.SetupAt
	}
	if over.Sandbox != "" {
		out.Sandbox, out.SandboxAt = over.Sandbox, over.SandboxAt
	}
	switch {
	case base.Docker != nil && over.Docker != nil:
		d := mergeSettings(*base.Docker, *over.Docker)
		out.Docker = &d
	case over.Docker != nil:
		out.Docker = over.Docker
	}
	out.Attrs.Raw = maps.Clone(base.Attrs.Raw) // merge writes to it
	out.Attrs.merge(over.Attrs)
	// Nearer rules come later: they are applied after, so they win.
	out.Sections = append(append([]Rule(nil), base.Sections...), over.Sections...)
	out.Divs = append(append([]Rule(nil), base.Divs...), over.Divs...)
	out.Fakes = mergeMap(base.Fakes, over.Fakes)
	out.Env = mergeMap(base.Env, over.Env)
	out.EnvExclude = append(slices.Clone(base.EnvExclude), over.EnvExclude...)
	if len(over.Steps) > 0 {
		out.Steps = map[string]Attrs{}
		for k, v := range base.Steps {
			out.Steps[k] = v
		}
		for k, v := range over.Steps {
			a := out.Steps[k]
			a.merge(v)
			out.Steps[k] = a
		}
	}
	if over.Raw != nil {
		out.Raw = map[string]any{}
		for k, v := range base.Raw {
			out.Raw[k] = v
		}
		for k, v := range over.Raw {
			out.Raw[k] = v
		}
	}
	if over.Source != "" {
		out.Source = over.Source
	}
	if len(over.StepKeys) > 0 {
		out.StepKeys = map[string]Pos{}
		for k, v := range base.StepKeys {
			out.StepKeys[k] = v
		}
		for k, v := range over.StepKeys {
			out.StepKeys[k] = v
		}
	}
	out.Problems = append(append([]Problem(nil), base.Problems...), over.Problems...)
	return out
}

// SettingKeys are the keys a module's settings may have (docs/spec.md §2).
var SettingKeys = []string{"timeout", "run-timeout", "fakes", "env", "workdir", "setup", "compare", "normalize", "pipefail", "sections", "divs", "steps", "sandbox", "docker"}

// unknownSettings reports the keys of a settings mapping coursectl does
// not know: a typo such as `timout:` would otherwise be ignored without a
// word, and the step would run with the default timeout.
func unknownSettings(node *yaml.Node, file string, lineOff int, where string) []Problem {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	var probs []Problem
	for i := 0; i+1 < len(node.Content); i += 2 {
		key := node.Content[i]
		if slices.Contains(SettingKeys, key.Value) {
			continue
		}
		hint := "the keys are " + strings.Join(SettingKeys, ", ")
		if sug := suggestFrom(key.Value, SettingKeys); sug != "" {
			hint = "did you mean " + sug + "?"
		}
		probs = append(probs, Problem{File: file, Line: key.Line + lineOff, Code: ProblemUnknownKey,
			Message: fmt.Sprintf("unknown setting %q %s — %s", key.Value, where, hint)})
	}
	return probs
}

// stepKeys is where each id under the steps: key of node was written.
func stepKeys(node *yaml.Node, key, file string, lineOff int) map[string]Pos {
	out := map[string]Pos{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value != key {
			continue
		}
		steps := node.Content[i+1]
		for j := 0; j+1 < len(steps.Content); j += 2 {
			out[steps.Content[j].Value] = Pos{File: file, Line: steps.Content[j].Line + lineOff}
		}
	}
	return out
}

// yamlLineRE finds the line yaml.v3 puts in its messages ("yaml: line 3:
// ..." for syntax, "line 3: ..." in an unmarshal error's list).
var yamlLineRE = lazyre.New(`^(?:yaml: )?(?:unmarshal errors:\s*)?line (\d+): `)

// yamlError turns a yaml.v3 error into a PosError at the line it names
// (plus lineOff, where the YAML starts in file), so it prints as
// FILE:LINE: like every other error.
func yamlError(file string, lineOff int, err error, prefix, hint string) *PosError {
	msg := strings.TrimSpace(err.Error())
	line := 0
	if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
		if n, cerr := strconv.Atoi(m[1]); cerr == nil {
			line = n + lineOff
			msg = msg[len(m[0]):]
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return &PosError{File: file, Line: line, Err: fmt.Errorf("%s%s — %s", prefix, msg, hint)}
}

func mergeMap(a, b map[string]string) map[string]string {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// frontMatterSettings reads `coursectl:` from front matter YAML, and the
// page's `title:` (Carpentries and Jekyll pages have no heading above
// their first section, so the title is only there).
func frontMatterSettings(yml []byte, file string) (s Settings, title string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(yml, &doc); err != nil {
		// +1: the YAML starts on the line after the opening ---.
		perr := yamlError(file, 1, err, "front matter: ", "fix the YAML between the --- lines")
		if perr.Line == 0 {
			perr.Line = 2
		}
		return Settings{}, "", perr
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return Settings{}, "", nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case "title":
			if v := m.Content[i+1]; v.Kind == yaml.ScalarNode {
				title = v.Value
			}
		case "coursectl":
			// +1: the YAML starts on the line after the opening ---.
			s, err = settingsFromYAML(m.Content[i+1], file, 1, "under coursectl:")
			if err != nil {
				return Settings{}, "", err
			}
		}
	}
	return s, title, nil
}

// sidecarSettings reads the settings for module from the coursectl.yaml
// beside it; ok is false when there is no such file or no entry.
func sidecarSettings(module string) (Settings, bool, error) {
	path := filepath.Join(filepath.Dir(module), SidecarName)
	data, err := ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Settings{}, false, nil
	}
	if err != nil {
		return Settings{}, false, &PosError{File: path, Err: settingsReadError(err)}
	}
	dir := filepath.Dir(module)
	exists := func(name string) bool {
		fi, err := os.Stat(filepath.Join(dir, name))
		return err == nil && !fi.IsDir()
	}
	return parseSidecar(path, data, filepath.Base(module), exists)
}

// parseSidecar reads the entry for the module name from a coursectl.yaml.
// exists, when not nil, tells whether another top-level key names a file
// beside it: one that names none (a typo of the module's name, or a setting
// such as setup: written at the top level) would give its settings to
// nothing, so it is refused (docs/spec.md §2: every key is checked).
func parseSidecar(path string, data []byte, name string, exists func(string) bool) (Settings, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Settings{}, false, yamlError(path, 0, err, "", "fix the YAML")
	}
	if len(doc.Content) == 0 {
		return Settings{}, false, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return Settings{}, false, &PosError{File: path, Line: m.Line, Err: errors.New("want a mapping of module file names to settings")}
	}
	if err := duplicateKeyError(m, path, 0); err != nil {
		return Settings{}, false, err
	}
	if exists != nil {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			// course: is a course's own (LoadCourse reads it).
			if k.Value == name || k.Value == "course" || exists(k.Value) {
				continue
			}
			msg := fmt.Sprintf("no module %q beside coursectl.yaml — name a module beside it, like %s", k.Value, name)
			switch {
			case slices.Contains(SettingKeys, k.Value):
				msg = fmt.Sprintf("%s: is a module setting, and the top-level keys here are module file names — put it under the module's entry (%s: {%s: ...})", k.Value, name, k.Value)
			case suggestFrom(k.Value, []string{name}) != "":
				msg = fmt.Sprintf("no module %q beside coursectl.yaml — did you mean %s?", k.Value, name)
			}
			return Settings{}, false, &PosError{File: path, Line: k.Line, Err: errors.New(msg)}
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			s, err := settingsFromYAML(m.Content[i+1], path, 0, "for "+name)
			return s, err == nil, err
		}
	}
	return Settings{}, false, nil
}

// rulesFromYAML reads `sections:` (heading glob → attributes) or `divs:`
// (div class → attributes).
func rulesFromYAML(key string, node *yaml.Node, file string, lineOff int) ([]Rule, error) {
	if node.Kind != yaml.MappingNode {
		what := "a heading glob"
		if key == "divs" {
			what = "a div class"
		}
		return nil, &PosError{File: file, Line: node.Line + lineOff,
			Err: fmt.Errorf("%s: want a mapping of %s to attributes, like %s: {\"challenge\": {skip: true}}", key, what, key)}
	}
	var rules []Rule
	for i := 0; i+1 < len(node.Content); i += 2 {
		pat, val := node.Content[i], node.Content[i+1]
		if val.Kind == yaml.AliasNode {
			val = val.Alias // {skip: &s {skip: true}} ... *s
		}
		at := Pos{File: file, Line: pat.Line + lineOff}
		if key == "sections" {
			if _, err := path.Match(pat.Value, ""); err != nil {
				return nil, &PosError{File: file, Line: at.Line, Err: fmt.Errorf("sections: %q is not a valid glob — use * and ? (\"Exercise*\")", pat.Value)}
			}
		}
		var m map[string]any
		if err := val.Decode(&m); err != nil || val.Kind != yaml.MappingNode {
			return nil, &PosError{File: file, Line: at.Line, Err: fmt.Errorf("%s.%s: want a mapping of attributes, like {skip: true}", key, pat.Value)}
		}
		if err := onlyKnownAttrs(m); err != nil {
			return nil, &PosError{File: file, Line: attrLine(val, lineOff, at.Line), Err: fmt.Errorf("%s.%s: %v", key, pat.Value, err)}
		}
		var a Attrs
		if probs := setAttrMap(&a, m, at.Line); len(probs) > 0 {
			msg := probs[0].Message
			return nil, &PosError{File: file, Line: attrLine(val, lineOff, at.Line), Err: fmt.Errorf("%s.%s: %s", key, pat.Value, msg)}
		}
		if _, ok := m["name"]; ok {
			return nil, &PosError{File: file, Line: at.Line, Err: fmt.Errorf("%s.%s: name gives one step its id; it cannot be given to many — remove it", key, pat.Value)}
		}
		if _, ok := m["file"]; ok {
			return nil, &PosError{File: file, Line: at.Line, Err: fmt.Errorf("%s.%s: file makes a fence a file step; it cannot be set from coursectl.yaml — tag the fence {file=PATH}", key, pat.Value)}
		}
		if a.Setup != "" {
			a.SetupAt = Pos{File: file, Line: attrValueLine(val, "setup", lineOff)}
		}
		rules = append(rules, Rule{Pattern: pat.Value, Attrs: a, At: at})
	}
	return rules, nil
}

// attrLine is the line of the first key of an attribute mapping, else def.
func attrLine(n *yaml.Node, lineOff, def int) int {
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		return n.Content[0].Line + lineOff
	}
	return def
}

// onlyKnownAttrs refuses attribute keys coursectl does not know: in a
// fence another tool's key is left alone (lint warns), but coursectl.yaml
// is coursectl's own file, so a key it does not know is a typo.
func onlyKnownAttrs(m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(KnownAttrs, k) {
			continue
		}
		hint := "the attributes are " + strings.Join(KnownAttrs, ", ")
		if sug := Suggest(k); sug != "" {
			hint = "did you mean " + sug + "?"
		}
		return fmt.Errorf("unknown attribute %q — %s", k, hint)
	}
	return nil
}

// stepNode is the value of key id in the mapping steps (nil when absent).
func stepNode(steps *yaml.Node, id string) *yaml.Node {
	for i := 0; i+1 < len(steps.Content); i += 2 {
		if steps.Content[i].Value == id {
			return steps.Content[i+1]
		}
	}
	return nil
}

// envNameRE is a name bash takes as a variable from its environment.
var envNameRE = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// yamlKind names what a YAML node holds, for "got ..." in a message.
func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// duplicateKeyError refuses a key given twice in a mapping at or under n:
// YAML keeps one of them without a word, so the other's settings would be
// dropped (docs/spec.md §2: every key is checked).
func duplicateKeyError(n *yaml.Node, file string, lineOff int) error {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, ok := seen[k.Value]; ok {
				return &PosError{File: file, Line: k.Line + lineOff,
					Err: fmt.Errorf("%q is given twice (first at line %d) — give it once", k.Value, first+lineOff)}
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := duplicateKeyError(c, file, lineOff); err != nil {
			return err
		}
	}
	return nil
}

// mappingEntry is key's key and value nodes in mapping m (through an
// alias), nil when m has no such key.
func mappingEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m != nil && m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// attrKeyLine is the line of key in mapping m (0 when it is not there).
func attrKeyLine(m *yaml.Node, key string, lineOff int) int {
	if k, _ := mappingEntry(m, key); k != nil {
		return k.Line + lineOff
	}
	return 0
}

// attrValueLine is the line of the first line of key's value in the
// attribute mapping m: a block scalar (setup: |) starts on the line after
// its key. 0 when m has no such key.
func attrValueLine(m *yaml.Node, key string, lineOff int) int {
	_, v := mappingEntry(m, key)
	switch {
	case v == nil:
		return 0
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return v.Line + lineOff + 1
	}
	return v.Line + lineOff
}
