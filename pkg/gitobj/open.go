package gitobj

import (
	"strings"

	"github.com/go-git/go-billy/v5"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// OpenStorage opens the repository store holds, with wt its work tree,
// as git.Open does, but for one extension: extensions.worktreeConfig,
// which git itself turns on (git worktree, git sparse-checkout, and Azure
// DevOps's clones) and which go-git v5 refuses by a slip (it looks the
// extension up under another letter case: go-git/go-git#1943). The
// extension only lets each work tree keep its own config.worktree beside
// the repository's config; opsbook reads that file itself where it reads
// git's configuration (user.email, opsbook.monitor, ...), and go-git
// writes only the repository's config, so opening such a repository is
// safe. Every other extension is refused as go-git refuses it (a partial
// clone's missing objects, another object format). What a sparse
// checkout leaves out of the work tree is another matter, judged where
// the records are read (gitstore.SparseRecords).
func OpenStorage(store *filesystem.Storage, wt billy.Filesystem) (*git.Repository, error) {
	r, err := git.Open(worktreeConfigTaken{store}, wt)
	if err != nil {
		return nil, err
	}
	r.Storer = store // the config as it is, for anything read or written later
	return r, nil
}

// worktreeConfigTaken is a storage whose config, as git.Open checks it,
// does not list extensions.worktreeConfig.
type worktreeConfigTaken struct{ *filesystem.Storage }

func (s worktreeConfigTaken) Config() (*config.Config, error) {
	cfg, err := s.Storage.Config() // read afresh from the file: ours to change
	if err != nil || cfg == nil || cfg.Raw == nil || !cfg.Raw.HasSection("extensions") {
		return cfg, err
	}
	sec := cfg.Raw.Section("extensions")
	kept := sec.Options[:0]
	for _, o := range sec.Options {
		if !strings.EqualFold(o.Key, "worktreeConfig") {
			kept = append(kept, o)
		}
	}
	sec.Options = kept
	if len(kept) == 0 {
		cfg.Raw.RemoveSection("extensions")
	}
	return cfg, nil
}
