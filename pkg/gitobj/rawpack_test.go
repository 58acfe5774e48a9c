package gitobj

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/internal/gittest"
)

// deltaChain makes a repository whose pack holds versions of a 1 MiB
// blob, each a small change of the one before, packed as one chain of
// deltas; it returns the versions and their hashes, and each hash's depth
// in the chain as git verify-pack states it.
func deltaChain(t *testing.T, versions int) (dir string, data [][]byte, hashes []string, depth map[string]int) {
	t.Helper()
	dir = t.TempDir()
	gittest.Git(t, dir, nil, "init", "-q")
	rnd := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = "abcdefghij\n"[rnd.IntN(11)]
	}
	for i := range versions {
		copy(b[1000+i*3000:], fmt.Sprintf("v%04d", i))
		p := filepath.Join(dir, "v")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		data = append(data, append([]byte(nil), b...))
		hashes = append(hashes, strings.TrimSpace(gittest.Git(t, dir, nil, "hash-object", "-w", p)))
	}
	cmd := exec.Command("git", "pack-objects", "-q", "--window=50", "--depth=50", filepath.Join(dir, ".git", "objects", "pack", "pack"))
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(strings.Join(hashes, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git pack-objects: %v\n%s", err, out)
	}
	gittest.Git(t, dir, nil, "prune-packed")
	depth = map[string]int{}
	for _, line := range strings.Split(gittest.Git(t, dir, nil, "verify-pack", "-v", packIdx(t, dir)), "\n") {
		f := strings.Fields(line)
		if len(f) == 7 {
			depth[f[0]], _ = strconv.Atoi(f[5])
		}
	}
	return dir, data, hashes, depth
}

// TestDeltaChainTwoBuffers: the deepest object of a chain of deltas of a
// 1 MiB blob, read by a reader whose cache keeps no such object
// (PackReader), costs about three copies of it (the whole object at the
// chain's end and two buffers patched in turn), not one per delta; what
// is read is git's object. With the cache of a history reader (Open),
// every version patched on the way is kept, as before: the next read of
// one of them patches nothing.
func TestDeltaChainTwoBuffers(t *testing.T) {
	dir, data, hashes, depth := deltaChain(t, 30)
	deepest := 0
	for i, h := range hashes {
		if depth[h] > depth[hashes[deepest]] {
			deepest = i
		}
	}
	if d := depth[hashes[deepest]]; d < 20 {
		t.Fatalf("deepest delta %d, want a chain of at least 20", d)
	}
	h := plumbing.NewHash(hashes[deepest])

	r, err := OpenPackReader(filepath.Join(dir, ".git"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	typ, got, ok, err := r.Read(h)
	runtime.ReadMemStats(&after)
	if err != nil || !ok || typ != plumbing.BlobObject || !bytes.Equal(got, data[deepest]) {
		t.Fatalf("read %s: %v %d bytes, ok=%v, %v", h, typ, len(got), ok, err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("resolving a chain of %d deltas of 1 MiB allocated %d MiB, want under 4", depth[h.String()], n>>20)
	}
	// Every version, read again in any order by the same reader, is git's.
	for i, hs := range hashes {
		if _, got, _, err := r.Read(plumbing.NewHash(hs)); err != nil || !bytes.Equal(got, data[i]) {
			t.Fatalf("version %d: %d bytes, %v", i, len(got), err)
		}
	}

	hr := openT(t, dir)
	if _, got, _, err := hr.packs.raw(h, 0); err != nil || !bytes.Equal(got, data[deepest]) {
		t.Fatalf("history reader: %d bytes, %v", len(got), err)
	}
	c := hr.packs.raws[0].cache
	if len(c.m) < depth[h.String()]+1 {
		t.Errorf("history reader's cache holds %d objects after a chain of %d", len(c.m), depth[h.String()])
	}
	for i, hs := range hashes {
		runtime.ReadMemStats(&before)
		_, got, _, err := hr.packs.raw(plumbing.NewHash(hs), 0)
		runtime.ReadMemStats(&after)
		if err != nil || !bytes.Equal(got, data[i]) {
			t.Fatalf("history reader, version %d: %d bytes, %v", i, len(got), err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("history reader, version %d read again: %d KiB allocated, want it from the cache", i, n>>10)
		}
	}
}

// TestPackReaderSearchesInPlace: a PackReader finds every object of a
// pack of 40,000 at the offset go-git's decoded index gives, and reads it
// as git does, while opening it and reading one object allocates a small
// fraction of the pack index's size (go-git's decoder reads the whole
// file into tables); a hash the pack does not hold is not found.
func TestPackReaderSearchesInPlace(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, nil, "init", "-q")
	var in strings.Builder
	for i := range 40000 {
		d := fmt.Sprintf("record %d\n", i)
		fmt.Fprintf(&in, "blob\nmark :%d\ndata %d\n%s\n", i+1, len(d), d)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(in.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	idxPath := packIdx(t, dir)
	info, err := os.Stat(idxPath)
	if err != nil {
		t.Fatal(err)
	}
	want := plumbing.ComputeHash(plumbing.BlobObject, []byte("record 12345\n"))
	var pr *PackReader
	var got []byte
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pr, err = OpenPackReader(filepath.Join(dir, ".git"))
	if err == nil {
		_, got, _, err = pr.Read(want)
	}
	runtime.ReadMemStats(&after)
	if err != nil || string(got) != "record 12345\n" {
		t.Fatalf("Read = %q, %v", got, err)
	}
	defer pr.Close()
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(info.Size())/4 {
		t.Errorf("opening and reading one object allocated %d KB, the pack index is %d KB", n>>10, info.Size()>>10)
	}
	if _, _, ok, err := pr.Read(plumbing.NewHash(strings.Repeat("ab", 20))); ok || err != nil {
		t.Errorf("an absent object: ok=%v, %v", ok, err)
	}
	// a Repo opens its packs without decoding their index files (go-git's
	// decoder made a table of every object): they are mapped and
	// searched in place
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := openT(t, dir)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(info.Size())/4 && runtime.GOOS == "linux" {
		t.Errorf("opening the repository allocated %d KB, the pack index is %d KB", n>>10, info.Size()>>10)
	}
	mi := goGitIndex(t, idxPath)
	if mi == nil {
		t.Fatal("go-git cannot read the pack index")
	}
	it, err := mi.Entries()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		e, err := it.Next()
		if err != nil {
			break
		}
		off, err := pr.idxs[0].FindOffset(e.Hash)
		if err != nil || off != int64(e.Offset) {
			t.Fatalf("%s: offset %d, %v; go-git's index says %d", e.Hash, off, err, e.Offset)
		}
		off, err = r.packs.raws[0].idx.FindOffset(e.Hash)
		if err != nil || off != int64(e.Offset) {
			t.Fatalf("%s: offset %d in the Repo's index, %v; go-git's index says %d", e.Hash, off, err, e.Offset)
		}
		if n%997 == 0 {
			_, b, ok, err := pr.Read(e.Hash)
			if err != nil || !ok || plumbing.ComputeHash(plumbing.BlobObject, b) != e.Hash {
				t.Fatalf("%s read as %q, %v %v", e.Hash, b, ok, err)
			}
		}
		n++
	}
	if n != 40000 {
		t.Errorf("%d objects compared", n)
	}
}
