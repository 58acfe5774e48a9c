package repo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
)

// Indexed is the department as its refreshed index knows it: what a
// command answering from the index reads instead of the records.
type Indexed struct {
	Root   string
	Policy *config.Policy
	// PolicyDiags are the policy file's own problems.
	PolicyDiags []diag.Diagnostic
	Index       *index.Index
	Stats       IndexStats
	// LeftAtClose, when set, is given to the rules a recount runs
	// (rules.Context.LeftAtClose), as Repo.LeftAtClose to validate's.
	LeftAtClose func(prj *record.Record) ([]string, bool)
	// head is MemoHead as Fingerprint last took it (FingerprintHead)
	head string
}

// OpenIndexed finds the repository above dir, reads its policy and
// refreshes its index (only the folders of kinds, when given: the other
// entries must then not be used). It fails with ErrFullPath when the index cannot
// stand in for the files: no git directory to keep it in, or a file the
// folders' listing refused (a symbolic link, a folder that cannot be read),
// which a full read reports.
func OpenIndexed(ctx context.Context, dir string, kinds ...record.Kind) (*Indexed, error) {
	root, err := config.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	pol, pds, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	x, st, err := indexKinds(ctx, root, pol, kinds)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrFullPath
	}
	if st.Hazards > 0 {
		return nil, ErrFullPath
	}
	return &Indexed{Root: root, Policy: pol, PolicyDiags: pds, Index: x, Stats: st}, nil
}

// OfKind returns the entries a full load of the kind's folder turns into
// records of that kind (Set.OfKind after Options{Kinds: {k}}): the
// readable records of kind k in k's folder, by path. ok is false when a
// file of the folder cannot be read as a record: a full load warns of it.
func (d *Indexed) OfKind(k record.Kind) (out []*index.Entry, ok bool) {
	prefixes := kindPrefixes(d.Policy.Records, []record.Kind{k})
	if len(prefixes) == 0 {
		return nil, true
	}
	for _, e := range d.Index.Entries {
		if !strings.HasPrefix(e.Path, prefixes[0]) {
			continue
		}
		if e.Kind == "" {
			return nil, false
		}
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out, true
}

// Read parses the files of entries, as a full load would, and checks that
// each still has the content the index saw: a file changed since the
// refresh fails with ErrFullPath (the caller takes the full path).
func (d *Indexed) Read(entries []*index.Entry) ([]*record.Record, error) {
	out := make([]*record.Record, len(entries))
	var bad atomic.Bool
	par.For(len(entries), 64, func(lo, hi int) {
		for i := lo; i < hi && !bad.Load(); i++ {
			e := entries[i]
			data, err := os.ReadFile(filepath.Join(d.Root, filepath.FromSlash(e.Path)))
			if err != nil || cache.Hash(sha256.Sum256(data)) != e.Hash {
				bad.Store(true)
				return
			}
			rec, _ := record.ParseLean(e.Path, data)
			if rec == nil {
				bad.Store(true)
				return
			}
			record.CheckPlace(rec, d.Policy.Records) // the folder decides the kind
			out[i] = rec
		}
	})
	if bad.Load() {
		return nil, ErrFullPath
	}
	return out, nil
}

// LoadKinds reads the records of kinds as the index d refreshed lists
// them (from the parse cache where an entry has its cached hash): a part
// of the department exactly as d stands for it. An error when a file does
// not hold what its entry says (it changed since the refresh), when d
// cannot stand for the records folder, or when an id a record read holds
// is held by another file too (a look-up by id in the part could then
// find another record than in the whole department).
func (d *Indexed) LoadKinds(ctx context.Context, kinds []record.Kind) (*record.Set, error) {
	for _, e := range d.Index.Entries {
		if slices.Contains(kinds, e.Kind) && len(d.Index.Get(e.ID)) != 1 {
			return nil, fmt.Errorf("%s is held by two files", e.ID)
		}
	}
	r, err := LoadWith(ctx, d.Root, Options{Policy: d.Policy, Listed: d, Kinds: kinds, RecordsOnly: true})
	if err != nil {
		return nil, err
	}
	return r.Set, nil
}
