package audit

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"golang.org/x/text/language"
)

const defaultPolicy = "currency: CNY\n"

// honest sets up a repository whose every commit is allowed: the registry
// by the director, then a claim by li.wei on a branch, submitted, approved
// by her manager, merged with a merge commit, and paid by finance on main.
func honest(t *testing.T) *testRepo {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "people and policy")
	tr.git("checkout", "-q", "-b", "claim")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "980.50"))
	tr.commit("li.wei", "expense EXP-2026-0001: new")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.edit(expensePath("EXP-2026-0001"), "amount: 980.50", "amount: 1280.50")
	tr.commit("li.wei", "expense EXP-2026-0001: submit")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("zhang.min", "expense EXP-2026-0001: approve")
	tr.git("checkout", "-q", "main")
	tr.merge("wang.fang", "claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: approved", "status: paid")
	tr.commit("he.jing", "expense EXP-2026-0001: pay")
	return tr
}

func TestVerifyHonestHistory(t *testing.T) {
	tr := honest(t)
	rep := tr.verify("")
	wantViolations(t, rep)
	if rep.Commits != 6 {
		t.Errorf("commits = %d, want 6", rep.Commits)
	}
	// The pull-request check, as CI runs it.
	wantViolations(t, tr.verify("main~1..main"))
	wantViolations(t, tr.verify("main~1^1..claim"))
}

func TestVerifyForgeries(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "submitted", "li.wei", "6200.00"))
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "submitted", "zhang.min", "300.00"))
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "submitted", "sun.li", "88.00"))
	tr.write(expensePath("EXP-2026-0005"), expense("EXP-2026-0005", "paid", "li.wei", "50.00"))
	imp := tr.commit("wang.fang", "import")

	// Over the limit: a manager approves 6,200.00 (limit 5,000.00).
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	over := tr.commit("zhang.min", "approve")
	// Self-approval: a manager approves her own claim.
	tr.edit(expensePath("EXP-2026-0002"), "status: submitted", "status: approved")
	self := tr.commit("zhang.min", "approve")
	// Edit after approval, then after payment.
	tr.edit(expensePath("EXP-2026-0003"), "amount: 420.00", "amount: 4200.00")
	frozen := tr.commit("sun.li", "fix amount")
	tr.edit(expensePath("EXP-2026-0005"), "amount: 50.00", "amount: 500.00")
	paid := tr.commit("li.wei", "fix amount")
	// A deleted record.
	tr.git("rm", "-q", expensePath("EXP-2026-0004"))
	deleted := tr.commit("sun.li", "drop claim")
	// An unknown actor.
	tr.write(expensePath("EXP-2026-0006"), expense("EXP-2026-0006", "draft", "li.wei", "10.00"))
	tr.git("add", "-A")
	unknown := tr.commitAs("Mallory", "mallory@example.org", "new claim")
	// A claim created already approved.
	tr.write(expensePath("EXP-2026-0007"), expense("EXP-2026-0007", "approved", "li.wei", "10.00"))
	late := tr.commit("li.wei", "new claim")
	// The policy changed by a manager.
	tr.write(".opsbook.yaml", "currency: CNY\napproval_limits: {manager: 90000.00}\n")
	policy := tr.commit("zhang.min", "raise my limit")

	rep := tr.verify(imp + "..HEAD")
	wantViolations(t, rep,
		short(over)+" approval-limit EXP-2026-0001",
		short(self)+" four-eyes EXP-2026-0002",
		short(frozen)+" sealed-field EXP-2026-0003",
		short(paid)+" final-state EXP-2026-0005",
		short(deleted)+" record-deleted EXP-2026-0004",
		short(unknown)+" actor-unknown EXP-2026-0006",
		short(late)+" create-state EXP-2026-0007",
		short(policy)+" people-policy ",
	)
	if rep.Commits != 8 {
		t.Errorf("commits = %d, want 8", rep.Commits)
	}
	for _, v := range rep.Violations {
		if v.Rule == "actor-unknown" && v.Actor != "Mallory <mallory@example.org>" {
			t.Errorf("unknown actor shown as %q", v.Actor)
		}
		if len(v.Commit) != 40 {
			t.Errorf("commit %q is not a full hash", v.Commit)
		}
	}
	// All history judges the import's records as creations.
	all := tr.verify("")
	found := false
	for _, v := range all.Violations {
		if strings.HasPrefix(v.Commit, imp) && v.Rule == "create-state" && v.Record == "EXP-2026-0005" {
			found = true
		}
	}
	if !found {
		t.Errorf("the import's paid claim is not judged as a creation: %v", violationList(all))
	}
}

// A role granted and used in one branch: the grant is the specialist's
// own doing, and the approval is judged by the roles of the base (range)
// or of the last allowed registry (all history).
func TestVerifyRoleGrantedAndUsedInBranch(t *testing.T) {
	tr := submittedClaim(t)
	tr.git("checkout", "-q", "-b", "promote")
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	grant := tr.commit("li.wei", "promote myself")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("li.wei", "approve")
	want := []string{short(grant) + " people-policy li.wei", short(use) + " move-role EXP-2026-0001"}
	wantViolations(t, tr.verify("main..promote"), want...)
	tr.git("checkout", "-q", "main")
	tr.merge("wang.fang", "promote")
	wantViolations(t, tr.verify(""), want...)

	// Even the director cannot use, in the same branch, a role granted
	// there: the range judges by the base.
	tr.git("checkout", "-q", "-b", "director")
	tr.edit("records/people/chen.hao.yaml", "role: manager", "role: leadership")
	promote := tr.commit("wang.fang", "chen.hao joins leadership")
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "submitted", "sun.li", "90000.00"))
	tr.commit("sun.li", "big claim")
	tr.edit(expensePath("EXP-2026-0002"), "status: submitted", "status: approved")
	big := tr.commit("chen.hao", "approve")
	wantViolations(t, tr.verify("main..director"),
		short(promote)+" four-eyes chen.hao", // only leadership makes someone leadership
		short(big)+" approval-limit EXP-2026-0002",
		short(tr.git("rev-parse", "HEAD~1"))+" create-state EXP-2026-0002")
}

func TestVerifyDirectorCannotPromoteThemself(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.edit("records/people/wang.fang.yaml", "role: director", "role: leadership")
	self := tr.commit("wang.fang", "promote")
	wantViolations(t, tr.verify(""), short(self)+" four-eyes wang.fang")
}

func TestVerifyEvilMerge(t *testing.T) {
	tr := honest(t)
	tr.git("checkout", "-q", "-b", "other", "main~1")
	tr.write("README.md", "notes\n")
	tr.commit("li.wei", "notes")
	tr.git("checkout", "-q", "main")
	tr.gitEnv([]string{"GIT_AUTHOR_NAME=li.wei", "GIT_AUTHOR_EMAIL=li.wei@example.com",
		"GIT_COMMITTER_NAME=li.wei", "GIT_COMMITTER_EMAIL=li.wei@example.com"},
		"merge", "-q", "--no-ff", "--no-commit", "other")
	tr.edit(expensePath("EXP-2026-0001"), "amount: 1280.50", "amount: 2280.50")
	tr.git("add", "-A")
	evil := tr.commit("li.wei", "merge other")
	if n := len(strings.Fields(tr.git("log", "-1", "--format=%P"))); n != 2 {
		t.Fatalf("not a merge: %d parents", n)
	}
	rep := tr.verify("")
	wantViolations(t, rep, short(evil)+" final-state EXP-2026-0001")
	if !strings.Contains(rep.Violations[0].Message, "merge commit") {
		t.Errorf("message does not say it is the merge's own change: %s", rep.Violations[0].Message)
	}
}

func TestVerifyRenumberIsNoEdit(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "10.00"))
	tr.commit("li.wei", "new")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commit("li.wei", "submit")
	tr.git("mv", expensePath("EXP-2026-0001"), expensePath("EXP-2026-0002"))
	tr.edit(expensePath("EXP-2026-0002"), "id: EXP-2026-0001", "id: EXP-2026-0002")
	tr.commit("li.wei", "renumber")
	wantViolations(t, tr.verify(""))
	evs, err := tr.open().History(context.Background(), "EXP-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	var moves []string
	for _, e := range evs {
		moves = append(moves, e.Record+" "+e.Move())
	}
	want := "EXP-2026-0001 created (draft)|EXP-2026-0001 draft → submitted|EXP-2026-0002 renumbered from EXP-2026-0001 (submitted)"
	if strings.Join(moves, "|") != want {
		t.Errorf("history:\n got %s\nwant %s", strings.Join(moves, "|"), want)
	}
}

func TestVerifyUnsignedWhereRequired(t *testing.T) {
	tr := honest(t)
	tr.write(".opsbook.yaml", "currency: CNY\nrequire_signatures: true\n")
	tr.commit("wang.fang", "require signatures")
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "li.wei", "10.00"))
	unsigned := tr.commit("li.wei", "new claim")
	wantViolations(t, tr.verify(""), short(unsigned)+" signature-missing EXP-2026-0002")
}

func TestVerifyShallowCloneRefused(t *testing.T) {
	tr := honest(t)
	clone := t.TempDir()
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+tr.dir, clone)
	cmd.Env = append(cmd.Environ(), tr.env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	_, err := Open(clone)
	var sh *ShallowError
	if !errors.As(err, &sh) {
		t.Fatalf("Open(shallow) = %v, want a ShallowError", err)
	}
	for _, s := range []string{"shallow", "git fetch --unshallow", "fetch-depth: 0"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q does not say %q", err, s)
		}
	}
}

// TestVerifyPartialClone: a clone made with --filter=blob:none lacks the
// earlier versions of the files; history, log and verify say so, and how
// to fetch them, rather than "object not found". Once fetched, it reads
// as any clone.
func TestVerifyPartialClone(t *testing.T) {
	tr := honest(t)
	git := func(dir string, args ...string) {
		t.Helper()
		// no gc left running in the background when the test ends
		cmd := exec.Command("git", append([]string{"-c", "gc.auto=0", "-c", "maintenance.auto=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), tr.env()...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(tr.dir, "config", "uploadpack.allowFilter", "true")
	clone := t.TempDir()
	git(tr.dir, "clone", "-q", "--filter=blob:none", "file://"+tr.dir, clone)
	r, err := Open(clone)
	if err != nil {
		t.Fatalf("Open(partial) = %v: only a missing object is refused", err)
	}
	_, err = r.Verify(context.Background(), VerifyOptions{})
	r.Close()
	var pc *PartialCloneError
	if !errors.As(err, &pc) {
		t.Fatalf("Verify(partial) = %v, want a PartialCloneError", err)
	}
	for _, s := range []string{"partial", "git config --unset remote.origin.partialclonefilter && git fetch --refetch origin", "without --filter"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q does not say %q", err, s)
		}
	}
	i18n.Set(i18n.Chinese)
	defer i18n.Set(language.English)
	if !strings.Contains(err.Error(), "partial clone（以 --filter 複製）") {
		t.Errorf("not in the reader's language: %q", err)
	}
	// the advice, followed, makes a clone verify reads
	git(clone, "config", "--unset", "remote.origin.partialclonefilter")
	git(clone, "fetch", "-q", "--refetch", "origin")
	r, err = Open(clone)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Verify(context.Background(), VerifyOptions{}); err != nil {
		t.Fatalf("Verify after the refetch: %v", err)
	}
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct{ in, base, head string }{
		{"", "", "HEAD"},
		{"main", "", "main"},
		{"origin/main..HEAD", "origin/main", "HEAD"},
		{"a..", "a", "HEAD"},
		{"..b", "HEAD", "b"},
	} {
		b, h, err := ParseRange(c.in)
		if err != nil || b != c.base || h != c.head {
			t.Errorf("ParseRange(%q) = %q, %q, %v", c.in, b, h, err)
		}
	}
	if _, _, err := ParseRange("a...b"); err == nil {
		t.Error("symmetric range accepted")
	}
}

// Renaming a person (renumbering a handle) is a change to people: the
// director's to make, no one else's.
func TestVerifyPersonRename(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "sun.li", "10.00"))
	tr.commit("wang.fang", "import")
	rename := func(who, from, to string) string {
		tr.git("mv", "records/people/"+from+".yaml", "records/people/"+to+".yaml")
		tr.edit("records/people/"+to+".yaml", "id: "+from, "id: "+to)
		return tr.commit(who, "rename "+from)
	}
	rename("wang.fang", "sun.li", "sun.li2")
	bad := rename("li.wei", "chen.hao", "chen.hao2")
	wantViolations(t, tr.verify("HEAD~2..HEAD"), short(bad)+" people-policy chen.hao2")
}

// A second forbidden edit to one's own person record must not launder the
// first: the self-granted role stays unusable in every mode.
func TestVerifySecondSelfEditKeepsTheGrantRejected(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "sun.li", "300.00"))
	tr.commit("sun.li", "new claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	base := tr.commit("sun.li", "submit")
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	grant := tr.commit("li.wei", "promote myself")
	tr.edit("records/people/li.wei.yaml", "role: manager", "role: manager\ngroup: 華東推廣組")
	again := tr.commit("li.wei", "and edit again")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("li.wei", "approve")
	want := []string{short(grant) + " people-policy li.wei", short(again) + " people-policy li.wei", short(use) + " move-role EXP-2026-0001"}
	wantViolations(t, tr.verify(""), want...)
	wantViolations(t, tr.verify(short(base)+"..HEAD"), want...)
}

// TestVerifyPolicyChangesByLeadership: under policy_changes: leadership
// the director may no longer change the policy alone, nor lift the key
// (each change is judged by the policy before it); leadership may, and
// once leadership lifts it (back to the very content the director was
// refused: leadership's change takes effect all the same), the director
// may again.
func TestVerifyPolicyChangesByLeadership(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy + "policy_changes: leadership\n")
	imp := tr.commit("wang.fang", "import")
	tr.write(".opsbook.yaml", defaultPolicy+"policy_changes: leadership\napproval_limits: {director: 90000.00}\n")
	raise := tr.commit("wang.fang", "raise my limit")
	tr.write(".opsbook.yaml", defaultPolicy)
	lift := tr.commit("wang.fang", "lift the key")
	tr.write(".opsbook.yaml", defaultPolicy+"policy_changes: leadership\n")
	tr.commit("huang.jianguo", "leadership puts it back")
	tr.write(".opsbook.yaml", defaultPolicy+"policy_changes: leadership\nreceipt_required_above: 300.00\n")
	tr.commit("huang.jianguo", "a lower threshold")
	tr.write(".opsbook.yaml", defaultPolicy)
	tr.commit("huang.jianguo", "leadership lifts it")
	tr.write(".opsbook.yaml", defaultPolicy+"receipt_required_above: 400.00\n")
	again := tr.commit("wang.fang", "the director again")
	// the whole history: each commit by its parent's policy
	wantViolations(t, tr.verify(""),
		short(raise)+" people-policy ",
		short(lift)+" people-policy ",
	)
	// a range (a pull request): every commit by the base's, so the
	// director's last change too
	wantViolations(t, tr.verify(imp+"..HEAD"),
		short(raise)+" people-policy ",
		short(lift)+" people-policy ",
		short(again)+" people-policy ",
	)
}

// A self-granted role is not laundered by a later accepted edit of the
// same file: the director adding an email to li.wei's file, which still
// says role: manager from li.wei's own forbidden commit, is named as
// keeping that change (naming li.wei's commit), and the role stays
// without effect. Undoing the grant (git revert) and making the change
// in a commit of its own is accepted, and then counts.
func TestVerifyLaterEditKeepsSelfGrantedRole(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "sun.li", "300.00"))
	tr.commit("sun.li", "new claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	base := tr.commit("sun.li", "submit")
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	grant := tr.commit("li.wei", "promote myself")
	tr.edit("records/people/li.wei.yaml", "emails: [li.wei@example.com]", "emails: [li.wei@example.com, wei.li@example.com]")
	email := tr.commit("wang.fang", "a second email")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	use := tr.commit("li.wei", "approve")
	want := []string{short(grant) + " people-policy li.wei", short(email) + " forbidden-kept li.wei", short(use) + " move-role EXP-2026-0001"}
	rep := tr.verify("")
	wantViolations(t, rep, want...)
	for _, v := range rep.Violations {
		if v.Rule == RuleForbiddenKept {
			for _, s := range []string{grant[:12], "li.wei", "role: specialist → manager", "git revert"} {
				if !strings.Contains(v.Message, s) {
					t.Errorf("message %q does not say %q", v.Message, s)
				}
			}
			if v.Field != "role" || v.Actor != "wang.fang" {
				t.Errorf("field %q, actor %q; want role, wang.fang", v.Field, v.Actor)
			}
		}
	}
	// a pull request with them all: the same
	wantViolations(t, tr.verify(short(base)+"..HEAD"), want...)

	// undone (git revert of the grant), then granted by the director in
	// a commit of its own: accepted, and the role counts from then on
	tr.git("reset", "-q", "--hard", email)
	tr.edit("records/people/li.wei.yaml", "role: manager", "role: specialist")
	tr.commit("wang.fang", "undo li.wei's own grant")
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	tr.commit("wang.fang", "li.wei is a manager")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("li.wei", "approve")
	wantViolations(t, tr.verify(""), short(grant)+" people-policy li.wei", short(email)+" forbidden-kept li.wei")
}

// The director's edit that also sets the role back (an undo in the same
// commit) keeps nothing: accepted. Two forbidden edits kept by a later
// one are both named, each with its commit.
func TestVerifyKeptForbiddenUndoneOrTwice(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	grant := tr.commit("li.wei", "promote myself")
	tr.edit("records/people/li.wei.yaml", "role: manager", "role: specialist")
	tr.edit("records/people/li.wei.yaml", "emails: [li.wei@example.com]", "emails: [li.wei@example.com, wei.li@example.com]")
	tr.commit("wang.fang", "undo, and a second email")
	wantViolations(t, tr.verify(""), short(grant)+" people-policy li.wei")

	tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
	again := tr.commit("li.wei", "promote myself again")
	tr.edit("records/people/li.wei.yaml", "reports_to: zhang.min", "reports_to: wang.fang")
	move := tr.commit("li.wei", "and report to the director")
	tr.edit("records/people/li.wei.yaml", "forge: liwei", "forge: liwei2")
	kept := tr.commit("wang.fang", "a new forge account")
	rep := tr.verify("")
	wantViolations(t, rep, short(grant)+" people-policy li.wei", short(again)+" people-policy li.wei",
		short(move)+" people-policy li.wei", short(kept)+" forbidden-kept li.wei")
	for _, v := range rep.Violations {
		if v.Rule != RuleForbiddenKept {
			continue
		}
		for _, s := range []string{"reports_to: zhang.min → wang.fang, by li.wei in " + move[:12], "role: specialist → manager, by li.wei in " + again[:12]} {
			if !strings.Contains(v.Message, s) {
				t.Errorf("message %q does not say %q", v.Message, s)
			}
		}
	}
}
