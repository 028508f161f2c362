package main

import (
	"errors"
	"os"
	"path/filepath"

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

// moduleArg loads the one FILE of a command that takes a single module.
func moduleArg(c *command, pos []string) (*course.Module, error) {
	if len(pos) != 1 {
		return nil, usageError("%s: want one FILE (see 'coursectl help %s')", c.name, c.name)
	}
	mod, err := course.Load(pos[0])
	if err != nil {
		return nil, inputError(err)
	}
	return mod, nil
}

// noStepError is a step id the user named (--from, --only, --at) that the
// module does not have.
func noStepError(mod *course.Module, id string) error {
	return usageError("%s: no step %q in this module — 'coursectl list %s' shows the ids", mod.Path, id, mod.Path)
}

// stateDir is the directory --state names or, without it, SPEC §3's
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
