package record

import "testing"

// TestParseLeanCopies guards what pkg/repo relies on to read every file
// into one reused buffer: a lean record keeps its own copy of the text, on
// the fast route and the full one.
func TestParseLeanCopies(t *testing.T) {
	for _, src := range []string{
		"kind: expense\nid: EXP-2026-0001\ntitle: Taxi\namount: 12.50\ntags: [a, b]\n",
		"kind: expense\nid: EXP-2026-0001\ntitle: \"Taxi\\tfare\"\namount: 12.50\n", // an escape: the full route
	} {
		data := []byte(src)
		rec, ds := ParseLean("records/expenses/2026/EXP-2026-0001.yaml", data)
		if rec == nil || len(ds) > 0 {
			t.Fatalf("ParseLean(%q): %v", src, ds)
		}
		for i := range data {
			data[i] = 'x'
		}
		if rec.Source() != src || rec.ID != "EXP-2026-0001" || rec.Str("amount") != "12.50" || rec.Str("title") == "" || rec.Str("title")[0] == 'x' {
			t.Errorf("record changed with the buffer it was parsed from: source %q, data %v", rec.Source(), rec.Data)
		}
	}
}
