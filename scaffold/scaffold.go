// Package scaffold writes the skeleton of a new module or course (`coursectl
// new`): files that coursectl check passes as they are, with the keys an
// author reaches for next written as comments. cmd/coursectl's new command
// calls it; docs/authoring.md shows what it writes.
package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// File is one file of a skeleton, its path relative to where it is written.
type File struct {
	Path string
	Data string
}

// ExistsError is a file of the skeleton that is already there: nothing is
// ever overwritten.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string { return e.Path + " exists" }

// Module is a new module named name: a title, a line on what it is for, a
// first step.
func Module(title, name string) []File {
	return []File{{Path: "", Data: fmt.Sprintf(moduleText, title, name)}}
}

const moduleText = "# %s\n\n" +
	`What this module teaches, in a sentence or two. Every shell block below is a
step: ` + "`coursectl check`" + ` runs them in a fresh sandbox and compares their output,
` + "`coursectl run`" + ` walks a learner through them.

## A first step

` + "```console" + `
$ echo "Hello from coursectl"
Hello from coursectl
` + "```" + `

Add steps by hand, or record them from a real shell session:
` + "`coursectl record %s --append`" + `.
`

// Course is a new course: two modules that continue each other, its
// coursectl.yaml, and a GitHub Actions workflow that checks it.
func Course(title string) []File {
	return []File{
		{Path: "coursectl.yaml", Data: courseYAML},
		{Path: "01-first-steps.md", Data: fmt.Sprintf(firstModule, title)},
		{Path: "02-next-steps.md", Data: secondModule},
		{Path: filepath.Join(".github", "workflows", "coursectl.yml"), Data: workflow},
	}
}

const firstModule = "# %s: first steps\n\n" +
	`A course is a directory of modules that continue each other: what this
module leaves behind (files, the working directory, variables) is there when
the next one starts.

## Make a place to work

` + "```console" + `
$ mkdir -p project && cd project
$ echo "hello" > greeting.txt
$ cat greeting.txt
hello
` + "```" + `
`

const secondModule = `# Next steps

This module starts where the first one left off, in ` + "`project/`" + `.

## Use what the first module made

` + "```console" + `
$ cat greeting.txt
hello
$ wc -l < greeting.txt
1
` + "```" + `
`

const courseYAML = `# The course's settings (docs/courses.md in coursectl). course: holds what
# applies to every module; every other top-level key is a module's file.
# Unknown keys are refused, so a typo never goes unnoticed.
course:
  modules: [01-first-steps.md, 02-next-steps.md]   # the order
  # setup: |                      # hidden, once, before the first module, in the course's HOME
  #   mkdir -p ~/data
  # workdir: ~/project            # where the course starts (~ is the sandbox's HOME)
  # env: {LC_ALL: C.UTF-8}        # variables for the shell
  # fakes:                        # stand-ins during check, for what CI cannot run
  #   sudo: '"$@"'
  #   wget: 'touch "${@: -1}"'
  # timeout: 5m                   # the default step timeout in check
  # compare: blanks               # exact, blanks or none: how output is compared
  # normalize: [{match: '/Users/[a-z]+', with: '$HOME'}]   # rewrite output before comparing
  # pipefail: true                # a failing command inside a pipeline fails the step
  # sections: {"Exercise*": {skip: true}}   # every step under a matching heading
  # divs: {challenge: {skip: true}}         # every step inside a ::: challenge div
# 02-next-steps.md:               # one module's settings: the same keys, and steps
#   timeout: 10m
#   steps:
#     use-what-the-first-module-made: {timeout: 2m}
`

const workflow = `# Checks the course on every push and pull request: every step runs in a
# fresh sandbox and its output is compared. A failing step shows as an
# annotation on the pull request's diff, at its line; each shard uploads its
# JUnit report. Written by coursectl new: edit it freely.
name: coursectl
on:
  push:
  pull_request:
jobs:
  check:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        # Add a number to spread the check over one more machine. A course is
        # one unit of a shard (its modules continue each other), so the shards
        # share out this repository's courses and separate modules.
        shard: [1, 2]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: stable
          cache: false
      - name: install coursectl
        run: go install github.com/coursectl/coursectl/cmd/coursectl@latest
      - name: check (shard ${{ matrix.shard }} of ${{ strategy.job-total }})
        run: >-
          coursectl check . --keep-going
          --shard ${{ matrix.shard }}/${{ strategy.job-total }}
          --junit coursectl-${{ matrix.shard }}.xml
      - name: upload the JUnit report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: coursectl-junit-${{ matrix.shard }}
          path: coursectl-${{ matrix.shard }}.xml
          if-no-files-found: ignore
`

// Write writes files under dir (a file with an empty Path is dir itself),
// creating directories as needed. When any of them exists, nothing is
// written and the error is an *ExistsError naming it.
func Write(dir string, files []File) error {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = dir
		if f.Path != "" {
			paths[i] = filepath.Join(dir, f.Path)
		}
		if _, err := os.Lstat(paths[i]); err == nil {
			return &ExistsError{Path: paths[i]}
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	for i, f := range files {
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o755); err != nil {
			return err
		}
		// O_EXCL: a file that appeared since the look above is not
		// overwritten either.
		out, err := os.OpenFile(paths[i], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			return &ExistsError{Path: paths[i]}
		}
		if err != nil {
			return err
		}
		_, err = out.WriteString(f.Data)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Title makes a title of a file or directory name: 02-first_steps.md →
// First steps.
func Title(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs // `new --course .` is named after the directory
	}
	name := strings.TrimSuffix(filepath.Base(path), ".md")
	name = strings.TrimLeft(name, "0123456789-_. ")
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == ' ' }), " ")
	if name == "" {
		return "Untitled"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
