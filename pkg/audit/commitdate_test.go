package audit

import (
	"context"
	"strings"
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

// A commit dated in the future of the check is named, whatever it
// changes: a commit is not made in the future. The honest commits after it, dated by the clock, are not back-dated
// for it; a commit dated before the history the forward one follows still
// is.
func TestVerifyFutureDate(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "draft", "sun.li", "88.00"))
	imp := tr.commit("wang.fang", "import")
	now := tr.when.Add(24 * time.Hour)

	honest := tr.when
	tr.write("notes.txt", "x")
	tr.when = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	notes := tr.commit("sun.li", "notes, dated 2099")
	tr.edit(expensePath("EXP-2026-0004"), "title: 上海客戶拜訪差旅", "title: 上海客戶拜訪差旅 (taxi)")
	claim := tr.commit("sun.li", "a claim's edit, dated 2099")

	// Back to the clock: the next commits are an hour apart again.
	tr.when = honest
	tr.edit(expensePath("EXP-2026-0004"), "(taxi)", "(taxi home)")
	tr.commit("sun.li", "honest")
	tr.edit(expensePath("EXP-2026-0004"), "(taxi home)", "(taxi back)")
	tr.when = tr.when.Add(-10 * 24 * time.Hour)
	back := tr.commit("sun.li", "back-dated")

	rep, err := tr.open().Verify(context.Background(), VerifyOptions{Range: imp + "..main", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	wantViolations(t, rep,
		short(notes)+" commit-date ",
		short(claim)+" commit-date EXP-2026-0004",
		short(back)+" commit-date EXP-2026-0004",
	)
	for _, v := range rep.Violations {
		if strings.HasPrefix(v.Commit, notes) && (v.Path != "notes.txt" || v.Actor != "sun.li" || !strings.Contains(v.Message, "2099-01-01T01:00:00Z, after this check")) {
			t.Errorf("future-dated commit named as %+v", v)
		}
	}
}
