//go:build !linux

package runner

// writeNew: only Linux has O_TMPFILE; elsewhere the caller writes and
// renames.
func writeNew(dst string, b []byte) (bool, error) { return false, nil }
