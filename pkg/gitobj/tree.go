package gitobj

import (
	"bytes"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// TreeEntry is one entry of a tree object; name aliases the tree's bytes.
type TreeEntry struct {
	Name []byte
	Mode filemode.FileMode
	Hash plumbing.Hash
}

func (e TreeEntry) IsDir() bool { return e.Mode == filemode.Dir }

// isFile: a blob (regular, executable or symbolic link); submodules are
// neither file nor folder to the audit.
func (e TreeEntry) IsFile() bool { return e.Mode != filemode.Dir && e.Mode != filemode.Submodule }

var errBadTree = i18n.NewError("malformed tree object")

// errTreeOrder: a tree whose entries repeat a name or are out of git's
// order. Git checks out the last of two entries of one name while a walk
// and git show read the first, so such a tree is never judged.
var errTreeOrder = i18n.NewError("tree entries out of git's order: a name repeated or misplaced, so a checkout and verify could read different files")

// nextEntry reads the first entry of a tree object's bytes ("MODE NAME\0"
// and 20 bytes of hash) and returns the rest.
func nextEntry(b []byte) (TreeEntry, []byte, error) {
	var e TreeEntry
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
	if nul < 0 || sp+1+nul+1+len(e.Hash) > len(b) {
		return e, nil, errBadTree
	}
	e.Name = b[sp+1 : sp+1+nul]
	e.Mode = filemode.FileMode(mode)
	h := sp + 1 + nul + 1
	copy(e.Hash[:], b[h:h+len(e.Hash)])
	return e, b[h+len(e.Hash):], nil
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

// Tree returns a tree object's bytes; the zero hash is the empty tree.
func (r *objects) Tree(h plumbing.Hash) ([]byte, error) {
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

// ParseTreeEntry reads the first entry of a tree object's bytes ("MODE
// NAME\0" and 20 bytes of hash; the name aliases b) and returns the rest.
func ParseTreeEntry(b []byte) (TreeEntry, []byte, error) { return nextEntry(b) }

// CompareTreeNames orders two entries as git sorts a tree's entries: by
// name, a folder's compared as if it ended in "/".
func CompareTreeNames(a []byte, aDir bool, b []byte, bDir bool) int { return cmpGit(a, aDir, b, bDir) }

// FindTreeEntry returns the entry called name in a tree's bytes, file or
// folder, looking no further than where git's order would have it.
func FindTreeEntry(t []byte, name []byte) (TreeEntry, bool, error) { return find(t, name) }

// find returns the entry called name in a tree's bytes, file or folder.
func find(t []byte, name []byte) (TreeEntry, bool, error) {
	for len(t) > 0 {
		e, rest, err := nextEntry(t)
		if err != nil {
			return e, false, err
		}
		if bytes.Equal(e.Name, name) {
			return e, true, nil
		}
		if cmpGit(e.Name, e.IsDir(), name, true) > 0 {
			break // sorted: past both places name could be
		}
		t = rest
	}
	return TreeEntry{}, false, nil
}

// Lookup resolves a slash-separated path from a root tree, one segment at a
// time; ok is false when some segment is missing.
func (r *objects) Lookup(root plumbing.Hash, path string) (TreeEntry, bool, error) {
	e := TreeEntry{Hash: root, Mode: filemode.Dir}
	for path != "" {
		seg := path
		if i := strings.IndexByte(path, '/'); i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		if !e.IsDir() {
			return TreeEntry{}, false, nil
		}
		t, err := r.Tree(e.Hash)
		if err != nil {
			return TreeEntry{}, false, err
		}
		var ok bool
		if e, ok, err = find(t, []byte(seg)); err != nil || !ok {
			return TreeEntry{}, false, err
		}
	}
	return e, true, nil
}

// BlobAt is the blob hash of the file at path in a root tree (zero when
// there is none).
func (r *objects) BlobAt(root plumbing.Hash, path string) (plumbing.Hash, error) {
	e, ok, err := r.Lookup(root, path)
	if err != nil || !ok || !e.IsFile() {
		return plumbing.ZeroHash, err
	}
	return e.Hash, nil
}

// Entries lists a tree's entries (names copied).
func (r *objects) Entries(h plumbing.Hash) ([]TreeEntry, error) {
	t, err := r.Tree(h)
	if err != nil {
		return nil, err
	}
	var out []TreeEntry
	for len(t) > 0 {
		var e TreeEntry
		if e, t, err = nextEntry(t); err != nil {
			return nil, i18n.Errorf("tree %s: %w", h, err)
		}
		e.Name = append([]byte(nil), e.Name...)
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

// DiffTrees appends the files that differ between trees a and b (either may
// be zero, the empty tree), skipping subtrees whose hashes are equal. It
// walks both trees' bytes side by side and allocates only for what
// differs.
func (r *objects) DiffTrees(a, b plumbing.Hash, prefix string, out []Change) ([]Change, error) {
	return diffTrees(r.Tree, a, b, prefix, out)
}

// DiffTreesWith is DiffTrees reading the trees' bytes with tree (which
// gives nil for the zero hash), for a caller with a reader of its own.
func DiffTreesWith(tree func(plumbing.Hash) ([]byte, error), a, b plumbing.Hash, out []Change) ([]Change, error) {
	return diffTrees(tree, a, b, "", out)
}

// errTreeName: a tree entry whose name no checkout can hold.
var errTreeName = i18n.NewError("a tree entry whose name git refuses to check out (a slash, . or .., .git): verify would read a file no checkout has")

// badName reports whether a tree entry's name is one git's fsck refuses
// and a checkout cannot write: empty, holding a slash (so that a walk would
// read it as a file of a folder, "records/expenses/..." named at the top),
// "." or "..", or .git in any letter case.
func badName(n []byte) bool {
	return len(n) == 0 || bytes.IndexByte(n, '/') >= 0 || string(n) == "." || string(n) == ".." || strings.EqualFold(string(n), ".git")
}

// fileAndFolder tells whether e, the next entry of a tree read in order,
// is a folder named as a file of the same tree (errTreeOrder). files are
// the file names read before that may still be followed by such a folder:
// names that prefix e's with a character below '/' after them (git sorts a
// folder as its name and '/'). When entries were skipped unread, a
// folder's name is looked for in the whole tree, full.
func fileAndFolder(files [][]byte, e TreeEntry, skipped bool, full []byte) ([][]byte, error) {
	for len(files) > 0 {
		top := files[len(files)-1]
		if bytes.HasPrefix(e.Name, top) && (len(e.Name) > len(top) && e.Name[len(top)] < '/' || len(e.Name) == len(top)) {
			break
		}
		files = files[:len(files)-1]
	}
	if !e.IsDir() {
		return append(files, e.Name), nil
	}
	if len(files) > 0 && bytes.Equal(files[len(files)-1], e.Name) {
		return files, errTreeOrder
	}
	if skipped {
		pat := make([]byte, 0, len(e.Name)+2)
		pat = append(append(append(pat, ' '), e.Name...), 0)
		if bytes.Count(full, pat) > 1 {
			return files, errTreeOrder
		}
	}
	return files, nil
}

func diffTrees(tree func(plumbing.Hash) ([]byte, error), a, b plumbing.Hash, prefix string, out []Change) ([]Change, error) {
	if a == b {
		return out, nil
	}
	ta, err := tree(a)
	if err != nil {
		return out, err
	}
	tb, err := tree(b)
	if err != nil {
		return out, err
	}
	side := func(e TreeEntry, removed bool) error {
		p := prefix + string(e.Name)
		switch {
		case e.IsDir() && removed:
			out, err = diffTrees(tree, e.Hash, plumbing.ZeroHash, p+"/", out)
		case e.IsDir():
			out, err = diffTrees(tree, plumbing.ZeroHash, e.Hash, p+"/", out)
		case !e.IsFile():
		case removed:
			out = append(out, Change{Path: p, Old: e.Hash})
		default:
			out = append(out, Change{Path: p, New: e.Hash})
		}
		return err
	}
	var ea, eb TreeEntry
	haveA, haveB := false, false
	// The entry read before the next of each tree: git sorts a tree's
	// entries and names each once, and the walk side by side relies on it.
	// A tree made by hand (git hash-object -t tree --literally) that
	// repeats a name is checked out with the last of them while git show
	// and a walk read the first, so what verify judged would not be what a
	// checkout holds: such a tree is refused, as git fsck refuses it.
	var prevA, prevB TreeEntry
	hadA, hadB := false, false
	// A file and a folder of one name are no neighbours in git's order
	// (the folder sorts as "NAME/", after NAME-1 and NAME.bak): git checks
	// out one of them, and a record verify reads as unchanged can be a
	// folder in every clone. files holds the file names that may still be
	// followed by a folder of the same name; after entries were skipped
	// unread, a folder's name is looked for in the whole tree instead.
	fullB, skipped := tb, false
	var files [][]byte
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
			var last []byte // the last entry skipped, the same in both
			for len(ta) > 0 {
				n := bytes.IndexByte(ta, 0) + 1 + len(ea.Hash)
				if n <= len(ea.Hash) || n > same {
					break
				}
				last = ta[:n]
				ta, tb, same = ta[n:], tb[n:], same-n
			}
			if last != nil {
				skipped = true
				if prevA, _, err = nextEntry(last); err != nil {
					return out, i18n.Errorf("tree %s: %w", a, err)
				}
				prevB, hadA, hadB = prevA, true, true
			}
		}
		if !haveA && len(ta) > 0 {
			if ea, ta, err = nextEntry(ta); err != nil {
				return out, i18n.Errorf("tree %s: %w", a, err)
			}
			if hadA && cmpGit(prevA.Name, prevA.IsDir(), ea.Name, ea.IsDir()) >= 0 {
				return out, i18n.Errorf("tree %s: %w: %q after %q (git fsck: duplicateEntries or treeNotSorted)", a, errTreeOrder, prefix+string(ea.Name), prefix+string(prevA.Name))
			}
			prevA, hadA, haveA = ea, true, true
		}
		if !haveB && len(tb) > 0 {
			if eb, tb, err = nextEntry(tb); err != nil {
				return out, i18n.Errorf("tree %s: %w", b, err)
			}
			if hadB && cmpGit(prevB.Name, prevB.IsDir(), eb.Name, eb.IsDir()) >= 0 {
				return out, i18n.Errorf("tree %s: %w: %q after %q (git fsck: duplicateEntries or treeNotSorted)", b, errTreeOrder, prefix+string(eb.Name), prefix+string(prevB.Name))
			}
			prevB, hadB, haveB = eb, true, true
			if badName(eb.Name) {
				return out, i18n.Errorf("tree %s: %w: %q", b, errTreeName, prefix+string(eb.Name))
			}
			if files, err = fileAndFolder(files, eb, skipped, fullB); err != nil {
				return out, i18n.Errorf("tree %s: %w: %q", b, err, prefix+string(eb.Name))
			}
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
			c = cmpGit(ea.Name, ea.IsDir(), eb.Name, eb.IsDir())
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
			if ea.Hash == eb.Hash {
				continue
			}
			switch {
			case ea.IsDir() && eb.IsDir():
				out, err = diffTrees(tree, ea.Hash, eb.Hash, prefix+string(ea.Name)+"/", out)
			case ea.IsFile() && eb.IsFile():
				out = append(out, Change{Path: prefix + string(ea.Name), Old: ea.Hash, New: eb.Hash})
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
