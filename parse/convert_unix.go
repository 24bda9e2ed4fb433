//go:build unix

package parse

import (
	"os/exec"
	"syscall"
	"time"
)

// killGroup makes cmd the leader of a process group and has its context
// kill the whole group: soffice is a launcher whose soffice.bin child would
// otherwise outlive a timeout.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
}
