package audit

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// treeEntry is one entry of a tree object; name aliases the tree's bytes.
type treeEntry struct {
	name []byte
	mode filemode.FileMode
	hash plumbing.Hash
}

func (e treeEntry) isDir() bool { return e.mode == filemode.Dir }

// isFile: a blob (regular, executable or symbolic link); submodules are
// neither file nor folder to the audit.
func (e treeEntry) isFile() bool { return e.mode != filemode.Dir && e.mode != filemode.Submodule }

var errBadTree = errors.New("malformed tree object")

// nextEntry reads the first entry of a tree object's bytes ("MODE NAME\0"
// and 20 bytes of hash) and returns the rest.
func nextEntry(b []byte) (treeEntry, []byte, error) {
	var e treeEntry
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return e, nil, errBadTree
	}
	var mode uint32
	for _, c := range b[:sp] {
		if c < '0' || c > '7' {
			return e, nil, errBadTree
		}
		mode = mode<<3 | uint32(c-'0')
	}
	nul := bytes.IndexByte(b[sp+1:], 0)
	if nul < 0 || sp+1+nul+1+len(e.hash) > len(b) {
		return e, nil, errBadTree
	}
	e.name = b[sp+1 : sp+1+nul]
	e.mode = filemode.FileMode(mode)
	h := sp + 1 + nul + 1
	copy(e.hash[:], b[h:h+len(e.hash)])
	return e, b[h+len(e.hash):], nil
}

// treeCache keeps the bytes of recently read trees, up to a total size;
// when full it starts over, which costs little because a walk needs mostly
// the trees of the commit it just left.
type treeCache struct {
	m    map[plumbing.Hash][]byte
	size int
}

const treeCacheBytes = 16 << 20

func newTreeCache() *treeCache { return &treeCache{m: map[plumbing.Hash][]byte{}} }

// tree returns a tree object's bytes; the zero hash is the empty tree.
func (r *objects) tree(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	if t, ok := r.trees.m[h]; ok {
		return t, nil
	}
	t, err := r.raw(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	if r.trees.size+len(t) > treeCacheBytes {
		r.trees.m = map[plumbing.Hash][]byte{}
		r.trees.size = 0
	}
	r.trees.m[h] = t
	r.trees.size += len(t)
	return t, nil
}

// commonPrefix is the length of the longest common prefix of a and b,
// found a block at a time.
func commonPrefix(a, b []byte) int {
	const block = 256
	n := 0
	for n+block <= len(a) && n+block <= len(b) && bytes.Equal(a[n:n+block], b[n:n+block]) {
		n += block
	}
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// cmpGit orders tree entries as git sorts them: by name, a folder's name
// compared as if it ended in "/".
func cmpGit(a []byte, aDir bool, b []byte, bDir bool) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	var ca, cb int
	switch {
	case len(a) > n:
		ca = int(a[n])
	case aDir:
		ca = '/'
	}
	switch {
	case len(b) > n:
		cb = int(b[n])
	case bDir:
		cb = '/'
	}
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// find returns the entry called name in a tree's bytes, file or folder.
func find(t []byte, name []byte) (treeEntry, bool, error) {
	for len(t) > 0 {
		e, rest, err := nextEntry(t)
		if err != nil {
			return e, false, err
		}
		if bytes.Equal(e.name, name) {
			return e, true, nil
		}
		if cmpGit(e.name, e.isDir(), name, true) > 0 {
			break // sorted: past both places name could be
		}
		t = rest
	}
	return treeEntry{}, false, nil
}

// lookup resolves a slash-separated path from a root tree, one segment at a
// time; ok is false when some segment is missing.
func (r *objects) lookup(root plumbing.Hash, path string) (treeEntry, bool, error) {
	e := treeEntry{hash: root, mode: filemode.Dir}
	for path != "" {
		seg := path
		if i := strings.IndexByte(path, '/'); i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		if !e.isDir() {
			return treeEntry{}, false, nil
		}
		t, err := r.tree(e.hash)
		if err != nil {
			return treeEntry{}, false, err
		}
		var ok bool
		if e, ok, err = find(t, []byte(seg)); err != nil || !ok {
			return treeEntry{}, false, err
		}
	}
	return e, true, nil
}

// blobAt is the blob hash of the file at path in a root tree (zero when
// there is none).
func (r *objects) blobAt(root plumbing.Hash, path string) (plumbing.Hash, error) {
	e, ok, err := r.lookup(root, path)
	if err != nil || !ok || !e.isFile() {
		return plumbing.ZeroHash, err
	}
	return e.hash, nil
}

// entries lists a tree's entries (names copied).
func (r *objects) entries(h plumbing.Hash) ([]treeEntry, error) {
	t, err := r.tree(h)
	if err != nil {
		return nil, err
	}
	var out []treeEntry
	for len(t) > 0 {
		var e treeEntry
		if e, t, err = nextEntry(t); err != nil {
			return nil, fmt.Errorf("tree %s: %w", h, err)
		}
		e.name = append([]byte(nil), e.name...)
		out = append(out, e)
	}
	return out, nil
}

// Change is a file whose content differs between two trees: Old and New are
// its blob hashes, zero where the file is absent.
type Change struct {
	Path     string
	Old, New plumbing.Hash
	// Others, for a merge commit, holds the file's blob in each parent
	// after the first (zero where absent there).
	Others []plumbing.Hash
}

// diffTrees appends the files that differ between trees a and b (either may
// be zero, the empty tree), skipping subtrees whose hashes are equal. It
// walks both trees' bytes side by side and allocates only for what
// differs.
func (r *objects) diffTrees(a, b plumbing.Hash, prefix string, out []Change) ([]Change, error) {
	if a == b {
		return out, nil
	}
	ta, err := r.tree(a)
	if err != nil {
		return out, err
	}
	tb, err := r.tree(b)
	if err != nil {
		return out, err
	}
	side := func(e treeEntry, removed bool) error {
		p := prefix + string(e.name)
		switch {
		case e.isDir() && removed:
			out, err = r.diffTrees(e.hash, plumbing.ZeroHash, p+"/", out)
		case e.isDir():
			out, err = r.diffTrees(plumbing.ZeroHash, e.hash, p+"/", out)
		case !e.isFile():
		case removed:
			out = append(out, Change{Path: p, Old: e.hash})
		default:
			out = append(out, Change{Path: p, New: e.hash})
		}
		return err
	}
	var ea, eb treeEntry
	haveA, haveB := false, false
	for {
		if !haveA && !haveB {
			// Most entries of two versions of a folder are the same bytes.
			// When all that is left is, the folders differ no further;
			// otherwise the entries inside the common prefix (found by
			// comparing blocks, not entries) are skipped with only a search
			// for each name's end, before parsing anything.
			if bytes.Equal(ta, tb) {
				return out, nil
			}
			same := commonPrefix(ta, tb)
			for len(ta) > 0 {
				n := bytes.IndexByte(ta, 0) + 1 + len(ea.hash)
				if n <= len(ea.hash) || n > same {
					break
				}
				ta, tb, same = ta[n:], tb[n:], same-n
			}
		}
		if !haveA && len(ta) > 0 {
			if ea, ta, err = nextEntry(ta); err != nil {
				return out, fmt.Errorf("tree %s: %w", a, err)
			}
			haveA = true
		}
		if !haveB && len(tb) > 0 {
			if eb, tb, err = nextEntry(tb); err != nil {
				return out, fmt.Errorf("tree %s: %w", b, err)
			}
			haveB = true
		}
		var c int
		switch {
		case !haveA && !haveB:
			return out, nil
		case !haveA:
			c = 1
		case !haveB:
			c = -1
		default:
			c = cmpGit(ea.name, ea.isDir(), eb.name, eb.isDir())
		}
		switch {
		case c < 0:
			err = side(ea, true)
			haveA = false
		case c > 0:
			err = side(eb, false)
			haveB = false
		default:
			haveA, haveB = false, false
			if ea.hash == eb.hash {
				continue
			}
			switch {
			case ea.isDir() && eb.isDir():
				out, err = r.diffTrees(ea.hash, eb.hash, prefix+string(ea.name)+"/", out)
			case ea.isFile() && eb.isFile():
				out = append(out, Change{Path: prefix + string(ea.name), Old: ea.hash, New: eb.hash})
			default: // a file became a submodule or back
				if err = side(ea, true); err == nil {
					err = side(eb, false)
				}
			}
		}
		if err != nil {
			return out, err
		}
	}
}
