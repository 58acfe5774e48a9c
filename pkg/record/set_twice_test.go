package record

import (
	"strings"
	"testing"
)

// An id stated by two files is the one filed under it, whichever comes
// first by path; with none filed under it, the first by path.
func TestGetTakesTheFileFiledUnderTheID(t *testing.T) {
	planted := &Record{ID: "EXP-2026-0025", Kind: Expense, Path: "records/expenses/2025/EXP-2025-0099.yaml"}
	filed := &Record{ID: "EXP-2026-0025", Kind: Expense, Path: "records/expenses/2026/EXP-2026-0025.yaml"}
	s := NewSet([]*Record{filed, planted})
	if got := s.Get("EXP-2026-0025"); got != filed {
		t.Fatalf("Get = %s, want %s", got.Path, filed.Path)
	}
	if n := len(s.All("EXP-2026-0025")); n != 2 {
		t.Fatalf("All has %d records, want 2", n)
	}
	other := &Record{ID: "EXP-2026-0025", Kind: Expense, Path: "records/expenses/2026/EXP-2026-0998.yaml"}
	s = NewSet([]*Record{other, planted})
	if got := s.Get("EXP-2026-0025"); got != planted {
		t.Fatalf("Get = %s, want the first by path %s", got.Path, planted.Path)
	}
	if !FiledUnderID(filed) || FiledUnderID(planted) {
		t.Fatal("FiledUnderID")
	}
}

func TestFiledAt(t *testing.T) {
	for _, c := range []struct {
		path string
		kind Kind
		id   string
		want bool
	}{
		{"records/expenses/2026/EXP-2026-0025.yaml", Expense, "EXP-2026-0025", true},
		{"expenses/2026/EXP-2026-0025.yaml", Expense, "EXP-2026-0025", true},
		{"ops/records/expenses/2026/EXP-2026-0025.yaml", Expense, "EXP-2026-0025", true},
		{"records/expenses/2025/EXP-2026-0025.yaml", Expense, "EXP-2026-0025", false},
		{"records/expenses/2025/EXP-2025-0099.yaml", Expense, "EXP-2026-0025", false},
		{"records/expenses/2026/XEXP-2026-0025.yaml", Expense, "EXP-2026-0025", false},
		{"records/complaints/2026/EXP-2026-0025.yaml", Expense, "EXP-2026-0025", false},
		{"records/myexpenses/2026/EXP-2026-0025.yaml", Expense, "EXP-2026-0025", false},
		{"records/people/li.wei.yaml", Person, "li.wei", true},
		{"records/people/x/li.wei.yaml", Person, "li.wei", false},
		{"records/expenses/2026/EXP-2026-0025.yml", Expense, "EXP-2026-0025", false},
	} {
		if got := FiledAt(c.path, c.kind, c.id); got != c.want {
			t.Errorf("FiledAt(%q, %s, %s) = %v", c.path, c.kind, c.id, got)
		}
		if rel := RelPath(c.kind, c.id); c.want != (c.path == rel || strings.HasSuffix(c.path, "/"+rel)) {
			t.Errorf("%q: FiledAt and RelPath disagree", c.path)
		}
	}
}
