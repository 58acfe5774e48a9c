package audit

import (
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/record"
)

// recordFile says whether p is a record file under the records folder dir,
// and of which kind and id (from its place).
func recordFile(dir, p string) (record.Kind, string, bool) {
	if !strings.HasPrefix(p, dir+"/") || !strings.HasSuffix(p, ".yaml") {
		return "", "", false
	}
	k, id, _ := record.Locate(p[len(dir)+1:])
	return k, id, k != ""
}

// fileChange is one record file a commit changed, with both versions
// parsed.
type fileChange struct {
	gitobj.Change
	kind record.Kind
	id   string // from the file's place
	// before and after are nil where the file is absent or not readable
	// as a record; badBefore and badAfter are also set for a record read
	// only by leaving out what the parser could not take (see parsed).
	before, after       *record.Record
	badBefore, badAfter bool
	oldData, newData    []byte // read by the git goroutine, parsed by a worker
	// judged: part of what the commit is judged for; a change that is
	// only a candidate source of a renumbering is not.
	judged bool
	// source, on an added file, is the renumbered record it continues
	// (nil when it is a new record).
	source *fileChange
	// parent is the parent the change is against (0 but for rename
	// sources found in a merge's other parents).
	parent int
	// undone: a merge's change undoing what another parent brought
	// (Old is that parent's version, New the merge's).
	undone bool
	// consumed: a removal that a renumbering turned into its new file;
	// taken: the source of some renumbering.
	consumed, taken bool
	// to, on a removal, is the id a renumbering in the same commit moved
	// the record to (set by history, which reads the one file).
	to string
}

type blobKey struct {
	hash plumbing.Hash
	path string
}

// parsed is a blob read as a record. bad: it is no readable record, or
// it is one only because the parser left out what it could not take (a
// duplicate key, a merge key, a tag, an anchor, an empty value): rec is then
// what opsbook reads, but another YAML reader (the forge's diff, a script)
// may read the left-out value instead, so a commit that leaves such a file
// cannot be judged by opsbook's reading alone.
type parsed struct {
	rec *record.Record
	bad bool
}

// cached returns a parsed blob from the cache.
func (r *Repo) cached(h plumbing.Hash, p string) (parsed, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.blobs[blobKey{h, p}]
	return v, ok
}

const parsedCacheSize = 2048

// parse reads a record from a blob's bytes, as the file at p under the
// records folder dir. Safe for concurrent use.
func (r *Repo) parse(h plumbing.Hash, p, dir string, data []byte) parsed {
	if v, ok := r.cached(h, p); ok {
		return v
	}
	rec, ds := record.Parse(p, data)
	v := parsed{rec: rec, bad: rec == nil || len(ds) > 0}
	if rec != nil {
		record.CheckPlace(rec, dir)
		if rec.ID == "" {
			_, rec.ID, _ = recordFile(dir, p)
		}
	}
	r.mu.Lock()
	if len(r.blobs) >= parsedCacheSize {
		r.blobs = map[blobKey]parsed{}
	}
	r.blobs[blobKey{h, p}] = v
	r.mu.Unlock()
	return v
}

// read fetches the blobs of fc not already parsed; the git goroutine calls
// it.
func (r *Repo) read(fc *fileChange) error {
	var err error
	if !fc.Old.IsZero() {
		if v, ok := r.cached(fc.Old, fc.Path); ok {
			fc.before, fc.badBefore = v.rec, v.bad
		} else if fc.oldData, err = r.Blob(fc.Old, record.MaxFileSize); err != nil {
			return err
		}
	}
	if !fc.New.IsZero() {
		if v, ok := r.cached(fc.New, fc.Path); ok {
			fc.after, fc.badAfter = v.rec, v.bad
		} else if fc.newData, err = r.Blob(fc.New, record.MaxFileSize); err != nil {
			return err
		}
	}
	return nil
}

// finish parses what read fetched; a worker calls it.
func (r *Repo) finish(fc *fileChange, dir string) {
	if fc.oldData != nil {
		v := r.parse(fc.Old, fc.Path, dir, fc.oldData)
		fc.before, fc.badBefore, fc.oldData = v.rec, v.bad, nil
	}
	if fc.newData != nil {
		v := r.parse(fc.New, fc.Path, dir, fc.newData)
		fc.after, fc.badAfter, fc.newData = v.rec, v.bad, nil
	}
}

// recordChanges turns a commit's changes into the record files it judges
// (those judge accepts), with, when a judged file is added, the files that
// could be the record it renumbered: removed or replaced files of the
// commit and, for a merge, files of the same folder that differ in its
// other parents. Blobs are read, not yet parsed.
func (r *Repo) recordChanges(nd *gitobj.Node, dir string, judge func(gitobj.Change) bool) ([]*fileChange, error) {
	var out []*fileChange
	added := false
	// judged in place first: a history's judge is one path, and a root
	// commit's changes are every file (300,000 paths neither decoded nor
	// parsed for nothing)
	for _, c := range nd.Where(judge) {
		k, id, ok := recordFile(dir, c.Path)
		if !ok {
			continue
		}
		out = append(out, &fileChange{Change: c, kind: k, id: id, judged: true})
		added = added || (c.Old.IsZero() && !c.New.IsZero())
	}
	if added {
		srcs, err := r.renameSources(nd, dir, out)
		if err != nil {
			return nil, err
		}
		out = append(out, srcs...)
	}
	for _, fc := range out {
		if err := r.read(fc); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *Repo) renameSources(nd *gitobj.Node, dir string, judged []*fileChange) ([]*fileChange, error) {
	have := map[string]bool{}
	folders := map[string]bool{}
	for _, fc := range judged {
		have[fc.Path] = true
		if fc.Old.IsZero() && !fc.New.IsZero() {
			folders[path.Dir(fc.Path)] = true
		}
	}
	var out []*fileChange
	for _, c := range nd.Where(func(c gitobj.Change) bool { return !c.Old.IsZero() && !have[c.Path] }) {
		if have[c.Path] {
			continue
		}
		if k, id, ok := recordFile(dir, c.Path); ok {
			out = append(out, &fileChange{Change: gitobj.Change{Path: c.Path, Old: c.Old}, kind: k, id: id})
			have[c.Path] = true
		}
	}
	for i := 1; i < len(nd.Parents); i++ {
		pn := r.Indexed(nd.Parents[i])
		if pn == nil {
			continue
		}
		for f := range folders {
			pe, _, err := r.Lookup(pn.Tree, f)
			if err != nil {
				return nil, err
			}
			me, _, err := r.Lookup(nd.Tree, f)
			if err != nil {
				return nil, err
			}
			if !pe.IsDir() {
				continue
			}
			if !me.IsDir() {
				me.Hash = plumbing.ZeroHash
			}
			diffs, err := r.DiffTrees(pe.Hash, me.Hash, f+"/", nil)
			if err != nil {
				return nil, err
			}
			for _, d := range diffs {
				if d.Old.IsZero() || !d.New.IsZero() || have[d.Path] {
					continue
				}
				if k, id, ok := recordFile(dir, d.Path); ok {
					out = append(out, &fileChange{Change: gitobj.Change{Path: d.Path, Old: d.Old}, kind: k, id: id, parent: i})
				}
			}
		}
	}
	return out, nil
}

// pairRenames links each added record file to the file it renumbered: a
// file the commit removed that held the same record under another id
// (for a merge, a file another parent has and the merge does not). The
// source is consumed: it is the same record moving, not a deletion. A
// file that stays is no source, however alike: an approved claim copied
// under a new id is a new record, judged by the creation rules.
//
// Only removed files can be sources: they are listed once (in fcs's
// order, which decides between two alike), so a commit adding the whole
// department (an import: 100,000 files) costs one pass, not one per file
// added.
func pairRenames(fcs []*fileChange) {
	var sources []*fileChange
	for _, s := range fcs {
		if s.before != nil && s.New.IsZero() {
			sources = append(sources, s)
		}
	}
	if len(sources) == 0 {
		return
	}
	for _, a := range fcs {
		if !a.judged || !a.Old.IsZero() || a.after == nil {
			continue
		}
		for _, s := range sources {
			if s == a || s.before == nil || !s.New.IsZero() || s.kind != a.kind || s.Path == a.Path || s.taken ||
				s.before.ID == a.after.ID || !sameRecordBut(s.before, a.after) {
				continue
			}
			a.source, s.taken = s, true
			s.consumed = s.parent == 0
			break
		}
	}
}

// renumberedTo returns the id a renumbering in commit nd moved the record
// of the removed file gone to, or "": the commit's added and removed
// record files of its kind paired as log and verify pair them
// (pairRenames), which a history, reading the one file, does not see.
func (r *Repo) renumberedTo(nd *gitobj.Node, dir string, gone *fileChange) (string, error) {
	fcs, err := r.recordChanges(nd, dir, func(c gitobj.Change) bool {
		if c.Old.IsZero() == c.New.IsZero() {
			return false // changed in place: neither a renumbering's nor its source
		}
		k, _, ok := recordFile(dir, c.Path)
		return ok && k == gone.kind
	})
	if err != nil {
		return "", err
	}
	for _, fc := range fcs {
		r.finish(fc, dir)
	}
	pairRenames(fcs)
	for _, fc := range fcs {
		if fc.source != nil && fc.source.Path == gone.Path && fc.source.parent == gone.parent {
			return fc.id, nil
		}
	}
	return "", nil
}
