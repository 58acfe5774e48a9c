package gitstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// A git lock file opsbook takes (index.lock, refs/heads/NAME.lock) is first
// created as a "holder" in .git/opsbook/held/ and then hard-linked to git's
// name; link fails when the name exists, which makes it as exclusive as
// git's own O_EXCL. While both names point to one file, that file is
// provably opsbook's: after a crash, a git lock file is removed only when it
// is the same file as one of opsbook's holders, never a lock a running git
// process holds. Where the file system has no hard links, the lock is taken
// the plain way and is never removed by recovery.

// heldLock is one git lock file opsbook holds.
type heldLock struct {
	target string // git's lock file, e.g. .git/index.lock
	holder string // its twin in .git/opsbook/held, or "" when unproven
	f      *os.File
}

func (r *Repo) heldDir() string { return filepath.Join(r.gitDir, "opsbook", "held") }

// holderName names the holder of a lock file: "index.lock" for the index,
// "ref.<escaped ref name>.lock" for a ref.
func (r *Repo) holderName(target string) string {
	if rel, err := filepath.Rel(r.gitDir, target); err == nil && rel == "index.lock" {
		return "index.lock"
	}
	rel, err := filepath.Rel(r.commonDir, target)
	if err != nil {
		return ""
	}
	return "ref." + url.PathEscape(filepath.ToSlash(strings.TrimSuffix(rel, ".lock"))) + ".lock"
}

// holderTarget is the inverse of holderName.
func (r *Repo) holderTarget(name string) string {
	if name == "index.lock" {
		return filepath.Join(r.gitDir, "index.lock")
	}
	if !strings.HasPrefix(name, "ref.") || !strings.HasSuffix(name, ".lock") {
		return ""
	}
	ref, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(name, "ref."), ".lock"))
	if err != nil || checkPath(ref) != nil {
		return ""
	}
	return filepath.Join(r.commonDir, filepath.FromSlash(ref)+".lock")
}

// errLockExists is wrapped when git's lock file already exists.
var errLockExists = i18n.NewError("lock exists")

// holdWait takes git's lock file target like hold, waiting up to the
// repository's gitWait while another process holds it.
func (r *Repo) holdWait(ctx context.Context, target string) (*heldLock, error) {
	var l *heldLock
	var err error
	retryGitLock(ctx, r.gitWait, func() bool {
		l, err = r.hold(target)
		return !errors.Is(err, errLockExists)
	})
	return l, err
}

// hold takes git's lock file target.
func (r *Repo) hold(target string) (*heldLock, error) {
	l := &heldLock{target: target}
	if name := r.holderName(target); name != "" {
		if err := os.MkdirAll(r.heldDir(), 0o755); err != nil {
			return nil, err
		}
		l.holder = filepath.Join(r.heldDir(), name)
		f, err := os.OpenFile(l.holder, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, err
		}
		err = os.Link(l.holder, target)
		switch {
		case err == nil:
			l.f = f
			return l, nil
		case errors.Is(err, os.ErrExist):
			f.Close()
			os.Remove(l.holder)
			return nil, fmt.Errorf("%s: %w", target, errLockExists)
		}
		// No hard links here: the plain way.
		f.Close()
		os.Remove(l.holder)
		l.holder = ""
	}
	f, err := os.OpenFile(target, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s: %w", target, errLockExists)
	}
	if err != nil {
		return nil, err
	}
	l.f = f
	return l, nil
}

// write replaces the lock file's content with the parts, one after the
// other, and syncs it.
func (l *heldLock) write(parts ...[]byte) error {
	if l.f == nil {
		return i18n.NewError("the lock was already released")
	}
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	var at int64
	for _, b := range parts {
		if _, err := l.f.WriteAt(b, at); err != nil {
			return err
		}
		at += int64(len(b))
	}
	return l.f.Sync()
}

// commit renames the lock file over final, publishing what was written.
func (l *heldLock) commit(final string) error {
	if l.f == nil {
		return i18n.NewError("the lock was already released")
	}
	err := l.f.Close()
	l.f = nil
	if err == nil {
		err = os.Rename(l.target, final)
	}
	if err != nil {
		os.Remove(l.target)
	}
	if l.holder != "" {
		os.Remove(l.holder)
	}
	if err == nil {
		err = syncDir(filepath.Dir(final))
	}
	return err
}

// rollback releases the lock without publishing it; a no-op after commit.
func (l *heldLock) rollback() {
	if l.f == nil {
		return
	}
	l.f.Close()
	l.f = nil
	os.Remove(l.target)
	if l.holder != "" {
		os.Remove(l.holder)
	}
}

// heldLeftovers lists the git lock files opsbook holds according to its
// holders (left by a crash: the caller holds the opsbook lock, so no other
// opsbook is running) and removes them with their holders when fix is set.
func (r *Repo) heldLeftovers(fix bool) []Finding {
	entries, err := os.ReadDir(r.heldDir())
	if err != nil {
		return nil
	}
	var out []Finding
	for _, e := range entries {
		holder := filepath.Join(r.heldDir(), e.Name())
		target := r.holderTarget(e.Name())
		hi, herr := os.Lstat(holder)
		ti, terr := os.Lstat(target)
		if target != "" && herr == nil && terr == nil && os.SameFile(hi, ti) {
			f := finding(CodeGitLock, r.rel(target), "git lock file left by an interrupted opsbook")
			if fix {
				f.Repaired = os.Remove(target) == nil
			}
			out = append(out, f)
		}
		if fix {
			os.Remove(holder)
		}
	}
	return out
}

// rel names a file for messages: relative to the work tree when inside it.
func (r *Repo) rel(name string) string {
	if rel, err := filepath.Rel(r.root, name); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return name
}

// GitLocksHeld lists git's index.lock and the current branch's lock when
// they exist and are not opsbook's (no holder of opsbook's is the same
// file): a running git process holds them, or a git that crashed left them.
// They are never removed (opsbook cannot tell the two apart); every write
// refuses while they exist, so doctor reports them as not repaired.
func (r *Repo) GitLocksHeld() []Finding {
	targets := []string{filepath.Join(r.gitDir, "index.lock")}
	if b, err := r.currentBranch(); err == nil {
		targets = append(targets, filepath.Join(r.commonDir, filepath.FromSlash(b.String())+".lock"))
	}
	var out []Finding
	for _, t := range targets {
		ti, err := os.Lstat(t)
		if err != nil {
			continue
		}
		if hi, err := os.Lstat(filepath.Join(r.heldDir(), r.holderName(t))); err == nil && os.SameFile(hi, ti) {
			continue // opsbook's own, reported as git-lock
		}
		out = append(out, finding(CodeGitBusy, r.rel(t),
			"git lock file held by a running git process or left by one that stopped; opsbook never removes it: if no git process is running, remove it"))
	}
	return out
}
