package gitobj

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f read-only, or returns nil (the
// caller reads the file instead). The mapping is removed once the
// returned slice's owner is unreachable: see keepMapped.
func mapFile(f *os.File, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	return m
}

// keepMapped removes the mapping m once owner is unreachable.
func keepMapped[T any](owner *T, m []byte) {
	if m != nil {
		runtime.AddCleanup(owner, func(m []byte) { unix.Munmap(m) }, m)
	}
}
