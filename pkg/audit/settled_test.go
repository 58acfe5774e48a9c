package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// A self-granted role that reached main anyway (pushed past the check)
// does not count in a later pull request: BASE's rules are those its
// accepted history leaves, as in a verify of all history. li.wei's
// approval on the branch is named, and so is the director's edit on the
// branch that keeps her grant.
func TestVerifyRangeBaseSelfGrantOnMain(t *testing.T) {
	tr := submittedClaim(t)
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	grant := tr.commit("li.wei", "promote myself, pushed to main")
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "-b", "pr")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("li.wei", "approve")
	tr.edit("records/people/li.wei.yaml", "emails: [li.wei@example.com]", "emails: [li.wei@example.com, wei.li@example.com]")
	kept := tr.commit("wang.fang", "a second email")
	rep := tr.verify(base + "..HEAD")
	wantViolations(t, rep, short(use)+" move-role EXP-2026-0001", short(kept)+" forbidden-kept li.wei")
	if len(rep.Withheld) != 1 || rep.Withheld[0] != (Withheld{Path: "records/people/li.wei.yaml", Commit: grant}) {
		t.Errorf("withheld %v, want li.wei's file by %s", rep.Withheld, grant[:7])
	}
	// and so by each commit's parent
	var err error
	rep, err = tr.open().Verify(t.Context(), VerifyOptions{Range: base + "..HEAD", RulesFrom: RulesFromParent})
	if err != nil {
		t.Fatal(err)
	}
	wantViolations(t, rep, short(use)+" move-role EXP-2026-0001", short(kept)+" forbidden-kept li.wei")
	// all history agrees
	wantViolations(t, tr.verify(""), short(grant)+" people-policy li.wei", short(use)+" move-role EXP-2026-0001", short(kept)+" forbidden-kept li.wei")

	// undone on main by the director: the range is judged by BASE's files
	// again, and li.wei's approval is named for her role as a specialist
	tr.git("checkout", "-q", "main")
	tr.edit("records/people/li.wei.yaml", "role: manager", "role: specialist")
	tr.commit("wang.fang", "undo li.wei's grant")
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	base = tr.commit("wang.fang", "li.wei is a manager")
	tr.git("checkout", "-q", "-b", "pr2")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("li.wei", "approve")
	rep = tr.verify(base + "..HEAD")
	wantViolations(t, rep)
	if len(rep.Withheld) != 0 {
		t.Errorf("withheld %v after the grant was undone", rep.Withheld)
	}
}

// A limit the director raised alone under policy_changes: leadership, on
// main, stays without effect in a later pull request.
func TestVerifyRangeBaseForbiddenPolicyOnMain(t *testing.T) {
	tr := newTestRepo(t)
	pol := defaultPolicy + "policy_changes: leadership\n"
	tr.people(pol)
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "8000.00"))
	tr.commit("li.wei", "a claim")
	tr.write(".opsbook.yaml", pol+"approval_limits: {manager: 9000.00}\n")
	base := tr.commit("wang.fang", "raise the managers' limit alone")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("zhang.min", "approve")
	wantViolations(t, tr.verify(base+"..HEAD"), short(use)+" approval-limit EXP-2026-0001")
}

// A department whose records came after its first commit (an import on
// top of other history) is founded by the commit that brings the first
// people, whoever made it: verify IMPORT..HEAD judges by IMPORT's
// registry, as before, and all history judges the import by its own.
// Deleting every person and bringing a registry of one's own later founds
// nothing: the deletion is forbidden, so the rules never hold nobody.
func TestVerifyRangeBaseFoundedByImport(t *testing.T) {
	tr := newTestRepo(t)
	tr.write("README.md", "tools\n")
	tr.commitAs("Admin", "admin@example.org", "tools")
	tr.write(".opsbook.yaml", defaultPolicy+"check_interval_days: 14\n")
	tr.commitAs("Admin", "admin@example.org", "a policy, before any people")
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "sun.li", "300.00"))
	tr.git("add", "-A")
	imp := tr.commitAs("Admin", "admin@example.org", "import the department")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("chen.hao", "approve")
	wantViolations(t, tr.verify(imp+"..HEAD"))
	rep := tr.verify("")
	for _, v := range rep.Violations {
		if v.Commit != imp {
			t.Errorf("all history names %s %s %s; only the import's own changes may be", v.Commit[:7], v.Rule, v.Record)
		}
	}

	// the attack: every person deleted by li.wei, then a registry where
	// she is the director; her approval on a later branch is hers as a
	// specialist
	for _, p := range []string{"wang.fang", "zhang.min", "chen.hao", "huang.jianguo", "he.jing", "li.wei", "sun.li"} {
		if err := os.Remove(filepath.Join(tr.dir, "records/people", p+".yaml")); err != nil {
			t.Fatal(err)
		}
	}
	tr.git("add", "-A")
	gone := tr.commit("li.wei", "nobody")
	tr.write("records/people/li.wei.yaml", person("li.wei", "director", "", "", ""))
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "submitted", "sun.li", "300.00"))
	back := tr.commit("li.wei", "a department of my own")
	tr.edit(expensePath("EXP-2026-0002"), "status: submitted", "status: approved")
	use := tr.commit("li.wei", "approve")
	rep = tr.verify(back + "..HEAD")
	wantViolations(t, rep, short(use)+" move-role EXP-2026-0002")
	_ = gone
}

// A branch whose first parents lead to a root of its author's making (a
// registry where mallory is the director), merged with BASE, founds
// nothing, by BASE's rules or by each commit's parent: the root it brings
// is judged by BASE's root's registry.
func TestVerifyRangeForgedRootFoundsNothing(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "300.00"))
	base := tr.commit("wang.fang", "import")
	tr.git("checkout", "-q", "--orphan", "forged")
	tr.write("records/people/mallory.yaml", person("mallory", "director", "", "", ""))
	tr.commit("mallory", "a department of my own")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	approve := tr.commit("mallory", "approve")
	tr.git("checkout", "-q", "main")
	tree := tr.git("rev-parse", approve+"^{tree}")
	head := tr.gitEnv([]string{"GIT_AUTHOR_NAME=mallory", "GIT_AUTHOR_EMAIL=mallory@example.com", "GIT_COMMITTER_NAME=mallory", "GIT_COMMITTER_EMAIL=mallory@example.com",
		"GIT_AUTHOR_DATE=2026-03-03T09:00:00+08:00", "GIT_COMMITTER_DATE=2026-03-03T09:00:00+08:00"},
		"commit-tree", tree, "-p", approve, "-p", base, "-m", "merge main")
	for _, from := range []string{RulesFromBase, RulesFromParent} {
		rep, err := tr.open().Verify(t.Context(), VerifyOptions{Range: base + ".." + head, RulesFrom: from})
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, v := range rep.Violations {
			if v.Commit == approve && v.Record == "EXP-2026-0001" {
				named = true
			}
		}
		if !named {
			t.Errorf("rules from %s: the approval on the forged root is not named: %v", from, violationList(rep))
		}
	}
}

// Two forbidden changes of one file on two branches: each stays without
// effect where a tree holds it. li.wei grants herself a role on main, edits
// her file again on one branch (built on the grant) and approves a claim
// on another that still holds the grant: the approval is named, however
// the branches are ordered.
func TestVerifyForbiddenChangesOnTwoBranches(t *testing.T) {
	tr := submittedClaim(t)
	const p = "records/people/li.wei.yaml"
	tr.edit(p, "role: specialist", "role: manager")
	grant := tr.commit("li.wei", "promote myself")
	tr.git("checkout", "-q", "-b", "b")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("li.wei", "approve")
	tr.git("checkout", "-q", "main")
	tr.edit(p, "forge: liwei", "forge: liwei2")
	again := tr.commit("li.wei", "and a new forge account")
	tr.merge("wang.fang", "b")
	want := []string{short(grant) + " people-policy li.wei", short(again) + " people-policy li.wei", short(use) + " move-role EXP-2026-0001"}
	wantViolations(t, tr.verify(""), want...)
}
