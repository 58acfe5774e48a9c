package gitstore

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeFileState is what a tree holds at one path.
type treeFileState struct {
	mode filemode.FileMode
	hash plumbing.Hash
}

// gitWriteTree is the tree git itself writes for files (path → state):
// an index of exactly those entries, then git write-tree.
func gitWriteTree(t *testing.T, dir string, files map[string]treeFileState) plumbing.Hash {
	t.Helper()
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
	if out, err := gitRun(dir, env, "read-tree", "--empty"); err != nil {
		t.Fatalf("git read-tree: %v\n%s", err, out)
	}
	var in strings.Builder
	for p, s := range files {
		fmt.Fprintf(&in, "%o %s\t%s\n", uint32(s.mode), s.hash, p)
	}
	cmd := execGit(dir, "update-index", "--index-info")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(in.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git update-index --index-info: %v\n%s", err, out)
	}
	out, err := gitRun(dir, env, "write-tree")
	if err != nil {
		t.Fatalf("git write-tree: %v\n%s", err, out)
	}
	return plumbing.NewHash(strings.TrimSpace(out))
}

// lsTree lists a tree's files as git sees them.
func lsTree(t *testing.T, dir string, tree plumbing.Hash) map[string]treeFileState {
	t.Helper()
	out := map[string]treeFileState{}
	for _, line := range strings.Split(strings.TrimSpace(gitCmd(t, dir, "ls-tree", "-r", "--full-tree", tree.String())), "\n") {
		if line == "" {
			continue
		}
		meta, p, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		m, err := filemode.New(f[0])
		if err != nil {
			t.Fatal(err)
		}
		out[p] = treeFileState{m, plumbing.NewHash(f[2])}
	}
	return out
}

// checkTreesReencode: every tree under root decodes with go-git and
// encodes again to the same bytes (git's encoding, entry by entry).
func checkTreesReencode(t *testing.T, r *Repo, root plumbing.Hash) {
	t.Helper()
	raw, err := r.tree(root)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := object.GetTree(r.repo.Storer, root)
	if err != nil {
		t.Fatalf("go-git reads tree %s: %v", root, err)
	}
	o := &plumbing.MemoryObject{}
	if err := tr.Encode(o); err != nil {
		t.Fatal(err)
	}
	rd, _ := o.Reader()
	var again bytes.Buffer
	again.ReadFrom(rd)
	if !bytes.Equal(again.Bytes(), raw) {
		t.Fatalf("tree %s: go-git encodes its entries as other bytes", root)
	}
	for _, e := range tr.Entries {
		if e.Mode == filemode.Dir {
			checkTreesReencode(t, r, e.Hash)
		}
	}
}

// TestSpliceTreeEqualsGit: a tree spliced by the commit's tree builder is,
// byte for byte, the tree git write-tree makes of the same files, over
// rounds of random changes (files changed, added in new and old folders,
// removed down to empty folders, a file replaced by a folder of the same
// name) on names where git's order matters: "a-b" < "a.b" < "a/" < "a0",
// names sorting first ("!") and last ("~x"). Every tree it wrote reads
// back with go-git and encodes to the same bytes, git fsck --strict
// passes, and a lookup of every path, folder and absent name agrees with
// go-git's.
func TestSpliceTreeEqualsGit(t *testing.T) {
	isolate(t)
	names := []string{"a", "a-b", "a.b", "a0", "ab", "b", "A", "-", "!", "~x", "z", "a b"}
	rnd := rand.New(rand.NewPCG(7, 11))
	randPath := func() string {
		var segs []string
		for range 1 + rnd.IntN(3) {
			segs = append(segs, names[rnd.IntN(len(names))])
		}
		return strings.Join(segs, "/")
	}
	initial := map[string]string{}
	for len(initial) < 25 {
		p := randPath()
		conflict := false
		for q := range initial {
			if strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") {
				conflict = true
			}
		}
		if !conflict {
			initial[p] = "v" + p + "\n"
		}
	}
	dir := newRepo(t, initial)
	var blobs []plumbing.Hash
	for i := range 6 {
		blobs = append(blobs, plumbing.NewHash(strings.TrimSpace(gitRunIn(t, dir, fmt.Sprintf("blob %d\n", i), "hash-object", "-w", "--stdin"))))
	}
	modes := []filemode.FileMode{filemode.Regular, filemode.Regular, filemode.Executable, filemode.Symlink}
	r := open(t, dir)
	base := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD^{tree}")))
	state := lsTree(t, dir, base)

	dirs := func(files map[string]treeFileState) map[string]bool {
		out := map[string]bool{}
		for p := range files {
			for i := strings.IndexByte(p, '/'); i > 0; i = strings.IndexByte(p[i+1:], '/') + i + 1 {
				out[p[:i]] = true
				if strings.IndexByte(p[i+1:], '/') < 0 {
					break
				}
			}
		}
		return out
	}
	replacements, emptied := 0, 0
	for round := range 120 {
		changes := map[string]treeChange{}
		next := map[string]treeFileState{}
		for p, s := range state {
			next[p] = s
		}
		paths := slices.Sorted(func(yield func(string) bool) {
			for p := range state {
				if !yield(p) {
					return
				}
			}
		})
		for range 1 + rnd.IntN(5) {
			newState := treeFileState{modes[rnd.IntN(len(modes))], blobs[rnd.IntN(len(blobs))]}
			switch k := rnd.IntN(3); {
			case k == 0 && len(paths) > 0: // change a file
				p := paths[rnd.IntN(len(paths))]
				if _, ok := changes[p]; ok || next[p] == (treeFileState{}) {
					continue
				}
				changes[p] = treeChange{hash: newState.hash, mode: newState.mode}
				next[p] = newState
			case k == 1 && len(paths) > 0: // remove a file
				p := paths[rnd.IntN(len(paths))]
				if _, ok := changes[p]; ok || next[p] == (treeFileState{}) {
					continue
				}
				changes[p] = treeChange{remove: true}
				delete(next, p)
			default: // add a file, replacing a file where its folder goes
				p := randPath()
				if _, ok := changes[p]; ok {
					continue
				}
				ok := true
				var replaced []string
				for q := range next {
					switch {
					case q == p || strings.HasPrefix(q, p+"/"):
						ok = false // a file or folder there already
					case strings.HasPrefix(p, q+"/"):
						if c, changed := changes[q]; changed && !c.remove {
							ok = false
						}
						replaced = append(replaced, q)
					}
				}
				for q, c := range changes {
					// a folder whose files go cannot become a file at once
					// (refused: see TestSpliceTreeRefusals)
					if strings.HasPrefix(q, p+"/") || (!c.remove && strings.HasPrefix(p, q+"/")) {
						ok = false
					}
				}
				if !ok {
					continue
				}
				for _, q := range replaced {
					changes[q] = treeChange{remove: true}
					delete(next, q)
					replacements++
				}
				changes[p] = treeChange{hash: newState.hash, mode: newState.mode}
				next[p] = newState
			}
		}
		if len(changes) == 0 {
			continue
		}
		tb := &treeBuilder{r: r, level: 1}
		got, err := tb.build(base, "", changes)
		if err != nil {
			t.Fatalf("round %d: %v (changes %v)", round, err, changes)
		}
		if got.IsZero() {
			if got, err = tb.write(nil); err != nil {
				t.Fatal(err)
			}
		}
		if want := gitWriteTree(t, dir, next); got != want {
			t.Fatalf("round %d: spliced tree %s, git write-tree %s\nchanges %v", round, got, want, changes)
		}
		if round%10 == 0 {
			checkTreesReencode(t, r, got)
		}
		now := dirs(next)
		for d := range dirs(state) {
			if !now[d] {
				emptied++
			}
		}
		base, state = got, next
	}
	t.Logf("%d files replaced by folders, %d folders emptied", replacements, emptied)
	if replacements == 0 || emptied == 0 {
		t.Errorf("%d files replaced by folders, %d folders emptied: the rounds did not try both", replacements, emptied)
	}
	checkTreesReencode(t, r, base)
	gitCmd(t, dir, "update-ref", "refs/heads/spliced", strings.TrimSpace(gitCmd(t, dir, "commit-tree", "-m", "spliced", base.String())))
	gitCmd(t, dir, "fsck", "--strict", "--no-progress", "--no-dangling")

	// Lookups agree with go-git's, for files, folders and absent names.
	tr, err := object.GetTree(r.repo.Storer, base)
	if err != nil {
		t.Fatal(err)
	}
	var probes []string
	for p := range state {
		probes = append(probes, p, p+"/x", p+"x")
		if i := strings.LastIndexByte(p, '/'); i > 0 {
			probes = append(probes, p[:i], p[:i]+"-")
		}
	}
	for _, n := range names {
		probes = append(probes, n, n+"/"+n)
	}
	r2 := open(t, dir)
	for _, p := range probes {
		h, m, ok, err := r2.treeFile(base, p)
		if err != nil {
			t.Fatalf("treeFile(%q): %v", p, err)
		}
		want, werr := tr.FindEntry(p)
		wantOK := werr == nil && want.Mode != filemode.Dir
		if ok != wantOK || (ok && (h != want.Hash || m != want.Mode)) {
			t.Errorf("treeFile(%q) = %s %v %v; go-git: %+v %v", p, h, m, ok, want, werr)
		}
	}
}

// TestSpliceTreeRefusals: the splice keeps the builder's refusals, and
// its allowances: a file may become a folder when its removal is
// committed with the files under it; a path may not be both; a folder in
// HEAD is not a file to change; a file in HEAD holds no files.
func TestSpliceTreeRefusals(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"f": "file\n", "d/x": "x\n", "d/y": "y\n", "e": "e\n"})
	r := open(t, dir)
	base := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD^{tree}")))
	blob := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:e")))
	add := treeChange{hash: blob, mode: filemode.Regular}
	for _, tc := range []struct {
		changes map[string]treeChange
		want    string
	}{
		{map[string]treeChange{"g": add, "g/h": add}, "both as a file and as a directory"},
		{map[string]treeChange{"d": add}, "is a directory in HEAD"},
		{map[string]treeChange{"d": {remove: true}}, "is a directory in HEAD"},
		{map[string]treeChange{"f/h": add}, "is a file in HEAD"},
		{map[string]treeChange{"e/f/g": add}, "is a file in HEAD"},
	} {
		_, err := (&treeBuilder{r: r, level: 1}).build(base, "", tc.changes)
		if !errors.Is(err, ErrBadPath) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("build(%v) = %v, want ErrBadPath %q", tc.changes, err, tc.want)
		}
	}
	// f becomes a folder; d loses its files and goes; e is removed.
	got, err := (&treeBuilder{r: r, level: 1}).build(base, "", map[string]treeChange{
		"f": {remove: true}, "f/h": add, "d/x": {remove: true}, "d/y": {remove: true}, "e": {remove: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := gitWriteTree(t, dir, map[string]treeFileState{"f/h": {filemode.Regular, blob}}); got != want {
		t.Errorf("tree %s, git %s", got, want)
	}
	// Everything removed: no tree.
	got, err = (&treeBuilder{r: r, level: 1}).build(base, "", map[string]treeChange{
		"f": {remove: true}, "d/x": {remove: true}, "d/y": {remove: true}, "e": {remove: true},
	})
	if err != nil || !got.IsZero() {
		t.Errorf("everything removed: %s, %v", got, err)
	}
}

// TestSpliceTreeOutOfOrder: a tree whose entries are out of git's order,
// a name repeated (which git fsck calls broken, and no git writes), is
// written in order, the last of a repeated name kept, as the decode and
// sort of the whole tree did; a lookup finds the last too.
func TestSpliceTreeOutOfOrder(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a": "a\n", "b": "b\n", "c": "c\n"})
	r := open(t, dir)
	h := func(p string) plumbing.Hash {
		return plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:"+p)))
	}
	entry := func(name string, blob plumbing.Hash) string {
		return "100644 " + name + "\x00" + string(blob[:])
	}
	raw := entry("c", h("c")) + entry("a", h("a")) + entry("b", h("b")) + entry("a", h("b"))
	bad := plumbing.NewHash(strings.TrimSpace(gitRunIn(t, dir, raw, "hash-object", "-t", "tree", "--literally", "-w", "--stdin")))
	if hh, m, ok, err := r.treeFile(bad, "a"); err != nil || !ok || hh != h("b") || m != filemode.Regular {
		t.Errorf("treeFile(a) in the broken tree = %s %v %v %v, want the last a", hh, m, ok, err)
	}
	got, err := (&treeBuilder{r: r, level: 1}).build(bad, "", map[string]treeChange{"d": {hash: h("a"), mode: filemode.Regular}})
	if err != nil {
		t.Fatal(err)
	}
	want := gitWriteTree(t, dir, map[string]treeFileState{
		"a": {filemode.Regular, h("b")}, "b": {filemode.Regular, h("b")}, "c": {filemode.Regular, h("c")}, "d": {filemode.Regular, h("a")},
	})
	if got != want {
		t.Errorf("tree %s, want %s", got, want)
	}
	// Bytes that are not a tree are an error, never spliced.
	cut := plumbing.NewHash(strings.TrimSpace(gitRunIn(t, dir, raw[:len(raw)-5], "hash-object", "-t", "tree", "--literally", "-w", "--stdin")))
	if _, err := (&treeBuilder{r: r, level: 1}).build(cut, "", map[string]treeChange{"d": {hash: h("a"), mode: filemode.Regular}}); err == nil {
		t.Error("a cut tree was spliced")
	}
	if _, _, _, err := r.treeFile(cut, "a"); err == nil {
		t.Error("a cut tree was looked in")
	}
}

// TestLooseObjectLevel: objects are written at git's level for loose
// objects: core.looseCompression, else core.compression, else 1 (best
// speed; go-git wrote at zlib's default, 6); a bad level is refused. Git
// reads them all.
func TestLooseObjectLevel(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		config []string
		flevel byte // the compression level field of the zlib header
	}{
		{nil, 0},
		{[]string{"core.compression", "9"}, 3},
		{[]string{"core.compression", "9", "core.looseCompression", "6"}, 2},
		{[]string{"core.looseCompression", "0"}, 0},
		{[]string{"core.compression", "-1"}, 2},
	} {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		for i := 0; i < len(tc.config); i += 2 {
			gitCmd(t, dir, "config", tc.config[i], tc.config[i+1])
		}
		content := strings.Repeat(fmt.Sprintf("level test %v\n", tc.config), 50)
		writeFiles(t, dir, map[string]string{"a.txt": content})
		h := commit(t, open(t, dir), "change", "a.txt")
		blob := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:a.txt"))
		for _, id := range []string{h, blob} {
			f, err := os.ReadFile(filepath.Join(dir, ".git", "objects", id[:2], id[2:]))
			if err != nil {
				t.Fatalf("%v: %v", tc.config, err)
			}
			if got := f[1] >> 6; got != tc.flevel {
				t.Errorf("%v: object %s written at zlib level field %d, want %d", tc.config, id[:8], got, tc.flevel)
			}
			if info, _ := os.Stat(filepath.Join(dir, ".git", "objects", id[:2], id[2:])); info.Mode().Perm() != 0o444 {
				t.Errorf("%v: object mode %v, want read-only", tc.config, info.Mode())
			}
			zr, err := zlib.NewReader(bytes.NewReader(f))
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if _, err := b.ReadFrom(zr); err != nil {
				t.Fatalf("%v: %v", tc.config, err)
			}
		}
		if got := gitCmd(t, dir, "cat-file", "-p", blob); got != content {
			t.Errorf("%v: git reads the blob as %q", tc.config, got)
		}
		gitCmd(t, dir, "fsck", "--strict", "--no-progress")
	}
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	gitCmd(t, dir, "config", "core.looseCompression", "12")
	writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
	if _, err := open(t, dir).Commit(context.Background(), CommitRequest{Paths: []string{"a.txt"}, Message: "m", Author: alice}); err == nil || !strings.Contains(err.Error(), "compression level") {
		t.Errorf("core.looseCompression 12: %v", err)
	}
	// A write without a commit stores its blobs (to put the files back
	// after a crash) whatever the configuration says, at git's default.
	if err := open(t, dir).WriteFiles(context.Background(), "write", []FileWrite{{Path: "a.txt", Data: []byte("c\n")}}); err != nil {
		t.Errorf("WriteFiles with core.looseCompression 12: %v", err)
	}
	gitCmd(t, dir, "config", "--unset", "core.looseCompression") // git refuses to run with it
	if got := gitCmd(t, dir, "cat-file", "-p", plumbing.ComputeHash(plumbing.BlobObject, []byte("c\n")).String()); got != "c\n" {
		t.Errorf("the blob WriteFiles stored reads %q", got)
	}
}

// bigFolder gives HEAD a folder of n files (one blob for all: made by git
// from an index, with no files in the work tree), the work tree and the
// index holding one of them, p; it returns HEAD's files and the size of
// the folder's tree.
func bigFolder(t *testing.T, n int) (dir, p string, files map[string]treeFileState, size int) {
	t.Helper()
	dir = newRepo(t, map[string]string{"records/x.yaml": "x\n"})
	blob := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:records/x.yaml")))
	files = map[string]treeFileState{"records/x.yaml": {filemode.Regular, blob}}
	for i := range n {
		files[fmt.Sprintf("records/big/REC-%06d.yaml", i)] = treeFileState{filemode.Regular, blob}
	}
	tree := gitWriteTree(t, dir, files)
	c := strings.TrimSpace(gitCmd(t, dir, "commit-tree", "-p", "HEAD", "-m", "big", tree.String()))
	gitCmd(t, dir, "update-ref", "refs/heads/main", c)
	p = "records/big/REC-000500.yaml"
	writeFiles(t, dir, map[string]string{p: "x\n"})
	gitCmd(t, dir, "add", p)
	s := strings.TrimSpace(gitCmd(t, dir, "cat-file", "-s", "HEAD:records/big"))
	fmt.Sscan(s, &size)
	return dir, p, files, size
}

func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBigFolderReadAsBytes: the dirty check, a commit and the check for a
// staged revert of HEAD's change read a folder's tree as its bytes, once
// a command, and the commit splices it: each allocates a small multiple
// of the tree's size (the decode into go-git's entries and a map, the
// sort and the encode of every entry cost several times more, each
// time), loose or packed, and the commit's tree is git's.
func TestBigFolderReadAsBytes(t *testing.T) {
	isolate(t)
	dir, p, files, size := bigFolder(t, 20000)
	limits := map[string]float64{"Dirty": 2, "Commit": 6, "stagedReverts": 3}
	for _, packed := range []bool{false, true} {
		if packed {
			gitCmd(t, dir, "gc", "-q")
		}
		check := func(what string, n uint64) {
			t.Helper()
			t.Logf("packed=%v: %s allocated %d KB for a tree of %d KB", packed, what, n>>10, size>>10)
			if float64(n) > limits[what]*float64(size) {
				t.Errorf("packed=%v: %s allocated %d KB for a tree of %d KB, over %.1f times", packed, what, n>>10, size>>10, limits[what])
			}
		}
		r := open(t, dir)
		var dirty []string
		var err error
		check("Dirty", allocated(func() { dirty, err = r.Dirty([]string{p}) }))
		if err != nil || len(dirty) != 0 {
			t.Errorf("packed=%v: Dirty = %v, %v", packed, dirty, err)
		}
		r = open(t, dir)
		content := fmt.Sprintf("changed %v\n", packed)
		writeFiles(t, dir, map[string]string{p: content})
		var h string
		check("Commit", allocated(func() {
			h, err = r.Commit(context.Background(), CommitRequest{Paths: []string{p}, Message: "change\n\nOpsbook-Action: set", Author: alice})
		}))
		if err != nil {
			t.Fatalf("packed=%v: Commit: %v", packed, err)
		}
		files[p] = treeFileState{filemode.Regular, plumbing.NewHash(strings.TrimSpace(gitRunIn(t, dir, content, "hash-object", "--stdin")))}
		if want, got := gitWriteTree(t, dir, files).String(), strings.TrimSpace(gitCmd(t, dir, "rev-parse", h+"^{tree}")); got != want {
			t.Errorf("packed=%v: the commit's tree %s, git write-tree %s", packed, got, want)
		}
		r = open(t, dir)
		var fs []Finding
		check("stagedReverts", allocated(func() { fs, err = r.stagedReverts(false) }))
		if err != nil || len(fs) != 0 {
			t.Errorf("packed=%v: stagedReverts = %v, %v", packed, fs, err)
		}
	}
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
}
