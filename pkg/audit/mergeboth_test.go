package audit

import (
	"testing"
)

// Both sides change the claimant's note of an approved claim, and the
// merger (her manager, who may not edit the note) resolves the conflict
// as git's own resolutions do, keeping one side's note: the merge holds a
// note someone allowed wrote, and is not named for the other's. The
// payment made on a branch and dropped by a merge is named as before.
func TestVerifyMergeKeepsOneSidesValueOfAFieldBothChanged(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "400.00")+"note: taxi\n")
	tr.commit("wang.fang", "import")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	base := tr.commit("zhang.min", "approve")
	tr.git("checkout", "-q", "-b", "side")
	tr.edit(expensePath("EXP-2026-0001"), "note: taxi", "note: taxi, card ref 123")
	side := tr.commit("li.wei", "note on a branch")
	tr.git("checkout", "-q", "main")
	tr.edit(expensePath("EXP-2026-0001"), "note: taxi", "note: taxi to the airport")
	main := tr.commit("li.wei", "note on main")

	// ours: the merge holds the first parent's version of the file
	tr.forge("zhang.min", "merge, the conflict resolved as ours", main, side)
	wantViolations(t, tr.verify(base+"..HEAD"))

	// theirs: the side's version (the first parent's note dropped)
	tr.git("reset", "-q", "--hard", main)
	tr.git("checkout", side, "--", expensePath("EXP-2026-0001"))
	tr.forge("zhang.min", "merge, the conflict resolved as theirs", main, side)
	wantViolations(t, tr.verify(base+"..HEAD"))

	// a note neither side wrote is the merger's own edit, named
	tr.git("reset", "-q", "--hard", main)
	tr.edit(expensePath("EXP-2026-0001"), "note: taxi to the airport", "note: something else")
	own := tr.forge("zhang.min", "merge, a note of the merger's", main, side)
	wantViolations(t, tr.verify(base+"..HEAD"), short(own)+" edit-right EXP-2026-0001", short(own)+" edit-right EXP-2026-0001")
}

// Both sides add a visit to a customer; the merge keeps both, the first
// parent's first, as a resolution of git's conflict at the list's end
// does: neither visit is dropped or changed, nothing is named. A merge
// that drops the side's visit is named.
func TestVerifyMergeKeepsBothAppends(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	const cus = "records/customers/CUS-0001.yaml"
	const head = "kind: customer\nid: CUS-0001\nname: 杭州青禾貿易\nstatus: active\nvisits:\n  - date: 2026-03-01\n    by: li.wei\n"
	v1 := "  - date: 2026-03-02\n    by: li.wei\n    note: first\n"
	v2 := "  - date: 2026-03-03\n    by: sun.li\n    note: second\n"
	tr.write(cus, head)
	base := tr.commit("wang.fang", "import")
	tr.git("checkout", "-q", "-b", "side")
	tr.write(cus, head+v2)
	side := tr.commit("sun.li", "a visit")
	tr.git("checkout", "-q", "main")
	tr.write(cus, head+v1)
	main := tr.commit("li.wei", "a visit")
	tr.write(cus, head+v1+v2)
	tr.forge("li.wei", "merge, both visits", main, side)
	wantViolations(t, tr.verify(base+"..HEAD"))

	tr.git("reset", "-q", "--hard", main)
	tr.write(cus, head+v1)
	dropped := tr.forge("li.wei", "merge -s ours", main, side)
	got := tr.verify(base + "..HEAD")
	if len(got.Violations) == 0 || got.Violations[0].Commit != dropped {
		t.Errorf("the dropped visit is not named: %v", violationList(got))
	}
}

// What the rule for conflicts does not pass: a merge that takes the
// side's version whole drops a payment made on main (the state is never
// one side's value over the other's), and a merge that takes the side's
// amount into the claim main approved holds a claim nobody approved.
func TestVerifyMergeConflictResolutionsThatStayNamed(t *testing.T) {
	tr, base, pay := claimPaidAndNoted(t)
	// pay is the branch: main (li.wei's note) merged into it, the note's
	// version whole, by finance
	tr.git("checkout", "-q", "pay")
	tr.git("checkout", "main", "--", expensePath("EXP-2026-0001"))
	theirs := tr.forge("he.jing", "merge main, theirs", pay, "main")
	wantViolations(t, tr.verify(base+"..HEAD"), short(theirs)+" final-state EXP-2026-0001")

	tr = newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "400.00"))
	base = tr.commit("wang.fang", "import")
	tr.git("checkout", "-q", "-b", "side")
	tr.edit(expensePath("EXP-2026-0001"), "amount: 400.00", "amount: 4900.00")
	side := tr.commit("li.wei", "amount on a branch")
	tr.git("checkout", "-q", "main")
	tr.edit(expensePath("EXP-2026-0001"), "amount: 400.00", "amount: 100.00")
	tr.commit("li.wei", "amount")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commit("li.wei", "submit")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	main := tr.commit("zhang.min", "approve")
	tr.edit(expensePath("EXP-2026-0001"), "amount: 100.00", "amount: 4900.00")
	mixed := tr.forge("li.wei", "merge, the amount as theirs", main, side)
	rep := tr.verify(base + "..HEAD")
	named := false
	for _, v := range rep.Violations {
		named = named || v.Commit == mixed && v.Record == "EXP-2026-0001"
	}
	if !named {
		t.Errorf("the approved claim with the branch's amount is not named: %v", violationList(rep))
	}
}

// A person file is never resolved so: li.wei adds an email to herself on
// main (forbidden), the director adds another on a branch, and the
// director's merge that keeps both is judged as before, named for keeping
// li.wei's change.
func TestVerifyMergeOfPeopleIsJudgedAsBefore(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	base := tr.commit("wang.fang", "import")
	const p = "records/people/li.wei.yaml"
	tr.git("checkout", "-q", "-b", "side")
	tr.edit(p, "emails: [li.wei@example.com]", "emails:\n  - li.wei@example.com\n  - wei.li@example.com")
	tr.commit("wang.fang", "a second email")
	tr.git("checkout", "-q", "main")
	tr.edit(p, "emails: [li.wei@example.com]", "emails:\n  - li.wei@example.com\n  - mallory@example.org")
	self := tr.commit("li.wei", "an email of my own")
	tr.edit(p, "  - mallory@example.org", "  - mallory@example.org\n  - wei.li@example.com")
	m := tr.forge("wang.fang", "merge, both emails", self, "side")
	wantViolations(t, tr.verify(base+"..HEAD"), short(self)+" people-policy li.wei", short(m)+" forbidden-kept li.wei")
	wantViolations(t, tr.verify(""), short(self)+" people-policy li.wei", short(m)+" forbidden-kept li.wei")

	// the other way round: main merged into the branch, li.wei's change
	// in the merge's second parent
	tr.git("checkout", "-q", "side")
	tr.edit(p, "  - wei.li@example.com", "  - mallory@example.org\n  - wei.li@example.com")
	into := tr.forge("wang.fang", "merge main, both emails", tr.git("rev-parse", "side"), self)
	wantViolations(t, tr.verify(""), short(self)+" people-policy li.wei", short(into)+" forbidden-kept li.wei")
}

// A value li.wei gave herself on main (forbidden) that the director also
// gave her on a branch is the director's in their merge: the merge is not
// named, and the role counts after it.
func TestVerifyMergeOfAForbiddenValueAlsoGranted(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	base := tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "sun.li", "300.00"))
	tr.commit("sun.li", "new claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commit("sun.li", "submit")
	const p = "records/people/li.wei.yaml"
	tr.git("checkout", "-q", "-b", "side", base)
	tr.edit(p, "role: specialist", "role: manager")
	tr.edit(p, "forge: liwei", "forge: liwei2")
	tr.commit("wang.fang", "li.wei is a manager, with a new forge account")
	tr.git("checkout", "-q", "main")
	tr.edit(p, "role: specialist", "role: manager")
	self := tr.commit("li.wei", "promote myself")
	tr.merge("wang.fang", "side")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("li.wei", "approve")
	wantViolations(t, tr.verify(""), short(self)+" people-policy li.wei")
}
