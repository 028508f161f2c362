package course

import (
	"maps"
	"slices"
	"strings"
)

// unfaked is the value a `docker:` mapping's fake takes when given as ~
// (null): the command is not faked in the container sandbox, where it
// runs for real (sudo, apt).
const unfaked = "\x00unfaked"

// validSandbox reports whether v names a sandbox: dir, docker,
// docker:IMAGE (docs/spec.md §8).
func validSandbox(v string) bool {
	kind, image, has := strings.Cut(v, ":")
	return kind == "dir" && !has || kind == "docker" && (!has || image != "")
}

// InContainer reports whether the module runs in the container sandbox:
// ForSandbox("docker") was applied, or its settings say `sandbox: docker`.
// There sudo and apt really run, and lint does not warn of them.
func (m *Module) InContainer() bool {
	return m.forSandbox || strings.HasPrefix(m.Settings.Sandbox, "docker")
}

// ForSandbox lays the settings written under `docker:` over the module's
// own when kind is "docker" (the container sandbox): its fakes (a fake
// given as ~ is not faked there), env, timeouts, and the attributes of
// its steps. For a course's run, each step's own module's settings. Other
// kinds change nothing. Call it once, before the module runs: the
// checkpoints' chain of step hashes sees the attributes it gives.
func (m *Module) ForSandbox(kind string) {
	if kind != "docker" || m.forSandbox {
		return
	}
	m.forSandbox = true
	done := map[*Module]bool{}
	over := func(mod *Module) {
		if done[mod] {
			return
		}
		done[mod] = true
		d := mod.Settings.Docker
		if d == nil {
			return
		}
		s := &mod.Settings
		if d.Timeout > 0 {
			s.Timeout = d.Timeout
		}
		if d.RunTimeout > 0 {
			s.RunTimeout = d.RunTimeout
		}
		if len(d.Fakes) > 0 {
			s.Fakes = maps.Clone(s.Fakes)
			if s.Fakes == nil {
				s.Fakes = map[string]string{}
			}
			for k, v := range d.Fakes {
				if v == unfaked {
					delete(s.Fakes, k)
				} else {
					s.Fakes[k] = v
				}
			}
		}
		if len(d.Env) > 0 {
			s.Env = mergeMap(s.Env, d.Env)
		}
	}
	over(m)
	var setups []*Step // steps the docker: settings give a setup
	for _, st := range m.Steps {
		mod := st.Module
		if mod == nil {
			mod = m
		}
		over(mod)
		if d := mod.Settings.Docker; d != nil {
			if a, ok := d.Steps[st.ID]; ok {
				before := st.Attrs.Setup
				st.Attrs.merge(a)
				if a.Setup != "" && a.Setup != before && !st.Attrs.Skip && !st.Hidden {
					setups = append(setups, st)
				}
			}
		}
	}
	if len(setups) == 0 {
		return
	}
	// A setup given under docker: runs just before its step, as a hidden
	// step of its own, as one given in steps: does (the page's setups were
	// made when it was parsed; the sandbox is known only now). One the
	// step already had is replaced.
	out := make([]*Step, 0, len(m.Steps)+len(setups))
	for _, st := range m.Steps {
		if st.Kind == Setup && st.SetupFor != "" && slices.ContainsFunc(setups, func(s *Step) bool { return s.ID == st.SetupFor && s.Module == st.Module }) {
			continue
		}
		if slices.Contains(setups, st) {
			mod := st.Module
			if mod == nil {
				mod = m
			}
			out = append(out, setupFor(m, mod, st))
		}
		out = append(out, st)
	}
	m.Steps = out
	for i, s := range m.Steps {
		s.Index = i + 1
	}
	m.number, m.numberedFirst = nil, nil
}
