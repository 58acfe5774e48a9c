package gitobj

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/opsbook/opsbook/pkg/internal/gittest"
)

func openT(t testing.TB, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func mustResolve(tb testing.TB, r *Repo, rev string) plumbing.Hash {
	tb.Helper()
	h, err := r.Resolve(rev)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// The index answers a second run and grows with new commits only; a
// corrupt one is rebuilt, into what a first build makes.
func TestIndexExtendAndRebuild(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 6)
	r := openT(t, dir)
	if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
		t.Fatal(err)
	}
	path := r.IndexPath()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no index written: %v", err)
	}
	if n := len(loadIndex(path).nodes); n != 6 {
		t.Fatalf("index holds %d commits, want 6", n)
	}
	want := loadIndex(path).nodes

	tree := strings.TrimSpace(gittest.Git(t, dir, nil, "rev-parse", "HEAD^{tree}"))
	next := strings.TrimSpace(gittest.Git(t, dir, []string{"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com",
		"GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com"}, "commit-tree", tree, "-p", "HEAD", "-m", "more"))
	gittest.Git(t, dir, nil, "update-ref", "refs/heads/main", next)
	r = openT(t, dir)
	if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
		t.Fatal(err)
	}
	idx := loadIndex(path)
	fi2, _ := os.Stat(path)
	if len(idx.nodes) != 7 || idx.rebuilt || fi2.Size() <= fi.Size() {
		t.Errorf("index after one more commit: %d commits, rebuilt %v, size %d → %d", len(idx.nodes), idx.rebuilt, fi.Size(), fi2.Size())
	}
	if len(r.index().fresh) != 0 {
		t.Errorf("unsaved commits left: %d", len(r.index().fresh))
	}

	for _, corrupt := range []func([]byte) []byte{
		func(b []byte) []byte { b[len(b)-3] ^= 0xff; return b },          // a flipped bit
		func(b []byte) []byte { return b[:len(b)-5] },                    // truncated
		func(b []byte) []byte { return append([]byte("garbage"), b...) }, // not an index
	} {
		b, _ := os.ReadFile(path)
		os.WriteFile(path, corrupt(b), 0o644)
		r := openT(t, dir)
		if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
			t.Fatalf("index from a corrupt one: %v", err)
		}
		if !r.index().rebuilt {
			t.Error("a corrupt index was not noticed")
		}
		idx := loadIndex(path)
		if idx.rebuilt || len(idx.nodes) != 7 {
			t.Errorf("rebuilt index: %d commits, sound %v", len(idx.nodes), !idx.rebuilt)
		}
		for h, nd := range want {
			if !reflect.DeepEqual(nd, idx.nodes[h]) {
				t.Errorf("commit %s rebuilt as %+v, first built as %+v", h, idx.nodes[h], nd)
			}
		}
	}
}

func TestCommonPrefix(t *testing.T) {
	a := bytes.Repeat([]byte("0123456789abcdef"), 100)
	for _, at := range []int{0, 1, 255, 256, 257, 511, 512, 1599} {
		b := append([]byte{}, a...)
		b[at] ^= 1
		if got := commonPrefix(a, b); got != at {
			t.Errorf("differing at %d: commonPrefix = %d", at, got)
		}
	}
	if got := commonPrefix(a, a[:700]); got != 700 {
		t.Errorf("a prefix of the other: %d", got)
	}
	if got := commonPrefix(nil, a); got != 0 {
		t.Errorf("empty: %d", got)
	}
}

// TestIndexOnSeveralCores: an index built by several workers, each through
// its own packs, holds exactly what one worker builds, merges included;
// and after git gc (deltas the other way round) too.
func TestIndexOnSeveralCores(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 240)
	build := func(workers int) map[plumbing.Hash]*Node {
		t.Helper()
		savedMin, savedWorkers := parallelIndex, indexWorkers
		defer func() { parallelIndex, indexWorkers = savedMin, savedWorkers }()
		parallelIndex, indexWorkers = 20, func() int { return workers }
		os.RemoveAll(filepath.Join(dir, ".git", "opsbook"))
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
			t.Fatal(err)
		}
		return r.index().nodes
	}
	for _, gc := range []bool{false, true} {
		if gc {
			gittest.Git(t, dir, nil, "gc", "-q", "--aggressive")
		}
		one, three := build(1), build(3)
		if len(one) < 240 || len(one) != len(three) {
			t.Fatalf("gc=%v: %d commits indexed by one worker, %d by three", gc, len(one), len(three))
		}
		merges := 0
		for h, nd := range one {
			if len(nd.Parents) > 1 {
				merges++
			}
			if !reflect.DeepEqual(nd, three[h]) {
				t.Fatalf("gc=%v: commit %s indexed differently:\none:   %+v\nthree: %+v", gc, h, nd, three[h])
			}
		}
		if merges == 0 {
			t.Fatal("no merge commit in the generated history")
		}
	}
}

// TestRawPackAgrees: every object of the packs, read as bytes with our
// own delta code, is what go-git's storage reads, before and after git gc.
func TestRawPackAgrees(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 120)
	for _, gc := range []bool{false, true} {
		if gc {
			gittest.Git(t, dir, nil, "gc", "-q", "--aggressive")
		}
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range r.packs.raws {
			// every object the pack index file lists, as go-git decodes it
			mi := goGitIndex(t, strings.TrimSuffix(p.f.Name(), ".pack")+".idx")
			if mi == nil {
				t.Fatal("go-git cannot read the pack index")
			}
			if _, mapped := p.idx.(*fileIndex); !mapped && runtime.GOOS == "linux" {
				t.Fatalf("gc=%v: the pack index is not mapped", gc)
			}
			it, err := mi.Entries()
			if err != nil {
				t.Fatal(err)
			}
			var missing plumbing.Hash
			for {
				e, err := it.Next()
				if err != nil {
					break
				}
				// the index searched in place finds it where go-git does
				if got, err := p.idx.FindOffset(e.Hash); err != nil || got != int64(e.Offset) {
					t.Fatalf("gc=%v: %s at %d (%v), go-git says %d", gc, e.Hash, got, err, e.Offset)
				}
				missing = e.Hash
				missing[19] ^= 1
				if _, err := mi.FindOffset(missing); errors.Is(err, plumbing.ErrObjectNotFound) {
					if _, err := p.idx.FindOffset(missing); !errors.Is(err, plumbing.ErrObjectNotFound) {
						t.Fatalf("gc=%v: %s, held nowhere, found: %v", gc, missing, err)
					}
				}
				typ, got, ok, err := r.packs.raw(e.Hash, 0)
				if err != nil || !ok {
					t.Fatalf("gc=%v: %s: ok=%v %v", gc, e.Hash, ok, err)
				}
				o, err := r.store.EncodedObject(plumbing.AnyObject, e.Hash)
				if err != nil {
					t.Fatal(err)
				}
				rd, _ := o.Reader()
				var want bytes.Buffer
				want.ReadFrom(rd)
				rd.Close()
				if len(got) > 1 {
					// Under the limit of its own size less one, an object
					// is over the limit; at its size, it is read.
					if _, _, _, err := r.packs.raw(e.Hash, len(got)-1); !errors.Is(err, errOverLimit) {
						t.Fatalf("gc=%v: %s (%d bytes) read under a limit of %d: %v", gc, e.Hash, len(got), len(got)-1, err)
					}
					if _, b, _, err := r.packs.raw(e.Hash, len(got)); err != nil || !bytes.Equal(b, got) {
						t.Fatalf("gc=%v: %s read at its own size: %v", gc, e.Hash, err)
					}
				}
				if typ != o.Type() || !bytes.Equal(got, want.Bytes()) {
					t.Fatalf("gc=%v: %s: %v %d bytes, go-git %v %d bytes", gc, e.Hash, typ, len(got), o.Type(), want.Len())
				}
				n++
			}
		}
		r.Close()
		if n < 300 {
			t.Fatalf("gc=%v: only %d objects compared", gc, n)
		}
	}
	// A damaged delta is refused, not trusted.
	if _, err := patchDelta([]byte("abc"), []byte{3, 5, 0x90, 5}); err == nil {
		t.Error("a delta copying past its base was applied")
	}
	if _, err := patchDelta([]byte("abc"), []byte{2, 1, 1, 'x'}); err == nil {
		t.Error("a delta for another base size was applied")
	}
	if got, err := patchDelta([]byte("hello world"), []byte{11, 8, 0x91, 6, 5, 3, '!', '!', '!'}); err != nil || string(got) != "world!!!" {
		t.Errorf("patchDelta = %q, %v", got, err)
	}
}

// TestIndexProgress: building the index tells its progress, ending with
// every commit done; an index already built tells nothing.
func TestIndexProgress(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 60)
	for _, want := range []int{60, -1} {
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		last, calls := [2]int{-1, -1}, 0
		r.IndexProgress = func(done, total int) { last, calls = [2]int{done, total}, calls+1 }
		if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
			t.Fatal(err)
		}
		r.Close()
		switch {
		case want > 0 && (last[0] != last[1] || last[1] < want):
			t.Errorf("last progress %v, want all of at least %d commits", last, want)
		case want < 0 && calls > 0:
			t.Errorf("progress told %d times with the index built", calls)
		}
	}
}

// TestRawPackDamaged: a damaged pack gives errors, never a panic or a
// huge allocation.
func TestRawPackDamaged(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 40)
	gittest.Git(t, dir, nil, "gc", "-q", "--aggressive")
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %v", packs)
	}
	orig, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	for at := 12; at < len(orig); at += len(orig)/97 + 1 {
		bad := append([]byte{}, orig...)
		bad[at] ^= 0xff
		os.Chmod(packs[0], 0o644)
		if err := os.WriteFile(packs[0], bad, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(dir)
		if err != nil {
			continue
		}
		for _, p := range r.packs.raws {
			for _, h := range packHashes(t, p) {
				r.packs.raw(h, 0) // an error or other bytes; never a panic
			}
		}
		r.Close()
	}
	os.WriteFile(packs[0], orig, 0o644)
	// the pack index damaged (it is mapped and searched in place): every
	// look-up of every object is an error, nothing or another object,
	// never a panic
	idxPath := strings.TrimSuffix(packs[0], ".pack") + ".idx"
	origIdx, err := os.ReadFile(idxPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	hashes := packHashes(t, r.packs.raws[0])
	r.Close()
	for at := 0; at < len(origIdx); at += len(origIdx)/97 + 1 {
		bad := append([]byte{}, origIdx...)
		bad[at] ^= 0xff
		if at+1 < len(bad) {
			bad[at+1] ^= 0x80
		}
		os.Remove(idxPath) // a new file, as git writes one: never in place
		if err := os.WriteFile(idxPath, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(dir)
		if err != nil {
			continue
		}
		for _, h := range hashes {
			r.packs.raw(h, 0)
		}
		r.Close()
	}
}

// packHashes lists the objects a pack's index file holds, as go-git
// decodes it.
func packHashes(t *testing.T, p *rawPack) []plumbing.Hash {
	t.Helper()
	mi := goGitIndex(t, strings.TrimSuffix(p.f.Name(), ".pack")+".idx")
	if mi == nil {
		return nil
	}
	it, err := mi.Entries()
	if err != nil {
		return nil
	}
	var hs []plumbing.Hash
	for {
		e, err := it.Next()
		if err != nil {
			return hs
		}
		hs = append(hs, e.Hash)
	}
}

// TestNodesReadBackLazily: a node read from the index file, whose changes
// stay encoded until asked for, answers Changes, ChangeOf and AnyPath as
// the node made from git did (merges' other parents included); an entry
// whose changes do not fit it, under a good CRC, makes the file unusable.
func TestNodesReadBackLazily(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 120)
	r := openT(t, dir)
	if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
		t.Fatal(err)
	}
	made := r.index().nodes
	read := loadIndex(r.IndexPath())
	if read.rebuilt || len(read.nodes) != len(made) {
		t.Fatalf("read back %d of %d commits (rebuilt %v)", len(read.nodes), len(made), read.rebuilt)
	}
	merges, paths := 0, 0
	for h, m := range made {
		nd := read.nodes[h]
		if nd == nil || nd.Tree != m.Tree || nd.Time != m.Time || !reflect.DeepEqual(nd.Parents, m.Parents) {
			t.Fatalf("commit %s read back as %+v", h, nd)
		}
		if len(m.Parents) > 1 {
			merges++
		}
		for _, c := range m.Changes() {
			got, ok := nd.ChangeOf(c.Path)
			if !ok || !reflect.DeepEqual(got, c) {
				t.Fatalf("commit %s: ChangeOf(%s) = %+v %v, want %+v", h, c.Path, got, ok, c)
			}
			if !nd.AnyPath(func(p string) bool { return p == c.Path }) {
				t.Fatalf("commit %s: AnyPath does not see %s", h, c.Path)
			}
			paths++
		}
		for _, keep := range []func(Change) bool{
			func(c Change) bool { return !c.Old.IsZero() },
			func(c Change) bool { return c.New.IsZero() || strings.HasSuffix(c.Path, "3.yaml") },
			func(Change) bool { return true },
		} {
			if got, want := nd.Where(keep), m.Where(keep); !reflect.DeepEqual(got, want) {
				t.Fatalf("commit %s: Where read back %+v, made %+v", h, got, want)
			}
		}
		if _, ok := nd.ChangeOf("no/such/file.yaml"); ok {
			t.Fatalf("commit %s: a path it did not change found", h)
		}
		if nd.AnyPath(func(p string) bool { return p == "no/such/file.yaml" }) {
			t.Fatalf("commit %s: AnyPath found a path it did not change", h)
		}
		if got := nd.Changes(); len(got)+len(m.Changes()) > 0 && !reflect.DeepEqual(got, m.Changes()) {
			t.Fatalf("commit %s: changes read back as %+v, made as %+v", h, got, m.Changes())
		}
	}
	if merges == 0 || paths < 100 {
		t.Fatalf("%d merges, %d paths compared", merges, paths)
	}

	// an entry claiming one change more than it holds, its CRC made good
	var h plumbing.Hash
	for k, m := range made {
		if len(m.Changes()) > 0 && len(m.Changes()) < 100 {
			h = k
			break
		}
	}
	m := made[h]
	body := encodeNode(nil, h, m)[4:]
	body = body[:len(body)-4]
	at := 20 + 20 + len(binary.AppendVarint(nil, m.Time)) + 1 + 20*len(m.Parents)
	if int(body[at]) != len(m.Changes()) {
		t.Fatalf("layout: change count not at %d", at)
	}
	body[at]++
	entry := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	entry = append(entry, body...)
	entry = binary.BigEndian.AppendUint32(entry, crc32.ChecksumIEEE(body))
	path := filepath.Join(t.TempDir(), "commits.idx")
	os.WriteFile(path, append([]byte(indexMagic), entry...), 0o644)
	if idx := loadIndex(path); !idx.rebuilt || len(idx.nodes) != 0 {
		t.Errorf("an entry claiming more changes than it holds was read: %d nodes, rebuilt %v", len(idx.nodes), idx.rebuilt)
	}
}

// TestDamagedNodeNeverPanics: an entry's bytes damaged at random (its CRC
// made good) are an error, or a node whose changes read back without a
// panic.
func TestDamagedNodeNeverPanics(t *testing.T) {
	dir := t.TempDir()
	gittest.Gen(t, dir, 40)
	r := openT(t, dir)
	if err := r.EnsureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for h, m := range r.index().nodes {
		good := encodeNode(nil, h, m)
		good = good[4 : len(good)-4]
		for range 200 {
			b := append([]byte(nil), good...)
			for range 1 + rnd.IntN(3) {
				switch i := rnd.IntN(len(b)); rnd.IntN(3) {
				case 0:
					b[i] ^= byte(1 << rnd.IntN(8))
				case 1:
					b = b[:i]
				default:
					b[i] = 0xff
				}
				if len(b) == 0 {
					break
				}
			}
			_, nd, err := decodeNode(b)
			if err != nil {
				continue
			}
			for _, c := range nd.Changes() {
				nd.ChangeOf(c.Path)
			}
			nd.Where(func(Change) bool { return true })
			nd.AnyPath(func(string) bool { return false })
		}
	}
}

// goGitIndex is the pack index file at path as go-git decodes it, or nil
// when go-git cannot (a damaged file).
func goGitIndex(t *testing.T, path string) *idxfile.MemoryIndex {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mi := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(f).Decode(mi); err != nil {
		return nil
	}
	return mi
}
