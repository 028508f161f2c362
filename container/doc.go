// Package container runs a course's one bash inside a container of a real
// Docker engine (SPEC §8): the runner's docker sandbox, beside the dir
// sandbox (a fresh workdir and HOME on the host).
//
// The runner is its caller. It starts a Container per run (Start), builds
// the command line of the interactive bash from ShellCommand and starts it
// on its own pty exactly as it starts a local bash, talks to the wrapper in
// that bash over FIFOs in a directory both sides see (Channel: docker exec
// passes no file descriptors beyond the terminal), keeps the files a step
// changed with Checkpoint and puts them back with Restore, and ends with
// Close. SweepLeftovers removes what runs that were SIGKILLed left.
//
// Everything goes through the docker command, never the engine's API
// directly (docs/sandbox.md says why), and every container carries the
// labels in labels.go. It imports nothing of ours.
package container
