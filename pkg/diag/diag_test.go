package diag

import "testing"

func TestSortAndCount(t *testing.T) {
	ds := []Diagnostic{
		{Path: "b.yaml", Line: 1, Column: 1, Severity: Error, Rule: "x", Message: "m"},
		{Path: "a.yaml", Line: 9, Column: 1, Severity: Warning, Rule: "y", Message: "m"},
		{Path: "a.yaml", Line: 2, Column: 3, Severity: Error, Rule: "z", Message: "m"},
		{Path: "a.yaml", Line: 2, Column: 3, Severity: Error, Rule: "z", Message: "m"},
	}
	ds = Sort(ds)
	if len(ds) != 3 || ds[0].Line != 2 || ds[2].Path != "b.yaml" {
		t.Fatalf("sorted = %v", ds)
	}
	if e, w := Count(ds); e != 2 || w != 1 {
		t.Fatalf("count = %d %d", e, w)
	}
	if s := ds[0].String(); s != "a.yaml:2:3: error: m [z]" {
		t.Fatalf("String = %q", s)
	}
}
