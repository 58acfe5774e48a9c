package workflow

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// approval is the change of approving a submitted claim.
func approval(t *testing.T, id, claimant, date, amount, receipt string) Change {
	t.Helper()
	f := map[string]string{"title": "x", "claimant": claimant, "date": date, "category": "office", "amount": amount, "status": "submitted"}
	if receipt != "" {
		f["receipt"] = receipt
	}
	before := build(t, record.Expense, id, f)
	f["status"] = "approved"
	return Change{Before: before, After: build(t, record.Expense, id, f)}
}

func TestCheckChangesTogether(t *testing.T) {
	a := approval(t, "EXP-2026-0101", "li.wei", "2026-11-20", "3000.00", "")
	b := approval(t, "EXP-2026-0102", "li.wei", "2026-11-20", "2500.00", "")
	c := approval(t, "EXP-2026-0103", "zhao.lei", "2026-11-20", "2500.00", "")
	d := approval(t, "EXP-2026-0104", "zhao.lei", "2026-11-21", "2600.00", "attachments/EXP-2026-0104/r.pdf")
	e := approval(t, "EXP-2026-0105", "zhou.jie", "2026-11-22", "2600.00", "attachments/EXP-2026-0104/r.pdf")
	small := approval(t, "EXP-2026-0106", "li.wei", "2026-11-20", "100.00", "")
	cases := []struct {
		name    string
		actor   Actor
		changes []Change
		refused []string // ids refused approval-limit
	}{
		{"apart each passes", manager, []Change{a}, nil},
		{"one claimant one day over the limit", manager, []Change{a, b}, []string{"EXP-2026-0101", "EXP-2026-0102"}},
		{"another claimant the same day is another expense", manager, []Change{a, c}, nil},
		{"a shared receipt across claimants and days", manager, []Change{d, e}, []string{"EXP-2026-0104", "EXP-2026-0105"}},
		{"a group within the limit", manager, []Change{a, small}, nil},
		{"the director's limit holds the sum", director, []Change{a, b}, nil},
		{"leadership has no limit", leadership, []Change{a, b, small}, nil},
		{"three parts, two of them enough", manager, []Change{a, b, small, c}, []string{"EXP-2026-0101", "EXP-2026-0102", "EXP-2026-0106"}},
		// verify judges a merge's change of a claim from the first
		// parent's version and from another side's: one claim, once
		{"one claim judged twice is one", manager, []Change{a, approval(t, "EXP-2026-0101", "li.wei", "2026-11-20", "3000.00", "")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range CheckChanges(tc.actor, tc.changes, Env{People: people}) {
				if r.Rule != RuleApprovalLimit || r.Field != "amount" || !strings.Contains(r.Message, "together with") {
					t.Fatalf("unexpected refusal: %+v", r)
				}
				got = append(got, r.ID)
			}
			if strings.Join(got, ",") != strings.Join(tc.refused, ",") {
				t.Fatalf("refused %v, want %v", got, tc.refused)
			}
		})
	}
}

// A claim over the limit by itself is refused once, by its own limit, and
// does not drag its day's other claims in.
func TestCheckChangesTogetherOverLimitAlone(t *testing.T) {
	big := approval(t, "EXP-2026-0111", "li.wei", "2026-11-20", "6000.00", "")
	small := approval(t, "EXP-2026-0112", "li.wei", "2026-11-20", "100.00", "")
	rs := CheckChanges(manager, []Change{big, small}, Env{People: people})
	if len(rs) != 1 || rs[0].ID != "EXP-2026-0111" || strings.Contains(rs[0].Message, "together") {
		t.Fatalf("refusals: %+v", rs)
	}
}

// A refusal of many claims approved together names the first groupNames
// of the others and of the group, and counts the rest: approving a
// thousand parts of one expense does not print a thousand ids on each of
// the thousand refusals.
func TestCheckChangesTogetherNamesAFew(t *testing.T) {
	const n = groupNames + 5
	var changes []Change
	for i := range n {
		changes = append(changes, approval(t, fmt.Sprintf("EXP-2026-%04d", 200+i), "li.wei", "2026-11-20", "900.00", ""))
	}
	rs := CheckChanges(manager, changes, Env{People: people})
	if len(rs) != n {
		t.Fatalf("want %d refusals, got %d: %+v", n, len(rs), rs)
	}
	for _, r := range rs {
		if !strings.Contains(r.Message, fmt.Sprintf("and %d more records", n-1-groupNames)) || !strings.Contains(r.Message, fmt.Sprintf("and %d more records", n-groupNames)) {
			t.Fatalf("%s: the refusal does not name a few and count the rest: %s", r.ID, r.Message)
		}
		if c := strings.Count(r.Message, "EXP-2026-"); c > 1+2*groupNames {
			t.Fatalf("%s: the refusal names %d ids: %s", r.ID, c, r.Message)
		}
	}
}

// In Chinese the few claims named end in the count's bracket, and the
// sentence goes on without a space: 「…（另有 4 筆）一併核准」.
func TestCheckChangesTogetherNamesAFewInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	var changes []Change
	for i := range groupNames + 5 {
		changes = append(changes, approval(t, fmt.Sprintf("EXP-2026-%04d", 300+i), "li.wei", "2026-11-20", "900.00", ""))
	}
	rs := CheckChanges(manager, changes, Env{People: people})
	if len(rs) == 0 {
		t.Fatal("nothing refused")
	}
	for _, r := range rs {
		if !strings.Contains(r.Text, "（另有 4 筆）一併核准") || strings.Contains(r.Text, "筆） ") {
			t.Fatalf("%s: %s", r.ID, r.Text)
		}
	}
}
