//go:build unix

package cli

import (
	"context"
	"os"
	"syscall"
	"time"
)

// lockFolder takes the init lock of dir: an flock on the folder itself,
// which the kernel releases whatever becomes of the process and which
// leaves no file behind. Two inits in one folder are so made one after the
// other, from before either looks at the folder until its department is
// committed. It waits up to wait for another init to finish (waited
// reports that one held it); still held then, it fails with
// errFolderBusy.
func lockFolder(ctx context.Context, dir string, wait time.Duration) (unlock func(), waited bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false, err
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, waited, nil
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, false, err
		}
		waited = true
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, true, errFolderBusy
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, true, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
