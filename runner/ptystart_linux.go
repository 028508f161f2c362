package runner

import (
	"os"
	"syscall"
)

// startInCgroup makes the process start in the cgroup directory cgroup
// (clone3's CLONE_INTO_CGROUP): see ptyStart.
func startInCgroup(attr *syscall.SysProcAttr, cgroup *os.File) {
	attr.UseCgroupFD, attr.CgroupFD = true, int(cgroup.Fd())
}
