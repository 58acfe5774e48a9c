package cli

import (
	"os"
	"syscall"
	"time"
)

// claimStart takes the right to start a monitor: the marker (startedName)
// is locked, found not recent (recentStart) and written anew while
// locked, so of commands finding no monitor at once one starts it, and
// the others find the marker locked or just written.
func claimStart(marker string) bool {
	f, err := os.OpenFile(marker, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // another command is taking it
	}
	fi, err := f.Stat()
	if err != nil || recentStart(fi) {
		return false
	}
	if f.Truncate(0) != nil {
		return false
	}
	_, err = f.WriteAt([]byte(time.Now().Format(time.RFC3339)+"\n"), 0)
	return err == nil
}
