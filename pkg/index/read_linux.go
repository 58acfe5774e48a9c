package index

import (
	"io"

	"golang.org/x/sys/unix"

	"github.com/opsbook/opsbook/pkg/cache"
)

// readFile reads the index file. A large one (100,000 records make
// about 36 MB) is read into memory mapped for it alone and marked for
// transparent huge pages: the kernel then hands it over in 2 MB pages
// rather than 4 KB ones, each of which it must fault in and clear. On the
// VM of the README's figures that took reading 36 MB from 150 ms (as
// os.ReadFile does it, into the Go heap) to 15 ms. The memory is never
// unmapped: the entries' strings share it to the end of the process (a
// process opening many large indexes, such as a benchmark, keeps them
// all).
// Any failure of the mapping falls back to os.ReadFile. release unmaps
// the memory of a file found unusable, whose bytes nothing holds.
func readFile(path string) (data []byte, release func(), err error) {
	release = func() {}
	f, n, err := cache.OpenFile(path) // a regular file of a sane size
	if err != nil {
		return nil, release, err
	}
	defer f.Close()
	if n < hugeAtLeast {
		data, err = cache.ReadSized(f, n)
		return data, release, err
	}
	// One byte more than the size: a file grown since its stat is seen.
	m, err := unix.Mmap(-1, 0, int(n)+1, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		data, err = cache.ReadSized(f, n)
		return data, release, err
	}
	unix.Madvise(m, unix.MADV_HUGEPAGE) // a hint: without it, 4 KB pages
	got, err := io.ReadFull(f, m)
	switch {
	case err == nil: // grown: read it the plain way
		unix.Munmap(m)
		data, err = cache.ReadFile(path)
		return data, release, err
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// shrunk or whole: the checksum tells. Read-only from now on:
		// strings share it.
		unix.Mprotect(m, unix.PROT_READ)
		return m[:got], func() { unix.Munmap(m) }, nil
	default:
		unix.Munmap(m)
		return nil, release, err
	}
}
