package gitstore

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// TestCleanIndexAgreesWithGoGit: the in-place scan of a git index says
// "clean" for the indexes git writes in each version (2; 3 with
// intent-to-add entries; 4 with names sharing prefixes; a name longer
// than 4,095 bytes; an untracked cache) and only when go-git reads the
// index without error and finds no unmerged entry; it sends an index
// with a conflict, a split index and a damaged one to the full read.
func TestCleanIndexAgreesWithGoGit(t *testing.T) {
	isolate(t)
	needBinary(t, "git")
	dir := t.TempDir()
	gitCmd(t, dir, "init", "-q", "-b", "main")
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i++ {
		write("records/expenses/2026/EXP-2026-00"+string(rune('a'+i%26))+strings.Repeat("x", i)+".yaml", "kind: expense\n")
	}
	write("conflict.yaml", "base\n")
	gitCmd(t, dir, "add", "-A")
	// a name longer than the flags can say (4,095 bytes), in the index
	// alone (no file system takes such a path)
	blob := strings.TrimSpace(gitCmd(t, dir, "hash-object", "-w", "conflict.yaml"))
	long := strings.Repeat(strings.Repeat("d", 200)+"/", 21) + "long.yaml"
	gitCmd(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+long)
	gitCmd(t, dir, "commit", "-q", "-m", "base")
	indexFile := filepath.Join(dir, ".git", "index")
	read := func() []byte {
		data, err := os.ReadFile(indexFile)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	// goGit says whether go-git reads the index and finds it unmerged-free.
	goGit := func(data []byte) bool {
		idx := &index.Index{}
		if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
			return false
		}
		for _, e := range idx.Entries {
			if e.Stage != 0 {
				return false
			}
		}
		return true
	}
	check := func(what string, wantClean bool) {
		t.Helper()
		data := read()
		got, gg := cleanIndex(data), goGit(data)
		if got != wantClean {
			t.Errorf("%s: clean %v, want %v", what, got, wantClean)
		}
		if got && !gg {
			t.Errorf("%s: clean, but go-git reads it as unmerged or unreadable", what)
		}
		for _, at := range []int{13, len(data) / 2, len(data) - 30} { // damaged: never clean
			bad := append([]byte(nil), data...)
			bad[at] ^= 0x20
			if cleanIndex(bad) {
				t.Errorf("%s: damaged at %d, still clean", what, at)
			}
		}
		if cleanIndex(data[:len(data)-1]) {
			t.Errorf("%s: cut short, still clean", what)
		}
	}
	check("version 2", true)
	write("new.yaml", "intent\n")
	gitCmd(t, dir, "add", "-N", "new.yaml")
	gitCmd(t, dir, "update-index", "--index-version", "3")
	check("version 3, intent to add", true)
	gitCmd(t, dir, "update-index", "--index-version", "4")
	check("version 4", true)
	gitCmd(t, dir, "update-index", "--index-version", "2")
	gitCmd(t, dir, "update-index", "--untracked-cache")
	gitCmd(t, dir, "status", "--porcelain")
	check("untracked cache", true)
	gitCmd(t, dir, "update-index", "--no-untracked-cache")
	gitCmd(t, dir, "update-index", "--split-index")
	check("split index", false)
	gitCmd(t, dir, "update-index", "--no-split-index")
	check("split index undone", true)

	gitCmd(t, dir, "reset", "-q")
	gitCmd(t, dir, "switch", "-q", "-c", "other")
	write("conflict.yaml", "other\n")
	gitCmd(t, dir, "commit", "-q", "-am", "other")
	gitCmd(t, dir, "switch", "-q", "main")
	write("conflict.yaml", "main\n")
	gitCmd(t, dir, "commit", "-q", "-am", "main")
	gitRun(dir, nil, "merge", "-q", "other") // fails: the conflict
	check("a conflict", false)
	if goGit(read()) {
		t.Error("go-git finds no conflict either: the test made none")
	}
}
