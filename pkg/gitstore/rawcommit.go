package gitstore

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/opsbook/opsbook/pkg/gitobj"
)

// commitRaw reads a commit object's bytes (its headers and message) the
// cheap way: a loose object, or a whole (not delta) object of a pack
// found by a binary search of the pack's index file. go-git's object
// storage decodes the pack's whole index and a map from offsets to hashes
// before it reads one object (some 60 ms at 100,000 records), which a
// write paid to read HEAD alone (stagedReverts). ok is false when the
// commit is found neither way (a delta, an alternate object store, a
// damaged file): the caller asks go-git.
func (r *Repo) commitRaw(h plumbing.Hash) (data []byte, ok bool) {
	objects := filepath.Join(r.commonDir, "objects")
	hex := h.String()
	if f, err := os.Open(filepath.Join(objects, hex[:2], hex[2:])); err == nil {
		defer f.Close()
		zr, err := zlib.NewReader(f)
		if err != nil {
			return nil, false
		}
		b, err := io.ReadAll(io.LimitReader(zr, 1<<24))
		head, body, found := bytes.Cut(b, []byte{0})
		if err != nil || !found || !strings.HasPrefix(string(head), "commit ") || string(head) != fmt.Sprintf("commit %d", len(body)) {
			return nil, false
		}
		return body, true
	}
	idxs, _ := filepath.Glob(filepath.Join(objects, "pack", "pack-*.idx"))
	for _, idx := range idxs {
		off, found := gitobj.PackOffset(idx, h)
		if !found {
			continue
		}
		return packCommit(strings.TrimSuffix(idx, ".idx")+".pack", off)
	}
	return nil, false
}

// commitObject is r.repo.CommitObject, read the cheap way (commitRaw)
// when it can be and decoded by go-git as it decodes any commit (its
// trees and parents still read through go-git's storage).
func (r *Repo) commitObject(h plumbing.Hash) (*object.Commit, error) {
	raw, ok := r.commitRaw(h)
	if !ok {
		o, err := r.repo.Storer.EncodedObject(plumbing.CommitObject, h)
		if err != nil {
			return nil, err
		}
		return object.DecodeCommit(r.objects(), o)
	}
	obj := &plumbing.MemoryObject{}
	obj.SetType(plumbing.CommitObject)
	if _, err := obj.Write(raw); err != nil {
		return nil, err
	}
	if obj.Hash() != h {
		return r.repo.CommitObject(h) // not the object asked for: go-git says why
	}
	return object.DecodeCommit(r.objects(), obj)
}

// hasObject tells whether the object store holds h: a loose object, or
// one a pack's index lists (found by a binary search, where go-git's
// HasEncodedObject decodes every pack index first). With an alternate
// object store it asks go-git; a pack index it cannot read counts as not
// holding h: a false answer costs a copy of an object stored twice,
// never a missing one.
func (r *Repo) hasObject(h plumbing.Hash) bool {
	objects := filepath.Join(r.commonDir, "objects")
	hex := h.String()
	if _, err := os.Stat(filepath.Join(objects, hex[:2], hex[2:])); err == nil {
		return true
	}
	if _, err := os.Stat(filepath.Join(objects, "info", "alternates")); err == nil {
		return r.repo.Storer.HasEncodedObject(h) == nil
	}
	idxs, err := filepath.Glob(filepath.Join(objects, "pack", "pack-*.idx"))
	if err != nil {
		return r.repo.Storer.HasEncodedObject(h) == nil
	}
	for _, idx := range idxs {
		if _, found := gitobj.PackOffset(idx, h); found {
			if _, err := os.Stat(strings.TrimSuffix(idx, ".idx") + ".pack"); err == nil {
				return true
			}
		}
	}
	return false
}

// packCommit reads the object at off of a pack when it is a whole commit
// (type 1), not a delta.
func packCommit(packPath string, off int64) ([]byte, bool) {
	f, err := os.Open(packPath)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var hdr [16]byte
	n, _ := f.ReadAt(hdr[:], off)
	if n == 0 {
		return nil, false
	}
	typ := (hdr[0] >> 4) & 7
	size := uint64(hdr[0] & 15)
	i, shift := 1, uint(4)
	for hdr[i-1]&0x80 != 0 {
		if i >= n || shift > 56 {
			return nil, false
		}
		size |= uint64(hdr[i]&0x7f) << shift
		shift += 7
		i++
	}
	if typ != 1 || size > 1<<24 {
		return nil, false
	}
	zr, err := zlib.NewReader(io.NewSectionReader(f, off+int64(i), 1<<62))
	if err != nil {
		return nil, false
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(zr, body); err != nil {
		return nil, false
	}
	return body, true
}
