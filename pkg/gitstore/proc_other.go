//go:build !linux

package gitstore

import (
	"errors"
	"os"
	"runtime"
	"syscall"
)

// processStart says whether process pid is running; its start time is not
// known here, so a reused process id reads as running.
func processStart(pid int) (string, bool) {
	if pid <= 0 {
		return "", false
	}
	if runtime.GOOS == "windows" {
		return "", true // no signal 0 to ask with: never judged gone
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return "", false
	}
	err = p.Signal(syscall.Signal(0))
	return "", err == nil || errors.Is(err, os.ErrPermission)
}

func bootID() string { return "" }
