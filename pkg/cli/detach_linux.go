package cli

import (
	"os/exec"
	"syscall"
)

// detach makes c a session of its own: closing the terminal that started
// it leaves it running.
func detach(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
