package audit

import (
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
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

// mergeJudgement says which of a merge's changes (against its first
// parent) are its own, and lists the other parents' changes it undid.
func (r *Repo) mergeJudgement(nd *gitobj.Node) (own map[string]bool, undone []gitobj.Change, err error) {
	p1 := nd.Parents[0]
	mine := r.ancestorSet(p1)
	var sides []mergeSide
	for _, p := range nd.Parents[1:] {
		s := mergeSide{parent: p}
		if s.tree, err = r.TreeOf(p); err != nil {
			return nil, nil, err
		}
		for _, b := range r.mergeBases(mine, p) {
			t, err := r.TreeOf(b)
			if err != nil {
				return nil, nil, err
			}
			s.bases = append(s.bases, t)
		}
		sides = append(sides, s)
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
	own = map[string]bool{}
	changed := map[string]bool{}
	for _, c := range nd.Changes {
		changed[c.Path] = true
		explained := false
		for k, s := range sides {
			if c.New != c.Others[k] {
				continue
			}
			if explained, err = brings(s, c.Path, c.Old, c.New); err != nil {
				return nil, nil, err
			}
			if explained {
				break
			}
		}
		if !explained {
			own[c.Path] = true
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
		for p, v := range paths {
			if changed[p] {
				continue // the merge's version is not the first parent's; judged above
			}
			// The merge keeps the first parent's version: when the side
			// brought another, the side's change was dropped.
			mine, err := r.BlobAt(nd.Tree, p)
			if err != nil {
				return nil, nil, err
			}
			ok, err := brings(s, p, mine, v)
			if err != nil {
				return nil, nil, err
			}
			if ok && mine != v {
				undone = append(undone, gitobj.Change{Path: p, Old: v, New: mine})
				changed[p] = true
			}
		}
	}
	return own, undone, nil
}

// ancestorSet is h and every commit it descends from.
func (r *Repo) ancestorSet(h plumbing.Hash) map[plumbing.Hash]bool {
	set := map[plumbing.Hash]bool{}
	for _, a := range r.ancestors(h) {
		set[a] = true
	}
	return set
}

// mergeBases are the best common ancestors of the commits in mine (a
// commit and its ancestors) and of other: the first commits of mine met
// walking down from other, less those that are ancestors of another.
func (r *Repo) mergeBases(mine map[plumbing.Hash]bool, other plumbing.Hash) []plumbing.Hash {
	var found []plumbing.Hash
	seen := map[plumbing.Hash]bool{other: true}
	stack := []plumbing.Hash{other}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if mine[h] {
			found = append(found, h)
			continue
		}
		for _, p := range r.ParentsOf(h) {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	if len(found) < 2 {
		return found
	}
	var best []plumbing.Hash
	for i, c := range found {
		below := false
		for j, d := range found {
			if i != j && d != c && r.ancestorSet(d)[c] {
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
