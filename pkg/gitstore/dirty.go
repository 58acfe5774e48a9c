package gitstore

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// Dirty returns those of paths (repository-relative, forward slashes) that
// have uncommitted changes of their own: staged (the index differs from
// HEAD), unstaged (the work tree differs from the index), untracked (the file
// exists but is not in the index), deleted, or unmerged. Only these paths
// are looked at, so it costs the same in a repository of any size (apart
// from reading the index once). The result keeps the order of paths.
func (r *Repo) Dirty(paths []string) ([]string, error) {
	defer r.closeTrees()
	paths, err := cleanPaths(paths)
	if err != nil {
		return nil, err
	}
	cfg, err := r.config()
	if err != nil {
		return nil, err
	}
	trustMode, err := cfg.getBool("core.filemode", true)
	if err != nil {
		return nil, err
	}
	headTree, err := r.headTree()
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	entries, err := r.indexEntriesOf(r.indexPath(), want)
	if err != nil {
		return nil, err
	}
	idx := &index.Index{Entries: entries}
	var dirty []string
	for _, p := range paths {
		d, err := r.pathDirty(p, headTree, idx, trustMode)
		if err != nil {
			return nil, err
		}
		if d {
			dirty = append(dirty, p)
		}
	}
	return dirty, nil
}

func (r *Repo) pathDirty(p string, headTree plumbing.Hash, idx *index.Index, trustMode bool) (bool, error) {
	headHash, headMode, inHead, err := r.treeFile(headTree, p)
	if err != nil {
		return false, err
	}
	var staged *index.Entry
	for _, e := range indexEntries(idx, p) {
		if e.Stage != 0 {
			return true, nil // unmerged
		}
		if !e.IntentToAdd {
			staged = e
		}
	}
	switch {
	case (staged != nil) != inHead:
		return true, nil
	case staged != nil && (staged.Hash != headHash || staged.Mode != headMode):
		return true, nil
	}
	// A file git marks skip-worktree (a sparse checkout, or `git
	// update-index --skip-worktree` by hand) is compared all the same: git
	// no longer looks at it, so an edit made to it, or its absence, is
	// hidden from git status, and a write there would commit the edit, or
	// replace with a new file what the commit holds (a record left out of
	// the work tree is not in the department read, and `new` would give
	// its id to another). See LeftOut.
	prev := headMode
	if staged != nil {
		prev = staged.Mode
	}
	wf, err := r.readWorkFile(p, trustMode, prev)
	if err != nil {
		return false, err
	}
	if staged == nil {
		return wf.exists, nil
	}
	return !wf.exists || wf.hash != staged.Hash || wf.mode != staged.Mode, nil
}

// LeftOut returns those of paths that the git index marks skip-worktree
// and that are not in the work tree: left out of it (by a sparse checkout,
// or `git update-index --skip-worktree` and the file removed) while the
// index, and HEAD, hold them. Dirty reports them too; LeftOut says why.
func (r *Repo) LeftOut(paths []string) ([]string, error) {
	paths, err := cleanPaths(paths)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	entries, err := r.indexEntriesOf(r.indexPath(), want)
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for _, e := range entries {
		if e.SkipWorktree && e.Stage == 0 {
			skip[e.Name] = true
		}
	}
	var out []string
	for _, p := range paths {
		if !skip[p] {
			continue
		}
		if _, err := os.Lstat(filepath.Join(r.root, filepath.FromSlash(p))); errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			out = append(out, p)
		}
	}
	return out, nil
}

// indexEntries returns the entries (all stages) for p. Index entries are
// sorted by name, so this is a binary search.
func indexEntries(idx *index.Index, p string) []*index.Entry {
	es := idx.Entries
	i := sort.Search(len(es), func(i int) bool { return es[i].Name >= p })
	j := i
	for j < len(es) && es[j].Name == p {
		j++
	}
	if i == j {
		// Not found where a sorted index would have it; fall back to a scan
		// in case the index was not sorted.
		var out []*index.Entry
		for _, e := range es {
			if e.Name == p {
				out = append(out, e)
			}
		}
		return out
	}
	return es[i:j]
}

// headTree returns HEAD's tree, or the zero hash when the branch has no
// commits.
func (r *Repo) headTree() (plumbing.Hash, error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, i18n.Errorf("reading HEAD: %w", err)
	}
	c, err := r.commitObject(ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, i18n.Errorf("reading HEAD commit %s: %w", ref.Hash(), err)
	}
	return c.TreeHash, nil
}
