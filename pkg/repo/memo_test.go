package repo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSaveMemoDropsStale: saving a memo removes the memos not written for
// two days (they hold only on the day they were made) and keeps the
// others, which still read back.
func TestSaveMemoDropsStale(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := &Memo{Fingerprint: "f", Day: "2026-11-26", Value: []byte(`{}`)}
	for _, name := range []string{"inbox-old", "inbox-recent", "summary"} {
		if err := SaveMemo(root, name, m); err != nil {
			t.Fatal(err)
		}
	}
	three := time.Now().Add(-72 * time.Hour)
	one := time.Now().Add(-24 * time.Hour)
	os.Chtimes(memoPath(root, "inbox-old"), three, three)
	os.Chtimes(memoPath(root, "inbox-recent"), one, one)
	if err := SaveMemo(root, "summary", m); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(memoPath(root, "inbox-old")); !os.IsNotExist(err) {
		t.Errorf("a memo three days old was kept: %v", err)
	}
	for _, name := range []string{"inbox-recent", "summary"} {
		if got, err := LoadMemo(root, name); err != nil || got.Fingerprint != "f" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLoadMemoRefusesAnotherName: a memo file copied over another's (one
// viewer's inbox put in place of another viewer's) is not read as it.
func TestLoadMemoRefusesAnotherName(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := &Memo{Fingerprint: "f", Day: "2026-11-26", Value: []byte(`{}`)}
	for _, name := range []string{"inbox-a", "inbox-b"} {
		if err := SaveMemo(root, name, m); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(memoPath(root, "inbox-a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(memoPath(root, "inbox-b"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadMemo(root, "inbox-a"); err != nil || got.Name != "inbox-a" {
		t.Fatalf("inbox-a: %v", err)
	}
	if got, err := LoadMemo(root, "inbox-b"); err == nil {
		t.Fatalf("inbox-a's memo read as inbox-b's: %+v", got)
	}
}

// TestMemoValueAfterTheRest: a memo's value is kept after the rest of
// it, as it was given (read back byte for byte, not scanned, whitespace
// and newlines kept), and a memo cut short in its value is refused.
func TestMemoValueAfterTheRest(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	value := []byte("{\n  \"items\": [1, 2],\n  \"text\": \"a\\nb\"\n}\n")
	m := &Memo{Fingerprint: "f", Day: "2026-11-26", Value: value, Warning: "w"}
	if err := SaveMemo(root, "summary", m); err != nil {
		t.Fatal(err)
	}
	got, err := LoadMemo(root, "summary")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Value, value) || got.Fingerprint != "f" || got.Warning != "w" {
		t.Fatalf("read back %q (%q, %q)", got.Value, got.Fingerprint, got.Warning)
	}
	data, _ := os.ReadFile(memoPath(root, "summary"))
	if !bytes.HasSuffix(data, value) {
		t.Fatalf("the value is not kept at the end: %q", data)
	}
	os.WriteFile(memoPath(root, "summary"), data[:len(data)-3], 0o600)
	if _, err := LoadMemo(root, "summary"); err == nil {
		t.Fatal("a memo cut short in its value was read")
	}
}
