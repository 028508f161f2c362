//go:build !linux

package runner

import (
	"os"
	"syscall"
)

// startInCgroup: cgroups are Linux's; elsewhere a run has none, and cgroup
// is always nil.
func startInCgroup(attr *syscall.SysProcAttr, cgroup *os.File) {}
