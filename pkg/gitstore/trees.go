package gitstore

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// A write reads and makes trees as git stores them: the bytes of a tree
// object, entries of "MODE NAME\0" and a 20-byte hash in git's order (by
// name, a folder's name compared as if it ended in "/"). The tree of a
// folder of 27,000 records (a year's claims at 100,000 records) is 1.3 MB:
// decoding it into go-git's entries and a map to find one name cost the
// dirty check some 70 ms, and the commit decoded it again, sorted and
// encoded every entry to change one. Now a path is looked up by walking
// the bytes of the trees along it (treeFile), and a commit splices the
// bytes (see treeBuilder).
//
// tree reads a tree's bytes: a loose object (what opsbook's own commits
// write) directly, a packed one through gitobj's pack reader (which
// searches the pack index in place and patches a chain of deltas into two
// buffers used in turn), and anything else (an
// alternate object store) through go-git's storage. The bytes must hash
// to the id asked for, and parse as a tree: a tree whose bytes do not is
// an error, never something to splice. They are kept for the rest of the
// command.
func (r *Repo) tree(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	if b, ok := r.treeBytes[h]; ok {
		return b, nil
	}
	b, ok := r.looseObject(plumbing.TreeObject, h)
	if !ok {
		b, ok = r.packedTree(h)
	}
	if !ok {
		o, err := r.repo.Storer.EncodedObject(plumbing.TreeObject, h)
		if err != nil {
			return nil, i18n.Errorf("reading tree %s: %w", h, err)
		}
		rd, err := o.Reader()
		if err != nil {
			return nil, i18n.Errorf("reading tree %s: %w", h, err)
		}
		b, err = io.ReadAll(rd)
		rd.Close()
		if err != nil {
			return nil, i18n.Errorf("reading tree %s: %w", h, err)
		}
		if objectHash(plumbing.TreeObject, b) != h {
			return nil, i18n.Errorf("reading tree %s: its bytes hash to %s", h, objectHash(plumbing.TreeObject, b))
		}
	}
	sorted, err := checkTree(b)
	if err != nil {
		return nil, i18n.Errorf("reading tree %s: %w", h, err)
	}
	if r.treeBytes == nil {
		r.treeBytes = map[plumbing.Hash][]byte{}
	}
	r.treeBytes[h] = b
	if !sorted {
		if r.unsorted == nil {
			r.unsorted = map[plumbing.Hash]bool{}
		}
		r.unsorted[h] = true
	}
	return b, nil
}

// packedTree reads tree h from the pack files with gitobj's pack reader
// (opened on first use and closed by closeTrees); ok is false when it
// cannot be read so, or its bytes do not hash to h.
func (r *Repo) packedTree(h plumbing.Hash) ([]byte, bool) {
	if r.packs == nil {
		packs, err := gitobj.OpenPackReader(r.commonDir)
		if err != nil {
			return nil, false
		}
		r.packs = packs
	}
	t, b, ok, err := r.packs.Read(h)
	if err != nil || !ok || t != plumbing.TreeObject || objectHash(plumbing.TreeObject, b) != h {
		return nil, false
	}
	return b, true
}

// looseObject reads the loose object h when it is there and of type typ,
// and its bytes hash to h.
func (r *Repo) looseObject(typ plumbing.ObjectType, h plumbing.Hash) ([]byte, bool) {
	hex := h.String()
	f, err := os.Open(filepath.Join(r.commonDir, "objects", hex[:2], hex[2:]))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	zr, err := zlib.NewReader(f)
	if err != nil {
		return nil, false
	}
	defer zr.Close()
	var head [32]byte
	n := 0
	for {
		if n == len(head) {
			return nil, false
		}
		if _, err := io.ReadFull(zr, head[n:n+1]); err != nil {
			return nil, false
		}
		if head[n] == 0 {
			break
		}
		n++
	}
	kind, size, ok := strings.Cut(string(head[:n]), " ")
	if !ok || kind != typ.String() {
		return nil, false
	}
	sz, err := strconv.ParseInt(size, 10, 64)
	if err != nil || sz < 0 || sz > maxLooseObject {
		return nil, false
	}
	b := make([]byte, sz)
	if _, err := io.ReadFull(zr, b); err != nil {
		return nil, false
	}
	if n, _ := zr.Read(head[:1]); n != 0 {
		return nil, false // more than the header says
	}
	if objectHash(typ, b) != h {
		return nil, false
	}
	return b, true
}

// maxLooseObject bounds the loose objects read whole here: a damaged
// header must not ask for gigabytes.
const maxLooseObject = 256 << 20

// objectHash is git's id of an object: the SHA-1 of "TYPE SIZE\0" and
// its bytes, computed as go-git computes it, with the SHA-1 that detects
// the known collision attack (as git's own does): what a write stores
// includes files anyone can hand in, attachments among them.
func objectHash(typ plumbing.ObjectType, b []byte) plumbing.Hash {
	return plumbing.ComputeHash(typ, b)
}

// checkTree reads every entry of a tree's bytes: an error when they are
// not a tree, and whether the names are in git's order without repeats
// (a tree git wrote; git fsck calls any other broken).
func checkTree(t []byte) (sorted bool, err error) {
	sorted = true
	var prev gitobj.TreeEntry
	for first := true; len(t) > 0; first = false {
		e, rest, err := gitobj.ParseTreeEntry(t)
		if err != nil {
			return false, err
		}
		if !first && gitobj.CompareTreeNames(prev.Name, prev.IsDir(), e.Name, e.IsDir()) >= 0 {
			sorted = false
		}
		if !first && bytes.Equal(prev.Name, e.Name) {
			sorted = false
		}
		prev, t = e, rest
	}
	return sorted, nil
}

// treeFile finds the file at p in the tree root (zero for no commits yet),
// reading the trees along p only. A directory at p, or a file where p
// needs a directory, is reported as absent.
func (r *Repo) treeFile(root plumbing.Hash, p string) (plumbing.Hash, filemode.FileMode, bool, error) {
	h, rest := root, p
	for !h.IsZero() {
		t, err := r.tree(h)
		if err != nil {
			return plumbing.ZeroHash, 0, false, i18n.Errorf("looking up %s in HEAD: %w", p, err)
		}
		seg, more, deeper := strings.Cut(rest, "/")
		e, ok := findEntry(t, []byte(seg), r.unsorted[h])
		switch {
		case !ok:
			return plumbing.ZeroHash, 0, false, nil
		case deeper && e.IsDir():
			h, rest = e.Hash, more
		case deeper || e.IsDir():
			return plumbing.ZeroHash, 0, false, nil
		default:
			return e.Hash, e.Mode, true, nil
		}
	}
	return plumbing.ZeroHash, 0, false, nil
}

// findEntry finds name in a tree checked by checkTree: where git's order
// puts it, or, in a tree out of order, the last entry of that name (as a
// map of the entries would).
func findEntry(t, name []byte, unsorted bool) (gitobj.TreeEntry, bool) {
	if !unsorted {
		e, ok, _ := gitobj.FindTreeEntry(t, name)
		return e, ok
	}
	var found gitobj.TreeEntry
	ok := false
	for len(t) > 0 {
		e, rest, _ := gitobj.ParseTreeEntry(t)
		if bytes.Equal(e.Name, name) {
			found, ok = e, true
		}
		t = rest
	}
	return found, ok
}

// trees is go-git's storage with its trees read by Repo.tree, for what
// go-git still decodes (a commit's tree, when asked).
type trees struct {
	storer.EncodedObjectStorer // go-git's storage: everything but reading trees
	r                          *Repo
}

// EncodedObject reads a tree with Repo.tree, any other object through
// go-git.
func (t *trees) EncodedObject(typ plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if typ == plumbing.TreeObject {
		if o := t.r.treeObject(h); o != nil {
			return o, nil
		}
	}
	return t.EncodedObjectStorer.EncodedObject(typ, h)
}

// objects is the storage go-git decodes a write's commits through.
func (r *Repo) objects() storer.EncodedObjectStorer {
	return &trees{EncodedObjectStorer: r.repo.Storer, r: r}
}

// treeObject returns tree h as go-git's object, or nil when Repo.tree
// cannot read it.
func (r *Repo) treeObject(h plumbing.Hash) plumbing.EncodedObject {
	raw, err := r.tree(h)
	if err != nil {
		return nil
	}
	o := &plumbing.MemoryObject{}
	o.SetType(plumbing.TreeObject)
	if _, err := o.Write(raw); err != nil {
		return nil
	}
	return o
}

// closeTrees closes the pack reader; the trees read stay kept.
func (r *Repo) closeTrees() {
	if r.packs != nil {
		r.packs.Close()
		r.packs = nil
	}
}
