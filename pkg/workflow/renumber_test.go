package workflow

import (
	"testing"
)

// TestRenumberIsForTheOwnerTheDirectorAndLeadership: a record's id is
// changed by the person it belongs to, the director or leadership; a
// colleague, finance or a manager may not renumber another's record, and
// only the director or leadership rename a person.
func TestRenumberIsForTheOwnerTheDirectorAndLeadership(t *testing.T) {
	claim := expense(t, "submitted", "li.wei", "600.00")
	cases := []struct {
		name  string
		actor Actor
		rule  string
	}{
		{"the claimant", specialist, ""},
		{"the director", director, ""},
		{"leadership", leadership, ""},
		{"a colleague", other, RuleRenumber},
		{"the claimant's manager", manager, RuleRenumber},
		{"finance", finance, RuleRenumber},
	}
	for _, c := range cases {
		rf := CheckRenumber(c.actor, claim)
		got := ""
		if rf != nil {
			got = rf.Rule
		}
		if got != c.rule {
			t.Errorf("%s: rule %q, want %q (%v)", c.name, got, c.rule, rf)
		}
	}
	person := parse(t, "kind: person\nid: zhao.lei\nname: 趙磊\nrole: specialist\nemails: [zhao.lei@example.com]\n")
	if rf := CheckRenumber(other, person); rf == nil || rf.Rule != RulePeoplePolicy {
		t.Errorf("a person renaming themselves: %v", rf)
	}
	if rf := CheckRenumber(director, person); rf != nil {
		t.Errorf("the director renaming a person: %v", rf)
	}
	budget := parse(t, "kind: budget\nid: BUD-2026\ntitle: 2026\nstatus: draft\nyear: 2026\ncurrency: CNY\nlines: []\n")
	if rf := CheckRenumber(manager, budget); rf == nil || rf.Rule != RuleRenumber {
		t.Errorf("a manager renumbering the budget: %v", rf)
	}
}
