package gitstore

import (
	"slices"
	"testing"
)

// TestOpenWorktreeConfig: a repository whose config turns on
// extensions.worktreeConfig (git sparse-checkout, git worktree, Azure
// DevOps) opens, its config.worktree read for git's settings, and a
// commit through it leaves the extension in the config as it was.
func TestOpenWorktreeConfig(t *testing.T) {
	dir := newRepo(t, map[string]string{"records/a.yaml": "a\n"})
	gitCmd(t, dir, "config", "extensions.worktreeConfig", "true")
	gitCmd(t, dir, "config", "--worktree", "opsbook.monitor", "true")
	r, err := Open(dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if !r.ConfigBool("opsbook.monitor", false) {
		t.Error("config.worktree not read")
	}
	if _, err := r.AdoptIdentity("王芳", "wang.fang@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := gitCmd(t, dir, "config", "--get", "extensions.worktreeConfig"); got != "true\n" {
		t.Errorf("the extension after a config write: %q", got)
	}
}

// TestSparseOmits: the files a sparse checkout leaves out under the
// paths asked, only when core.sparseCheckout is on; none in a whole
// checkout.
func TestSparseOmits(t *testing.T) {
	dir := newRepo(t, map[string]string{
		"records/expenses/a.yaml": "a\n", "records/people/p.yaml": "p\n",
		"attachments/x.txt": "x\n", ".opsbook.yaml": "records: records\n", "docs/d.md": "d\n",
	})
	paths := []string{"records/", "attachments/", ".opsbook.yaml"}
	if out, err := SparseOmits(dir, paths); err != nil || len(out) != 0 {
		t.Fatalf("a whole checkout: %v %v", out, err)
	}
	gitCmd(t, dir, "sparse-checkout", "set", "--cone", "records/expenses")
	out, err := SparseOmits(dir, paths)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	if want := []string{"attachments/x.txt", "records/people/p.yaml"}; !slices.Equal(out, want) {
		t.Errorf("left out %v, want %v", out, want)
	}
	// a sparse index holds a folder left out whole as one entry
	gitCmd(t, dir, "sparse-checkout", "set", "--cone", "--sparse-index", "records/expenses")
	out, err = SparseOmits(dir, paths)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	if want := []string{"attachments/", "records/people/"}; !slices.Equal(out, want) {
		t.Errorf("sparse index: left out %v, want %v", out, want)
	}
	for _, p := range out {
		if !SparseFolder(p) {
			t.Errorf("%s not taken for a folder", p)
		}
	}
	if SparseFolder("records/people/p.yaml") {
		t.Error("a file taken for a folder")
	}
	gitCmd(t, dir, "sparse-checkout", "set", "--cone", "--no-sparse-index", "records", "attachments")
	if out, err := SparseOmits(dir, paths); err != nil || len(out) != 0 {
		t.Errorf("docs/ alone left out: %v %v", out, err)
	}
	if out, _ := SparseOmits(t.TempDir(), paths); out != nil {
		t.Errorf("no repository: %v", out)
	}
}
