// Package container runs a course's one bash inside a container of a real
// Docker engine (docs/spec.md §8): the runner's docker sandbox, beside the dir
// sandbox (a fresh workdir and HOME on the host).
//
// The runner is its caller. It starts a Container per run (Start), builds
// the command line of the interactive bash from ShellCommand and starts it
// on its own pty exactly as it starts a local bash, talks to the wrapper in
// that bash over FIFOs in a directory both sides see (Channel: docker exec
// passes no file descriptors beyond the terminal), keeps the files a step
// changed with Checkpoint and puts them back with Restore, reads and signals
// the shell's processes inside with Session, Signal, Cwd and FlushInput, and
// ends with Close. SweepLeftovers removes what runs that were SIGKILLed left.
//
// Everything goes through the docker command, never the engine's API
// directly, and through one root helper inside the container
// (helper.bash), so a step costs no docker command; every container
// carries the labels in labels.go. docs/sandbox.md has the design and its
// measurements. It imports nothing of ours.
package container
