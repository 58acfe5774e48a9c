//go:build linux

package gitstore

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processStart returns the start time of process pid (field 22 of
// /proc/PID/stat, in clock ticks since boot) and whether it is running.
func processStart(pid int) (string, bool) {
	if pid <= 0 {
		return "", false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			return "", true // no /proc here: alive, start unknown
		}
		return "", false
	}
	// The command name (field 2) is in parentheses and may hold spaces or
	// parentheses itself: count from the last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", true
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (the state); field 22 is f[19].
	if len(f) < 20 {
		return "", true
	}
	if f[0] == "Z" || f[0] == "X" {
		return f[19], false // a zombie holds nothing
	}
	return f[19], true
}

func bootID() string {
	data, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
