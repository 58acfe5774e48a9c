package gitstore

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestCommitRaw: a commit read the cheap way is git's own bytes, loose
// and packed (after git gc), and a hash no store holds is not found.
func TestCommitRaw(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "records/b.yaml": "id: B\n"})
	writeFiles(t, dir, map[string]string{"a.txt": "a2\n"})
	if out, err := gitRun(dir, []string{"GIT_COMMITTER_DATE=2026-02-01T10:00:00+08:00"}, "commit", "-q", "-am", "second\n\nOpsbook-Action: set\n"); err != nil {
		t.Fatal(out)
	}
	r := open(t, dir)
	check := func(what string) {
		t.Helper()
		for _, rev := range []string{"HEAD", "HEAD~1"} {
			h := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", rev)))
			got, ok := r.commitRaw(h)
			if want := gitCmd(t, dir, "cat-file", "commit", rev); !ok || string(got) != want {
				t.Errorf("%s %s: %v %q, want %q", what, rev, ok, got, want)
			}
			c, err := r.commitObject(h)
			w, werr := r.repo.CommitObject(h)
			if err != nil || werr != nil || c.Hash != w.Hash || c.Message != w.Message || !c.Committer.When.Equal(w.Committer.When) ||
				c.Committer.When.Format(time.RFC3339) != w.Committer.When.Format(time.RFC3339) || c.Author != w.Author ||
				c.TreeHash != w.TreeHash || len(c.ParentHashes) != len(w.ParentHashes) {
				t.Errorf("%s %s: decoded %+v (%v), go-git's %+v (%v)", what, rev, c, err, w, werr)
			}
			if _, err := c.Tree(); err != nil {
				t.Errorf("%s %s: its tree: %v", what, rev, err)
			}
		}
	}
	blob := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:a.txt")))
	has := func(what string) {
		t.Helper()
		if !r.hasObject(blob) {
			t.Errorf("%s: a blob HEAD holds is not found", what)
		}
		if r.hasObject(plumbing.NewHash(strings.Repeat("cd", 20))) {
			t.Errorf("%s: a hash no store holds is found", what)
		}
	}
	check("loose")
	has("loose")
	gitCmd(t, dir, "gc", "-q")
	if loose := gitCmd(t, dir, "count-objects"); !strings.HasPrefix(loose, "0 objects") {
		t.Fatalf("still loose after gc: %s", loose)
	}
	check("packed")
	has("packed")
	if _, ok := r.commitRaw(plumbing.NewHash(strings.Repeat("ab", 20))); ok {
		t.Error("a hash no store holds was found")
	}
	tree := plumbing.NewHash(strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD^{tree}")))
	if _, ok := r.commitRaw(tree); ok {
		t.Error("a tree was read as a commit")
	}
}
