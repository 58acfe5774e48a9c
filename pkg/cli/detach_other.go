//go:build !linux

package cli

import "os/exec"

// detach: the monitor is built for Linux only.
func detach(c *exec.Cmd) {}
