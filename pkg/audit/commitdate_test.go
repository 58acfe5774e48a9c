package audit

import (
	"testing"
	"time"
)

// A commit dated before its parent was dated by hand: every stamp a move
// writes is checked against that date, so it is named. A lag within the
// clock skew of two machines passes.
func TestVerifyCommitDate(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "draft", "sun.li", "88.00"))
	imp := tr.commit("wang.fang", "import")

	tr.edit(expensePath("EXP-2026-0004"), "title: 上海客戶拜訪差旅", "title: 上海客戶拜訪差旅 (taxi)")
	tr.when = tr.when.Add(-90 * time.Minute) // 30 minutes behind its parent
	tr.commit("sun.li", "skewed clock")

	tr.edit(expensePath("EXP-2026-0004"), "title: 上海客戶拜訪差旅 (taxi)", "title: 上海客戶拜訪差旅 (taxi home)")
	tr.when = tr.when.Add(-10 * 24 * time.Hour)
	back := tr.commit("sun.li", "back-dated")

	// A commit that changes no record is not judged, whatever its date.
	tr.write("notes.txt", "x")
	tr.when = tr.when.Add(-10 * 24 * time.Hour)
	tr.commit("sun.li", "notes")

	wantViolations(t, tr.verify(imp+"..main"), short(back)+" commit-date EXP-2026-0004")
}
