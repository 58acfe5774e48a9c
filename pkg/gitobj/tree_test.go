package gitobj

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// treeBytes encodes entries (mode, name, hash) as a tree object's body,
// in the order given, sorted or not.
func treeBytes(entries ...[3]string) []byte {
	var b []byte
	for _, e := range entries {
		h := plumbing.NewHash(e[2])
		b = append(b, e[0]+" "+e[1]+"\x00"...)
		b = append(b, h[:]...)
	}
	return b
}

// TestDiffTreesOutOfOrder: a tree that names a file twice (made by hand:
// git checks out the second, git show and a walk read the first) or lists
// its entries out of git's order is refused with an error naming it,
// whether the walk reads it whole (a root commit) or from the first entry
// after those it shares with the other tree; a tree in git's order is
// diffed as before.
func TestDiffTreesOutOfOrder(t *testing.T) {
	const (
		h1 = "1111111111111111111111111111111111111111"
		h2 = "2222222222222222222222222222222222222222"
		h3 = "3333333333333333333333333333333333333333"
	)
	trees := map[plumbing.Hash][]byte{}
	put := func(name string, b []byte) plumbing.Hash {
		h := plumbing.ComputeHash(plumbing.TreeObject, b)
		trees[h] = b
		return h
	}
	read := func(h plumbing.Hash) ([]byte, error) { return trees[h], nil }
	good := put("good", treeBytes([3]string{"100644", "a.yaml", h1}, [3]string{"100644", "b.yaml", h2}))
	dup := put("dup", treeBytes([3]string{"100644", "a.yaml", h1}, [3]string{"100644", "b.yaml", h2}, [3]string{"100644", "b.yaml", h3}))
	unsorted := put("unsorted", treeBytes([3]string{"100644", "a.yaml", h1}, [3]string{"100644", "c.yaml", h3}, [3]string{"100644", "b.yaml", h2}))

	got, err := DiffTreesWith(read, good, put("next", treeBytes([3]string{"100644", "a.yaml", h1}, [3]string{"100644", "b.yaml", h3})), nil)
	if err != nil || len(got) != 1 || got[0].Path != "b.yaml" {
		t.Fatalf("sorted trees: %v, %v", got, err)
	}
	for name, c := range map[string][2]plumbing.Hash{
		"duplicate from the root":        {plumbing.ZeroHash, dup},
		"duplicate after a shared entry": {good, dup},
		"unsorted after a shared entry":  {good, unsorted},
		"unsorted from the root":         {plumbing.ZeroHash, unsorted},
	} {
		_, err := DiffTreesWith(read, c[0], c[1], nil)
		if err == nil || !strings.Contains(err.Error(), "out of git's order") || !strings.Contains(err.Error(), "b.yaml") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDiffTreesFileAndFolderOfOneName: a tree holding a file and a folder
// of the same name (git checks out one of them, so an approved claim verify
// reads as unchanged is a folder in every clone) is refused, next to each
// other or with names between them in git's order, read whole or after
// entries shared with the other tree; names that only begin alike pass.
func TestDiffTreesFileAndFolderOfOneName(t *testing.T) {
	const (
		h1 = "1111111111111111111111111111111111111111"
		h2 = "2222222222222222222222222222222222222222"
		h3 = "3333333333333333333333333333333333333333"
	)
	trees := map[plumbing.Hash][]byte{}
	put := func(b []byte) plumbing.Hash {
		h := plumbing.ComputeHash(plumbing.TreeObject, b)
		trees[h] = b
		return h
	}
	sub := put(treeBytes([3]string{"100644", "x.txt", h3}))
	read := func(h plumbing.Hash) ([]byte, error) { return trees[h], nil }
	old := put(treeBytes([3]string{"100644", "a.yaml", h1}, [3]string{"100644", "b.yaml", h2}))
	for name, c := range map[string][2]plumbing.Hash{
		"side by side, read whole":  {plumbing.ZeroHash, put(treeBytes([3]string{"100644", "b.yaml", h2}, [3]string{"40000", "b.yaml", sub.String()}))},
		"names between, read whole": {plumbing.ZeroHash, put(treeBytes([3]string{"100644", "b", h1}, [3]string{"100644", "b-1", h2}, [3]string{"100644", "b.yaml", h2}, [3]string{"40000", "b", sub.String()}))},
		"after a shared entry":      {old, put(treeBytes([3]string{"100644", "a.yaml", h1}, [3]string{"100644", "b.yaml", h2}, [3]string{"40000", "b.yaml", sub.String()}))},
	} {
		_, err := DiffTreesWith(read, c[0], c[1], nil)
		if err == nil || !strings.Contains(err.Error(), "out of git's order") {
			t.Errorf("%s: %v", name, err)
		}
	}
	ok := put(treeBytes([3]string{"100644", "b", h1}, [3]string{"100644", "b-1", h2}, [3]string{"40000", "b.d", sub.String()}, [3]string{"100644", "c.yaml", h2}, [3]string{"40000", "c", sub.String()}))
	for _, from := range []plumbing.Hash{plumbing.ZeroHash, old} {
		if _, err := DiffTreesWith(read, from, ok, nil); err != nil {
			t.Errorf("names that begin alike: %v", err)
		}
	}
}

// TestDiffTreesBadNames: an entry no checkout can write (a slash in its
// name, which a walk would read as a record under records/, "..", .git) is
// refused.
func TestDiffTreesBadNames(t *testing.T) {
	const h1 = "1111111111111111111111111111111111111111"
	trees := map[plumbing.Hash][]byte{}
	read := func(h plumbing.Hash) ([]byte, error) { return trees[h], nil }
	for _, name := range []string{"records/expenses/2026/EXP-2026-0009.yaml", "..", ".GIT"} {
		b := treeBytes([3]string{"100644", name, h1})
		h := plumbing.ComputeHash(plumbing.TreeObject, b)
		trees[h] = b
		if _, err := DiffTreesWith(read, plumbing.ZeroHash, h, nil); err == nil || !strings.Contains(err.Error(), "refuses to check out") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
