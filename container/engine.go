package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
)

// DefaultImage is what scripts/sandbox-image.sh builds.
const DefaultImage = "coursectl-sandbox:latest"

// ErrNoEngine: the docker command is missing or the engine does not answer.
// The command maps it (and ErrNoImage) to exit status 2: the run could not
// start, nothing in the course failed.
var ErrNoEngine = errors.New("no Docker engine")

// ErrNoImage: the engine has no such image. Nothing is ever pulled (a
// machine of this kind has no registry): the image is built locally.
var ErrNoImage = errors.New("no sandbox image")

// engineError is a one-line message that says what to do, under one of the
// sentinels above for errors.Is.
type engineError struct {
	kind error
	msg  string
}

func (e *engineError) Error() string { return e.msg }
func (e *engineError) Unwrap() error { return e.kind }

// dockerProgram is the docker CLI; COURSECTL_DOCKER may name another
// program that speaks its command line (a wrapper, podman's docker shim).
func dockerProgram() string {
	if p := os.Getenv("COURSECTL_DOCKER"); p != "" {
		return p
	}
	return "docker"
}

// dockerCmd is an exec.Cmd running the docker CLI with args, killed when
// ctx ends. The CLI gets this process's environment, so DOCKER_HOST,
// DOCKER_CONTEXT and DOCKER_CONFIG reach the engine the learner's own
// docker commands reach.
func dockerCmd(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, dockerProgram(), args...)
}

// docker runs the CLI with args and returns its standard output, trimmed.
// A failure is an error naming the subcommand with the CLI's own message,
// or an ErrNoEngine when the CLI is missing or cannot reach the engine.
func docker(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	cmd := dockerCmd(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", classify(args, err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// classify turns a failed docker command into a one-line error.
func classify(args []string, err error, stderr string) error {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return &engineError{ErrNoEngine, fmt.Sprintf("no Docker engine: %s: command not found (install Docker Engine, or use --sandbox=dir)", dockerProgram())}
	}
	msg := firstLine(stderr)
	if msg == "" {
		// A CLI that fails without a word is not docker's (docker says
		// why): a wrong COURSECTL_DOCKER, a wrapper, a stub.
		what := dockerProgram()
		if len(args) > 0 {
			what += " " + args[0]
		}
		return &engineError{ErrNoEngine, fmt.Sprintf("%s: %v, and it printed nothing: is %s the Docker CLI? (COURSECTL_DOCKER names it; or use --sandbox=dir)",
			what, err, dockerProgram())}
	}
	if unreachable(stderr) {
		return &engineError{ErrNoEngine, "no Docker engine: " + msg + " — start the engine, or use --sandbox=dir"}
	}
	sub := "docker"
	if len(args) > 0 {
		sub += " " + args[0]
	}
	return fmt.Errorf("%s: %s", sub, msg)
}

// unreachable tells the CLI's "cannot talk to the engine" messages (no
// daemon, no permission on its socket, a bad DOCKER_HOST) from errors of
// the command itself.
func unreachable(stderr string) bool {
	for _, s := range []string{
		"Cannot connect to the Docker daemon",
		"permission denied while trying to connect",
		"error during connect",
		"Is the docker daemon running",
		"failed to connect to the docker API",
	} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "Error response from daemon: ")
	s = strings.TrimPrefix(s, "Error: ")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// CheckEngine reports whether the engine answers: nil, or an ErrNoEngine
// that says why.
func CheckEngine(ctx context.Context) error {
	_, err := docker(ctx, nil, "version", "--format", "{{.Server.Version}}")
	if err != nil && !errors.Is(err, ErrNoEngine) {
		// `docker version` fails only when it cannot reach the server.
		return &engineError{ErrNoEngine, "no Docker engine: " + strings.TrimPrefix(err.Error(), "docker version: ") + " — start the engine, or use --sandbox=dir"}
	}
	return err
}

// ImageID is the id of image in the engine, or an ErrNoImage that says
// how to build it (or an ErrNoEngine).
func ImageID(ctx context.Context, image string) (string, error) {
	id, err := docker(ctx, nil, "image", "inspect", "--format", "{{.Id}}", image)
	if err != nil {
		if errors.Is(err, ErrNoEngine) {
			return "", err
		}
		if strings.Contains(strings.ToLower(err.Error()), "no such image") {
			hint := "build it with scripts/sandbox-image.sh"
			if image != DefaultImage {
				hint = "build it with scripts/sandbox-image.sh --tag " + image + ", or name another image"
			}
			return "", &engineError{ErrNoImage, fmt.Sprintf("no image %s in the Docker engine: %s", image, hint)}
		}
		return "", err
	}
	return id, nil
}
