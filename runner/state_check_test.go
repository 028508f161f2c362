package runner

import "os"

// COURSECTL_CHECK_DELTAS=1 go test ./runner runs every test with each
// delta dump followed by a full one, and panics where the two differ: the
// planner missed a change (see checkDeltas).
func init() {
	if os.Getenv("COURSECTL_CHECK_DELTAS") != "" {
		checkDeltas = true
	}
}
