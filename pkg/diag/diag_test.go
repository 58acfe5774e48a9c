package diag

import (
	"encoding/json"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

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

func TestHumanText(t *testing.T) {
	d := Diagnostic{Path: "a.yaml", Line: 1, Column: 2, Severity: Error, Rule: "r", Message: "english"}
	if d.Human() != "english" || d.String() != "a.yaml:1:2: error: english [r]" {
		t.Fatalf("without Text: %q, %q", d.Human(), d.String())
	}
	d.Text = "中文"
	if d.Human() != "中文" || d.String() != "a.yaml:1:2: error: 中文 [r]" {
		t.Fatalf("with Text: %q, %q", d.Human(), d.String())
	}
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	if s := d.String(); s != "a.yaml:1:2: 錯誤: 中文 [r]" {
		t.Fatalf("in Chinese: %q", s)
	}
	b, err := json.Marshal(d)
	if err != nil || string(b) != `{"path":"a.yaml","line":1,"column":2,"severity":"error","rule":"r","message":"english","record":""}` {
		t.Fatalf("JSON holds the English only: %s %v", b, err)
	}
}

// Equal findings are kept once even when a finding differing only in
// severity (or record, field, text) came between them.
func TestSortDropsDuplicatesApart(t *testing.T) {
	a := Diagnostic{Path: "p", Line: 1, Column: 1, Severity: Error, Rule: "r", Message: "m"}
	w := a
	w.Severity = Warning
	f := a
	f.Field = "x"
	got := Sort([]Diagnostic{a, w, a, f, w, a})
	if len(got) != 3 {
		t.Errorf("Sort kept %d of a, w, a, f, w, a; want 3 (a, w, f): %v", len(got), got)
	}
}
