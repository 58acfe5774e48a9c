package gitstore

import (
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/opsbook/opsbook/pkg/gitobj"
)

// Tree objects are read through package gitobj's pack reader and decoded
// by go-git. go-git resolves a packed tree's chain of deltas into a
// buffer that grows as it goes, again for each copy it is asked for; the
// tree of a folder of 27,000 records (a year's claims at 100,000 records)
// cost a committing write some 0.4 s and 100 MB that way, read by the
// dirty check and again by the commit. gitobj patches each delta once
// into a buffer of the right size, and the bytes are kept for the rest of
// the command. Every tree a write reads (HEAD's, the paths looked up, the
// trees a commit rebuilds) goes through trees: the objects are go-git's
// own, decoded from the same bytes (a tree whose bytes do not hash to the
// id asked for is read by go-git instead).
type trees struct {
	storer.EncodedObjectStorer // go-git's storage: everything but reading trees
	r                          *Repo
}

// EncodedObject reads a tree the fast way (see trees), any other object
// through go-git.
func (t *trees) EncodedObject(typ plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if typ == plumbing.TreeObject {
		if o := t.r.treeObject(h); o != nil {
			return o, nil
		}
	}
	return t.EncodedObjectStorer.EncodedObject(typ, h)
}

// objects is the storage a write reads and writes objects through.
func (r *Repo) objects() storer.EncodedObjectStorer {
	return &trees{EncodedObjectStorer: r.repo.Storer, r: r}
}

// treeObject returns tree h from gitobj's reader (opened on first use and
// closed by closeTrees), or nil when it cannot be read so.
func (r *Repo) treeObject(h plumbing.Hash) plumbing.EncodedObject {
	raw, ok := r.treeBytes[h]
	if !ok {
		if r.objs == nil {
			objs, err := gitobj.OpenObjects(r.root)
			if err != nil {
				return nil
			}
			r.objs = objs
		}
		b, err := r.objs.Tree(h)
		if err != nil {
			return nil
		}
		if r.treeBytes == nil {
			r.treeBytes = map[plumbing.Hash][]byte{}
		}
		raw = b
		r.treeBytes[h] = raw
	}
	o := &plumbing.MemoryObject{}
	o.SetType(plumbing.TreeObject)
	if _, err := o.Write(raw); err != nil || o.Hash() != h {
		return nil
	}
	return o
}

// closeTrees closes gitobj's reader; the trees read stay kept.
func (r *Repo) closeTrees() {
	if r.objs != nil {
		r.objs.Close()
		r.objs = nil
	}
}
