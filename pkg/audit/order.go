package audit

import (
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/record"
)

// orderKinds are the kinds the workflow's order checks look up: a plan's
// project, a project's plans; and the people, whose registry as the commit
// has it says who of a closing project's team had left (closure.left).
var orderKinds = []record.Kind{record.Project, record.Plan, record.Person}

// needsOrder reports whether a commit changes a record whose moves wait on
// another record, so its judgement needs the commit's projects and plans.
func needsOrder(fcs []*fileChange) bool {
	for _, fc := range fcs {
		if fc.judged && (fc.kind == record.Plan || fc.kind == record.Project) {
			return true
		}
	}
	return false
}

// orderRecords reads the projects and plans of a commit's tree (the
// records as they are with the commit made), under the records folder dir.
func (r *Repo) orderRecords(tree plumbing.Hash, dir string) (*record.Set, error) {
	var recs []*record.Record
	for _, k := range orderKinds {
		folder := dir + "/" + record.Info(k).Plural
		e, ok, err := r.Lookup(tree, folder)
		if err != nil {
			return nil, err
		}
		if !ok || !e.IsDir() {
			continue
		}
		years, err := r.Entries(e.Hash)
		if err != nil {
			return nil, err
		}
		if k == record.Person {
			// people lie in the folder itself, one file each
			years = []gitobj.TreeEntry{e}
		}
		for _, y := range years {
			if !y.IsDir() {
				continue
			}
			files, err := r.Entries(y.Hash)
			if err != nil {
				return nil, err
			}
			sub := folder + "/" + string(y.Name) + "/"
			if k == record.Person {
				sub = folder + "/"
			}
			for _, f := range files {
				if !f.IsFile() {
					continue
				}
				rec, err := r.orderRecord(f.Hash, sub+string(f.Name), dir)
				if err != nil {
					return nil, err
				}
				if rec != nil && rec.Kind == k {
					recs = append(recs, rec)
				}
			}
		}
	}
	return record.NewSet(recs), nil
}

// orderParsed counts the files orderRecord parsed, for the tests.
var orderParsed atomic.Int64

// orderRecord is the record the blob h holds as the file at p under the
// records folder dir, or nil: as parse reads it (the place decides the
// kind, the file's name the id when it has none), kept for the range in
// orderRecs.
func (r *Repo) orderRecord(h plumbing.Hash, p, dir string) (*record.Record, error) {
	if v, ok := r.cached(h, p); ok {
		return v.rec, nil
	}
	key := blobKey{h, p}
	r.mu.Lock()
	rec, ok := r.orderRecs[key]
	r.mu.Unlock()
	if ok {
		return rec, nil
	}
	data, err := r.Blob(h, record.MaxFileSize)
	if err != nil {
		return nil, err
	}
	orderParsed.Add(1)
	rec, _ = record.ParseLean(p, data)
	if rec != nil {
		record.CheckPlace(rec, dir)
		if rec.ID == "" {
			_, rec.ID, _ = recordFile(dir, p)
		}
	}
	r.mu.Lock()
	if r.orderRecs == nil {
		r.orderRecs = map[blobKey]*record.Record{}
	}
	r.orderRecs[key] = rec
	r.mu.Unlock()
	return rec, nil
}
