package repo

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/diag"
)

// countSums counts the files hashed from now to the end of the test.
func countSums(t *testing.T) *atomic.Int64 {
	var n atomic.Int64
	old := sumFile
	sumFile = func(root, rel string, fi fs.FileInfo) (string, error) {
		n.Add(1)
		return old(root, rel, fi)
	}
	t.Cleanup(func() { sumFile = old })
	return &n
}

func sumsPath(dir string) string { return filepath.Join(dir, ".git", "opsbook", "sums") }

// hashFindings are the attachment-hash findings of an outcome.
func hashFindings(o outcome) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range o.diags {
		if d.Rule == "attachment-hash" {
			out = append(out, d)
		}
	}
	return out
}

// A full pass keeps the attachments' hashes by stat data; the next pass
// hashes no file whose stat data are unchanged, and gives the same
// findings. A file changed since (its content, its size and modification
// time put back) is hashed again and its attachment-hash found; --no-cache
// neither reads nor writes the kept hashes.
func TestSumsKeptBetweenPasses(t *testing.T) {
	dir := department(t, 300)
	cold := load(t, dir, Options{NoCache: true})
	if _, err := os.Stat(sumsPath(dir)); err == nil {
		t.Fatal("--no-cache wrote the sums")
	}
	trustAll(t)
	n := countSums(t)
	same(t, "first pass (keeps the sums)", load(t, dir, Options{}), cold)
	hashed := n.Load()
	if hashed == 0 {
		t.Fatal("the department lists no attachment with a hash: the test reads nothing")
	}
	if _, err := os.Stat(sumsPath(dir)); err != nil {
		t.Fatal("no sums kept:", err)
	}
	n.Store(0)
	same(t, "second pass", load(t, dir, Options{}), cold)
	if n.Load() != 0 {
		t.Errorf("the second pass hashed %d files of unchanged stat data", n.Load())
	}
	n.Store(0)
	load(t, dir, Options{NoCache: true})
	if n.Load() != hashed {
		t.Errorf("--no-cache hashed %d files, want all %d", n.Load(), hashed)
	}

	// an attachment changed: same size, its modification time put back
	var victim string
	filepath.WalkDir(filepath.Join(dir, "attachments"), func(p string, e fs.DirEntry, err error) error {
		if err == nil && victim == "" && e.Type().IsRegular() {
			victim = p
		}
		return nil
	})
	data, _ := os.ReadFile(victim)
	info, _ := os.Stat(victim)
	changed := []byte(strings.ToUpper(string(data)))
	if string(changed) == string(data) {
		changed[0] ^= 1
	}
	time.Sleep(10 * time.Millisecond) // a change time of its own
	os.WriteFile(victim, changed, 0o644)
	os.Chtimes(victim, info.ModTime(), info.ModTime())
	n.Store(0)
	got := load(t, dir, Options{})
	if n.Load() == 0 {
		t.Error("the changed attachment was not hashed again")
	}
	want := load(t, dir, Options{NoCache: true})
	same(t, "after an attachment changed", got, want)
	if len(hashFindings(got)) == len(hashFindings(cold)) {
		t.Errorf("the changed attachment %s has no attachment-hash finding of its own", victim)
	}
}

// Kept sums that do not read (cut short, another build's, garbled) are
// ignored: every file is hashed again and the findings are the same.
func TestSumsDamaged(t *testing.T) {
	dir := department(t, 200)
	trustAll(t)
	cold := load(t, dir, Options{NoCache: true})
	load(t, dir, Options{})
	good, err := os.ReadFile(sumsPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	n := countSums(t)
	for name, bad := range map[string][]byte{
		"cut short": good[:len(good)/2],
		"garbled":   []byte(strings.Replace(string(good), " ", "  ", 3)),
		"a sum changed": func() []byte {
			b := append([]byte(nil), good...)
			i := strings.Index(string(b), "\n") + 1
			b[i] ^= 1
			return b
		}(),
		"empty": {},
	} {
		os.WriteFile(sumsPath(dir), bad, 0o600)
		n.Store(0)
		same(t, name, load(t, dir, Options{}), cold)
		if n.Load() == 0 {
			t.Errorf("%s: the kept sums were believed", name)
		}
	}
	if _, ok := decodeSums(good); !ok {
		t.Error("the sums written do not read")
	}
}

// A pass that collects what it looked at (summary's CountFiles,
// ValidateSeen) hashes through attach.Sum, not the kept sums: it neither
// uses nor keeps them, and must leave them as the last full validate wrote
// them (it wrote an empty file, and the next validate hashed every
// attachment again).
func TestSumsLeftByCollectingPass(t *testing.T) {
	dir := department(t, 300)
	trustAll(t)
	n := countSums(t)
	load(t, dir, Options{})
	if n.Load() == 0 {
		t.Fatal("the department lists no attachment with a hash: the test reads nothing")
	}
	kept, err := os.ReadFile(sumsPath(dir))
	if err != nil {
		t.Fatal("no sums kept:", err)
	}
	r, err := LoadWith(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.CountFiles(judged, nil)
	r.ValidateSeen(judged, nil)
	if after, _ := os.ReadFile(sumsPath(dir)); string(after) != string(kept) {
		t.Errorf("a collecting pass rewrote the sums: %d bytes, were %d", len(after), len(kept))
	}
	n.Store(0)
	load(t, dir, Options{})
	if n.Load() != 0 {
		t.Errorf("the validate after a summary hashed %d files of unchanged stat data", n.Load())
	}
}

// Where the system gives no change time (StatOf: Ctime 0), a file's
// content may change while its size and modification time are put back,
// and its stat data would not tell: a sum is not kept, nor a kept one
// believed, on such stat data (an attachment changed so would have kept
// its old hash, and its attachment-hash finding been missed).
func TestSumsNeedChangeTime(t *testing.T) {
	old := time.Now().Add(-time.Hour)
	m := openSums(filepath.Join(t.TempDir(), "sums"), time.Now())
	noCtime := cache.Stat{Size: 3, Mtime: old.UnixNano(), Ino: 0}
	calls := 0
	look := func() (string, error) { calls++; return "aaa", nil }
	if _, err := m.sum("attachments/X/a.txt", noCtime, look); err != nil {
		t.Fatal(err)
	}
	if len(m.now) != 0 || m.fresh != 0 {
		t.Errorf("a sum made on stat data without a change time was kept: %v", m.now)
	}
	m.kept["attachments/X/b.txt"] = keptSum{noCtime, "bbb"}
	if got, _ := m.sum("attachments/X/b.txt", noCtime, look); got != "aaa" || calls != 2 {
		t.Errorf("a kept sum without a change time was believed: %q, %d files hashed", got, calls)
	}
	withCtime := noCtime
	withCtime.Ctime, withCtime.Ino = old.UnixNano(), 7
	if m.sum("attachments/X/c.txt", withCtime, look); len(m.now) != 1 {
		t.Errorf("a sum on trusted stat data with a change time was not kept: %v", m.now)
	}
}
