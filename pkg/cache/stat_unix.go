//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cache

import (
	"io/fs"
	"syscall"
)

// StatOf takes a file's stat data from its FileInfo (from Lstat).
func StatOf(info fs.FileInfo) Stat {
	st := Stat{Size: info.Size(), Mtime: info.ModTime().UnixNano()}
	if sys, ok := info.Sys().(*syscall.Stat_t); ok {
		st.Ino = uint64(sys.Ino)
		st.Ctime = ctime(sys)
	}
	return st
}
