package change

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/rules"
)

// An actor whose confidentiality agreement is dated a day that has begun
// somewhere (UTC+14) may act on a confidential record, as the rules take
// every date (StillToCome): judged on a machine keeping Now's zone still
// the day before, the write is not refused; one dated a day still to come
// everywhere is, and the instant it begins is the horizon of the answer
// (a tried move of an inbox kept until then).
func TestNDAOfTheActorStillToCome(t *testing.T) {
	files := map[string]string{}
	for k, v := range dept {
		files[k] = v
	}
	files[".opsbook.yaml"] = "currency: CNY\nrequire_nda: true\n"
	files["records/people/wang.yaml"] += "nda:\n  signed: 2025-01-01\n"
	files["records/people/li.yaml"] += "nda:\n  signed: 2026-11-27\n"
	files["records/expenses/2026/EXP-2026-0009.yaml"] = "kind: expense\nid: EXP-2026-0009\ntitle: t\nstatus: draft\nclassification: confidential\nclaimant: li\ndate: 2026-03-01\ncategory: office\namount: 10.00\n"
	dir := repoWith(t, files)
	utc8 := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		at      time.Time
		refused bool
		horizon time.Time
	}{
		// 21:00 on the 26th in UTC+14: the 27th has begun nowhere
		{time.Date(2026, 11, 26, 15, 0, 0, 0, utc8), true, time.Date(2026, 11, 26, 18, 0, 0, 0, utc8)},
		// 01:00 on the 27th in UTC+14, still the 26th in Shanghai
		{time.Date(2026, 11, 26, 19, 0, 0, 0, utc8), false, time.Time{}},
	} {
		t.Setenv("GIT_AUTHOR_EMAIL", "li@example.com")
		t.Setenv("HOME", dir)
		s, err := Open(context.Background(), dir, false, c.at)
		if err != nil {
			t.Fatal(err)
		}
		h := &rules.Horizon{}
		s.Horizon = h
		rec := s.Get("EXP-2026-0009")
		edits, err := MoveEdits(s, rec, "submitted", "")
		if err == nil {
			err = s.checkNDA(edits[0].Before, rec)
		}
		s.Close()
		var r *Refused
		if got := errors.As(err, &r) && r.Rule == RuleNDARequired; got != c.refused {
			t.Errorf("at %s: refused %v (%v), want %v", c.at, got, err, c.refused)
		}
		if !h.At().Equal(c.horizon) {
			t.Errorf("at %s: horizon %v, want %v", c.at, h.At(), c.horizon)
		}
	}
}
