package audit

import (
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
				p := sub + string(f.Name)
				v, ok := r.cached(f.Hash, p)
				if !ok {
					data, err := r.Blob(f.Hash, record.MaxFileSize)
					if err != nil {
						return nil, err
					}
					v = r.parse(f.Hash, p, dir, data)
				}
				if v.rec != nil && v.rec.Kind == k {
					recs = append(recs, v.rec)
				}
			}
		}
	}
	return record.NewSet(recs), nil
}
