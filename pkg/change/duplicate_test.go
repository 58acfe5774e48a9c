package change

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A second appraisal of one employee for one period (and project) is
// refused when written, near (through the index) and whole alike: created
// alone, created two at once, or made by moving a draft's period; a
// change keeping the key of an appraisal already duplicated is not.
func TestDuplicateAppraisalRefused(t *testing.T) {
	apr := func(id, period string) string {
		return "kind: appraisal\nid: " + id + "\ntitle: t\nstatus: draft\nemployee: li\nappraiser: wang\n" + period + "indicators:\n  - name: a\n    weight: 100\n    score: 80\n"
	}
	files := map[string]string{}
	for k, v := range dept {
		files[k] = v
	}
	files["records/appraisals/2026/APR-2026-0001.yaml"] = apr("APR-2026-0001", "period: 2026-H1\n")
	files["records/appraisals/2026/APR-2026-0002.yaml"] = apr("APR-2026-0002", "period: 2026-H2\n")
	// already duplicated (by hand): project PRJ-less 2025-H2 twice
	files["records/appraisals/2025/APR-2025-0001.yaml"] = apr("APR-2025-0001", "period: 2025-H2\n")
	files["records/appraisals/2025/APR-2025-0002.yaml"] = apr("APR-2025-0002", "period: 2025-H2\n")
	dir := repoWith(t, files)
	for _, whole := range []bool{false, true} {
		t.Setenv("GIT_AUTHOR_EMAIL", "wang@example.com")
		t.Setenv("HOME", dir)
		s, err := OpenWith(context.Background(), dir, Options{Now: now, NoIndex: whole})
		if err != nil {
			t.Fatal(err)
		}
		if s.Near() == whole {
			t.Fatalf("whole=%v: near %v", whole, s.Near())
		}
		refused := func(what string, edits []Edit, many bool, want string) {
			t.Helper()
			msg := Message{Kind: "appraisal", ID: "X", Action: "test"}
			if many {
				msg.Many = []Line{{ID: "A"}, {ID: "B"}}
			}
			err := s.Check(edits, msg)
			var r *Refused
			switch {
			case want == "" && err != nil:
				t.Errorf("whole=%v %s: %v", whole, what, err)
			case want != "" && (!errors.As(err, &r) || r.Rule != RuleAppraisalDuplicate || !strings.Contains(err.Error(), want)):
				t.Errorf("whole=%v %s: want %q, got %v", whole, what, want, err)
			}
		}
		newOne := Edit{Path: "records/appraisals/2026/APR-2026-0003.yaml", Data: []byte(apr("APR-2026-0003", "period: 2026-H1\n"))}
		refused("new", []Edit{newOne}, false, "APR-2026-0003 would be a second appraisal of li for 2026-H1, beside APR-2026-0001")
		other := Edit{Path: "records/appraisals/2026/APR-2026-0004.yaml", Data: []byte(apr("APR-2026-0004", "period: 2027-H1\n"))}
		refused("new, another period", []Edit{other}, false, "")
		twin := Edit{Path: "records/appraisals/2026/APR-2026-0004.yaml", Data: []byte(apr("APR-2026-0004", "period: 2026-Q3\n"))}
		twin2 := Edit{Path: "records/appraisals/2026/APR-2026-0005.yaml", Data: []byte(apr("APR-2026-0005", "period: 2026-Q3\n"))}
		refused("two new at once", []Edit{twin, twin2}, true, "beside APR-2026-0004")
		moved := Edit{Path: "records/appraisals/2026/APR-2026-0002.yaml", Before: s.Get("APR-2026-0002"), Data: []byte(apr("APR-2026-0002", "period: 2026-H1\n"))}
		refused("period moved", []Edit{moved}, false, "beside APR-2026-0001")
		// the two swap periods in one change: no duplicate after it
		swapA := Edit{Path: "records/appraisals/2026/APR-2026-0001.yaml", Before: s.Get("APR-2026-0001"), Data: []byte(apr("APR-2026-0001", "period: 2026-H2\n"))}
		refused("swapped", []Edit{moved, swapA}, true, "")
		kept := Edit{Path: "records/appraisals/2025/APR-2025-0002.yaml", Before: s.Get("APR-2025-0002"), Data: []byte(strings.Replace(apr("APR-2025-0002", "period: 2025-H2\n"), "title: t", "title: u", 1))}
		refused("a duplicate's key kept", []Edit{kept}, false, "")
		s.Close()
	}
}
