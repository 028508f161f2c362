package runner

import (
	"path"
	"strings"
)

// A checkpoint keeps what the course made of the shell, not what the
// shell was given: a variable exactly as the shell inherited it from its
// environment (an AWS_SECRET_ACCESS_KEY of the CI job, the learner's
// GITHUB_TOKEN) is never written, and a restore leaves the restoring
// shell's own value in place. Names an author lists under `env: exclude:`
// are never written either, whoever set them. docs/design.md, "What a
// checkpoint keeps of the environment".

// storedUnset is the stored form of a variable the course unset although
// the shell inherited it.
const storedUnset = "-"

// envPolicy decides the stored form of each variable.
type envPolicy struct {
	// inherited is the shell's starting environment, name → value.
	inherited map[string]string
	// exclude are shell patterns (path.Match) of names never stored.
	exclude []string
}

func newEnvPolicy(env []string, exclude []string) *envPolicy {
	p := &envPolicy{inherited: map[string]string{}, exclude: exclude}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && isIdent(k) {
			p.inherited[k] = v
		}
	}
	return p
}

func (p *envPolicy) excluded(name string) bool {
	for _, pat := range p.exclude {
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
	}
	return false
}

// storedVar is the form a variable takes in a checkpoint: its `declare -p`
// line, storedUnset, or "" for nothing at all (the restoring shell keeps
// whatever it has).
func (p *envPolicy) storedVar(name, line string, present bool) string {
	if p.excluded(name) {
		return ""
	}
	v, inherited := p.inherited[name]
	if !present {
		if inherited {
			return storedUnset
		}
		return ""
	}
	if inherited {
		if d, err := parseDecl(line); err == nil && d.flags == "x" && d.set && !d.array && d.value == v {
			return ""
		}
	}
	return line
}

// stored is the stored form of key ("v:NAME", "f:NAME", "a:NAME") in st.
func (p *envPolicy) stored(st *shellState, key string) string {
	name := key[2:]
	switch key[0] {
	case 'v':
		line, ok := st.vars[name]
		return p.storedVar(name, line, ok)
	case 'f':
		if f, ok := st.funcs[name]; ok {
			return f.attrs + "\x00" + f.text
		}
	case 'a':
		if a, ok := st.aliases[name]; ok {
			return "=" + a
		}
	}
	return ""
}

// keys lists every key st and the policy could store, sorted.
func (p *envPolicy) keys(st *shellState) []string {
	var keys []string
	for n := range st.vars {
		keys = append(keys, "v:"+n)
	}
	for n := range p.inherited {
		if _, ok := st.vars[n]; !ok && keptVar(n) {
			keys = append(keys, "v:"+n)
		}
	}
	for n := range st.funcs {
		keys = append(keys, "f:"+n)
	}
	for n := range st.aliases {
		keys = append(keys, "a:"+n)
	}
	sortStrings(keys)
	return keys
}

// cleanEnv: the variables a shell started with NoInheritEnv still gets
// from the caller: what finding programs, the locale and the user's name
// need, nothing that holds a credential.
func cleanEnv(name string) bool {
	switch name {
	case "PATH", "LANG", "LANGUAGE", "TZ", "USER", "LOGNAME", "SHELL", "TMPDIR", "TERM":
		return true
	}
	return strings.HasPrefix(name, "LC_")
}
