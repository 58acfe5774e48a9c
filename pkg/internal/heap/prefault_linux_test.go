package heap

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// populates tells whether the kernel faults a range in on
// MADV_POPULATE_WRITE (Linux 5.14 on): where it does not, Prefault does
// nothing but cost a system call, which is all a hint may do.
func populates() bool {
	m, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return false
	}
	defer unix.Munmap(m)
	return unix.Madvise(m, madvPopulateWrite) == nil
}

func minorFaults(t *testing.T) int64 {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}

// faultsWriting writes a byte on every page of b and returns the page
// faults that took.
func faultsWriting(t *testing.T, b []byte) int64 {
	t.Helper()
	f := minorFaults(t)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return minorFaults(t) - f
}

// A large slice prefaulted is written without a fault a page; one not
// prefaulted (the yardstick, made the same way) takes one a page.
func TestPrefaultSparesTheFaults(t *testing.T) {
	if !populates() {
		t.Skip("the kernel has no MADV_POPULATE_WRITE: Prefault is only a hint")
	}
	const size = 64 << 20
	pages := int64(size / 4096)
	plain := make([]byte, size)
	yard := faultsWriting(t, plain)
	b := make([]byte, size)
	Prefault(b)
	got := faultsWriting(t, b)
	if got > pages/20 {
		t.Errorf("writing a prefaulted slice of %d pages took %d faults (the same slice not prefaulted: %d)", pages, got, yard)
	}
	if yard < pages/2 {
		t.Logf("the slice not prefaulted took only %d faults for %d pages (the system gives huge pages unasked)", yard, pages)
	}
	for i := 0; i < size; i += 4096 {
		if b[i] != 1 {
			t.Fatalf("byte %d: %d, want 1", i, b[i])
		}
	}
}

// Small slices are left alone, and any slice's contents are kept.
func TestPrefaultKeepsContents(t *testing.T) {
	small := []int{1, 2, 3}
	Prefault(small)
	if small[0] != 1 || small[2] != 3 {
		t.Errorf("small slice changed: %v", small)
	}
	big := make([]uint64, 1<<20)
	for i := range big {
		big[i] = uint64(i)
	}
	Prefault(big)
	for i, v := range big {
		if v != uint64(i) {
			t.Fatalf("big[%d] = %d after Prefault", i, v)
		}
	}
	Prefault([]struct{}{}) // no memory: nothing to do
}
