package audit

import (
	"container/heap"
	"path"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/record"
)

// A merge is judged against its first parent. Each file it changes there
// is the merge's own change, made by the merge's actor, unless it is what
// a clean merge gives: the version another parent brings, where that
// parent's side changed the file since the merge base and the first
// parent's side did not. That side's commits were judged themselves: in
// the range being verified, or, below BASE, when BASE was verified (the
// CI templates verify every push to the main branch).
//
// A merge that keeps the first parent's version of a file that another
// parent's side changed (while the first parent's did not) undoes that
// side's change: it is judged too, as a change from the other parent's
// version to the merge's. A merge of an old commit of the branch itself
// (git commit-tree -p HEAD -p ROOT) brings nothing of its own, since that
// commit is its own merge base: every file it changes is its own.

// mergeSide is one parent after the first, with the root trees of its
// merge bases with the first parent (none for unrelated histories).
type mergeSide struct {
	parent plumbing.Hash
	tree   plumbing.Hash
	bases  []plumbing.Hash
}

// mergeSides are a merge's parents after the first, each with the trees
// of its merge bases with the first parent.
func (r *Repo) mergeSides(nd *gitobj.Node) ([]mergeSide, error) {
	var sides []mergeSide
	for _, p := range nd.Parents[1:] {
		s := mergeSide{parent: p}
		var err error
		if s.tree, err = r.TreeOf(p); err != nil {
			return nil, err
		}
		for _, b := range r.mergeBases(nd.Parents[0], p) {
			t, err := r.TreeOf(b)
			if err != nil {
				return nil, err
			}
			s.bases = append(s.bases, t)
		}
		sides = append(sides, s)
	}
	return sides, nil
}

// mergeJudgement says which of a merge's changes (against its first
// parent) are its own, and lists the other parents' changes it undid.
func (r *Repo) mergeJudgement(nd *gitobj.Node) (own map[string]bool, undone []gitobj.Change, err error) {
	p1 := nd.Parents[0]
	sides, err := r.mergeSides(nd)
	if err != nil {
		return nil, nil, err
	}
	// baseVersions are a file's blobs in a side's merge bases (zero:
	// absent; unrelated histories have the empty tree as their base).
	baseVersions := func(s mergeSide, path string) (map[plumbing.Hash]bool, error) {
		vs := map[plumbing.Hash]bool{}
		if len(s.bases) == 0 {
			vs[plumbing.ZeroHash] = true
		}
		for _, t := range s.bases {
			b, err := r.BlobAt(t, path)
			if err != nil {
				return nil, err
			}
			vs[b] = true
		}
		return vs, nil
	}
	// A side brings version v of a file over the first parent's version
	// mine when its side changed the file since every merge base and the
	// first parent's side did not (mine is a base's version).
	brings := func(s mergeSide, path string, mine, v plumbing.Hash) (bool, error) {
		vs, err := baseVersions(s, path)
		if err != nil {
			return false, err
		}
		return vs[mine] && !vs[v], nil
	}
	p1tree, err := r.TreeOf(p1)
	if err != nil {
		return nil, nil, err
	}
	// sideChanges are the files a side changed since its merge bases, read
	// once and only when a file needs them.
	changesOf := map[int][]gitobj.Change{}
	sideChanges := func(k int) ([]gitobj.Change, error) {
		if cs, ok := changesOf[k]; ok {
			return cs, nil
		}
		var cs []gitobj.Change
		for _, b := range sides[k].bases {
			d, err := r.DiffTrees(b, sides[k].tree, "", nil)
			if err != nil {
				return nil, err
			}
			cs = append(cs, d...)
		}
		changesOf[k] = cs
		return cs, nil
	}
	own = map[string]bool{}
	for _, c := range nd.Changes() {
		explained := false
		for k, s := range sides {
			if c.New == c.Others[k] {
				if explained, err = brings(s, c.Path, c.Old, c.New); err != nil {
					return nil, nil, err
				}
			}
			if !explained && !c.Old.IsZero() && !c.New.IsZero() && !c.Others[k].IsZero() && !r.registryFile(c.Path) {
				// a resolution of conflicts with this side (mergeboth.go)
				vs, ok, err := r.readVersions(s, c.Path, c.Old, c.Others[k], c.New)
				if err != nil {
					return nil, nil, err
				}
				explained = ok && vs.noOwnChange()
			}
			if explained {
				break
			}
		}
		if !explained && !c.Old.IsZero() && !c.New.IsZero() && !r.registryFile(c.Path) {
			k, _, err := r.renumberHeld(sides, c, p1tree, nd.Tree, sideChanges)
			if err != nil {
				return nil, nil, err
			}
			explained = k >= 0
		}
		if !explained {
			own[c.Path] = true
		}
	}
	undoneAt := map[string]bool{}
	// targets, by folder: the files the merge holds that differ from the
	// first parent's (where a side's change of a file the first parent
	// renumbered lands, when git follows the rename).
	targets := map[string][]string{}
	for _, c := range nd.Changes() {
		if !c.New.IsZero() {
			targets[path.Dir(c.Path)] = append(targets[path.Dir(c.Path)], c.Path)
		}
	}
	for _, s := range sides {
		bases := s.bases
		if len(bases) == 0 {
			bases = []plumbing.Hash{plumbing.ZeroHash}
		}
		paths := map[string]plumbing.Hash{} // what the side changed, with its version
		for _, b := range bases {
			diffs, err := r.DiffTrees(b, s.tree, "", nil)
			if err != nil {
				return nil, nil, err
			}
			for _, d := range diffs {
				paths[d.Path] = d.New
			}
		}
		removed := map[string][]string{} // by folder: files the side removed (renumbering sources)
		for p, v := range paths {
			if v.IsZero() {
				removed[path.Dir(p)] = append(removed[path.Dir(p)], p)
			}
		}
		for p, v := range paths {
			if undoneAt[p] {
				continue // judged once, as undoing the first side's change
			}
			mine, err := r.BlobAt(nd.Tree, p)
			if err != nil {
				return nil, nil, err
			}
			if mine == v {
				continue // the side's change is the merge's
			}
			vs, err := baseVersions(s, p)
			if err != nil {
				return nil, nil, err
			}
			if vs[v] {
				continue // the side's version is a merge base's: it changed nothing here
			}
			if kept, err := r.sideKept(s, p, v, mine, removed[path.Dir(p)], targets[path.Dir(p)], nd.Tree, p1tree); err != nil {
				return nil, nil, err
			} else if kept {
				continue // every field the side changed is the merge's (a line merge)
			}
			// The merge does not hold what the side brought: the side's
			// change is dropped or overridden, whether the merge kept the
			// first parent's version (-s ours, a conflict resolved as
			// ours, whatever the first parent's side did to the file),
			// took another side's (an octopus) or made its own. It is
			// judged as the merge's change from the side's version, as
			// well as from the first parent's where it differs from that.
			undone = append(undone, gitobj.Change{Path: p, Old: v, New: mine})
			undoneAt[p] = true
		}
	}
	return own, undone, nil
}

// renumberHeld reports whether the merge's change c of a record file is a
// side's edit of the record that the first parent renumbered: the first
// parent's side moved the file of the merge base to c.Path under a new id
// and changed nothing else in it (opsbook renumber), a side changed the
// old file (a claimant's edit or move on a branch made before the
// renumbering), and the merge holds the side's version whole under the new
// id, as git's merge gives it by following the rename. Every value it holds
// was written and judged on a side (the edit there, the renumbering on the
// first parent's), so it is no change of the merge's own. A renumbering
// that also changed a field, or a merge that mixes the two, is not so.
//
// It returns the side (its index among the parents after the first) and the
// old file's path, or -1.
func (r *Repo) renumberHeld(sides []mergeSide, c gitobj.Change, p1tree, tree plumbing.Hash, sideChanges func(int) ([]gitobj.Change, error)) (int, string, error) {
	// sameBut: a and b hold the same fields, the id aside
	sameBut := func(a, b record.Map) bool {
		for _, f := range keys(a, b) {
			if f != "id" && !sameField(a, b, f) {
				return false
			}
		}
		return true
	}
	ours, err := r.blobRecord(c.Old, c.Path)
	if err != nil || ours == nil {
		return -1, "", err
	}
	merged, err := r.blobRecord(c.New, c.Path)
	if err != nil || merged == nil || merged.ID != ours.ID {
		return -1, "", err
	}
	for k := range sides {
		if !c.Others[k].IsZero() {
			continue // the side has the file under the new id: not this case
		}
		cs, err := sideChanges(k)
		if err != nil {
			return -1, "", err
		}
		for _, d := range cs {
			if d.Old.IsZero() || d.New.IsZero() || d.Path == c.Path || path.Base(path.Dir(path.Dir(d.Path))) != path.Base(path.Dir(path.Dir(c.Path))) {
				continue // not an edit of a file of the same kind's folder
			}
			gone := true // the first parent and the merge no longer hold the old file
			for _, t := range []plumbing.Hash{p1tree, tree} {
				b, err := r.BlobAt(t, d.Path)
				if err != nil {
					return -1, "", err
				}
				gone = gone && b.IsZero()
			}
			if !gone {
				continue
			}
			base, err := r.blobRecord(d.Old, d.Path)
			if err != nil {
				return -1, "", err
			}
			theirs, err := r.blobRecord(d.New, d.Path)
			if err != nil {
				return -1, "", err
			}
			if base == nil || theirs == nil || base.Kind != ours.Kind || base.ID == ours.ID || theirs.ID != base.ID {
				continue
			}
			if sameBut(base.Data, ours.Data) && sameBut(theirs.Data, merged.Data) {
				return k, d.Path, nil
			}
		}
	}
	return -1, "", nil
}

// renumberedFrom is, for a merge's change of the record file at p that
// renumberHeld explains, the parent whose side edited the record and the
// path the record had there (ok false otherwise): a record's history goes
// on there, as on the first parent's, where it was renumbered.
func (r *Repo) renumberedFrom(nd *gitobj.Node, p string) (parent plumbing.Hash, old string, ok bool, err error) {
	c, changed := nd.ChangeOf(p)
	if !changed || c.Old.IsZero() || c.New.IsZero() || r.registryFile(p) {
		return plumbing.ZeroHash, "", false, nil
	}
	sides, err := r.mergeSides(nd)
	if err != nil {
		return plumbing.ZeroHash, "", false, err
	}
	p1tree, err := r.TreeOf(nd.Parents[0])
	if err != nil {
		return plumbing.ZeroHash, "", false, err
	}
	sideChanges := func(k int) ([]gitobj.Change, error) {
		var cs []gitobj.Change
		for _, b := range sides[k].bases {
			d, err := r.DiffTrees(b, sides[k].tree, "", nil)
			if err != nil {
				return nil, err
			}
			cs = append(cs, d...)
		}
		return cs, nil
	}
	k, old, err := r.renumberHeld(sides, c, p1tree, nd.Tree, sideChanges)
	if err != nil || k < 0 {
		return plumbing.ZeroHash, "", false, err
	}
	return sides[k].parent, old, true, nil
}

// mergeBases are the best common ancestors of commits a and b, found as
// git's paint_down_to_common finds them: walking down from both, newest
// first, painting each commit with the sides it is reached from, until
// only commits below a common one are left. The walk goes no deeper than
// the merge bases, not the whole history. Candidates that are ancestors of
// another (clock skew, criss-cross) are dropped.
func (r *Repo) mergeBases(a, b plumbing.Hash) []plumbing.Hash {
	if a == b {
		return []plumbing.Hash{a}
	}
	const (
		side1 = 1 << iota
		side2
		stale
		result
	)
	paint := map[plumbing.Hash]int{a: side1, b: side2}
	q := &byCommitTime{time: r.TimeOf}
	heap.Push(q, a)
	heap.Push(q, b)
	nonStale := func() bool {
		for _, h := range q.hs {
			if paint[h]&stale == 0 {
				return true
			}
		}
		return false
	}
	var found []plumbing.Hash
	for nonStale() {
		c := heap.Pop(q).(plumbing.Hash)
		flags := paint[c] & (side1 | side2 | stale)
		if flags == side1|side2 {
			if paint[c]&result == 0 {
				paint[c] |= result
				found = append(found, c)
			}
			flags |= stale
		}
		for _, p := range r.ParentsOf(c) {
			if paint[p]&flags == flags {
				continue
			}
			paint[p] |= flags
			heap.Push(q, p)
		}
	}
	var best []plumbing.Hash
	if len(found) < 2 {
		return found
	}
	for i, c := range found {
		below := false
		for j, d := range found {
			if i != j && d != c && r.isAncestor(c, d) {
				below = true
				break
			}
		}
		if !below {
			best = append(best, c)
		}
	}
	return best
}

// isAncestor reports whether a is an ancestor of d.
func (r *Repo) isAncestor(a, d plumbing.Hash) bool {
	seen := map[plumbing.Hash]bool{d: true}
	stack := []plumbing.Hash{d}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h == a {
			return true
		}
		for _, p := range r.ParentsOf(h) {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return false
}

// byCommitTime is a heap of commits, the newest on top.
type byCommitTime struct {
	hs   []plumbing.Hash
	time func(plumbing.Hash) int64
}

func (b *byCommitTime) Len() int           { return len(b.hs) }
func (b *byCommitTime) Less(i, j int) bool { return b.time(b.hs[i]) > b.time(b.hs[j]) }
func (b *byCommitTime) Swap(i, j int)      { b.hs[i], b.hs[j] = b.hs[j], b.hs[i] }
func (b *byCommitTime) Push(x any)         { b.hs = append(b.hs, x.(plumbing.Hash)) }
func (b *byCommitTime) Pop() any {
	x := b.hs[len(b.hs)-1]
	b.hs = b.hs[:len(b.hs)-1]
	return x
}

// sideKept reports whether the merge's version mine of record file p holds
// every field a side changed (from the file in the side's first merge base
// that has it to the side's version v): git merged the side's lines with
// the first parent's (a comment on one side, an approval on the other),
// and what differs is the first parent's side's, judged as the merge's own
// change from the first parent. A file the side added is compared from the
// base's version of a file the side removed in its folder (a renumbering:
// git merges the first parent's change of the old file into the new one),
// or else from nothing. A side's change of a file the merge no longer
// holds is kept in one of the merge's changed files of its folder that
// holds it (the first parent renumbered the file: git's merge puts the
// side's change in the file under its new id). A file the side removed,
// or one that does not read as a record, is never kept so.
func (r *Repo) sideKept(s mergeSide, p string, v, mine plumbing.Hash, sources, targets []string, tree, p1tree plumbing.Hash) (bool, error) {
	if v.IsZero() {
		return false, nil
	}
	if mine.IsZero() {
		for _, t := range targets {
			b, err := r.BlobAt(tree, t)
			if err != nil {
				return false, err
			}
			if kept, err := r.sideKept(s, p, v, b, nil, nil, tree, p1tree); err != nil || kept {
				return kept, err
			}
		}
		return false, nil
	}
	inBase := func(p string) (plumbing.Hash, error) {
		for _, t := range s.bases {
			b, err := r.BlobAt(t, p)
			if err != nil || !b.IsZero() {
				return b, err
			}
		}
		return plumbing.ZeroHash, nil
	}
	side, err := r.blobRecord(v, p)
	if err != nil || side == nil {
		return false, err
	}
	merged, err := r.blobRecord(mine, p)
	if err != nil || merged == nil {
		return false, err
	}
	same := func(a, b record.Map, key string) bool {
		x, okx := a.Get(key)
		y, oky := b.Get(key)
		return okx == oky && (!okx || record.SameValue(x, y))
	}
	keeps := func(was record.Map) bool {
		for _, m := range []record.Map{was, side.Data} {
			for _, f := range m {
				if !same(was, side.Data, f.Key) && !same(side.Data, merged.Data, f.Key) {
					return false
				}
			}
		}
		return true
	}
	b, err := inBase(p)
	if err != nil {
		return false, err
	}
	if !b.IsZero() {
		rec, err := r.blobRecord(b, p)
		if err != nil || rec == nil {
			return false, err
		}
		if keeps(rec.Data) {
			return true, nil
		}
		// a conflict resolved as git's own resolutions do (mergeboth.go):
		// each field the side changed that the merge does not hold was
		// changed by the first parent's side too, whose value the merge
		// holds, or is a list both sides added to
		if r.registryFile(p) {
			return false, nil
		}
		ours, err := r.BlobAt(p1tree, p)
		if err != nil || ours.IsZero() {
			return false, err
		}
		vs, ok, err := r.readVersions(s, p, ours, v, mine)
		if err != nil || !ok {
			return false, err
		}
		for _, f := range keys(rec.Data, side.Data) {
			if !same(rec.Data, side.Data, f) && !same(side.Data, merged.Data, f) && !vs.heldOver(f) {
				return false, nil
			}
		}
		return true, nil
	}
	for _, src := range sources {
		b, err := inBase(src)
		if err != nil {
			return false, err
		}
		if b.IsZero() {
			continue
		}
		rec, err := r.blobRecord(b, src)
		if err != nil {
			return false, err
		}
		if rec != nil && rec.Kind == side.Kind && keeps(rec.Data) {
			return true, nil
		}
	}
	return keeps(nil), nil
}

// undoneAt is the change a merge made to the file at p by not holding what
// another parent's side brought there, as mergeJudgement finds the changes
// a merge undid, or nil: for a record's history, which asks one path. The
// full judgement is made only when another side changed the file since
// its merge base with the first parent and the merge does not hold that
// side's version, which few merges on a record's way do.
func (r *Repo) undoneAt(nd *gitobj.Node, p string) (*gitobj.Change, error) {
	// The folder first: where the merge's and the side's are the same
	// tree, so is the file, without a look into a folder of thousands.
	dir := path.Dir(p)
	md, _, err := r.Lookup(nd.Tree, dir)
	if err != nil {
		return nil, err
	}
	mine, known := plumbing.ZeroHash, false
	suspect := false
	for _, par := range nd.Parents[1:] {
		t, err := r.TreeOf(par)
		if err != nil {
			return nil, err
		}
		sd, _, err := r.Lookup(t, dir)
		if err != nil {
			return nil, err
		}
		if sd.Hash == md.Hash && sd.Mode == md.Mode {
			continue
		}
		if !known {
			if mine, err = r.BlobAt(nd.Tree, p); err != nil {
				return nil, err
			}
			known = true
		}
		v, err := r.BlobAt(t, p)
		if err != nil {
			return nil, err
		}
		if v == mine {
			continue
		}
		bases := r.mergeBases(nd.Parents[0], par)
		changed := len(bases) == 0 && !v.IsZero()
		for _, b := range bases {
			bt, err := r.TreeOf(b)
			if err != nil {
				return nil, err
			}
			bv, err := r.BlobAt(bt, p)
			if err != nil {
				return nil, err
			}
			if bv != v {
				changed = true
			}
		}
		if changed {
			suspect = true
			break
		}
	}
	if !suspect {
		return nil, nil
	}
	_, undone, err := r.mergeJudgement(nd)
	if err != nil {
		return nil, err
	}
	for _, c := range undone {
		if c.Path == p {
			return &c, nil
		}
	}
	return nil, nil
}

// blobRecord parses the blob h as the record file at p: nil (and no error)
// when it is no readable record.
func (r *Repo) blobRecord(h plumbing.Hash, p string) (*record.Record, error) {
	data, err := r.Blob(h, record.MaxFileSize)
	if err != nil {
		return nil, err
	}
	rec, ds := record.ParseLean(p, data)
	if len(ds) > 0 {
		return nil, nil
	}
	return rec, nil
}
