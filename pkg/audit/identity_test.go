package audit

import (
	"strings"
	"testing"
)

// TestVerifyKindAndIDFieldsInPlace: a file whose kind or id field is
// edited in place (the file keeps its name and folder) is named. list and
// show read the id the file states, so an approved claim that says `id:
// EXP-2026-0009` would be another claim to them; the rights never judge
// these two fields, which only a renumbering (a move of the file) changes.
// A renumbering itself passes.
func TestVerifyKindAndIDFieldsInPlace(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "approved", "sun.li", "88.00"))
	tr.write(expensePath("EXP-2026-0005"), expense("EXP-2026-0005", "draft", "sun.li", "10.00"))
	imp := tr.commit("wang.fang", "import")

	tr.write(expensePath("EXP-2026-0003"), strings.Replace(expense("EXP-2026-0003", "approved", "sun.li", "420.00"), "id: EXP-2026-0003", "id: EXP-2026-0009", 1))
	id := tr.commit("sun.li", "id in place")
	tr.write(expensePath("EXP-2026-0004"), strings.Replace(expense("EXP-2026-0004", "approved", "sun.li", "88.00"), "kind: expense", "kind: task", 1))
	kind := tr.commit("sun.li", "kind in place")
	// the claimant renumbers her draft: the file moves with its id
	tr.git("rm", "-q", expensePath("EXP-2026-0005"))
	tr.write(expensePath("EXP-2026-0015"), expense("EXP-2026-0015", "draft", "sun.li", "10.00"))
	tr.commit("sun.li", "renumber")

	rep := tr.verify(imp + "..main")
	wantViolations(t, rep, short(id)+" sealed-field EXP-2026-0003", short(kind)+" sealed-field EXP-2026-0004")
	for _, v := range rep.Violations {
		if !strings.Contains(v.Message, "in place") && !strings.Contains(v.Message, "kind never changes") {
			t.Errorf("%s: %s", v.Commit[:7], v.Message)
		}
	}
}
