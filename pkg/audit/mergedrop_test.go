package audit

import (
	"strings"
	"testing"
)

// An octopus merge that takes one side's version of a claim another side
// changed too drops that side's change: finance paid the claim on one
// branch, the claimant added to its note on another, and the merge keeps
// the note and the claim approved, to be paid again. Neither side's
// version is the merge's own change against the first parent, whose
// claim is the merge base's; the payment it undid is named.
func TestVerifyOctopusDropsASide(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "400.00"))
	tr.commit("wang.fang", "import")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	base := tr.commit("zhang.min", "approve")

	tr.git("checkout", "-q", "-b", "pay")
	tr.edit(expensePath("EXP-2026-0001"), "status: approved", "status: paid")
	pay := tr.commit("he.jing", "pay")
	tr.git("checkout", "-q", "-b", "note", base)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "approved", "li.wei", "400.00")+"note: card ref 123\n")
	note := tr.commit("li.wei", "note")
	tr.git("checkout", "-q", "main")
	tr.write("notes.txt", "x")
	main := tr.commit("wang.fang", "notes")

	// The note branch's tree over main's notes: what the merge holds.
	tr.git("checkout", "-q", note)
	tr.write("notes.txt", "x")
	m := tr.forge("li.wei", "octopus", main, pay, note)
	wantViolations(t, tr.verify(base+"..HEAD"), short(m)+" final-state EXP-2026-0001")

	// The honest octopus, each side's change of its own file, passes.
	tr.git("checkout", "-q", "-b", "x1", main)
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "li.wei", "20.00"))
	tr.commit("li.wei", "new")
	tr.git("checkout", "-q", "-b", "x2", main)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "draft", "sun.li", "30.00"))
	x2 := tr.commit("sun.li", "new")
	tr.git("checkout", "-q", "-b", "x3", pay)
	tr.gitEnv([]string{"GIT_AUTHOR_NAME=wang.fang", "GIT_AUTHOR_EMAIL=wang.fang@example.com",
		"GIT_COMMITTER_NAME=wang.fang", "GIT_COMMITTER_EMAIL=wang.fang@example.com"}, "merge", "-q", "--no-edit", "x1", x2)
	if n := len(strings.Fields(tr.git("log", "-1", "--format=%P"))); n != 3 {
		t.Fatalf("the honest merge has %d parents", n)
	}
	wantViolations(t, tr.verify(base+"..HEAD"))
}
