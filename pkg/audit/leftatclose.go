package audit

import (
	"context"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// LeftAtClose is rules.Context.LeftAtClose for the git repository whose
// work tree holds root: who of a closed project's team had left when it
// was closed, for a project closed before the move stamped closure.left.
// It reads the people registry of the commit that closed the project, as
// verify judges the stamp: the members that registry holds inactive. The
// commit that closed it is found back from HEAD's version of the file:
// the commit that made that version, and, while the version before it was
// closed too, the one that made that version, down to the move to closed
// (or the commit that brought the project closed, such as an import).
//
// The repository is opened and its history read once, on the first
// question (one pass over the commit index for every project file made);
// each answer is remembered, and it is safe for concurrent use (the rules
// run on all cores). Without a repository, or when HEAD does not hold the
// project closed, the answer is not known. The commit index in
// .git/opsbook/ is read as history and log read it: the answer spares a
// returning member a refusal of opsbook's own writes and validate's error;
// verify never asks it.
func LeftAtClose(root string) func(prj *record.Record) ([]string, bool) {
	var mu sync.Mutex
	var f *closeFinder
	answers := map[string][]string{}
	known := map[string]bool{}
	return func(prj *record.Record) ([]string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if ok, asked := known[prj.Path]; asked {
			return answers[prj.Path], ok
		}
		if f == nil {
			f = newCloseFinder(context.Background(), root)
		}
		left, ok := f.leftAtClose(prj)
		answers[prj.Path], known[prj.Path] = left, ok
		return left, ok
	}
}

// closeFinder finds the commits that closed projects.
type closeFinder struct {
	r    *Repo // nil: no history to read
	tree plumbing.Hash
	// made holds, for each version of a project file (path and blob),
	// the commit that made it and the version before.
	made map[pathBlob]madeBy
}

type pathBlob struct {
	path string
	blob plumbing.Hash
}

type madeBy struct {
	commit plumbing.Hash
	before plumbing.Hash
}

func newCloseFinder(ctx context.Context, root string) *closeFinder {
	f := &closeFinder{made: map[pathBlob]madeBy{}}
	r, err := Open(root)
	if err != nil {
		return f
	}
	head, err := r.Resolve("HEAD")
	if err == nil {
		err = r.EnsureIndexed(ctx, head)
	}
	var rl *Rules
	if err == nil {
		f.tree = r.Indexed(head).Tree
		rl, err = r.rulesAt(f.tree)
	}
	if err != nil {
		r.Close()
		return f
	}
	folder := rl.Dir + "/" + record.Info(record.Project).Plural + "/"
	for _, h := range r.ancestors(head) {
		nd := r.Indexed(h)
		for _, c := range nd.Changes {
			if c.New.IsZero() || !strings.HasPrefix(c.Path, folder) || fromOther(c.New, c.Others) {
				continue // a merge's version brought from another side is made there
			}
			k := pathBlob{c.Path, c.New}
			if m, ok := f.made[k]; !ok || r.TimeOf(h) > r.TimeOf(m.commit) {
				f.made[k] = madeBy{h, c.Old}
			}
		}
	}
	f.r = r
	return f
}

func fromOther(b plumbing.Hash, others []plumbing.Hash) bool {
	for _, o := range others {
		if o == b {
			return true
		}
	}
	return false
}

// leftAtClose answers LeftAtClose for one project.
func (f *closeFinder) leftAtClose(prj *record.Record) ([]string, bool) {
	if f.r == nil {
		return nil, false
	}
	path := f.r.Prefix() + prj.Path
	b, err := f.r.BlobAt(f.tree, path)
	if err != nil || b.IsZero() || f.status(b, path) != "closed" {
		return nil, false
	}
	var at plumbing.Hash
	for range 1000 { // a version made again later cannot loop for long
		m, ok := f.made[pathBlob{path, b}]
		if !ok {
			return nil, false
		}
		if m.before.IsZero() || f.status(m.before, path) != "closed" {
			at = m.commit
			break
		}
		b = m.before
	}
	if at.IsZero() {
		return nil, false
	}
	t, err := f.r.TreeOf(at)
	if err != nil {
		return nil, false
	}
	rl, err := f.r.rulesAt(t)
	if err != nil {
		return nil, false
	}
	return workflow.LeftTeam(prj, rl.People), true
}

// status is the state of the record in blob b.
func (f *closeFinder) status(b plumbing.Hash, path string) string {
	data, err := f.r.Blob(b, record.MaxFileSize)
	if err != nil {
		return ""
	}
	rec, _ := record.ParseLean(path, data)
	if rec == nil {
		return ""
	}
	return rec.Status()
}
