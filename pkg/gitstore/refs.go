package gitstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
)

// updateRef moves the branch from old (zero: it must not exist yet) to new
// the way git does: under refs/heads/NAME.lock, checking the old value after
// taking the lock, then renaming the lock file over the ref.
func (r *Repo) updateRef(name plumbing.ReferenceName, old, new plumbing.Hash) error {
	refPath := filepath.Join(r.commonDir, filepath.FromSlash(name.String()))
	if err := os.MkdirAll(filepath.Dir(refPath), 0o755); err != nil {
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	}
	lockPath := refPath + ".lock"
	f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%w: %s exists: another git process is updating branch %s; if none is, remove the file and try again", ErrState, lockPath, name.Short())
	}
	if err != nil {
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(lockPath)
		}
	}()
	cur := plumbing.ZeroHash
	switch ref, err := r.repo.Storer.Reference(name); {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	default:
		cur = ref.Hash()
	}
	if cur != old {
		return fmt.Errorf("%w: branch %s moved to %s while opsbook was committing; run the command again", ErrState, name.Short(), cur)
	}
	if _, err := f.WriteString(new.String() + "\n"); err != nil {
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	}
	done = true
	if err := os.Rename(lockPath, refPath); err != nil {
		os.Remove(lockPath)
		return fmt.Errorf("updating %s: %w", name.Short(), err)
	}
	return nil
}

// appendReflogs records the move in the branch's and HEAD's reflogs, as
// git does when core.logAllRefUpdates is on (the default with a work tree)
// or the log already exists. The commit is made either way, so failures
// here are ignored.
func (r *Repo) appendReflogs(cfg *gitConfig, branch plumbing.ReferenceName, old, new plumbing.Hash, who Signature, msg string) {
	all, _ := cfg.getBool("core.logallrefupdates", true)
	line := fmt.Sprintf("%s %s %s <%s> %d %s\t%s\n", old, new, who.Name, who.Email, who.When.Unix(), who.When.Format("-0700"), msg)
	for _, name := range []string{
		filepath.Join(r.commonDir, "logs", filepath.FromSlash(branch.String())),
		filepath.Join(r.gitDir, "logs", "HEAD"),
	} {
		if _, err := os.Stat(name); err != nil && !all {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			continue
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			continue
		}
		f.WriteString(line)
		f.Close()
	}
}
