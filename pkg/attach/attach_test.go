package attach

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestCheckPath(t *testing.T) {
	for _, bad := range []string{"", "/etc/passwd", "attachments/../records/x.yaml", "attachments/a/../../x", "records/x.pdf", "attachments\\a\\b", "attachments//a", "attachments/a/.git/config", "../attachments/a"} {
		if CheckPath(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"attachments/EXP-2026-0001/taxi.txt", "attachments/PRJ-2026-0001/可行性報告.md"} {
		if err := CheckPath(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}

// Sum refuses a file that is swapped for another between the look and the
// read; here, a link put where the file was.
func TestSumNeverFollowsALink(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "attachments", "A"), 0o755)
	os.WriteFile(filepath.Join(root, "attachments", "A", "f"), []byte("f"), 0o644)
	if s, err := Sum(root, "attachments/A/f"); err != nil || s != SumBytes([]byte("f")) {
		t.Fatalf("Sum = %s, %v", s, err)
	}
	os.Remove(filepath.Join(root, "attachments", "A", "f"))
	os.Symlink("/etc/hostname", filepath.Join(root, "attachments", "A", "f"))
	if _, err := Sum(root, "attachments/A/f"); err == nil {
		t.Fatal("Sum read through a link")
	}
}

// Sum reads a file through a pooled buffer: summing a department's
// attachments makes no buffer a file (io.Copy from an *os.File made 32 KB
// each, gigabytes of garbage in a cold validate). Files larger than the
// buffer sum as SumBytes does.
func TestSumMakesNoBuffer(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "attachments", "A"), 0o755)
	big := make([]byte, 3*sumBuffer+17)
	for i := range big {
		big[i] = byte(i * 7)
	}
	os.WriteFile(filepath.Join(root, "attachments", "A", "big"), big, 0o644)
	if s, err := Sum(root, "attachments/A/big"); err != nil || s != SumBytes(big) {
		t.Fatalf("Sum = %s, %v; want %s", s, err, SumBytes(big))
	}
	os.WriteFile(filepath.Join(root, "attachments", "A", "f"), []byte("receipt"), 0o644)
	Sum(root, "attachments/A/f")
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := Sum(root, "attachments/A/f"); err != nil {
			t.Fatal(err)
		}
	})
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.TotalAlloc
	for range 50 {
		Sum(root, "attachments/A/f")
	}
	runtime.ReadMemStats(&m)
	if per := (m.TotalAlloc - before) / 50; per > sumBuffer/4 {
		t.Errorf("Sum allocates %d bytes a file (%v allocations): a buffer each time", per, allocs)
	}
}

// SumOf sums the file a look found, without walking its folders again: a
// file put in its place since, or a link put in place of a folder above
// it (to a folder holding a file of that name), is another file and an
// error, never summed.
func TestSumOfIsTheFileLookedAt(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "attachments", "A")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "f"), []byte("receipt"), 0o644)
	st, fi := lstatChain(root, "attachments/A/f")
	if st != Regular || fi == nil {
		t.Fatalf("Look = %v, %v", st, fi)
	}
	if s, err := SumOf(root, "attachments/A/f", fi); err != nil || s != SumBytes([]byte("receipt")) {
		t.Fatalf("SumOf = %s, %v", s, err)
	}
	// the file replaced by another of the same content (the old one held
	// open, so that its inode is not given to the new one)
	held, _ := os.Open(filepath.Join(dir, "f"))
	defer held.Close()
	os.WriteFile(filepath.Join(dir, "f.new"), []byte("receipt"), 0o644)
	os.Rename(filepath.Join(dir, "f.new"), filepath.Join(dir, "f"))
	if _, err := SumOf(root, "attachments/A/f", fi); err == nil {
		t.Error("SumOf summed a file put in place of the one looked at")
	}
	// the folder replaced by a link to a folder outside holding an f
	st, fi = lstatChain(root, "attachments/A/f")
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "f"), []byte("secret"), 0o644)
	os.RemoveAll(dir)
	os.Symlink(outside, dir)
	if _, err := SumOf(root, "attachments/A/f", fi); err == nil {
		t.Error("SumOf read through a link put in place of a folder")
	}
	if st, _ := lstatChain(root, "attachments/A/f"); st != Link {
		t.Errorf("Look through a linked folder = %v, want a link", st)
	}
	if _, err := SumOf(root, "attachments/A/f", nil); err == nil {
		t.Error("SumOf of nothing looked at summed")
	}
}

// A Looker answers as a walk of every folder does, for files in ordinary folders, missing
// ones, folders that are files, linked folders and linked files, asked
// in any order and more than once.
func TestLookerAgreesWithLook(t *testing.T) {
	root := t.TempDir()
	mk := func(rel, content string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	mk("attachments/A/f", "a")
	mk("attachments/A/g", "g")
	mk("attachments/B/sub/f", "b")
	mk("attachments/file", "x")
	os.Symlink(filepath.Join(root, "attachments", "A"), filepath.Join(root, "attachments", "L"))
	os.Symlink(filepath.Join(root, "attachments", "A", "f"), filepath.Join(root, "attachments", "B", "lf"))
	os.Mkdir(filepath.Join(root, "attachments", "D"), 0o755)
	paths := []string{
		"attachments/A/f", "attachments/A/g", "attachments/A/none", "attachments/B/sub/f", "attachments/B/sub",
		"attachments/file/f", "attachments/L/f", "attachments/L/g", "attachments/B/lf", "attachments/none/f",
		"attachments/D", "attachments/D/f", "attachments/../x", "attachments//A/f",
	}
	l := NewLooker(root)
	for round := range 2 {
		for _, rel := range paths {
			want, wfi := lstatChain(root, rel)
			got, gfi := l.Look(rel)
			if got != want || (wfi == nil) != (gfi == nil) || wfi != nil && !os.SameFile(wfi, gfi) {
				t.Errorf("round %d: %s: the Looker says %v, Look %v", round, rel, got, want)
			}
		}
	}
}
