//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cache

import "io/fs"

// StatOf takes a file's stat data from its FileInfo: size and modification
// time only on this system, so a change that keeps both is found by the
// content hash of racy entries alone.
func StatOf(info fs.FileInfo) Stat {
	return Stat{Size: info.Size(), Mtime: info.ModTime().UnixNano()}
}
