//go:build linux

package cache

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// ReadFile refuses, without blocking or reading, what is no regular file
// of a sane size: a named pipe with no writer, a link to /dev/zero, a
// sparse file past MaxFileSize; it reads a regular file and one through a
// link.
func TestReadFileRefusesOddFiles(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{pipe, zero, huge, dir} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(p)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: read", filepath.Base(p))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the read hangs", filepath.Base(p))
		}
	}
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("kept"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink("plain", link)
	for _, p := range []string{plain, link} {
		if data, err := ReadFile(p); err != nil || string(data) != "kept" {
			t.Errorf("%s: %q, %v", filepath.Base(p), data, err)
		}
	}
}

// A folder made at a cache file's path is replaced by the file written,
// rather than refuse every write (and every command read the whole
// department again).
func TestWriteFileOverAFolder(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "index")
	if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(p, "sub", "x"), []byte("x"), 0o644)
	if err := WriteFile(p, ".index.tmp-*", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(p); err != nil || string(data) != "kept" {
		t.Fatalf("%q, %v", data, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".index.tmp-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
