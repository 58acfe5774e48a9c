package gitstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func commit(t *testing.T, r *Repo, msg string, paths ...string) string {
	t.Helper()
	h, err := r.Commit(context.Background(), CommitRequest{Paths: paths, Message: msg, Author: alice, Committer: bob})
	if err != nil {
		t.Fatalf("Commit(%v): %v", paths, err)
	}
	return h
}

func TestCommitOnlyRequestedPaths(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{
		"a.txt":                  "a1\n",
		"b.txt":                  "b1\n",
		"d.txt":                  "d1\n",
		"dir/c.txt":              "c1\n",
		"records/expenses/e.txt": "e1\n",
	})
	// The command's own changes.
	writeFiles(t, dir, map[string]string{
		"a.txt":                               "a2\n",
		"records/expenses/2026/EXP-0001.yaml": "id: EXP-2026-0001\n",
	})
	os.Remove(filepath.Join(dir, "d.txt"))
	// Someone else's work in progress.
	writeFiles(t, dir, map[string]string{"b.txt": "b2 staged\n"})
	gitCmd(t, dir, "add", "b.txt")
	writeFiles(t, dir, map[string]string{"dir/c.txt": "c2 unstaged\n", "u.txt": "untracked\n"})

	r := open(t, dir)
	h := commit(t, r, "expense EXP-2026-0001: submit\n\nOpsbook-Record: EXP-2026-0001\nOpsbook-Action: submit\n",
		"a.txt", "records/expenses/2026/EXP-0001.yaml", "d.txt")

	if got := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD")); got != h {
		t.Errorf("HEAD = %s, Commit returned %s", got, h)
	}
	// diff-files does not refresh the index: a committed file listed here
	// would have been given wrong stat data.
	if got, want := gitCmd(t, dir, "diff-files", "--name-only"), "dir/c.txt\n"; got != want {
		t.Errorf("git diff-files --name-only = %q, want %q", got, want)
	}
	if got, want := gitCmd(t, dir, "show", "--name-status", "--format=", "HEAD"),
		"M\ta.txt\nD\td.txt\nA\trecords/expenses/2026/EXP-0001.yaml\n"; got != want {
		t.Errorf("commit holds:\n%s\nwant:\n%s", got, want)
	}
	if got, want := gitCmd(t, dir, "status", "--porcelain"), "M  b.txt\n M dir/c.txt\n?? u.txt\n"; got != want {
		t.Errorf("git status --porcelain:\n%s\nwant:\n%s", got, want)
	}
	if got, want := gitCmd(t, dir, "diff", "--cached", "--name-only"), "b.txt\n"; got != want {
		t.Errorf("still staged: %q, want %q", got, want)
	}
	if got, want := gitCmd(t, dir, "diff", "--cached", "b.txt"), "+b2 staged"; !strings.Contains(got, want) {
		t.Errorf("staged b.txt lost its change:\n%s", got)
	}
	if got, want := gitCmd(t, dir, "show", "HEAD:a.txt"), "a2\n"; got != want {
		t.Errorf("HEAD:a.txt = %q, want %q", got, want)
	}
	if got, want := gitCmd(t, dir, "show", "HEAD:b.txt"), "b1\n"; got != want {
		t.Errorf("HEAD:b.txt = %q, want %q (the staged change must not be committed)", got, want)
	}
	if got, want := gitCmd(t, dir, "log", "-1", "--format=%an <%ae> %ad|%cn <%ce> %cd|%P", "--date=iso-strict"),
		"Alice Example <alice@example.com> 2026-03-14T09:26:53+01:00|Bob Example <bob@example.com> 2026-03-15T10:00:00+00:00|"+
			strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD~1"))+"\n"; got != want {
		t.Errorf("commit header:\n%s\nwant:\n%s", got, want)
	}
	if got, want := gitCmd(t, dir, "log", "-1", "--format=%B"), "expense EXP-2026-0001: submit\n\nOpsbook-Record: EXP-2026-0001\nOpsbook-Action: submit\n\n"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if got := gitCmd(t, dir, "log", "-1", "--format=%(trailers:key=Opsbook-Action,valueonly)"); strings.TrimSpace(got) != "submit" {
		t.Errorf("trailer Opsbook-Action = %q", got)
	}
	if got := gitCmd(t, dir, "reflog", "-1", "--format=%gs"); got != "commit: expense EXP-2026-0001: submit\n" {
		t.Errorf("reflog = %q", got)
	}
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
	if fi, err := os.Stat(filepath.Join(dir, ".git", "index.lock")); err == nil {
		t.Errorf("index.lock left behind: %v", fi)
	}

	// A second commit from the same state sees the first one's index.
	writeFiles(t, dir, map[string]string{"records/expenses/2026/EXP-0001.yaml": "id: EXP-2026-0001\nstate: approved\n"})
	commit(t, r, "expense EXP-2026-0001: approve", "records/expenses/2026/EXP-0001.yaml")
	if got, want := gitCmd(t, dir, "status", "--porcelain"), "M  b.txt\n M dir/c.txt\n?? u.txt\n"; got != want {
		t.Errorf("after the second commit, git status --porcelain:\n%s\nwant:\n%s", got, want)
	}
	if got := gitCmd(t, dir, "rev-list", "--count", "HEAD"); got != "3\n" {
		t.Errorf("commits = %s", got)
	}
}

func TestCommitRemovesAndPrunesDirectories(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"keep.txt": "k\n", "a/b/c/only.yaml": "x\n", "a/other.yaml": "y\n"})
	os.RemoveAll(filepath.Join(dir, "a", "b"))
	r := open(t, dir)
	commit(t, r, "remove", "a/b/c/only.yaml")
	if got, want := gitCmd(t, dir, "ls-tree", "-r", "--name-only", "HEAD"), "a/other.yaml\nkeep.txt\n"; got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if got := gitCmd(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("git status --porcelain = %q, want clean", got)
	}

	os.Remove(filepath.Join(dir, "a", "other.yaml"))
	os.Remove(filepath.Join(dir, "keep.txt"))
	commit(t, r, "remove all", "a/other.yaml", "keep.txt")
	if got := gitCmd(t, dir, "ls-tree", "-r", "HEAD"); got != "" {
		t.Errorf("tree after removing everything = %q", got)
	}
	if got := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD^{tree}")); got != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" {
		t.Errorf("empty tree = %s", got)
	}
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
}

func TestCommitTreeOrder(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"z.txt": "z\n"})
	// "x-y" < "x.y" < "x/" < "x0" in git's tree order.
	files := map[string]string{"x/z": "1\n", "x.y": "2\n", "x-y": "3\n", "x0": "4\n", "x/a/b/c/d.yaml": "5\n"}
	writeFiles(t, dir, files)
	r := open(t, dir)
	commit(t, r, "add", "x/z", "x.y", "x-y", "x0", "x/a/b/c/d.yaml")
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
	if got, want := gitCmd(t, dir, "ls-tree", "-r", "--name-only", "HEAD"), "x-y\nx.y\nx/a/b/c/d.yaml\nx/z\nx0\nz.txt\n"; got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	// git itself would have written the same tree.
	gitCmd(t, dir, "add", "-A")
	if got, want := strings.TrimSpace(gitCmd(t, dir, "write-tree")), strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD^{tree}")); got != want {
		t.Errorf("git write-tree = %s, our tree = %s", got, want)
	}
}

func TestCommitFirstCommitOnUnbornBranch(t *testing.T) {
	isolate(t)
	dir := newRepo(t, nil)
	writeFiles(t, dir, map[string]string{".opsbook.yaml": "records: records\n", "people/alice.yaml": "kind: person\n", "notes.txt": "not mine\n"})
	r := open(t, dir)
	if err := r.CheckState(); err != nil {
		t.Fatalf("CheckState on an unborn branch: %v", err)
	}
	if _, err := r.Head(); !errors.Is(err, ErrNoCommits) {
		t.Errorf("Head() on an unborn branch: err = %v, want ErrNoCommits", err)
	}
	h := commit(t, r, "opsbook init", ".opsbook.yaml", "people/alice.yaml")
	if got, _ := r.Head(); got != h {
		t.Errorf("Head() = %s, want %s", got, h)
	}
	if got := gitCmd(t, dir, "rev-list", "--count", "main"); got != "1\n" {
		t.Errorf("commits on main = %s", got)
	}
	if got, want := gitCmd(t, dir, "status", "--porcelain"), "?? notes.txt\n"; got != want {
		t.Errorf("git status --porcelain = %q, want %q", got, want)
	}
	if got := gitCmd(t, dir, "reflog", "-1", "--format=%gs"); got != "commit (initial): opsbook init\n" {
		t.Errorf("reflog = %q", got)
	}
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
}

func TestCommitInitRepository(t *testing.T) {
	isolate(t)
	needBinary(t, "git")
	dir := filepath.Join(t.TempDir(), "books")
	r, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := gitCmd(t, dir, "symbolic-ref", "HEAD"); got != "refs/heads/main\n" {
		t.Errorf("HEAD -> %q, want refs/heads/main", got)
	}
	writeFiles(t, dir, map[string]string{".opsbook.yaml": "x: 1\n"})
	commit(t, r, "init", ".opsbook.yaml")
	if got := gitCmd(t, dir, "log", "--format=%s", "main"); got != "init\n" {
		t.Errorf("log = %q", got)
	}
	if got := gitCmd(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("status = %q", got)
	}
	// Init again opens the existing repository.
	r2, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := r.Head()
	if h2, err := r2.Head(); err != nil || h2 != h1 {
		t.Errorf("Init on an existing repository: Head() = %s, %v; want %s", h2, err, h1)
	}
}

func TestCommitNothingToCommit(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	before := gitCmd(t, dir, "rev-parse", "HEAD")
	_, err := r.Commit(context.Background(), CommitRequest{Paths: []string{"a.txt", "missing.txt"}, Message: "noop", Author: alice})
	if !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("err = %v, want ErrNothingToCommit", err)
	}
	if after := gitCmd(t, dir, "rev-parse", "HEAD"); after != before {
		t.Errorf("HEAD moved")
	}
	if exists(filepath.Join(dir, ".git", "index.lock")) {
		t.Errorf("index.lock left behind")
	}
}

func TestCommitExecutableAndLinkedWorktree(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"tool.sh": "echo\n"})
	os.Chmod(filepath.Join(dir, "tool.sh"), 0o755)
	r := open(t, dir)
	commit(t, r, "chmod", "tool.sh")
	if got := gitCmd(t, dir, "ls-tree", "HEAD", "tool.sh"); !strings.HasPrefix(got, "100755 ") {
		t.Errorf("ls-tree = %q, want mode 100755", got)
	}
	if got := gitCmd(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("status = %q", got)
	}

	// A linked work tree commits to its own branch.
	wt := filepath.Join(t.TempDir(), "wt")
	gitCmd(t, dir, "worktree", "add", "-q", "-b", "submit", wt)
	writeFiles(t, wt, map[string]string{"records/x.yaml": "x\n"})
	w := open(t, wt)
	if err := w.CheckState(); err != nil {
		t.Fatal(err)
	}
	h := commit(t, w, "submit x", "records/x.yaml")
	if got := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "submit")); got != h {
		t.Errorf("branch submit = %s, want %s", got, h)
	}
	if got := gitCmd(t, dir, "log", "--format=%s", "-1", "main"); got != "chmod\n" {
		t.Errorf("main moved: %q", got)
	}
	if got := gitCmd(t, wt, "status", "--porcelain"); got != "" {
		t.Errorf("work tree status = %q", got)
	}
}

func TestCommitPackedRefs(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	gitCmd(t, dir, "pack-refs", "--all")
	writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
	h := commit(t, open(t, dir), "change", "a.txt")
	if got := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "main")); got != h {
		t.Errorf("main = %s, want %s", got, h)
	}
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
}

func TestCommitRefusals(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	ctx := context.Background()
	for _, tc := range []struct {
		req  CommitRequest
		want string
	}{
		{CommitRequest{Paths: []string{"../x"}, Message: "m", Author: alice}, "outside"},
		{CommitRequest{Paths: []string{"/etc/passwd"}, Message: "m", Author: alice}, "relative"},
		{CommitRequest{Paths: []string{"a//b"}, Message: "m", Author: alice}, "not clean"},
		{CommitRequest{Paths: []string{".git/config"}, Message: "m", Author: alice}, ".git"},
		{CommitRequest{Paths: []string{"a.txt"}, Message: " \n", Author: alice}, "empty commit message"},
		{CommitRequest{Paths: []string{"a.txt"}, Message: "m"}, "no email"},
		{CommitRequest{Paths: []string{"a.txt"}, Message: "m", Author: Signature{Name: "A <x>", Email: "a@x"}}, "contains"},
		{CommitRequest{Message: "m", Author: alice}, "no paths"},
	} {
		_, err := r.Commit(ctx, tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Commit(%+v) = %v, want an error containing %q", tc.req, err, tc.want)
		}
	}
	os.MkdirAll(filepath.Join(dir, "adir"), 0o755)
	if _, err := r.Commit(ctx, CommitRequest{Paths: []string{"adir"}, Message: "m", Author: alice}); !errors.Is(err, ErrBadPath) {
		t.Errorf("committing a directory: err = %v, want ErrBadPath", err)
	}
}

// TestCommitSyncsNewObjects: every loose object a commit creates is
// fsynced before the branch moves, so a power cut cannot leave the branch
// naming an object that never reached the disk.
func TestCommitSyncsNewObjects(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a1\n", "sub/b.txt": "b1\n"})
	loose := func() map[string]bool {
		out := map[string]bool{}
		filepath.WalkDir(filepath.Join(dir, ".git", "objects"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && len(filepath.Base(filepath.Dir(p))) == 2 {
				out[p] = true
			}
			return nil
		})
		return out
	}
	before := loose()
	synced := map[string]bool{}
	old := syncFile
	syncFile = func(f *os.File) error {
		if _, err := gitRun(dir, nil, "rev-parse", "--verify", "-q", "HEAD~1"); err == nil {
			t.Error("an object was synced after the branch moved")
		}
		synced[f.Name()] = true
		return f.Sync()
	}
	t.Cleanup(func() { syncFile = old })
	writeFiles(t, dir, map[string]string{"sub/b.txt": "b2\n", "c.txt": "c\n"})
	commit(t, open(t, dir), "change", "sub/b.txt", "c.txt")
	var missing []string
	n := 0
	for p := range loose() {
		if before[p] {
			continue
		}
		n++
		if !synced[p] {
			missing = append(missing, p)
		}
	}
	if n < 4 { // two blobs, two trees, the commit
		t.Fatalf("only %d new loose objects; the test cannot tell", n)
	}
	if len(missing) > 0 {
		t.Errorf("new objects not synced: %v", missing)
	}
}
