package gitstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBlobAtHeadShallow(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"records/a.yaml": "v1\n"})
	first := strings.TrimSpace(gitCmd(t, dir, "rev-parse", "HEAD"))
	r := open(t, dir)
	writeFiles(t, dir, map[string]string{"records/a.yaml": "v2\n"})
	second := commit(t, r, "v2", "records/a.yaml")

	if h, err := r.Head(); err != nil || h != second {
		t.Errorf("Head() = %s, %v; want %s", h, err, second)
	}
	for _, tc := range []struct{ rev, want string }{
		{"HEAD", "v2\n"}, {"main", "v2\n"}, {second, "v2\n"}, {"HEAD~1", "v1\n"}, {first, "v1\n"}, {first[:10], "v1\n"},
	} {
		got, err := r.BlobAt(tc.rev, "records/a.yaml")
		if err != nil || string(got) != tc.want {
			t.Errorf("BlobAt(%s) = %q, %v; want %q", tc.rev, got, err, tc.want)
		}
	}
	if _, err := r.BlobAt("HEAD", "records/missing.yaml"); !errors.Is(err, ErrNotFound) {
		t.Errorf("BlobAt(missing) err = %v, want ErrNotFound", err)
	}
	if _, err := r.BlobAt("HEAD", "nodir/missing.yaml"); !errors.Is(err, ErrNotFound) {
		t.Errorf("BlobAt(missing dir) err = %v, want ErrNotFound", err)
	}
	if _, err := r.BlobAt("HEAD", "records"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("BlobAt(directory) err = %v, want a not-a-file error", err)
	}
	if _, err := r.BlobAt("nosuchbranch", "records/a.yaml"); err == nil {
		t.Errorf("BlobAt(bad revision) succeeded")
	}
	if r.IsShallow() {
		t.Errorf("IsShallow() on a full repository")
	}

	clone := filepath.Join(t.TempDir(), "clone")
	gitCmd(t, dir, "clone", "-q", "--depth", "1", "file://"+dir, clone)
	c := open(t, clone)
	if !c.IsShallow() {
		t.Errorf("IsShallow() on a --depth 1 clone = false")
	}
	if got, err := c.BlobAt("HEAD", "records/a.yaml"); err != nil || string(got) != "v2\n" {
		t.Errorf("BlobAt in the shallow clone = %q, %v", got, err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "EXP-2026-0001.yaml")
	if err := WriteFileAtomic(name, []byte("one\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("new file: %v, %v", fi.Mode(), err)
	}
	os.Chmod(name, 0o600)
	if err := WriteFileAtomic(name, []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(name)
	fi, _ := os.Stat(name)
	if string(data) != "two\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file = %q mode %v, want \"two\\n\" mode 0600", data, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), nil, 0o644); err == nil {
		t.Errorf("writing into a missing directory succeeded")
	}
}
