//go:build !linux

package monitor

import "github.com/opsbook/opsbook/pkg/i18n"

// Supported tells whether this system has a monitor.
const Supported = false

// Run is the monitor of a department; this system has none (the commands
// list and stat every record file instead).
func Run(root, records, cacheDir string, logf func(format string, args ...any)) error {
	return i18n.NewError("the file-system monitor is built for Linux only")
}

// Held tells whether a monitor holds the lock of cacheDir: never here.
func Held(cacheDir string) bool { return false }
