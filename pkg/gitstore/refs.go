package gitstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// refLock is a branch's lock file, taken the way git does: under
// refs/heads/NAME.lock, checking the old value after taking the lock, then
// renaming the lock file over the ref.
type refLock struct {
	held    *heldLock
	refPath string
}

// lockRef takes the lock of branch name and checks that it is at old (zero:
// it must not exist yet).
func (r *Repo) lockRef(ctx context.Context, name plumbing.ReferenceName, old plumbing.Hash) (*refLock, error) {
	refPath := filepath.Join(r.commonDir, filepath.FromSlash(name.String()))
	if err := os.MkdirAll(filepath.Dir(refPath), 0o755); err != nil {
		return nil, i18n.Errorf("updating %s: %w", name.Short(), err)
	}
	lockPath := refPath + ".lock"
	h, err := r.holdWait(ctx, lockPath)
	if errors.Is(err, errLockExists) {
		return nil, i18n.Errorf("%w: %s exists: another git process is updating branch %s; if none is, remove the file and try again", ErrState, lockPath, name.Short())
	}
	if err != nil {
		return nil, i18n.Errorf("updating %s: %w", name.Short(), err)
	}
	cur := plumbing.ZeroHash
	switch ref, err := r.repo.Storer.Reference(name); {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		h.rollback()
		return nil, i18n.Errorf("updating %s: %w", name.Short(), err)
	default:
		cur = ref.Hash()
	}
	if cur != old {
		h.rollback()
		return nil, i18n.Errorf("%w: branch %s moved to %s while opsbook was committing; run the command again", ErrState, name.Short(), cur)
	}
	return &refLock{held: h, refPath: refPath}, nil
}

// set writes the new value into the lock file (not yet published).
func (l *refLock) set(new plumbing.Hash) error {
	return l.held.write([]byte(new.String() + "\n"))
}

// publish renames the lock file over the ref.
func (l *refLock) publish() error { return l.held.commit(l.refPath) }

func (l *refLock) rollback() { l.held.rollback() }

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
