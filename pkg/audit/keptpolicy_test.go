package audit

import (
	"strings"
	"testing"
)

// A forbidden change of the policy is not laundered by a later accepted
// edit of it that leaves the change in place: under policy_changes:
// leadership the director alone raises the managers' limit, and
// leadership's later, unrelated edit keeps it; the edit is named
// (forbidden-kept, naming the director's commit and the field), and the
// raised limit stays without effect, so zhang.min's approval above the
// old limit is named too, in all history and in a pull request.
func TestVerifyLaterPolicyEditKeepsForbiddenChange(t *testing.T) {
	tr := newTestRepo(t)
	pol := defaultPolicy + "policy_changes: leadership\n"
	tr.people(pol)
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "8000.00"))
	tr.commit("li.wei", "new claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	base := tr.commit("li.wei", "submit")
	tr.write(".opsbook.yaml", pol+"approval_limits: {manager: 9000.00}\n")
	lift := tr.commit("wang.fang", "raise the managers' limit alone")
	tr.write(".opsbook.yaml", pol+"approval_limits: {manager: 9000.00}\ncheck_interval_days: 14\n")
	kept := tr.commit("huang.jianguo", "check every two weeks")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("zhang.min", "approve")
	want := []string{short(lift) + " people-policy ", short(kept) + " forbidden-kept ", short(use) + " approval-limit EXP-2026-0001"}
	rep := tr.verify("")
	wantViolations(t, rep, want...)
	for _, v := range rep.Violations {
		if v.Rule != RuleForbiddenKept {
			continue
		}
		for _, s := range []string{"approval_limits.manager: (none) → 9000.00, by wang.fang in " + lift[:12], "git revert"} {
			if !strings.Contains(v.Message, s) {
				t.Errorf("message %q does not say %q", v.Message, s)
			}
		}
		if v.Field != "approval_limits.manager" || v.Actor != "huang.jianguo" || v.Path != ".opsbook.yaml" || v.Line != 3 {
			t.Errorf("field %q, actor %q, path %q, line %d; want approval_limits.manager, huang.jianguo, .opsbook.yaml, 3", v.Field, v.Actor, v.Path, v.Line)
		}
	}
	wantViolations(t, tr.verify(short(base)+"..HEAD"), want...)

	// undone by leadership, then made by leadership in a commit of its
	// own: accepted, and the limit counts
	tr.git("reset", "-q", "--hard", kept)
	tr.write(".opsbook.yaml", pol+"check_interval_days: 14\n")
	tr.commit("huang.jianguo", "undo the director's change")
	tr.write(".opsbook.yaml", pol+"check_interval_days: 14\napproval_limits: {manager: 9000.00}\n")
	tr.commit("huang.jianguo", "raise the managers' limit")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("zhang.min", "approve")
	wantViolations(t, tr.verify(""), short(lift)+" people-policy ", short(kept)+" forbidden-kept ")
}

// A specialist's change of the policy (default policy_changes: director)
// kept by the director's later edit is named the same way.
func TestVerifyDirectorKeepsSpecialistsPolicyChange(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.write(".opsbook.yaml", defaultPolicy+"receipt_required_above: 5000.00\n")
	lift := tr.commit("li.wei", "no receipts below 5000")
	tr.write(".opsbook.yaml", defaultPolicy+"receipt_required_above: 5000.00\ncheck_interval_days: 14\n")
	kept := tr.commit("wang.fang", "check every two weeks")
	// and a second edit of the file on top of the named one is named again
	tr.write(".opsbook.yaml", defaultPolicy+"receipt_required_above: 5000.00\ncheck_interval_days: 21\n")
	again := tr.commit("wang.fang", "every three weeks")
	rep := tr.verify("")
	wantViolations(t, rep, short(lift)+" people-policy ", short(kept)+" forbidden-kept ", short(again)+" forbidden-kept ")
	for _, v := range rep.Violations {
		if v.Rule == RuleForbiddenKept && !strings.Contains(v.Message, "receipt_required_above: (none) → 5000.00, by li.wei in "+lift[:12]) {
			t.Errorf("message %q does not name li.wei's change", v.Message)
		}
	}
}

// A key written twice in the policy counts as the policy's reader takes
// it, the first: the director's forbidden change written as a second
// approval_limits before the first is the change, and leadership's later
// edit that keeps it is named.
func TestVerifyKeptPolicyChangeWithKeyTwice(t *testing.T) {
	tr := newTestRepo(t)
	pol := defaultPolicy + "policy_changes: leadership\n"
	tr.people(pol + "approval_limits: {manager: 5000.00}\n")
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "8000.00"))
	tr.commit("li.wei", "a claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commit("li.wei", "submit")
	tr.write(".opsbook.yaml", pol+"approval_limits: {manager: 9000.00}\napproval_limits: {manager: 5000.00}\n")
	lift := tr.commit("wang.fang", "raise the managers' limit alone, hidden")
	tr.write(".opsbook.yaml", pol+"approval_limits: {manager: 9000.00}\napproval_limits: {manager: 5000.00}\ncheck_interval_days: 14\n")
	kept := tr.commit("huang.jianguo", "check every two weeks")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("zhang.min", "approve")
	wantViolations(t, tr.verify(""), short(lift)+" people-policy ", short(kept)+" forbidden-kept ", short(use)+" approval-limit EXP-2026-0001")
}
