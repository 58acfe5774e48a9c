package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReadSized: a file is read whole whether it is the size its stat
// said, has grown since, or has shrunk.
func TestReadSized(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	want := bytes.Repeat([]byte("0123456789"), 1000)
	if err := os.WriteFile(p, want, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{int64(len(want)), 10, 0, -1, int64(len(want)) + 4096} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadSized(f, n)
		f.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("size said %d: %d bytes, %v", n, len(got), err)
		}
	}
}
