package render

import (
	"bytes"
	"strings"
	"testing"
)

func TestBarsOnlyWhenTheyFit(t *testing.T) {
	p := &Page{Sections: []Section{{
		Table: &Table{Headers: []string{"CATEGORY", "USED %"}, Rows: [][]string{{"marketing", "10.9"}}},
		Bars:  []float64{10.9},
	}}}
	var wide, narrow bytes.Buffer
	if err := WritePageWidth(&wide, p, true, Colors{}, 120); err != nil {
		t.Fatal(err)
	}
	if err := WritePageWidth(&narrow, p, true, Colors{}, 30); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wide.String(), "█") {
		t.Errorf("no bar on a wide terminal:\n%s", wide.String())
	}
	if strings.Contains(narrow.String(), "█") || strings.Contains(narrow.String(), "░") {
		t.Errorf("bar on a 30-column terminal:\n%s", narrow.String())
	}
}
