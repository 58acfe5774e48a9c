package record

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

// Two names of one folder that differ only in letter case are one file on
// a case-insensitive checkout: the later one is an error naming both, and
// both are still read.
func TestWalkCaseTwins(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "records", "expenses", "2026")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"EXP-2026-0016.yaml", "EXP-2026-0016.YAML", "EXP-2026-0017.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("kind: expense\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, ds, err := Walk(root, "records")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Errorf("files = %v, want the two .yaml files", files)
	}
	var twins []string
	for _, d := range ds {
		if strings.Contains(d.Message, "only in letter case") {
			twins = append(twins, d.Path+": "+d.Message)
			if d.Severity != diag.Error {
				t.Errorf("twin is a %s, want an error", d.Severity)
			}
		}
	}
	if len(twins) != 1 || !strings.Contains(twins[0], "EXP-2026-0016.YAML") || !strings.Contains(twins[0], "EXP-2026-0016.yaml") {
		t.Errorf("twin diagnostics = %q, want one naming both spellings", twins)
	}
}

// TestFoldSetIsFoldName: the folder walk's look-up of case twins (hashed,
// without allocating for ASCII names) finds exactly the twins a map of
// foldName finds, for ASCII, accented (composed and decomposed) and other
// scripts' names.
func TestFoldSetIsFoldName(t *testing.T) {
	names := []string{
		"EXP-2026-0016.yaml", "exp-2026-0016.yaml", "EXP-2026-0016.YAML", "EXP-2026-0017.yaml",
		"café.yaml", "cafe\u0301.yaml", "CAFÉ.yaml", "CAFE\u0301.yaml", "cafe.yaml",
		"Ärger.yaml", "ärger.yaml", "運營部.yaml", "運營部.YAML", "İstanbul.yaml", "i\u0307stanbul.yaml",
		"ΣΟΦΙΑ.yaml", "σοφια.yaml", "a", "A", "", "Z@[`{",
	}
	seen := newFoldSet(0)
	naive := map[string]string{}
	for _, n := range names {
		gotTwin, gotOK := seen.add(n)
		wantTwin, wantOK := naive[foldName(n)]
		if !wantOK {
			naive[foldName(n)] = n
		}
		if gotTwin != wantTwin || gotOK != wantOK {
			t.Errorf("%q: twin %q %v, want %q %v", n, gotTwin, gotOK, wantTwin, wantOK)
		}
	}
}

// TestReadDirIsOSReadDir: the folder listing the walk uses gives the
// names and types os.ReadDir gives, in its order: regular files, folders,
// symbolic links (to a file, a folder, nothing), a named pipe, dotfiles,
// names in other scripts, and more entries than one read of the kernel's
// folder entries holds.
func TestReadDirIsOSReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 1500; i++ {
		write(fmt.Sprintf("EXP-2026-%04d-%s.yaml", 1500-i, strings.Repeat("long", i%9)))
	}
	for _, n := range []string{".gitkeep", "運營部.yaml", "cafe\u0301.yaml", "a b.yml", "Z"} {
		write(n)
	}
	os.Mkdir(filepath.Join(dir, "2026"), 0o755)
	os.Mkdir(filepath.Join(dir, ".hidden"), 0o755)
	os.Symlink("Z", filepath.Join(dir, "link-to-file.yaml"))
	os.Symlink("2026", filepath.Join(dir, "link-to-dir"))
	os.Symlink("nowhere", filepath.Join(dir, "dangling.yaml"))
	if err := mkfifo(filepath.Join(dir, "pipe.yaml")); err != nil {
		t.Log("no named pipe:", err)
	}
	want, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, os.ReadDir %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].name != w.Name() || got[i].typ != w.Type() {
			t.Errorf("entry %d: %q %v, os.ReadDir %q %v", i, got[i].name, got[i].typ, w.Name(), w.Type())
		}
	}
	if _, err := readDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder listed")
	}
	if _, err := readDir(filepath.Join(dir, "Z")); err == nil {
		t.Error("a file listed as a folder")
	}
}

// TestWalkNormalisationTwins: names that differ only in their Unicode
// normalisation are told as such, not as a difference of letter case.
func TestWalkNormalisationTwins(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "records", "customers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"caf\u00e9.yaml", "cafe\u0301.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("kind: customer\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, ds, err := Walk(root, "records")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		if strings.Contains(d.Message, "differs from") {
			got = append(got, d.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "only in Unicode normalisation") || strings.Contains(got[0], "letter case") {
		t.Errorf("twin diagnostics = %q, want one about normalisation", got)
	}
}
