package gitstore

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// CheckState refuses, with an error wrapping ErrState that says what to do,
// when a commit by opsbook would be wrong or impossible here: HEAD detached or
// not on a branch; a merge, rebase, am, cherry-pick, revert or bisect in
// progress; unmerged paths in the index; a git process holding index.lock;
// a .git directory that cannot be written. A branch with no commits yet is
// fine. Commands call it before they change any file.
func (r *Repo) CheckState() error {
	// Markers first: a rebase or bisect also detaches HEAD, and naming the
	// operation is the more useful message.
	if err := r.checkMarkers(); err != nil {
		return err
	}
	if _, err := r.currentBranch(); err != nil {
		return err
	}
	if err := r.checkWritable(); err != nil {
		return err
	}
	lock := filepath.Join(r.gitDir, "index.lock")
	if _, err := os.Lstat(lock); err == nil {
		return i18n.Errorf("%w: %s exists: another git process seems to be running in this repository; if none is, remove the file and try again", ErrState, lock)
	}
	name := filepath.Join(r.gitDir, "index")
	unmerged := ""
	data, err := r.readGitIndex(name)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return i18n.Errorf("reading the git index: %w", err)
	}
	if p, found, ok := firstUnmerged(data); ok || len(data) == 0 {
		if found {
			unmerged = p
		}
	} else {
		idx, err := r.readIndex(name)
		if err != nil {
			return err
		}
		for _, e := range idx.Entries {
			if e.Stage != 0 {
				unmerged = e.Name
				break
			}
		}
	}
	if unmerged != "" {
		return i18n.Errorf("%w: %s has unresolved conflicts; resolve them and `git add` the result, or `git reset`, then run opsbook again", ErrState, unmerged)
	}
	return nil
}

// currentBranch returns the branch HEAD is on (which may have no commits
// yet), or an error wrapping ErrState when HEAD is detached.
func (r *Repo) currentBranch() (plumbing.ReferenceName, error) {
	head, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", i18n.Errorf("reading HEAD: %w", err)
	}
	if head.Type() != plumbing.SymbolicReference {
		return "", i18n.Errorf("%w: HEAD is detached at %s; switch to a branch first (`git switch <branch>`, or `git switch -c <new-branch>` to keep this state)", ErrState, head.Hash().String()[:12])
	}
	if !head.Target().IsBranch() {
		return "", i18n.Errorf("%w: HEAD points to %s, which is not a branch; switch to a branch first (`git switch <branch>`)", ErrState, head.Target())
	}
	return head.Target(), nil
}

// checkWritable creates and removes a file in the git directory, which is
// what taking the lock needs.
func (r *Repo) checkWritable() error {
	f, err := os.CreateTemp(r.gitDir, probePrefix+"*")
	if err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return i18n.Errorf("%w: cannot write to %s (read-only?): %v", ErrState, r.gitDir, err)
		}
		return i18n.Errorf("%w: cannot write to %s: %v", ErrState, r.gitDir, err)
	}
	name := f.Name()
	f.Close()
	// gone already: a doctor running at the same time took it for one a
	// killed opsbook left (GitTemps)
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// probePrefix names checkWritable's file in the git directory.
const probePrefix = "opsbook-probe-"
