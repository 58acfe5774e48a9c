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

// claimPaidAndNoted is a claim approved on main, then paid by finance on
// a branch while its claimant adds to its note on main: both sides change
// the claim. It returns the base and the branch.
func claimPaidAndNoted(t *testing.T) (tr *testRepo, base, pay string) {
	tr = newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "400.00"))
	tr.commit("wang.fang", "import")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	base = tr.commit("zhang.min", "approve")
	tr.git("checkout", "-q", "-b", "pay")
	tr.edit(expensePath("EXP-2026-0001"), "status: approved", "status: paid")
	pay = tr.commit("he.jing", "pay")
	tr.git("checkout", "-q", "main")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "approved", "li.wei", "400.00")+"note: card ref 123\n")
	tr.commit("li.wei", "note")
	return tr, base, pay
}

// A merge that keeps the first parent's version of a file both sides
// changed drops the other side's change: the payment is gone and the
// claim can be paid again. So does a merge of its own that the merger may
// make from the first parent's version (the claimant edits her note).
func TestVerifyMergeDropsAChangeBothSidesMade(t *testing.T) {
	tr, base, pay := claimPaidAndNoted(t)
	main := tr.git("rev-parse", "HEAD")
	ours := tr.forge("li.wei", "merge -s ours", main, pay)
	wantViolations(t, tr.verify(base+"..HEAD"), short(ours)+" final-state EXP-2026-0001")
	// history shows the payment and the merge that undid it
	evs, err := tr.open().History(t.Context(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Actor.Handle+" "+e.Move())
	}
	want := "wang.fang created (submitted)|zhang.min submitted → approved|he.jing approved → paid|li.wei edited (approved)|li.wei paid → approved"
	if strings.Join(got, "|") != want {
		t.Errorf("history:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}

	tr.git("reset", "-q", "--hard", main)
	tr.edit(expensePath("EXP-2026-0001"), "card ref 123", "card ref 1234")
	own := tr.forge("li.wei", "merge, note corrected", main, pay)
	wantViolations(t, tr.verify(base+"..HEAD"), short(own)+" final-state EXP-2026-0001")
}

// A claim renumbered on a branch while main paid it: git's merge follows
// the rename and pays the new file. A merge that keeps both, the paid
// claim under its old id and the approved one under its new, holds one
// expense twice, to be paid again: the old file's return is named.
func TestVerifyMergeKeepsARenumberedClaimTwice(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "400.00"))
	tr.commit("wang.fang", "import")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	base := tr.commit("zhang.min", "approve")
	tr.git("checkout", "-q", "-b", "renumber")
	tr.git("mv", expensePath("EXP-2026-0001"), expensePath("EXP-2026-0099"))
	tr.edit(expensePath("EXP-2026-0099"), "id: EXP-2026-0001", "id: EXP-2026-0099")
	tr.commit("li.wei", "renumber")
	tr.git("checkout", "-q", "main")
	tr.edit(expensePath("EXP-2026-0001"), "status: approved", "status: paid")
	paid := tr.commit("he.jing", "pay")

	tr.merge("wang.fang", "renumber")
	if out := tr.git("ls-files", "records/expenses"); out != expensePath("EXP-2026-0099") {
		t.Fatalf("git's merge left %q", out)
	}
	wantViolations(t, tr.verify(base+"..HEAD"))

	// The other way round: main, where the claim was paid, merged into
	// the branch that renumbered it, by finance; git's merge pays the
	// renumbered file, which holds the payment.
	tr.git("checkout", "-q", "renumber")
	tr.merge("he.jing", paid)
	if out := tr.git("ls-files", "records/expenses"); out != expensePath("EXP-2026-0099") {
		t.Fatalf("git's merge left %q", out)
	}
	wantViolations(t, tr.verify(base+"..HEAD"))

	tr.git("checkout", "-q", "main")
	tr.git("reset", "-q", "--hard", paid)
	tr.git("checkout", "renumber~1", "--", expensePath("EXP-2026-0099"))
	twice := tr.forge("wang.fang", "merge, both kept", paid, "renumber~1")
	wantViolations(t, tr.verify(base+"..HEAD"),
		short(twice)+" create-state EXP-2026-0001",
		short(twice)+" create-role EXP-2026-0001")
}
