package course

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Course is a directory of modules that continue each other: a Carpentries
// lesson, a zoomcamp's weeks (docs/spec.md §6). It runs as one learner's
// week: one sandbox, one shell, the state of one module carried into the
// next.
type Course struct {
	// Dir is the course's root as the user named it ($COURSE_DIR).
	Dir string
	// Config is the course's coursectl.yaml, "" when it has none.
	Config string
	// Order says where the module order came from, for `list`.
	Order string
	// Settings are the course-wide settings (`course:` in coursectl.yaml).
	Settings Settings
	// Modules in the order they are taken.
	Modules []*Module

	// flat is the last Flatten, locs where each of its steps comes from.
	flat *Module
	locs []place
}

// CourseKeys are the keys `course:` may have.
var CourseKeys = []string{"modules", "setup", "workdir", "env", "fakes", "timeout", "run-timeout", "compare", "normalize", "pipefail", "sections", "divs", "sandbox", "docker"}

// moduleOnlyKeys belong to a module's entry, never under `course:`.
var moduleOnlyKeys = []string{"steps"}

// Order sources, as `list` says them.
const (
	OrderModules  = "course.modules in coursectl.yaml"
	OrderEpisodes = "episodes in config.yaml"
	OrderNatural  = "file names, in natural order"
)

// IsCourse reports whether dir is a course rather than a directory of
// independent modules: its coursectl.yaml has a `course:` key, or it is a
// Carpentries lesson (a config.yaml with `episodes:`).
func IsCourse(dir string) bool {
	if top, err := readYAMLMapping(filepath.Join(dir, SidecarName)); err == nil && top != nil && mappingValue(top, "course") != nil {
		return true
	}
	if top, err := readYAMLMapping(filepath.Join(dir, "config.yaml")); err == nil && top != nil {
		// Not only a list: a mistyped episodes: is then refused by
		// LoadCourse rather than the lesson checked as loose modules.
		if eps := mappingValue(top, "episodes"); eps != nil && !(eps.Kind == yaml.ScalarNode && eps.Tag == "!!null") &&
			!(eps.Kind == yaml.SequenceNode && len(eps.Content) == 0) {
			return true
		}
	}
	return false
}

// LoadCourse reads the course at dir: its coursectl.yaml (every key
// validated: an unknown, misplaced or unsupported key is an error naming
// the file, the line and the nearest valid key), the module order, and
// each module with the course's settings under its own.
func LoadCourse(dir string) (*Course, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, &PosError{File: dir, Err: ReadError(err)}
	}
	if !fi.IsDir() {
		return nil, &PosError{File: dir, Err: errors.New("not a directory — name the course's directory")}
	}
	c := &Course{Dir: dir}
	entries := map[string]Settings{} // module path (as loaded) → its entry
	cfg := filepath.Join(dir, SidecarName)
	top, err := readYAMLMapping(cfg)
	if err != nil {
		return nil, err
	}
	if err := duplicateKeyError(top, cfg, 0); err != nil {
		return nil, err
	}
	var order []string
	if top != nil {
		c.Config = cfg
		if order, err = c.readConfig(top, entries); err != nil {
			return nil, err
		}
	}
	if order == nil {
		if order, err = carpentriesOrder(dir); err != nil {
			return nil, err
		}
		if order != nil {
			c.Order = OrderEpisodes
		}
	} else {
		c.Order = OrderModules
	}
	if order == nil {
		c.Order = OrderNatural
		if order, err = naturalOrder(dir); err != nil {
			return nil, err
		}
	}
	abs, _ := filepath.Abs(dir)
	// The course's workdir and setup run once, before the first module
	// (Flatten); every other course setting is each module's default.
	base := c.Settings
	base.Setup, base.Workdir = "", ""
	for _, path := range order {
		src, err := ReadFile(path)
		if err != nil {
			return nil, &PosError{File: path, Err: ReadError(err)}
		}
		var side *Settings
		if e, ok := entries[path]; ok {
			side = &e
		}
		m, err := parseLayered(path, src, &base, side)
		if err != nil {
			return nil, err
		}
		m.CourseDir = abs
		c.Modules = append(c.Modules, m)
	}
	if len(c.Modules) > 0 {
		// The course's rules reach every module; one that reaches none of
		// them is reported once, with the first module's problems.
		first := c.Modules[0]
		first.Problems = append(first.Problems, unusedRules("sections", c.Settings.Sections, c.Modules...)...)
		first.Problems = append(first.Problems, unusedRules("divs", c.Settings.Divs, c.Modules...)...)
	}
	if len(c.Modules) == 0 {
		return nil, &PosError{File: dir, Err: errors.New("no modules: no markdown file in it has a step — tag a fence ```sh, or name the modules under course.modules in coursectl.yaml")}
	}
	return c, nil
}

// readConfig reads the course's coursectl.yaml: `course:` into c.Settings,
// every other key a module's entry. It returns the course.modules order
// (nil when not given).
func (c *Course) readConfig(top *yaml.Node, entries map[string]Settings) ([]string, error) {
	var order []string
	cfg := c.Config
	mds, _ := markdownFiles(c.Dir)
	lines := map[string]int{} // module path → the line of its entry
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		if key.Value == "course" {
			set, mods, err := courseSettings(val, cfg, c.Dir)
			if err != nil {
				return nil, err
			}
			c.Settings, order = set, mods
			continue
		}
		if slices.Contains(CourseKeys, key.Value) {
			return nil, &PosError{File: cfg, Line: key.Line, Err: fmt.Errorf("%q is a course setting — put it under the course: key", key.Value)}
		}
		path, err := resolveModule(c.Dir, key.Value, mds)
		if err != nil {
			return nil, &PosError{File: cfg, Line: key.Line, Err: err}
		}
		if first, ok := lines[path]; ok {
			// b.md and ./b.md: one entry would be dropped.
			return nil, &PosError{File: cfg, Line: key.Line, Err: fmt.Errorf("%q names the module of line %d again — give its settings once", key.Value, first)}
		}
		lines[path] = key.Line
		s, err := settingsFromYAML(val, cfg, 0, "for "+key.Value)
		if err != nil {
			return nil, err
		}
		if len(s.Problems) > 0 {
			p := s.Problems[0]
			return nil, &PosError{File: cfg, Line: p.Line, Err: errors.New(p.Message)}
		}
		entries[path] = s
	}
	return order, nil
}

// courseSettings reads the `course:` mapping.
func courseSettings(node *yaml.Node, cfg, dir string) (Settings, []string, error) {
	if node.Kind != yaml.MappingNode {
		return Settings{}, nil, &PosError{File: cfg, Line: node.Line, Err: errors.New("course: want a mapping of " + strings.Join(CourseKeys, ", "))}
	}
	var mods []string
	rest := &yaml.Node{Kind: yaml.MappingNode, Line: node.Line}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, val := node.Content[i], node.Content[i+1]
		switch {
		case key.Value == "modules":
			if val.Kind != yaml.SequenceNode {
				return Settings{}, nil, &PosError{File: cfg, Line: key.Line, Err: errors.New("course.modules: want a list of module paths, like [episodes/01-intro.md, episodes/02-filedir.md]")}
			}
			mds, _ := markdownFiles(dir)
			for _, item := range val.Content {
				// A module outside the course's directory would not be in
				// the sandbox's $COURSE_DIR (nor in a container's mount).
				if rel := filepath.ToSlash(filepath.Clean(item.Value)); filepath.IsAbs(item.Value) || rel == ".." || strings.HasPrefix(rel, "../") {
					return Settings{}, nil, &PosError{File: cfg, Line: item.Line, Err: fmt.Errorf("course.modules: %s is outside the course's directory — move the file into the course, or make the course the directory that holds them all", item.Value)}
				}
				p, err := resolveModule(dir, item.Value, mds)
				if err != nil {
					return Settings{}, nil, &PosError{File: cfg, Line: item.Line, Err: fmt.Errorf("course.modules: %v", err)}
				}
				if slices.Contains(mods, p) {
					return Settings{}, nil, &PosError{File: cfg, Line: item.Line, Err: fmt.Errorf("course.modules: %s is listed twice — a module runs once", item.Value)}
				}
				mods = append(mods, p)
			}
			if len(mods) == 0 {
				return Settings{}, nil, &PosError{File: cfg, Line: key.Line, Err: errors.New("course.modules: the list is empty — name the modules, or remove the key for the natural order")}
			}
		case slices.Contains(moduleOnlyKeys, key.Value):
			// The example names a module of this course, not another's.
			example := "MODULE.md"
			if mds, _ := markdownFiles(dir); len(mds) > 0 {
				example = filepath.ToSlash(relTo(dir, mds[0]))
			}
			return Settings{}, nil, &PosError{File: cfg, Line: key.Line, Err: fmt.Errorf("%q under course: belongs to a module — put it under the module's entry (%s: {%s: ...})", key.Value, example, key.Value)}
		case !slices.Contains(CourseKeys, key.Value):
			hint := "the keys are " + strings.Join(CourseKeys, ", ")
			if s := suggestFrom(key.Value, CourseKeys); s != "" {
				hint = "did you mean " + s + "?"
			}
			return Settings{}, nil, &PosError{File: cfg, Line: key.Line, Err: fmt.Errorf("unknown course setting %q — %s", key.Value, hint)}
		default:
			rest.Content = append(rest.Content, key, val)
		}
	}
	s, err := settingsFromYAML(rest, cfg, 0, "under course:")
	if err != nil {
		return Settings{}, nil, err
	}
	return s, mods, nil
}

// resolveModule finds the module a coursectl.yaml key names: a path
// relative to the course's root, or a file name when only one module has it.
func resolveModule(dir, name string, mds []string) (string, error) {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return p, nil
	}
	var same []string
	for _, md := range mds {
		if filepath.Base(md) == name {
			same = append(same, md)
		}
	}
	switch len(same) {
	case 1:
		return same[0], nil
	case 0:
		var rels []string
		for _, md := range mds {
			r, _ := filepath.Rel(dir, md)
			rels = append(rels, filepath.ToSlash(r))
		}
		hint := "name a markdown file of the course by its path from " + dir
		if s := suggestFrom(name, rels); s != "" {
			hint = "did you mean " + s + "?"
		} else if len(rels) > 0 && len(rels) <= 12 {
			hint = "the modules are " + strings.Join(rels, ", ")
		}
		return "", fmt.Errorf("no module %q — %s", name, hint)
	}
	return "", fmt.Errorf("%q names %d files — write its path from %s", name, len(same), dir)
}

// carpentriesOrder is the `episodes:` list of a Carpentries config.yaml
// (files under episodes/), nil when there is none.
func carpentriesOrder(dir string) ([]string, error) {
	cfg := filepath.Join(dir, "config.yaml")
	top, err := readYAMLMapping(cfg)
	if err != nil || top == nil {
		return nil, err
	}
	eps := mappingValue(top, "episodes")
	if eps == nil || (eps.Kind == yaml.ScalarNode && eps.Tag == "!!null") {
		return nil, nil
	}
	if eps.Kind != yaml.SequenceNode {
		return nil, &PosError{File: cfg, Line: eps.Line, Err: errors.New("episodes: want a list of the episodes' files — write each on a line of its own: - intro.md")}
	}
	var out []string
	for _, item := range eps.Content {
		p := filepath.Join(dir, "episodes", filepath.FromSlash(item.Value))
		if _, err := os.Stat(p); err != nil {
			rel := filepath.ToSlash(filepath.Join("episodes", filepath.FromSlash(item.Value)))
			if errors.Is(err, os.ErrNotExist) {
				// The Carpentries workbench reads episodes from episodes/.
				return nil, &PosError{File: cfg, Line: item.Line, Err: fmt.Errorf("episode %s: no %s — a lesson's episodes are in its episodes/ directory", item.Value, rel)}
			}
			return nil, &PosError{File: cfg, Line: item.Line, Err: fmt.Errorf("episode %s: %v", item.Value, ReadError(err))}
		}
		if slices.Contains(out, p) {
			return nil, &PosError{File: cfg, Line: item.Line, Err: fmt.Errorf("episodes: %s is listed twice — a module runs once", item.Value)}
		}
		out = append(out, p)
	}
	return out, nil
}

// naturalOrder is the markdown files under dir that have steps, in natural
// order of their paths (2-x before 10-x).
func naturalOrder(dir string) ([]string, error) {
	mds, err := markdownFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, md := range mds {
		m, err := loadModule(md)
		if err != nil {
			return nil, err
		}
		if len(m.Steps) > 0 {
			out = append(out, md)
		}
	}
	return out, nil
}

// markdownFiles lists the *.md files under dir (hidden directories and
// node_modules skipped), in natural order.
func markdownFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".md") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, &PosError{File: dir, Err: ReadError(err)}
	}
	sort.SliceStable(out, func(i, j int) bool { return NaturalLess(out[i], out[j]) })
	return out, nil
}

// NaturalLess orders strings with their digit runs compared as numbers:
// "2-files.md" before "10-loops.md".
func NaturalLess(a, b string) bool {
	for a != "" && b != "" {
		ca, cb := chunk(a), chunk(b)
		a, b = a[len(ca):], b[len(cb):]
		if ca == cb {
			continue
		}
		da, db := unicode.IsDigit(rune(ca[0])), unicode.IsDigit(rune(cb[0]))
		if da && db {
			na, nb := strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			continue
		}
		return ca < cb
	}
	return len(a) < len(b)
}

// chunk is the leading run of digits, or of non-digits, of s.
func chunk(s string) string {
	digit := unicode.IsDigit(rune(s[0]))
	i := 1
	for i < len(s) && unicode.IsDigit(rune(s[i])) == digit {
		i++
	}
	return s[:i]
}

// readYAMLMapping reads a YAML file whose top is a mapping: nil (and no
// error) when the file does not exist.
func readYAMLMapping(path string) (*yaml.Node, error) {
	data, err := ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &PosError{File: path, Err: settingsReadError(err)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, 0, err, "", "fix the YAML")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &PosError{File: path, Line: top.Line, Err: errors.New("want a mapping at the top")}
	}
	return top, nil
}

// mappingValue is the value of key in a mapping node, nil when absent.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	_, v := mappingEntry(m, key)
	return v
}

// Module returns the course's module at path (as loaded, or its file name
// when unique), or nil.
func (c *Course) Module(name string) *Module {
	var found *Module
	for _, m := range c.Modules {
		if m.Path == name || filepath.ToSlash(m.Path) == name || relTo(c.Dir, m.Path) == name {
			return m
		}
		base := filepath.Base(m.Path)
		if base == name || strings.TrimSuffix(base, filepath.Ext(base)) == name {
			if found != nil {
				return nil
			}
			found = m
		}
	}
	return found
}

func relTo(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}
