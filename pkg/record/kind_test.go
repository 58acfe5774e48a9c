package record

import (
	"regexp"
	"strings"
	"testing"
)

// The id shapes as regular expressions: the reference the hand-written
// idParts must agree with.
var (
	refHandle   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	refYearly   = regexp.MustCompile(`^(PRJ|PLN|CMP|APR|EXP)-([0-9]{4})-([0-9]{4,})$`)
	refCustomer = regexp.MustCompile(`^CUS-([0-9]{4,})$`)
	refBudget   = regexp.MustCompile(`^BUD-([0-9]{4})$`)
)

func refKindOfID(id string) (Kind, string, string, bool) {
	if m := refYearly.FindStringSubmatch(id); m != nil {
		for _, ki := range Kinds {
			if ki.Prefix == m[1] {
				return ki.Kind, m[2], m[3], true
			}
		}
	}
	if m := refCustomer.FindStringSubmatch(id); m != nil {
		return Customer, "", m[1], true
	}
	if m := refBudget.FindStringSubmatch(id); m != nil {
		return Budget, m[1], "", true
	}
	if refHandle.MatchString(id) && !strings.Contains(id, "..") {
		return Person, "", "", true
	}
	return "", "", "", false
}

func FuzzIDParts(f *testing.F) {
	for _, s := range []string{
		"EXP-2026-0001", "EXP-2026-001", "EXP-2026-00001", "EXP-202-0001", "EXP-2026-0001x",
		"PRJ-2026-0001", "PLN-2026-0001", "CMP-2026-0001", "APR-2026-0001", "XYZ-2026-0001",
		"CUS-0001", "CUS-001", "CUS-00012", "BUD-2026", "BUD-20266", "BUD-2026-0001",
		"wang.fang", "li-na", "a", "", ".a", "-a", "a..b", "a.b", "Wang", "wang/../x",
		"exp-2026-0001", "EXP-2026-0001\n", "CUS-0001\n", "EXP-٢٠٢٦-0001", "BUD-", "CUS-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		k, y, q, ok := idParts(id)
		rk, ry, rq, rok := refKindOfID(id)
		if k != rk || y != ry || q != rq || ok != rok {
			t.Fatalf("idParts(%q) = %q %q %q %v, the regular expressions say %q %q %q %v", id, k, y, q, ok, rk, ry, rq, rok)
		}
	})
}

func TestIDHelpers(t *testing.T) {
	if got := IDYear("EXP-2026-0042"); got != "2026" {
		t.Errorf("IDYear = %q", got)
	}
	if got := IDYear("BUD-2025"); got != "2025" {
		t.Errorf("IDYear(budget) = %q", got)
	}
	if got := IDSeq("EXP-2026-0042"); got != 42 {
		t.Errorf("IDSeq = %d", got)
	}
	if got := IDSeq("CUS-0107"); got != 107 {
		t.Errorf("IDSeq(customer) = %d", got)
	}
	if got := IDSeq("BUD-2026"); got != -1 {
		t.Errorf("IDSeq(budget) = %d, want -1", got)
	}
	if !ValidID(Person, "wang.fang") || ValidID(Person, "../x") || ValidID(Expense, "EXP-2026-1") {
		t.Error("ValidID disagrees with the id shapes")
	}
}
