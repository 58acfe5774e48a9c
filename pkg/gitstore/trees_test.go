package gitstore

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestTreesAsGoGitReadsThem: every tree read the fast way (see trees),
// loose and packed, decodes to the entries go-git's own storage gives,
// modes canonical as go-git makes them (an executable, a symbolic link, a
// submodule, a mode git no longer writes), and a hash no store holds is
// an error as it is for go-git.
func TestTreesAsGoGitReadsThem(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "records/x/b.yaml": "id: B\n", "records/x/c.yaml": "id: C\n"})
	writeFiles(t, dir, map[string]string{"run.sh": "#!/bin/sh\n"})
	gitCmd(t, dir, "update-index", "--add", "--chmod=+x", "run.sh")
	blob := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD:a.txt"))
	gitCmd(t, dir, "update-index", "--add", "--cacheinfo", "120000,"+blob+",link")
	gitCmd(t, dir, "update-index", "--add", "--cacheinfo", "160000,"+strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD"))+",sub")
	gitCmd(t, dir, "commit", "-q", "-m", "modes")
	// a tree with a mode git no longer writes, made by hand
	odd := strings.TrimSpace(gitRunIn(t, dir, "100664 blob "+blob+"\told.txt\n", "mktree"))
	check := func(what string) {
		t.Helper()
		r := open(t, dir)
		defer r.closeTrees()
		heads := strings.Fields(gitCmd(t, dir, "rev-parse", "HEAD^{tree}", "HEAD:records", "HEAD:records/x", "HEAD~1^{tree}"))
		for _, h := range append(heads, odd) {
			fast, err := object.GetTree(r.objects(), plumbing.NewHash(h))
			if err != nil {
				t.Fatalf("%s %s: %v", what, h, err)
			}
			slow, err := object.GetTree(r.repo.Storer, plumbing.NewHash(h))
			if err != nil {
				t.Fatalf("%s %s (go-git): %v", what, h, err)
			}
			if !reflect.DeepEqual(fast.Entries, slow.Entries) || fast.Hash != slow.Hash {
				t.Errorf("%s %s:\n fast %v\n go-git %v", what, h, fast.Entries, slow.Entries)
			}
		}
		if len(r.treeBytes) < len(heads) {
			t.Errorf("%s: %d trees read the fast way, want %d", what, len(r.treeBytes), len(heads)+1)
		}
		if _, err := object.GetTree(r.objects(), plumbing.NewHash(strings.Repeat("ab", 20))); err == nil {
			t.Errorf("%s: a tree no store holds was read", what)
		}
	}
	check("loose")
	gitCmd(t, dir, "gc", "-q")
	check("packed")
}

// gitRunIn runs git in dir with stdin.
func gitRunIn(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}
