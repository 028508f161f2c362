package main

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/course"
)

// The paths a user names on the command line are checked here, so a
// missing file or an empty directory reads the same in every command
// (list, lint, check, render, watch and run load modules with course.Load,
// whose message for an unreadable file is the same course.ReadError).

// pathError is the usage error for a PATH argument that cannot be used:
// `coursectl: PATH: no such file — check the path`, exit 2.
func pathError(path string, err error) error {
	return inputError(&course.PosError{File: path, Err: course.ReadError(err)})
}

// noModulesError is a directory argument with no .md file under it: a
// typo'd directory must not pass CI silently.
func noModulesError(dir string) error {
	return inputError(&course.PosError{File: dir, Err: errors.New("no .md files in this directory — give a module or a directory of them")})
}

// moduleArg loads the one FILE of a command that takes a single module. A
// directory is a course (docs/courses.md): the module returned is its run,
// every module's steps in order (course.Course.Flatten), whose steps are
// named MODULE:ID.
func moduleArg(cmd *cobra.Command, pos []string) (*course.Module, error) {
	if len(pos) != 1 {
		return nil, usageError("%s: want one FILE or course DIR (see 'coursectl help %s')", cmd.Name(), cmd.Name())
	}
	if fi, err := os.Stat(pos[0]); err == nil && fi.IsDir() {
		c, err := course.LoadCourse(pos[0])
		if err != nil {
			return nil, inputError(err)
		}
		return c.Flatten(), nil
	}
	mod, err := course.Load(pos[0])
	if err != nil {
		return nil, inputError(err)
	}
	return mod, nil
}

// stepArg is the step a flag names (--from, --only, --at): its id, its
// number as the walkthrough shows it, or a unique prefix of its id
// (course.Module.Lookup). A name that fits no step, or several, is a usage
// error that suggests the nearest ids.
func stepArg(mod *course.Module, ref string) (*course.Step, error) {
	s, err := mod.Lookup(ref)
	if err == nil {
		return s, nil
	}
	var le *course.LookupError
	switch {
	case !errors.As(err, &le):
		return nil, usageError("%s: %v", mod.Path, err)
	case len(le.Near) > 0:
		return nil, usageError("%s: no step %q in this module — did you mean %s? ('coursectl list %s' shows the ids)", mod.Path, ref, strings.Join(le.Near, " or "), mod.Path)
	case len(le.Ambiguous) > 0 || le.Total > 0 && isNumber(ref):
		return nil, usageError("%s: %v", mod.Path, le)
	}
	return nil, usageError("%s: no step %q in this module — 'coursectl list %s' shows the ids", mod.Path, ref, mod.Path)
}

// fromArg is stepArg for check's --from, whose errors say the flag as
// written (said: "ID", or "MODULE:ID" in a course) and list the module's
// ids (check may be given many modules).
func fromArg(mod *course.Module, said, ref string) (*course.Step, error) {
	s, err := mod.Lookup(ref)
	if err == nil {
		return s, nil
	}
	var le *course.LookupError
	switch {
	case errors.As(err, &le) && len(le.Near) > 0:
		return nil, usageError("%s: --from %s: no step with that id — did you mean %s? (%s)", mod.Path, said, strings.Join(le.Near, " or "), stepIDs(mod))
	case errors.As(err, &le) && len(le.Ambiguous) == 0 && !isNumber(ref):
		return nil, usageError("%s: --from %s: no step with that id (%s)", mod.Path, said, stepIDs(mod))
	}
	return nil, usageError("%s: --from %s: %v", mod.Path, said, err)
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// stateDir is the directory --state names or, without it, docs/spec.md §3's
// default: $XDG_STATE_HOME/coursectl, else ~/.local/state/coursectl. Every
// command settles it here, so run, status, reset and check --resume always
// agree on where a module's checkpoints are. A relative XDG_STATE_HOME is
// ignored, as the XDG spec says, rather than followed into whatever
// directory the command happens to run in.
func stateDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "coursectl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", usageError("--state: no $XDG_STATE_HOME or $HOME to keep checkpoints in: pass --state DIR")
	}
	return filepath.Join(home, ".local", "state", "coursectl"), nil
}

// stepIDs lists a module's step ids for an error message, shortened when
// there are many.
func stepIDs(mod *course.Module) string {
	if len(mod.Steps) == 0 {
		return "it has no steps"
	}
	ids := make([]string, 0, len(mod.Steps))
	for _, st := range mod.Steps {
		ids = append(ids, st.ID)
	}
	const most = 8
	if len(ids) > most {
		return "its steps: " + strings.Join(ids[:most], ", ") + fmt.Sprintf(", ... (%d in all; see 'coursectl list %s')", len(ids), mod.Path)
	}
	return "its steps: " + strings.Join(ids, ", ")
}

// modulePaths expands the arguments into a sorted list of module files:
// a file as named, a directory as every .md file under it, hidden
// directories (.git, .github) skipped.
func modulePaths(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		p = filepath.Clean(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, pathError(arg, err)
		}
		if !info.IsDir() {
			add(arg)
			continue
		}
		found := 0
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			hidden := p != arg && strings.HasPrefix(d.Name(), ".")
			switch {
			case d.IsDir() && (hidden || d.Name() == "node_modules"):
				return filepath.SkipDir
			case !d.IsDir() && !hidden && strings.EqualFold(filepath.Ext(p), ".md"):
				add(p)
				found++
			}
			return nil
		})
		if err != nil {
			return nil, inputError(err)
		}
		if found == 0 {
			return nil, noModulesError(arg)
		}
	}
	sort.Strings(out)
	return out, nil
}

// completeStepIDs completes a flag that names a step (--from, --only, --at)
// with the ids of the first module named on the command line, each with
// its title for shells that show descriptions.
func completeStepIDs(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	for _, a := range args {
		mod, err := course.Load(a)
		if err != nil {
			continue
		}
		var ids []cobra.Completion
		for _, s := range mod.Steps {
			if !s.Hidden && strings.HasPrefix(s.ID, toComplete) {
				ids = append(ids, cobra.CompletionWithDesc(s.ID, s.Title()))
			}
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// completeModules completes a FILE or PATH argument with markdown files
// and directories.
func completeModules(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return []cobra.Completion{"md"}, cobra.ShellCompDirectiveFilterFileExt
}
