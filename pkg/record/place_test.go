package record

import "testing"

// The folder decides the kind, and a file in no kind's folder is no record
// of any kind: an expense in records/misc/ is not counted, and a person
// anywhere but directly in people/ under their own handle is nobody. The
// registry verify judges commits by is read from people/ by file name, so a
// person planted elsewhere (or under another name) must not give anyone a
// role or an email in the commands either.
func TestCheckPlaceKind(t *testing.T) {
	for _, c := range []struct {
		path, src string
		want      Kind
		errors    bool
	}{
		{"records/expenses/2026/EXP-2026-0001.yaml", "kind: expense\nid: EXP-2026-0001\n", Expense, false},
		{"records/misc/EXP-2026-0099.yaml", "kind: expense\nid: EXP-2026-0099\n", "", true},
		{"records/EXP-2026-0099.yaml", "kind: expense\nid: EXP-2026-0099\n", "", true},
		{"records/people/li.wei.yaml", "kind: person\nid: li.wei\n", Person, false},
		{"records/misc/boss.yaml", "kind: person\nid: boss\n", "", true},
		{"records/people/x/boss.yaml", "kind: person\nid: boss\n", "", true},
		{"records/people/boss.yaml", "kind: person\nid: li.wei\n", "", true},
		// A wrong year folder keeps the kind: verify judges it as one.
		{"records/expenses/2025/EXP-2026-0002.yaml", "kind: expense\nid: EXP-2026-0002\n", Expense, true},
	} {
		rec, ds := Parse(c.path, []byte(c.src))
		if rec == nil || len(ds) > 0 {
			t.Fatalf("%s: %v", c.path, ds)
		}
		ds = CheckPlace(rec, "records")
		if rec.Kind != c.want || (len(ds) > 0) != c.errors {
			t.Errorf("%s: kind %q with %v, want %q (errors: %v)", c.path, rec.Kind, ds, c.want, c.errors)
		}
	}
}
