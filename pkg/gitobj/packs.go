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
//
// The bytes route (raw, rawPack) finds objects through each pack's index
// file mapped and searched in place (openMappedIndex); go-git's route
// (get), for what the bytes route does not read, decodes the pack index
// files whole (idxfile.MemoryIndex: 33 ms for 300,000 objects) the first
// time it is taken, which a command reading only what the bytes route
// reads never does.
type packs struct {
	raws  []*rawPack // the packs, read as bytes (see rawPack)
	cache *objectCache
	gg    *goGitPacks // shared with the workers' copies
	// clone: a worker's copy, whose go-git packs belong to the original.
	clone bool
}

// goGitPacks are the packs as go-git reads them, opened on first use;
// its callers hold the objects' slow lock (objects.slow), as the workers'
// copies share it.
type goGitPacks struct {
	dir   string
	names []string // the packs' base names, as raws
	packs []*packfile.Packfile
	err   error
	done  bool
}

// rawClone opens the packs again for another goroutine's raw reads, with
// a cache of its own; go-git's packs stay the original's (see objects).
func (ps *packs) rawClone() (*packs, error) {
	out := &packs{cache: ps.cache, gg: ps.gg, clone: true}
	rc := newRawCache(rawCacheBytes)
	for _, p := range ps.raws {
		rp, err := openRawPack(p.f.Name(), p.idx, rc)
		if err != nil {
			out.closeRaws()
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
	ps := &packs{cache: c, gg: &goGitPacks{dir: dir}}
	rc := newRawCache(rawCacheBytes)
	for _, idxPath := range names {
		base := strings.TrimSuffix(filepath.Base(idxPath), ".idx")
		// mapped and searched in place; else (a version 1 index, a system
		// without the mapping) decoded whole by go-git
		var idx offsetIndex
		if fi, err := openMappedIndex(idxPath); err == nil {
			fi.close() // the mapping stays
			if fi.data != nil {
				idx = fi
			}
		}
		if idx == nil {
			f, err := os.Open(idxPath)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // removed by a repack meanwhile
				}
				ps.close()
				return nil, err
			}
			mi := idxfile.NewMemoryIndex()
			err = idxfile.NewDecoder(f).Decode(mi)
			f.Close()
			if err != nil {
				ps.close()
				return nil, i18n.Errorf("reading %s: %w", idxPath, err)
			}
			idx = mi
		}
		rp, err := openRawPack(filepath.Join(dir, base+".pack"), idx, rc)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // an index whose pack git is writing or removing
			}
			ps.close()
			return nil, err
		}
		ps.raws = append(ps.raws, rp)
		ps.gg.names = append(ps.gg.names, base)
	}
	return ps, nil
}

// open opens the packs for go-git, once.
func (g *goGitPacks) open(c *objectCache) ([]*packfile.Packfile, error) {
	if g.done {
		return g.packs, g.err
	}
	g.done = true
	fs := osfs.New(g.dir)
	for _, base := range g.names {
		f, err := os.Open(filepath.Join(g.dir, base+".idx"))
		if err != nil {
			g.err = err
			break
		}
		idx := idxfile.NewMemoryIndex()
		err = idxfile.NewDecoder(f).Decode(idx)
		f.Close()
		if err != nil {
			g.err = i18n.Errorf("reading %s: %w", filepath.Join(g.dir, base+".idx"), err)
			break
		}
		pf, err := fs.Open(base + ".pack")
		if err != nil {
			g.err = err
			break
		}
		g.packs = append(g.packs, packfile.NewPackfileWithCache(idx, nil, pf, c, 0))
	}
	return g.packs, g.err
}

// get returns the object from the first pack holding it; ok is false when
// none does (it is loose, or in an alternate). The caller holds the
// objects' slow lock.
func (ps *packs) get(h plumbing.Hash) (plumbing.EncodedObject, bool, error) {
	list, err := ps.gg.open(ps.cache)
	if err != nil {
		return nil, false, err
	}
	for _, p := range list {
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
	if !ps.clone && ps.gg != nil {
		for _, p := range ps.gg.packs {
			p.Close()
		}
		ps.gg.packs = nil
	}
	ps.closeRaws()
}

// closeRaws closes this copy's pack files.
func (ps *packs) closeRaws() {
	for _, p := range ps.raws {
		p.close()
	}
	ps.raws = nil
}
