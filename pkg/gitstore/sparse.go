package gitstore

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// SparseOmits lists the files under paths (a folder ending in "/", or a
// file, relative to the top of the work tree at root) that a sparse
// checkout leaves out of the work tree: the git index marks them
// skip-worktree, so they are in every commit but not in the folder, and a
// command reading the folder would judge a department without them (an
// approval weighed on a budget line without its other claims, a new
// record given the id of one left out, which it would then overwrite).
// Only a repository whose configuration sets core.sparseCheckout is looked
// at (its index read); none when root is no git work tree. With a sparse
// index (index.sparse) a folder left out whole is one entry, its name
// ending in "/" ("attachments/"), not its files: SparseFolder tells them
// apart.
func SparseOmits(root string, paths []string) ([]string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, nil
	}
	gitDir, err := findGitDir(abs)
	if err != nil {
		return nil, nil
	}
	commonDir := commonDirOf(gitDir)
	branch := ""
	if head, err := os.ReadFile(filepath.Join(gitDir, "HEAD")); err == nil {
		if ref, ok := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: refs/heads/"); ok {
			branch = ref
		}
	}
	cfg, err := loadConfig(gitDir, commonDir, branch)
	if err != nil {
		return nil, err
	}
	if sparse, _ := cfg.getBool("core.sparsecheckout", false); !sparse {
		return nil, nil
	}
	name := filepath.Join(gitDir, "index")
	data, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, i18n.Errorf("reading the git index %s: %w", name, err)
	}
	var out []string
	under := func(p string) bool {
		for _, q := range paths {
			if p == q || strings.HasSuffix(q, "/") && strings.HasPrefix(p, q) {
				return true
			}
		}
		return false
	}
	walkEntries(data, func(e rawEntry) bool {
		if e.extended&skipWorktree != 0 && under(string(e.name)) {
			out = append(out, string(e.name))
		}
		return true
	})
	return out, nil
}

// SparseFolder reports whether a name SparseOmits lists is a folder left
// out whole (a sparse index's directory entry), not a file.
func SparseFolder(name string) bool { return strings.HasSuffix(name, "/") }

// skipWorktree is the extended flag of an index entry a sparse checkout
// leaves out of the work tree.
const skipWorktree = 0x4000
