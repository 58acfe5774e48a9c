package change

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// Recovery. A write that was stopped (kill -9, a closed terminal, a
// power cut) leaves at most: a journal of the change in .git/opsbook
// (finished when its branch had moved, undone otherwise), git lock files
// opsbook had made, temporary files of atomic writes, an opsbook lock whose
// process is gone. Every writing command repairs them after taking the lock
// and before reading the records, and says what it did; `opsbook doctor`
// does the same by hand; read commands and validate only say so.

// Finding is one thing an interrupted opsbook left, and whether it was
// repaired.
type Finding = gitstore.Finding

// Finding codes (stable identifiers).
const (
	CodeInterrupted  = gitstore.CodeInterrupted
	CodeGitLock      = gitstore.CodeGitLock
	CodeLeftoverTemp = gitstore.CodeLeftoverTemp
	CodeStagedRevert = gitstore.CodeStagedRevert
	CodeStaleLock    = gitstore.CodeStaleLock
	CodeForeignLock  = gitstore.CodeForeignLock
	CodeGitBusy      = gitstore.CodeGitBusy
)

// lockAndRecover takes the repository lock (waiting up to wait) and
// repairs what an interrupted opsbook left, writing a line per repair to
// notes.
func lockAndRecover(ctx context.Context, g *gitstore.Repo, wait time.Duration, notes io.Writer) (func(), error) {
	fs, unlock, err := lockedRecover(ctx, g, wait, true, nil)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		say(notes, f)
	}
	for _, f := range fs {
		if !f.Repaired {
			unlock()
			return nil, i18n.Errorf("%w: %s: %s; see `opsbook doctor`", ErrRepository, f.Path, f.Human())
		}
	}
	return unlock, nil
}

// LockAndRecover is lockAndRecover for a command that writes without a
// Session (init, on a repository an interrupted init left).
func LockAndRecover(ctx context.Context, g *gitstore.Repo, wait time.Duration, notes io.Writer) (func(), error) {
	return lockAndRecover(ctx, g, wait, notes)
}

func say(w io.Writer, f Finding) {
	if w == nil {
		return
	}
	verb := i18n.T("found")
	if f.Repaired {
		verb = i18n.T("repaired")
	}
	fmt.Fprintf(w, "opsbook: %s %s: %s [%s]\n", verb, f.Path, f.Human(), f.Code)
}

// lockedRecover takes the lock and runs recovery; the stale lock it took
// over, if any, is the first finding.
//
// A write looks for temporary files only in the folders of an interrupted
// change (every write is journaled, so a temporary file elsewhere is not
// one of its own): a walk of every record folder on every write would cost
// too much in a large department. Doctor and validate walk them all.
func lockedRecover(ctx context.Context, g *gitstore.Repo, wait time.Duration, fix bool, dirs []string) ([]Finding, func(), error) {
	var fs []Finding
	note := func(f Finding) {
		f.Path, f.Repaired = ".git/"+gitstore.LockFile, true
		fs = append(fs, f)
	}
	unlock, err := g.LockWait(ctx, wait, note)
	if err != nil {
		if errors.Is(err, gitstore.ErrBusy) {
			return nil, nil, err
		}
		if serr := g.CheckState(); serr != nil {
			return nil, nil, i18n.Errorf("%w: %v", ErrRepository, serr)
		}
		return nil, nil, i18n.Errorf("%w: %v", ErrRepository, err)
	}
	more, err := g.Recover(dirs, fix)
	if err != nil {
		unlock()
		return nil, nil, i18n.Errorf("%w: looking for an interrupted change: %v", ErrRepository, err)
	}
	return append(fs, more...), unlock, nil
}

// scanDirs are the folders where opsbook writes files, relative to the root.
func scanDirs(root string) []string {
	dirs := []string{"attachments"}
	if p, _, err := config.Load(root); err == nil && p.Records != "" {
		dirs = append(dirs, p.Records)
	} else {
		dirs = append(dirs, "records")
	}
	return dirs
}

// Doctor finds what interrupted opsbooks left in the repository at dir and
// repairs it (with fix), under the lock (waiting up to wait). A lock held
// by a live process or by another host is reported, not broken.
func Doctor(ctx context.Context, dir string, wait time.Duration, fix bool) ([]Finding, error) {
	root, err := config.FindRoot(dir)
	if err != nil {
		return nil, i18n.Errorf("%w: %v", ErrRepository, err)
	}
	g, err := gitstore.Open(root)
	if err != nil {
		return nil, i18n.Errorf("%w: %v", ErrRepository, err)
	}
	fs, unlock, err := lockedRecover(ctx, g, wait, fix, scanDirs(root))
	if err != nil {
		var be *gitstore.BusyError
		if errors.As(err, &be) && be.State == gitstore.Foreign {
			msg, text := be.Texts()
			return []Finding{{Code: CodeForeignLock, Path: ".git/" + gitstore.LockFile, Message: msg, Text: text}}, nil
		}
		return nil, err
	}
	defer unlock()
	fs = append(fs, g.GitTemps(fix)...)
	return append(fs, g.GitLocksHeld()...), nil
}

// Inspect says, without taking the lock or changing anything, what an
// interrupted opsbook left in the repository at root: for validate and the
// warnings of read commands.
func Inspect(root string) []Finding {
	g, err := gitstore.Open(root)
	if err != nil {
		return nil
	}
	var fs []Finding
	o, state, held := g.InspectLock()
	if held && state != gitstore.Gone {
		return nil // a write is under way: its journal and files are not left over
	}
	if held {
		msg, text := i18n.Both("lock left by %s, which is no longer running; the next writing command takes it over", o.Phrase())
		fs = append(fs, Finding{Code: CodeStaleLock, Path: ".git/" + gitstore.LockFile, Message: msg, Text: text})
	}
	more, _ := g.Recover(scanDirs(root), false)
	return append(fs, more...)
}

// Interrupted says cheaply, for read commands, whether an interrupted
// change waits for recovery in the repository at root, and what it was.
func Interrupted(root string) (what string, ok bool) {
	if fi, err := os.Stat(filepath.Join(root, ".git")); err == nil && fi.IsDir() {
		if _, err := os.Lstat(filepath.Join(root, ".git", "opsbook", "journal.json")); err != nil {
			return "", false
		}
	}
	g, err := gitstore.Open(root)
	if err != nil {
		return "", false
	}
	return g.Pending()
}
