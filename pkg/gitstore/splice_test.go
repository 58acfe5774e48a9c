package gitstore

import (
	"bytes"
	"context"
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// spliceRepo makes a repository whose index git wrote with what real
// indexes hold: a cached-tree extension (after a commit), an entry added
// with intent to add (an extended flag: version 3), an untracked cache,
// and a name longer than the 12 bits of the flags can say.
func spliceRepo(t *testing.T) (dir string, data []byte) {
	t.Helper()
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("records/d%d/REC-%04d.yaml", i/50, i)] = fmt.Sprintf("id: REC-%04d\n", i)
	}
	dir = newRepo(t, files)
	// a name of 4,200 bytes, in the index only (no file system takes it)
	long := "records/long" + strings.Repeat("/"+strings.Repeat("n", 200), 21) + ".yaml"
	blob := strings.TrimSpace(gitCmd(t, dir, "hash-object", "-w", "--", "records/d0/REC-0001.yaml"))
	gitCmd(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+long)
	writeFiles(t, dir, map[string]string{"notes/planned.txt": "later\n"})
	gitCmd(t, dir, "add", "-N", "notes/planned.txt")
	gitCmd(t, dir, "update-index", "--untracked-cache")
	gitCmd(t, dir, "status", "--porcelain")
	data, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, data
}

// TestSpliceIndexEqualsGoGit: a splice gives, byte for byte, the index
// the go-git decode and encode of it gave (what a commit wrote before),
// and git reads it back with the new entries in place; in version 3 and
// in version 4, whose names are written against the name before (the
// long name drops thousands of bytes of it).
func TestSpliceIndexEqualsGoGit(t *testing.T) {
	for _, version := range []uint32{3, 4} {
		t.Run(fmt.Sprint("version ", version), func(t *testing.T) { testSpliceIndexEqualsGoGit(t, version) })
	}
}

func testSpliceIndexEqualsGoGit(t *testing.T, version uint32) {
	isolate(t)
	dir, data := spliceRepo(t)
	if version == 4 {
		gitCmd(t, dir, "update-index", "--index-version", "4")
		var err error
		if data, err = os.ReadFile(filepath.Join(dir, ".git", "index")); err != nil {
			t.Fatal(err)
		}
	}
	paths := map[string]bool{"records/d3/REC-0170.yaml": true, "records/d1/REC-0060.yaml": true, "records/d9/REC-9999.yaml": true, "a-first.yaml": true, "records/d2/REC-0100a.yaml": true}
	x, ok := readSplice(data, paths)
	if !ok {
		t.Fatal("git's own index could not be spliced")
	}
	if x.version != version {
		t.Fatalf("version %d, want %d (the intent-to-add entry makes it 3)", x.version, version)
	}
	newEntry := func(name, content string) *index.Entry {
		return &index.Entry{Name: name, Hash: plumbing.ComputeHash(plumbing.BlobObject, []byte(content)),
			Mode: filemode.Regular, Size: uint32(len(content)), Inode: 7, Dev: 9, UID: 1000, GID: 1000}
	}
	add := []*index.Entry{
		newEntry("records/d1/REC-0060.yaml", "id: REC-0060\nstatus: changed\n"), // replaced
		newEntry("records/d9/REC-9999.yaml", "id: REC-9999\n"),                  // new, last
		newEntry("a-first.yaml", "first\n"),                                     // new, first
		newEntry("records/d2/REC-0100a.yaml", "between\n"),                      // new, between two
	}
	replaced := map[string]bool{"records/d3/REC-0170.yaml": true} // removed
	for _, e := range add {
		replaced[e.Name] = true
	}
	parts, err := x.splice(replaced, add)
	if err != nil {
		t.Fatal(err)
	}
	got := bytes.Join(parts, nil)

	idx := &index.Index{}
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		t.Fatal(err)
	}
	kept := idx.Entries[:0]
	for _, e := range idx.Entries {
		if !replaced[e.Name] {
			kept = append(kept, e)
		}
	}
	idx.Entries = append(kept, add...)
	sort.SliceStable(idx.Entries, func(i, j int) bool { return idx.Entries[i].Name < idx.Entries[j].Name })
	idx.Cache = nil
	var want bytes.Buffer
	if err := index.NewEncoder(&want).Encode(idx); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("splice: %d bytes, go-git's %d; first difference at %d", len(got), want.Len(), firstDiff(got, want.Bytes()))
	}

	if err := os.WriteFile(filepath.Join(dir, ".git", "index"), got, 0o644); err != nil {
		t.Fatal(err)
	}
	ls := gitCmd(t, dir, "ls-files", "--stage")
	for _, e := range add {
		if !strings.Contains(ls, e.Hash.String()+" 0\t"+e.Name+"\n") {
			t.Errorf("git does not list %s at %s:\n%.300s", e.Name, e.Hash, ls)
		}
	}
	if strings.Contains(ls, "REC-0170.yaml") {
		t.Error("the removed entry is still listed")
	}
	if n := strings.Count(ls, "\n"); n != len(idx.Entries) {
		t.Errorf("git lists %d entries, want %d", n, len(idx.Entries))
	}
}

// TestSpliceIndexKeepsAssumeUnchanged: a commit leaves the other entries
// as they were, their flags too: a file someone marked assume-unchanged
// stays marked (go-git's decode and encode dropped the mark), in index
// versions 3 and 4 (which went through go-git), and so does the recovery
// of a commit stopped between its branch and its index.
func TestSpliceIndexKeepsAssumeUnchanged(t *testing.T) {
	for _, version := range []string{"3", "4"} {
		for _, stop := range []bool{false, true} {
			t.Run(fmt.Sprintf("version %s stopped %v", version, stop), func(t *testing.T) {
				isolate(t)
				dir, _ := spliceRepo(t)
				gitCmd(t, dir, "update-index", "--index-version", version)
				gitCmd(t, dir, "update-index", "--assume-unchanged", "records/d0/REC-0002.yaml")
				gitCmd(t, dir, "update-index", "--skip-worktree", "records/d0/REC-0003.yaml")
				writeFiles(t, dir, map[string]string{"records/d0/REC-0001.yaml": "id: REC-0001\nstatus: changed\n"})
				r := open(t, dir)
				if stop {
					commitStoppedAt(t, r, "ref", "records/d0/REC-0001.yaml")
					if fs, err := r.Recover(nil, true); err != nil || len(fs) == 0 || !fs[len(fs)-1].Repaired {
						t.Fatalf("Recover: %+v, %v", fs, err)
					}
				} else {
					commit(t, r, "one file", "records/d0/REC-0001.yaml")
				}
				ls := gitCmd(t, dir, "ls-files", "-v", "--", "records/d0/REC-0001.yaml", "records/d0/REC-0002.yaml", "records/d0/REC-0003.yaml")
				if ls != "H records/d0/REC-0001.yaml\nh records/d0/REC-0002.yaml\nS records/d0/REC-0003.yaml\n" {
					t.Errorf("git ls-files -v after the commit:\n%s", ls)
				}
				if st := gitCmd(t, dir, "status", "--porcelain", "--", "records/d0"); st != "" {
					t.Errorf("git status after the commit:\n%s", st)
				}
				if data, err := os.ReadFile(filepath.Join(dir, ".git", "index")); err != nil || fmt.Sprint(data[7]) != version {
					t.Errorf("the index is no longer version %s (%v)", version, err)
				}
				gitCmd(t, dir, "fsck", "--no-progress")
			})
		}
	}
}

// commitStoppedAt commits paths as commit does, stopped (by a panic, as a
// kill stops it: no step after runs) at the named step.
func commitStoppedAt(t *testing.T, r *Repo, at string, paths ...string) {
	t.Helper()
	type stopped struct{}
	StepHook = func(s string) {
		if s == at {
			panic(stopped{})
		}
	}
	defer func() {
		StepHook = nil
		if v := recover(); v != (stopped{}) {
			t.Fatalf("the commit was not stopped at %s: %v", at, v)
		}
	}()
	r.Commit(context.Background(), CommitRequest{Paths: paths, Message: "stopped", Author: alice, Committer: bob})
}

// TestSpliceIndexRefuses: an index a splice cannot read is decoded whole
// (which says what is wrong): a checksum that fails, a cut file, an
// extension readers must understand. Version 4 is spliced.
func TestSpliceIndexRefuses(t *testing.T) {
	isolate(t)
	dir, data := spliceRepo(t)
	bad := func(what string, b []byte) {
		t.Helper()
		if _, ok := readSplice(b, nil); ok {
			t.Errorf("%s: spliced", what)
		}
	}
	flipped := append([]byte(nil), data...)
	flipped[100] ^= 1
	bad("a flipped bit", flipped)
	bad("cut", data[:len(data)/2])
	required := append([]byte(nil), data[:len(data)-20]...)
	required = append(required, "link\x00\x00\x00\x00"...)
	bad("a required extension", withSum(required))
	gitCmd(t, dir, "update-index", "--index-version", "4")
	v4, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := readSplice(v4, nil); !ok {
		t.Error("version 4 not spliced")
	}
	// and a commit works on it
	writeFiles(t, dir, map[string]string{"records/d0/REC-0001.yaml": "id: REC-0001\nstatus: v4\n"})
	r := open(t, dir)
	commit(t, r, "on a version 4 index", "records/d0/REC-0001.yaml")
	if st := gitCmd(t, dir, "status", "--porcelain", "--", "records/d0"); st != "" {
		t.Errorf("after a commit on a version 4 index: %q", st)
	}
}

func withSum(b []byte) []byte {
	s := sha1.Sum(b)
	return append(b, s[:]...)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestReadGitIndexAgain: the git index read again is the bytes read
// before only while it is the same file, same size and time: a file git
// renamed over it, or one rewritten in place, is read anew.
func TestReadGitIndexAgain(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	name := filepath.Join(dir, ".git", "index")
	first, err := r.readGitIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.readGitIndex(name)
	if &first[0] != &again[0] {
		t.Error("the same file was read again")
	}
	writeFiles(t, dir, map[string]string{"b.txt": "b\n"})
	gitCmd(t, dir, "add", "b.txt") // git writes index.lock and renames it over
	after, _ := r.readGitIndex(name)
	if disk, _ := os.ReadFile(name); !bytes.Equal(after, disk) {
		t.Error("a renamed-over index was not read anew")
	}
	if err := os.WriteFile(name, append(append([]byte(nil), after...), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if grown, _ := r.readGitIndex(name); len(grown) != len(after)+1 {
		t.Error("an index rewritten in place was not read anew")
	}
}

// TestSpliceIndexRandom: over rounds of random changes (entries replaced,
// removed, added before, between and after the others, next to each
// other or alone), a splice gives the bytes go-git's decode and encode
// give, in versions 2, 3 and 4, and git reads the result; reading an
// index for a splice keeps the entries of the paths asked about only.
func TestSpliceIndexRandom(t *testing.T) {
	isolate(t)
	dir, _ := spliceRepo(t)
	rnd := rand.New(rand.NewPCG(5, 8))
	for _, version := range []uint32{2, 3, 4} {
		if version == 2 {
			gitCmd(t, dir, "update-index", "--force-remove", "notes/planned.txt") // no extended flags
		} else if version == 4 {
			gitCmd(t, dir, "add", "-N", "notes/planned.txt")
		}
		gitCmd(t, dir, "update-index", "--index-version", fmt.Sprint(version))
		data, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
		if err != nil {
			t.Fatal(err)
		}
		idx := &index.Index{}
		if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range idx.Entries {
			names = append(names, e.Name)
		}
		for round := range 40 {
			replaced := map[string]bool{}
			var add []*index.Entry
			for range 1 + rnd.IntN(6) {
				var name string
				switch k := rnd.IntN(4); {
				case k == 0: // a run of neighbours
					i := rnd.IntN(len(names) - 3)
					for _, n := range names[i : i+3] {
						replaced[n] = true
					}
					continue
				case k == 1:
					name = names[rnd.IntN(len(names))]
				case k == 2:
					name = names[rnd.IntN(len(names))] + "x"
				default:
					name = []string{"!first.yaml", "records/d1/", "zz-last.yaml", "records/d5/REC-0299.yamm"}[rnd.IntN(4)]
				}
				if replaced[name] {
					continue
				}
				replaced[name] = true
				if rnd.IntN(3) > 0 {
					content := fmt.Sprintf("%s %d\n", name, round)
					add = append(add, &index.Entry{Name: name, Hash: plumbing.ComputeHash(plumbing.BlobObject, []byte(content)),
						Mode: filemode.Regular, Size: uint32(len(content)), Inode: uint32(round), Dev: 9})
				}
			}
			x, ok := readSplice(data, replaced)
			if !ok {
				t.Fatalf("version %d: not spliced", version)
			}
			if len(x.spans) > len(replaced) {
				t.Fatalf("version %d: %d entries kept for %d paths", version, len(x.spans), len(replaced))
			}
			parts, err := x.splice(replaced, add)
			if err != nil {
				t.Fatal(err)
			}
			got := bytes.Join(parts, nil)
			want := &index.Index{Version: idx.Version}
			for _, e := range idx.Entries {
				if !replaced[e.Name] {
					want.Entries = append(want.Entries, e)
				}
			}
			want.Entries = append(want.Entries, add...)
			sort.SliceStable(want.Entries, func(i, j int) bool { return want.Entries[i].Name < want.Entries[j].Name })
			var wb bytes.Buffer
			if err := index.NewEncoder(&wb).Encode(want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wb.Bytes()) {
				t.Fatalf("version %d round %d: splice of %v: %d bytes, go-git's %d; first difference at %d", version, round, replaced, len(got), wb.Len(), firstDiff(got, wb.Bytes()))
			}
			if round%10 == 0 {
				if err := os.WriteFile(filepath.Join(dir, ".git", "index"), got, 0o644); err != nil {
					t.Fatal(err)
				}
				if n := strings.Count(gitCmd(t, dir, "ls-files", "--stage"), "\n"); n != len(want.Entries) {
					t.Fatalf("version %d: git lists %d entries, want %d", version, n, len(want.Entries))
				}
				if err := os.WriteFile(filepath.Join(dir, ".git", "index"), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Entries out of order (git refuses such an index) are not spliced.
	data, _ := os.ReadFile(filepath.Join(dir, ".git", "index"))
	idx := &index.Index{}
	index.NewDecoder(bytes.NewReader(data)).Decode(idx)
	idx.Entries[3], idx.Entries[4] = idx.Entries[4], idx.Entries[3]
	idx.Version = 2
	var b bytes.Buffer
	if err := index.NewEncoder(&b).Encode(idx); err != nil {
		t.Fatal(err)
	}
	if _, ok := readSplice(b.Bytes(), nil); ok {
		t.Error("an index out of order was spliced")
	}
}

// TestSpliceIndexKeepsOnlyItsPaths: reading an index of 20,000 entries
// for the splice of one path allocates a small fraction of the file (it
// kept a span of every entry, 56 bytes each, and the splice looked every
// name up in a map), and the splice gives the runs of entries kept as
// slices of the index read, copying none (it copied all into a new file's
// bytes).
func TestSpliceIndexKeepsOnlyItsPaths(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"records/x.yaml": "x\n"})
	blob := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:records/x.yaml")))
	files := map[string]treeFileState{}
	for i := range 20000 {
		files[fmt.Sprintf("records/big/REC-%06d.yaml", i)] = treeFileState{filemode.Regular, blob}
	}
	gitCmd(t, dir, "read-tree", gitWriteTree(t, dir, files).String())
	data, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	p := "records/big/REC-010000.yaml"
	var x *splicedIndex
	var ok bool
	if n := allocated(func() { x, ok = readSplice(data, map[string]bool{p: true}) }); !ok || n > uint64(len(data))/8 {
		t.Errorf("readSplice: ok=%v, allocated %d KB for an index of %d KB", ok, n>>10, len(data)>>10)
	}
	e := x.entriesOf(map[string]bool{p: true})
	if len(e) != 1 || e[0].Hash != blob {
		t.Fatalf("entries of %s: %v", p, e)
	}
	e[0].Hash = plumbing.ComputeHash(plumbing.BlobObject, []byte("changed\n"))
	var parts [][]byte
	if n := allocated(func() { parts, err = x.splice(map[string]bool{p: true}, e) }); err != nil || n > uint64(len(data))/8 {
		t.Errorf("splice: %v, allocated %d KB for an index of %d KB", err, n>>10, len(data)>>10)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "index"), bytes.Join(parts, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := gitCmd(t, dir, "ls-files", "--stage", p); !strings.Contains(got, e[0].Hash.String()) {
		t.Errorf("git reads %q", got)
	}
}
