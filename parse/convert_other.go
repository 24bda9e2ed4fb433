//go:build !unix

package parse

import (
	"os/exec"
	"time"
)

// killGroup lets the context kill the converter itself; without process
// groups its children may outlive a timeout.
func killGroup(cmd *exec.Cmd) { cmd.WaitDelay = 5 * time.Second }
