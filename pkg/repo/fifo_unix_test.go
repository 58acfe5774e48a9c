//go:build linux || darwin || freebsd

package repo

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A named pipe among the records, loaded without a cache (no stat per
// file: the walk's folder entry must catch it), is reported as not a
// regular file and never read, so the load cannot hang on it; a file too
// large is reported by its size, without a stat to say so beforehand.
func TestNoCacheLoadOfOddFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "records", "expenses", "2026"), 0o755)
	os.WriteFile(filepath.Join(dir, ".opsbook.yaml"), []byte("currency: CNY\n"), 0o644)
	pipe := filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-0001.yaml")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	big := make([]byte, 2<<20)
	for i := range big {
		big[i] = 'a'
	}
	os.WriteFile(filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-0002.yaml"), big, 0o644)
	done := make(chan struct{})
	var rules []string
	go func() {
		defer close(done)
		r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
		if err != nil {
			t.Error(err)
			return
		}
		for _, d := range r.Diags {
			rules = append(rules, d.Path[len(d.Path)-18:]+" "+d.Rule)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the load hung on a named pipe")
	}
	want := map[string]bool{"EXP-2026-0001.yaml file-type": false, "EXP-2026-0002.yaml file-size": false}
	for _, r := range rules {
		if _, ok := want[r]; ok {
			want[r] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no %s among %v", k, rules)
		}
	}
}
