package gitobj

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// packs reads objects straight from the repository's pack files. go-git's
// storage hands out objects over 16 KiB (the trees of a busy records
// folder) as lazy objects that reopen the pack file and decode again on
// every read; a pack opened without a file system decodes every object to
// memory once, into the shared object cache.
type packs struct {
	packs []*packfile.Packfile
	raws  []*rawPack // the same packs, read as bytes (see rawPack)
	cache *objectCache
	// clone: a worker's copy, whose go-git packs belong to the original.
	clone bool
}

// rawClone opens the packs again for another goroutine's raw reads, with
// a cache of its own; the go-git packs stay the original's (see objects).
func (ps *packs) rawClone() (*packs, error) {
	out := &packs{packs: ps.packs, cache: ps.cache, clone: true}
	rc := newRawCache(rawCacheBytes)
	for _, p := range ps.raws {
		rp, err := openRawPack(p.f.Name(), p.idx, rc)
		if err != nil {
			out.close()
			return nil, err
		}
		out.raws = append(out.raws, rp)
	}
	return out, nil
}

// rawCacheBytes is the budget for resolved objects read as bytes.
const rawCacheBytes = 64 << 20

func openPacks(commonDir string, c *objectCache) (*packs, error) {
	dir := filepath.Join(commonDir, "objects", "pack")
	names, err := filepath.Glob(filepath.Join(dir, "pack-*.idx"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	fs := osfs.New(dir)
	ps := &packs{cache: c}
	rc := newRawCache(rawCacheBytes)
	for _, idxPath := range names {
		base := strings.TrimSuffix(filepath.Base(idxPath), ".idx")
		f, err := os.Open(idxPath)
		if err != nil {
			ps.close()
			return nil, err
		}
		idx := idxfile.NewMemoryIndex()
		err = idxfile.NewDecoder(f).Decode(idx)
		f.Close()
		if err != nil {
			ps.close()
			return nil, i18n.Errorf("reading %s: %w", idxPath, err)
		}
		pf, err := fs.Open(base + ".pack")
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // an index whose pack git is writing or removing
			}
			ps.close()
			return nil, err
		}
		rp, err := openRawPack(filepath.Join(dir, base+".pack"), idx, rc)
		if err != nil {
			pf.Close()
			ps.close()
			return nil, err
		}
		ps.packs = append(ps.packs, packfile.NewPackfileWithCache(idx, nil, pf, c, 0))
		ps.raws = append(ps.raws, rp)
	}
	return ps, nil
}

// get returns the object from the first pack holding it; ok is false when
// none does (it is loose, or in an alternate).
func (ps *packs) get(h plumbing.Hash) (plumbing.EncodedObject, bool, error) {
	for _, p := range ps.packs {
		o, err := ps.cache.read(h, func() (plumbing.EncodedObject, error) { return p.Get(h) })
		switch {
		case err == nil:
			return o, true, nil
		case errors.Is(err, plumbing.ErrObjectNotFound):
			continue
		default:
			return nil, false, err
		}
	}
	return nil, false, nil
}

// raw returns an object's type and bytes from the first pack holding it;
// ok is false when none does. With limit > 0, an object over it is not
// inflated: the error is errOverLimit.
func (ps *packs) raw(h plumbing.Hash, limit int) (plumbing.ObjectType, []byte, bool, error) {
	for _, p := range ps.raws {
		t, b, ok, err := p.get(h, limit)
		if err != nil || ok {
			return t, b, ok, err
		}
	}
	return 0, nil, false, nil
}

func (ps *packs) close() {
	for _, p := range ps.packs {
		if ps.clone {
			break
		}
		p.Close()
	}
	for _, p := range ps.raws {
		p.close()
	}
	ps.packs, ps.raws = nil, nil
}
