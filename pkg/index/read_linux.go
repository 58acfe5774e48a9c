package index

import (
	"golang.org/x/sys/unix"

	"github.com/opsbook/opsbook/pkg/cache"
)

// readFile reads the index file. A large one (100,000 records make
// about 30 MB) is mapped into memory read-only, as git maps its index and
// pack files: the pages are the page cache's own, so nothing is copied
// and no memory is cleared for it. Read into the Go heap, or into memory
// of its own, 30 MB took 11 to 25 ms and, at 300,000 records (90 MB),
// up to 0.4 s of system time in faults and clearing; mapped and
// checksummed, 3 ms and 9 ms.
//
// A mapping sees the file as it is on disk, so it is safe only because
// the index file is never written in place: every save writes a new file
// and renames it over the old one (cache.WriteFile), and a base keeps a
// file by linking it, so the inode mapped never changes while it is
// mapped. A file cut short in place by hand while a command runs stops
// that command with a fault (as git does when its mapped files are cut),
// which loses nothing: writes are journaled. The memory is never unmapped
// once opened: the entries' strings share it to the end of the process
// (a process opening many large indexes, such as a benchmark, keeps them
// all mapped). Any failure of the mapping falls back to reading the file.
// release unmaps the memory of a file found unusable, whose bytes
// nothing holds.
func readFile(path string) (data []byte, release func(), err error) {
	release = func() {}
	f, n, err := cache.OpenFile(path) // a regular file of a sane size
	if err != nil {
		return nil, release, err
	}
	defer f.Close()
	if n < mapAtLeast || n == 0 {
		data, err = cache.ReadSized(f, n)
		return data, release, err
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(n), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		data, err = cache.ReadSized(f, n)
		return data, release, err
	}
	return m, func() { unix.Munmap(m) }, nil
}
