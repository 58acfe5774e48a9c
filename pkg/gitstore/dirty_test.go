package gitstore

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDirty(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{
		"staged.yaml":    "1\n",
		"unstaged.yaml":  "1\n",
		"deleted.yaml":   "1\n",
		"removed.yaml":   "1\n",
		"clean.yaml":     "1\n",
		"reverted.yaml":  "1\n",
		"sub/clean.yaml": "1\n",
		"sub/edit.yaml":  "1\n",
	})
	writeFiles(t, dir, map[string]string{"staged.yaml": "2\n", "reverted.yaml": "2\n"})
	gitCmd(t, dir, "add", "staged.yaml", "reverted.yaml")
	writeFiles(t, dir, map[string]string{
		"reverted.yaml":  "1\n", // the index differs from HEAD, the work tree does not
		"unstaged.yaml":  "2\n",
		"untracked.yaml": "new\n",
		"sub/edit.yaml":  "2\n",
	})
	os.Remove(filepath.Join(dir, "deleted.yaml"))
	gitCmd(t, dir, "rm", "-q", "--cached", "removed.yaml") // still in the work tree
	r := open(t, dir)

	got, err := r.Dirty([]string{
		"staged.yaml", "unstaged.yaml", "deleted.yaml", "removed.yaml", "clean.yaml",
		"reverted.yaml", "untracked.yaml", "absent.yaml", "sub/clean.yaml", "sub/edit.yaml", "staged.yaml",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"staged.yaml", "unstaged.yaml", "deleted.yaml", "removed.yaml", "reverted.yaml", "untracked.yaml", "sub/edit.yaml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Dirty = %q\nwant    %q", got, want)
	}

	// After committing them, the committed paths are clean.
	commit(t, r, "commit them", want...)
	if got, err := r.Dirty(append(want, "clean.yaml")); err != nil || len(got) != 0 {
		t.Errorf("Dirty after commit = %q, %v", got, err)
	}

	if _, err := r.Dirty([]string{"../x"}); err == nil {
		t.Errorf("Dirty(../x) succeeded")
	}
}

func TestDirtyUnbornAndMode(t *testing.T) {
	isolate(t)
	dir := newRepo(t, nil)
	writeFiles(t, dir, map[string]string{"a.yaml": "a\n", "b.yaml": "b\n"})
	gitCmd(t, dir, "add", "b.yaml")
	r := open(t, dir)
	got, err := r.Dirty([]string{"a.yaml", "b.yaml", "c.yaml"})
	if err != nil || !reflect.DeepEqual(got, []string{"a.yaml", "b.yaml"}) {
		t.Errorf("Dirty on an unborn branch = %q, %v", got, err)
	}

	commit(t, r, "first", "a.yaml", "b.yaml")
	os.Chmod(filepath.Join(dir, "a.yaml"), 0o755)
	if got, err := r.Dirty([]string{"a.yaml"}); err != nil || len(got) != 1 {
		t.Errorf("Dirty after chmod +x = %q, %v", got, err)
	}
	gitCmd(t, dir, "config", "core.fileMode", "false")
	if got, err := r.Dirty([]string{"a.yaml"}); err != nil || len(got) != 0 {
		t.Errorf("Dirty after chmod +x with core.fileMode=false = %q, %v", got, err)
	}
}

// A file git marks skip-worktree is compared all the same: git no longer
// looks at it, so an edit or its removal is hidden from git status, and a
// write there would commit the edit or replace what HEAD holds. LeftOut
// names those not in the work tree.
func TestDirtySkipWorktree(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"kept.yaml": "1\n", "edited.yaml": "1\n", "gone.yaml": "1\n", "plain.yaml": "1\n"})
	gitCmd(t, dir, "update-index", "--skip-worktree", "kept.yaml", "edited.yaml", "gone.yaml")
	writeFiles(t, dir, map[string]string{"edited.yaml": "2\n"})
	os.Remove(filepath.Join(dir, "gone.yaml"))
	r := open(t, dir)
	paths := []string{"kept.yaml", "edited.yaml", "gone.yaml", "plain.yaml"}
	if got, err := r.Dirty(paths); err != nil || !reflect.DeepEqual(got, []string{"edited.yaml", "gone.yaml"}) {
		t.Errorf("Dirty = %q, %v", got, err)
	}
	if got, err := r.LeftOut(paths); err != nil || !reflect.DeepEqual(got, []string{"gone.yaml"}) {
		t.Errorf("LeftOut = %q, %v", got, err)
	}
}
