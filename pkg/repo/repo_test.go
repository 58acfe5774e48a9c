package repo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
)

func TestLoadAndValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644)
	}
	write(".opsbook.yaml", "categories:\n  expense: [snacks]\n")
	write("records/people/a.yaml", "kind: person\nid: a\nname: A\nrole: director\nemails: [a@example.com]\nnda:\n  signed: 2025-01-01\n")
	write("records/expenses/2026/EXP-2026-0001.yaml", "kind: expense\nid: EXP-2026-0001\ntitle: t\nstatus: draft\nclaimant: a\ndate: 2026-01-01\ncategory: snacks\namount: 5.00\n")
	write("records/expenses/2026/EXP-2026-0002.yaml", "kind: expense\nid: EXP-2026-0002\ntitle: t\nstatus: draft\nclaimant: b\ndate: 2026-01-01\ncategory: office\namount: 5.00\n")
	r, err := Open(context.Background(), filepath.Join(dir, "records", "expenses"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Root != dir || len(r.Set.Records) != 3 {
		t.Fatalf("root %s, %d records", r.Root, len(r.Set.Records))
	}
	ds := r.Validate(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	rules := map[string]bool{}
	for _, d := range ds {
		if d.Path != "records/expenses/2026/EXP-2026-0002.yaml" {
			t.Errorf("unexpected %v", d)
		}
		rules[d.Rule] = true
	}
	if !rules["enum"] || !rules["ref-missing"] {
		t.Fatalf("want the policy's categories and a missing claimant, got %v", ds)
	}
	if _, err := r.Find("EXP-2026-0009"); err == nil {
		t.Error("Find of a missing id")
	}
}

func TestFilterPaths(t *testing.T) {
	ds := []diag.Diagnostic{{Path: "records/a/x.yaml"}, {Path: "records/ab/y.yaml"}, {Path: "other.yaml"}}
	if got := FilterPaths(ds, []string{"records/a"}); len(got) != 1 || got[0].Path != "records/a/x.yaml" {
		t.Fatalf("folder filter: %v", got)
	}
	if got := FilterPaths(ds, []string{"."}); len(got) != 3 {
		t.Fatalf(". filter: %v", got)
	}
	if got := FilterPaths(ds, nil); len(got) != 3 {
		t.Fatalf("no filter: %v", got)
	}
}

// Find of an id whose file could not be read names the file and its error
// (file, line, column, rule) instead of saying there is no such record.
func TestFindNamesAnUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "records", "expenses", "2026"), 0o755)
	os.WriteFile(filepath.Join(dir, ".opsbook.yaml"), nil, 0o644)
	// "title: 物流" in GBK: not UTF-8
	gbk := append([]byte("kind: expense\nid: EXP-2026-0001\ntitle: "), 0xce, 0xef, 0xc1, 0xf7, '\n')
	os.WriteFile(filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-0001.yaml"), gbk, 0o644)
	r, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Find("EXP-2026-0001")
	if err == nil || !strings.Contains(err.Error(), "records/expenses/2026/EXP-2026-0001.yaml:3:") || !strings.Contains(err.Error(), "[file-encoding]") {
		t.Errorf("Find(unreadable) = %v, want the file, its position and rule", err)
	}
	if _, err := r.Find("EXP-2026-0002"); err == nil || strings.Contains(err.Error(), "could not be read") {
		t.Errorf("Find(missing) = %v", err)
	}
}
