package gitstore

import (
	"compress/zlib"
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// Store is what opsbook's commands need from git. *Repo implements it; tests
// of other packages may fake it.
type Store interface {
	Root() string
	Identity() (name, email string, err error)
	CheckState() error
	Lock() (unlock func(), err error)
	Dirty(paths []string) ([]string, error)
	Commit(ctx context.Context, req CommitRequest) (hash string, err error)
	BlobAt(rev, path string) ([]byte, error)
	Head() (hash string, err error)
	IsShallow() bool
}

var _ Store = (*Repo)(nil)

var (
	// ErrNotRepository is returned by Open when root holds no git repository.
	ErrNotRepository = i18n.NewError("not a git repository")
	// ErrBusy is wrapped by the error of Lock when another opsbook holds the
	// repository lock.
	ErrBusy = i18n.NewError("repository is busy")
	// ErrState is wrapped by the refusals of CheckState (detached HEAD, merge,
	// rebase, cherry-pick, revert, unmerged paths, read-only .git).
	ErrState = i18n.NewError("repository is not in a state to commit")
	// ErrNoCommits is returned by Head on a branch with no commits yet.
	ErrNoCommits = i18n.NewError("no commits yet")
	// ErrNothingToCommit is returned by Commit when the requested paths are
	// identical to HEAD's.
	ErrNothingToCommit = i18n.NewError("nothing to commit")
	// ErrNotFound is wrapped by BlobAt when the path does not exist at the
	// revision.
	ErrNotFound = i18n.NewError("not found")
	// ErrBadPath is wrapped when a path is not a clean repository-relative
	// file path.
	ErrBadPath = i18n.NewError("bad path")
)

// Repo is a git repository with a work tree, opened by Open or Init.
type Repo struct {
	root      string // absolute work tree root
	gitDir    string // .git, or .git/worktrees/NAME for a linked work tree
	commonDir string // where objects, refs and config live
	repo      *git.Repository
	// gitWait is how long a commit waits for git's own index.lock or
	// branch lock held by a running git process: the wait given to
	// LockWait, since both are the same promise to the user (--wait).
	gitWait time.Duration
	// packs and treeBytes read trees for writes (see Repo.tree)
	packs     *gitobj.PackReader
	treeBytes map[plumbing.Hash][]byte
	unsorted  map[plumbing.Hash]bool // trees read whose entries are out of git's order
	zw        *zlib.Writer           // reused by writeObject, at zlevel
	zlevel    int
	gitIndex  *gitIndex // the git index as last read (readGitIndex)
}

// Open opens the git repository whose work tree is root. root must be the
// top of the work tree (the directory holding .git).
func Open(root string) (*Repo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, i18n.Errorf("opening git repository at %s: %w", root, err)
	}
	gitDir, err := findGitDir(abs)
	if err != nil {
		return nil, err
	}
	commonDir := commonDirOf(gitDir)
	// as git.PlainOpenWithOptions with EnableDotGitCommonDir opens it,
	// taking extensions.worktreeConfig as git does (gitobj.OpenStorage)
	var fs billy.Filesystem = osfs.New(gitDir)
	if commonDir != gitDir {
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(commonDir))
	}
	repo, err := gitobj.OpenStorage(filesystem.NewStorage(fs, cache.NewObjectLRUDefault()), osfs.New(abs))
	if err != nil {
		return nil, extensionErr(abs, err)
	}
	return &Repo{root: abs, gitDir: gitDir, commonDir: commonDir, repo: repo}, nil
}

// extensionErr is the error of opening the repository at root, saying
// what to do when its git config turns on an extension go-git refuses.
func extensionErr(root string, err error) error {
	if hint, ok := gitobj.ExtensionHint(err); ok {
		return i18n.Errorf("%w: the git config of %s turns on an extension opsbook cannot read (%w); %s", ErrState, root, err, hint)
	}
	return i18n.Errorf("opening git repository at %s: %w", root, err)
}

// commonDirOf is the common git directory of the git directory gitDir:
// the one its commondir file names (a linked work tree's), else gitDir.
func commonDirOf(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	c := strings.TrimSpace(string(data))
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return filepath.Clean(c)
}

// findGitDir returns the git directory of the work tree at root: root/.git,
// or the directory a .git file points to (linked work trees, submodules).
func findGitDir(root string) (string, error) {
	dotGit := filepath.Join(root, ".git")
	fi, err := os.Stat(dotGit)
	switch {
	case err == nil && fi.IsDir():
		return dotGit, nil
	case err == nil:
		data, err := os.ReadFile(dotGit)
		if err != nil {
			return "", i18n.Errorf("opening git repository at %s: %w", root, err)
		}
		line := strings.TrimSpace(string(data))
		dir, ok := strings.CutPrefix(line, "gitdir:")
		if !ok {
			return "", i18n.Errorf("%w: %s is a file but does not say `gitdir: <path>`", ErrNotRepository, dotGit)
		}
		dir = strings.TrimSpace(dir)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		return filepath.Clean(dir), nil
	case errors.Is(err, os.ErrNotExist):
		if _, err := os.Stat(root); err != nil {
			return "", i18n.Errorf("opening git repository at %s: %w", root, err)
		}
		if isBareGitDir(root) {
			return "", i18n.Errorf("%w with a work tree: %s is a bare repository; opsbook needs a checkout (git clone %s <dir>)", ErrNotRepository, root, root)
		}
		if top := enclosingWorkTree(root); top != "" {
			return "", i18n.Errorf("%w at %s: it is inside the git repository at %s; opsbook's records must be at the top of the work tree", ErrNotRepository, root, top)
		}
		return "", i18n.Errorf("%w: %s has no .git; create one with `opsbook init` (or `git init`)", ErrNotRepository, root)
	default:
		return "", i18n.Errorf("opening git repository at %s: %w", root, err)
	}
}

func isBareGitDir(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

func enclosingWorkTree(dir string) string {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Init creates a git repository with a work tree at root whose first branch
// is main, for `opsbook init`. When root already holds a git repository, Init
// opens it and leaves it as it is, like `git init` run twice.
func Init(root string) (*Repo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, i18n.Errorf("creating git repository at %s: %w", root, err)
	}
	if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
		return Open(abs)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, i18n.Errorf("creating git repository at %s: %w", abs, err)
	}
	_, err = git.PlainInitWithOptions(abs, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		return nil, i18n.Errorf("creating git repository at %s: %w", abs, err)
	}
	return Open(abs)
}

// Root returns the absolute path of the work tree.
func (r *Repo) Root() string { return r.root }

// GitDir returns the absolute path of the git directory (usually Root/.git).
func (r *Repo) GitDir() string { return r.gitDir }

// Head returns the hash of the commit HEAD points to, or an error wrapping
// ErrNoCommits on a branch with no commits yet.
func (r *Repo) Head() (string, error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", i18n.Errorf("reading HEAD: %w", ErrNoCommits)
	}
	if err != nil {
		return "", i18n.Errorf("reading HEAD: %w", err)
	}
	return ref.Hash().String(), nil
}

// WrittenAt is the latest moment this machine's clock showed when git (or
// opsbook) last wrote the repository's HEAD, branch, reflog or index: the
// files' modification times, which no commit date (GIT_COMMITTER_DATE)
// sets. A clock that reads more than a little before it was set back
// since. Zero when none of them can be read.
func (r *Repo) WrittenAt() time.Time {
	var latest time.Time
	files := []string{
		filepath.Join(r.gitDir, "HEAD"),
		filepath.Join(r.gitDir, "index"),
		filepath.Join(r.gitDir, "logs", "HEAD"),
		filepath.Join(r.commonDir, "packed-refs"),
	}
	if b, err := os.ReadFile(filepath.Join(r.gitDir, "HEAD")); err == nil {
		if ref, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "ref: "); ok && !strings.Contains(ref, "..") {
			files = append(files, filepath.Join(r.commonDir, filepath.FromSlash(ref)))
		}
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().After(latest) {
			latest = fi.ModTime()
		}
	}
	return latest
}

// HeadTimeBefore returns the latest date HEAD can be taken to be made
// after when no commit is dated after limit: HEAD's committer date, or,
// when HEAD is dated after limit (in the future of the clock limit is
// read from), the latest such date among its parents, and so on down
// (the same as verify's commit-date rule, which names a commit dated in
// the future and judges the commits after it by the history before it).
// head is HEAD's own date. last is zero when every commit down to the
// roots is dated after limit (or a shallow clone stops before one is
// found). The error wraps ErrNoCommits on a branch with no commits yet.
func (r *Repo) HeadTimeBefore(limit time.Time) (last, head time.Time, err error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return time.Time{}, time.Time{}, i18n.Errorf("reading HEAD: %w", ErrNoCommits)
	}
	if err != nil {
		return time.Time{}, time.Time{}, i18n.Errorf("reading HEAD: %w", err)
	}
	c, err := r.commitObject(ref.Hash())
	if err != nil {
		return time.Time{}, time.Time{}, i18n.Errorf("reading HEAD: %w", err)
	}
	head = c.Committer.When
	if !head.After(limit) {
		return head, head, nil
	}
	// Walk down the commits dated after limit (each read once), taking
	// the latest date of the first ones not.
	seen := map[plumbing.Hash]bool{ref.Hash(): true}
	todo := append([]plumbing.Hash(nil), c.ParentHashes...)
	for len(todo) > 0 {
		h := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		p, err := r.commitObject(h)
		if err != nil {
			if r.IsShallow() {
				continue // history cut short here
			}
			return time.Time{}, head, i18n.Errorf("reading commit %s: %w", h, err)
		}
		if t := p.Committer.When; t.After(limit) {
			todo = append(todo, p.ParentHashes...)
		} else if t.After(last) {
			last = t
		}
	}
	return last, head, nil
}

// IsShallow reports whether the repository is a shallow clone, whose history
// stops short of the first commit.
func (r *Repo) IsShallow() bool {
	fi, err := os.Stat(filepath.Join(r.commonDir, "shallow"))
	return err == nil && fi.Size() > 0
}

// BlobAt returns the content of the file at path in the commit rev names (a
// hash, branch, tag, HEAD, HEAD~2, ...). A path that is absent at rev gives an
// error wrapping ErrNotFound.
func (r *Repo) BlobAt(rev, p string) ([]byte, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, i18n.Errorf("reading %s at %s: resolving revision: %w", p, rev, err)
	}
	c, err := r.repo.CommitObject(*h)
	if err != nil {
		return nil, i18n.Errorf("reading %s at %s: %w", p, rev, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, i18n.Errorf("reading %s at %s: %w", p, rev, err)
	}
	e, err := tree.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrFileNotFound) {
		return nil, i18n.Errorf("reading %s at %s: %w", p, rev, ErrNotFound)
	}
	if err != nil {
		return nil, i18n.Errorf("reading %s at %s: %w", p, rev, err)
	}
	if !e.Mode.IsFile() {
		return nil, i18n.Errorf("reading %s at %s: not a file (mode %s)", p, rev, e.Mode)
	}
	return readBlob(r.repo, e.Hash)
}

func readBlob(repo *git.Repository, h plumbing.Hash) ([]byte, error) {
	b, err := repo.BlobObject(h)
	if err != nil {
		return nil, i18n.Errorf("reading blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, i18n.Errorf("reading blob %s: %w", h, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, i18n.Errorf("reading blob %s: %w", h, err)
	}
	return data, nil
}

// checkPath accepts a clean, relative, forward-slash path to a file that is
// not inside .git.
func checkPath(p string) error {
	switch {
	case p == "" || p == ".":
		return i18n.Errorf("%w: empty path", ErrBadPath)
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		return i18n.Errorf("%w %q: must be relative to the repository root", ErrBadPath, p)
	case path.Clean(p) != p || strings.HasSuffix(p, "/"):
		return i18n.Errorf("%w %q: not clean (want %q)", ErrBadPath, p, path.Clean(p))
	case p == ".." || strings.HasPrefix(p, "../"):
		return i18n.Errorf("%w %q: outside the repository", ErrBadPath, p)
	case strings.ContainsRune(p, 0):
		return i18n.Errorf("%w %q: contains NUL", ErrBadPath, p)
	}
	for _, part := range strings.Split(p, "/") {
		if strings.EqualFold(part, ".git") {
			return i18n.Errorf("%w %q: inside .git", ErrBadPath, p)
		}
	}
	return nil
}
