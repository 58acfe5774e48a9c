package gitobj

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// Repo is a git repository opened for reading its objects and its
// history. Its methods are not safe for concurrent use: callers keep every
// git read on one goroutine.
type Repo struct {
	root string // the work tree
	// prefix is the records repository's folder in the git tree ("" at
	// the top, else "dept/ops/"), for records kept in a larger repository.
	prefix    string
	gitDir    string
	commonDir string // where objects, refs and the index live (linked worktrees share it)
	git       *git.Repository
	*objects

	idx *index
	// heads holds the headers of commits read but not yet indexed.
	heads map[plumbing.Hash]CommitHead

	// IndexProgress, when set, is told how many of the commits to index
	// are done while the index grows by many (a first history, log or
	// verify over a long history), about ten times a second and once at
	// the end (done == total), from one goroutine.
	IndexProgress func(done, total int)
}

// Prefix is the folder of the git tree that Open was given, with a
// trailing slash ("" at the top of the work tree): the paths of records
// kept in a larger repository start with it.
func (r *Repo) Prefix() string { return r.prefix }

// ShallowError says the clone holds only part of the history.
type ShallowError struct{}

func (*ShallowError) Error() string {
	return i18n.T(shallowMessage)
}

// English is the message in English (-o json).
func (*ShallowError) English() string { return shallowMessage }

const shallowMessage = "this clone is shallow: it holds only the newest commits, and the audit " +
	"replays the whole history; fetch the rest with `git fetch --unshallow` " +
	"(GitHub Actions: actions/checkout with `fetch-depth: 0`; GitLab CI: GIT_DEPTH: \"0\")"

// PartialCloneError says an object the history needs is missing from a
// partial clone (git clone --filter), whose promisor remote git asks for
// it when git needs it; opsbook reads only what the clone holds. A
// partial clone whose objects were all fetched since reads as any other.
type PartialCloneError struct {
	Remote string // the promisor remote ("origin")
}

func (e *PartialCloneError) Error() string {
	return i18n.Sprintf(partialMessage, e.Remote, e.Remote)
}

// English is the message in English (-o json).
func (e *PartialCloneError) English() string {
	return fmt.Sprintf(partialMessage, e.Remote, e.Remote)
}

const partialMessage = "this clone is partial (cloned with --filter): it lacks the earlier versions of " +
	"the files, and history, log and verify read the whole history; fetch them with " +
	"`git config --unset remote.%s.partialclonefilter && git fetch --refetch %s`, or clone " +
	"without --filter (GitHub Actions: actions/checkout without `filter`)"

// promisorRemote names the remote a partial clone fetches missing objects
// from ("" for a full clone): extensions.partialClone, or a remote with
// promisor = true.
func promisorRemote(g *git.Repository) string {
	cfg, err := g.Config()
	if err != nil || cfg.Raw == nil {
		return ""
	}
	if name := cfg.Raw.Section("extensions").Option("partialClone"); name != "" {
		return name
	}
	for _, sub := range cfg.Raw.Section("remote").Subsections {
		if strings.EqualFold(sub.Option("promisor"), "true") || sub.Option("partialclonefilter") != "" {
			return sub.Name
		}
	}
	return ""
}

// ExtensionHint says what to do about err, when it is go-git's refusal of
// an extension the repository's git config turns on; ok is false for any
// other error. (extensions.worktreeConfig, which git sparse-checkout and
// git worktree turn on, is taken: OpenStorage.)
func ExtensionHint(err error) (hint i18n.Phrase, ok bool) {
	if !errors.Is(err, git.ErrUnsupportedExtensionRepositoryFormatVersion) && !errors.Is(err, git.ErrUnknownExtension) {
		return i18n.Phrase{}, false
	}
	return i18n.P("see [extensions] in .git/config"), true
}

// ErrNoRepository says the folder is not in a git repository.
var ErrNoRepository = i18n.NewError("not a git repository")

// Open opens the git repository whose work tree holds root (root itself or
// a folder above it holding .git). A shallow clone is refused with a
// *ShallowError: a partial history cannot be audited.
func Open(root string) (*Repo, error) {
	r, err := open(root)
	if err != nil {
		return nil, err
	}
	sh, err := r.store.Shallow()
	if err != nil {
		r.Close()
		return nil, i18n.Errorf("reading .git/shallow: %w", err)
	}
	if len(sh) > 0 {
		r.Close()
		return nil, &ShallowError{}
	}
	return r, nil
}

func open(root string) (*Repo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	work, gitDir, err := findGitDir(abs)
	if err != nil {
		return nil, err
	}
	common := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = filepath.Clean(c)
	}
	var fs billy.Filesystem = osfs.New(gitDir)
	if common != gitDir {
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(common))
	}
	// Pack descriptors stay open and delta bases cached: a history walk
	// reads the same packs thousands of times, and the trees of a busy
	// folder are deltas of one another.
	oc := newObjectCache(96 << 20)
	store := filesystem.NewStorageWithOptions(fs, oc, filesystem.Options{KeepDescriptors: true})
	ps, err := openPacks(common, oc)
	if err != nil {
		store.Close()
		return nil, i18n.Errorf("opening the pack files of %s: %w", common, err)
	}
	g, err := OpenStorage(store, osfs.New(work))
	if err != nil {
		store.Close()
		ps.close()
		if hint, ok := ExtensionHint(err); ok {
			return nil, i18n.Errorf("opening git repository %s: its git config turns on an extension opsbook cannot read (%w); %s", gitDir, err, hint)
		}
		return nil, i18n.Errorf("opening git repository %s: %w", gitDir, err)
	}
	prefix := ""
	if rel, err := filepath.Rel(work, abs); err == nil && rel != "." {
		prefix = filepath.ToSlash(rel) + "/"
	}
	return &Repo{
		prefix: prefix,
		root:   work, gitDir: gitDir, commonDir: common, git: g,
		objects: &objects{packs: ps, trees: newTreeCache(), store: store, slow: &sync.Mutex{}, promisor: promisorRemote(g)},
		heads:   map[plumbing.Hash]CommitHead{},
	}, nil
}

// Close releases the pack files. The index is saved by the operations that
// extend it.
func (r *Repo) Close() error {
	r.packs.close()
	return r.store.Close()
}

// findGitDir looks for .git from dir upward, like git does: a folder, or a
// file "gitdir: PATH" (linked worktrees, submodules).
func findGitDir(dir string) (work, gitDir string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, ".git")
		fi, err := os.Stat(p)
		if err == nil {
			if fi.IsDir() {
				return d, p, nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return "", "", err
			}
			line := strings.TrimSpace(string(b))
			if !strings.HasPrefix(line, "gitdir:") {
				return "", "", i18n.Errorf("%s: not a gitdir file", p)
			}
			g := strings.TrimSpace(strings.TrimPrefix(line, "gitdir:"))
			if !filepath.IsAbs(g) {
				g = filepath.Join(d, g)
			}
			return d, filepath.Clean(g), nil
		}
		if filepath.Dir(d) == d {
			return "", "", i18n.Errorf("%w (no .git in %s or any parent folder): history and verify read git", ErrNoRepository, dir)
		}
	}
}

// Resolve turns a revision (HEAD, a branch, origin/main, a hash, HEAD~3)
// into a commit hash.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	if rev == "HEAD" {
		return r.head()
	}
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			if _, terr := r.git.Reference(plumbing.NewTagReferenceName(rev), true); terr == nil {
				// a tag of a tree or a blob (git tag NAME HEAD^{tree})
				return plumbing.ZeroHash, i18n.Errorf("revision %q: the tag names no commit (a tree or a file): give a commit", rev)
			}
			return plumbing.ZeroHash, i18n.Errorf("unknown revision %q: no branch, tag or commit is called so", rev)
		}
		return plumbing.ZeroHash, i18n.Errorf("unknown revision %q: %w", rev, err)
	}
	if _, err := r.Commit(*h); err != nil {
		return plumbing.ZeroHash, i18n.Errorf("revision %q: %w", rev, err)
	}
	return *h, nil
}

// head resolves HEAD, which every history and log asks for, through the
// references and this package's own pack reader: go-git's revision
// parser reads the commit through its object storage, which decodes the
// pack indexes a second time (at 100,000 records, 50 ms and 15 MB of a
// `show`).
func (r *Repo) head() (plumbing.Hash, error) {
	ref, err := r.git.Reference(plumbing.HEAD, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, i18n.Errorf("the repository has no commits yet")
	}
	if err != nil {
		return plumbing.ZeroHash, i18n.Errorf("unknown revision %q: %w", "HEAD", err)
	}
	h := ref.Hash()
	if _, err := r.ReadHead(h); err != nil {
		return plumbing.ZeroHash, i18n.Errorf("revision %q: %w", "HEAD", err)
	}
	return h, nil
}

// Commit reads and decodes a commit object.
func (r *Repo) Commit(h plumbing.Hash) (*object.Commit, error) {
	c, err := object.GetCommit(r.store, h)
	if err != nil {
		if r.promisor != "" && errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, &PartialCloneError{Remote: r.promisor}
		}
		return nil, i18n.Errorf("reading commit %s: %w", h, err)
	}
	return c, nil
}

// Blob reads a blob whole, or, when limit > 0 and it is larger, reads
// nothing of it and returns limit+1 bytes of zeros: a parser with that
// limit refuses a file by its size alone, and a blob of gigabytes must not
// be inflated to learn that (its size is read from the object's header,
// or, for a delta in a pack, from the delta's first bytes, before its base
// is read).
// The bytes may be shared with caches: never modify them.
func (r *Repo) Blob(h plumbing.Hash, limit int) ([]byte, error) {
	b, over, err := r.rawLimit(plumbing.BlobObject, h, limit)
	if over {
		return make([]byte, limit+1), nil
	}
	return b, err
}

// Substitutes lists what makes git show other objects than those the
// repository holds: replace refs (refs/replace/HASH, `git replace`) and
// a grafts file (info/grafts). opsbook reads the objects themselves, as
// a clone without them does; `git log` here shows the substitutes.
func (r *Repo) Substitutes() []string {
	var out []string
	if refs, err := r.git.References(); err == nil {
		_ = refs.ForEach(func(ref *plumbing.Reference) error {
			if n := ref.Name().String(); strings.HasPrefix(n, "refs/replace/") {
				out = append(out, n)
			}
			return nil
		})
	}
	if fi, err := os.Stat(filepath.Join(r.commonDir, "info", "grafts")); err == nil && fi.Mode().IsRegular() {
		out = append(out, "info/grafts")
	}
	sort.Strings(out)
	return out
}
