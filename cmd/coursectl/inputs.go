package main

import (
	"errors"

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
