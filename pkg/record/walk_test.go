package record

import (
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
