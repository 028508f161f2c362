package main

// --sandbox=dir|docker[:IMAGE] (docs/spec.md §8, docs/sandbox.md): where a
// run's shell lives. dir is a fresh workdir and HOME in the state
// directory (check's default); docker is a container of a Docker engine.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/coursectl/coursectl/container"
	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/runner"
)

// sandboxChoice is a parsed --sandbox (or a course's sandbox: key).
type sandboxChoice struct {
	kind  string // "", "dir" or "docker"
	image string // docker's, "" for the default
}

func (c sandboxChoice) docker() bool { return c.kind == "docker" }

// String is the flag's value as written back.
func (c sandboxChoice) String() string {
	if c.image != "" {
		return c.kind + ":" + c.image
	}
	return c.kind
}

// sandboxFlag is a pflag.Value for --sandbox.
type sandboxFlag struct{ c *sandboxChoice }

func (f sandboxFlag) String() string { return f.c.String() }
func (f sandboxFlag) Type() string   { return "KIND" }
func (f sandboxFlag) Set(v string) error {
	c, err := parseSandbox(v)
	if err != nil {
		return err
	}
	*f.c = c
	return nil
}

// parseSandbox reads dir, docker or docker:IMAGE.
func parseSandbox(v string) (sandboxChoice, error) {
	kind, image, hasImage := strings.Cut(v, ":")
	switch {
	case kind == "dir" && !hasImage:
		return sandboxChoice{kind: "dir"}, nil
	case kind == "docker" && (!hasImage || image != ""):
		return sandboxChoice{kind: "docker", image: image}, nil
	}
	return sandboxChoice{}, fmt.Errorf("want dir, docker or docker:IMAGE, not %q", v)
}

// addSandboxFlag adds --sandbox to fl; a bare --sandbox (no value) is dir
// when bareDir (run's --sandbox, which was a switch).
func addSandboxFlag(fl *pflag.FlagSet, c *sandboxChoice, usage string, bareDir bool) {
	fl.Var(sandboxFlag{c}, "sandbox", usage)
	if bareDir {
		fl.Lookup("sandbox").NoOptDefVal = "dir"
	}
}

// sandboxOf is the sandbox a module runs in: the flag's, else its
// settings' (sandbox: in coursectl.yaml, a course's or the module's own).
func sandboxOf(flag sandboxChoice, mod *course.Module) (sandboxChoice, error) {
	if flag.kind != "" || mod == nil || mod.Settings.Sandbox == "" {
		return flag, nil
	}
	c, err := parseSandbox(mod.Settings.Sandbox)
	if err != nil {
		at := mod.Settings.SandboxAt
		return c, &course.PosError{File: at.File, Line: at.Line, Err: fmt.Errorf("sandbox: %v", err)}
	}
	return c, nil
}

// dockerOptions is the runner's option for c: nil unless docker.
func (c sandboxChoice) dockerOptions() *runner.Docker {
	if !c.docker() {
		return nil
	}
	return &runner.Docker{Image: c.image}
}

// readySandbox makes sure a container sandbox can start before anything
// runs: the engine answers and has the image. Either missing is one line
// that says what to do, and exit 2.
func readySandbox(ctx context.Context, c sandboxChoice) error {
	if !c.docker() {
		return nil
	}
	image := c.image
	if image == "" {
		image = container.DefaultImage
	}
	if _, err := container.ImageID(ctx, image); err != nil {
		if errors.Is(err, container.ErrNoEngine) || errors.Is(err, container.ErrNoImage) {
			return usageError("--sandbox=%s: %v", c, err)
		}
		return usageError("--sandbox=%s: %v", c, err)
	}
	return nil
}

// pickSandboxes settles the sandbox of each module check runs (--sandbox,
// else the module's sandbox: setting), lays its docker: settings over a
// module that runs in a container, and makes sure the containers can
// start before anything runs.
func (f *checkFlags) pickSandboxes(ctx context.Context, mods []*course.Module) error {
	f.sandboxes = map[*course.Module]sandboxChoice{}
	ready := map[sandboxChoice]bool{}
	for _, mod := range mods {
		c := f.sandbox
		if !f.noSandbox && f.workdir == "" && f.home == "" {
			var err error
			if c, err = sandboxOf(f.sandbox, mod); err != nil {
				return inputError(err)
			}
		}
		f.sandboxes[mod] = c
		mod.ForSandbox(c.kind)
		if c.docker() && !ready[c] {
			if err := readySandbox(ctx, c); err != nil {
				return err
			}
			ready[c] = true
		}
	}
	return nil
}
