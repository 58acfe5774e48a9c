package gitobj

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/internal/gittest"
)

// TestResolveHead: HEAD resolves, through the references and the pack
// reader, to what git says, packed or loose, on a branch or detached; a
// branch with no commits says so, and a HEAD naming what is not a commit
// (a forged ref to a blob, or to an object that is not there) is an
// error.
func TestResolveHead(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, nil, "init", "-q", "-b", "main")
	r := openT(t, dir)
	if _, err := r.Resolve("HEAD"); err == nil || !strings.Contains(err.Error(), "no commits yet") {
		t.Errorf("unborn branch: %v", err)
	}
	gittest.Gen(t, dir, 4)
	check := func(what string) {
		t.Helper()
		want := strings.TrimSpace(gittest.Git(t, dir, nil, "rev-parse", "HEAD"))
		if got := mustResolve(t, openT(t, dir), "HEAD"); got.String() != want {
			t.Errorf("%s: HEAD is %s, git says %s", what, got, want)
		}
	}
	check("loose or packed as made")
	// a tag of a tree is named as such, not as a revision nobody made
	gittest.Git(t, dir, nil, "tag", "treetag", "HEAD^{tree}")
	if _, err := r.Resolve("treetag"); err == nil || !strings.Contains(err.Error(), "the tag names no commit") {
		t.Errorf("a tag of a tree: %v", err)
	}
	gittest.Git(t, dir, nil, "gc", "-q")
	check("packed")
	gittest.Git(t, dir, nil, "checkout", "-q", "--detach", "HEAD~1")
	check("detached")
	gittest.Git(t, dir, nil, "checkout", "-q", "main")
	if err := os.WriteFile(filepath.Join(dir, "blob.txt"), []byte("not a commit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	blob := strings.TrimSpace(gittest.Git(t, dir, nil, "hash-object", "-w", "blob.txt"))
	for name, target := range map[string]string{"a blob": blob, "nothing": strings.Repeat("ab", 20)} {
		// git refuses to write it: the file is written as a forger would
		if err := os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte(target+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if h, err := openT(t, dir).Resolve("HEAD"); err == nil {
			t.Errorf("HEAD naming %s resolved to %s", name, h)
		}
	}
}
