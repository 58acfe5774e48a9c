package audit

import (
	"context"
	"strings"
	"testing"
)

// TestMergeOfEditOnRenumberedRecord: li.wei renumbers her draft on main
// while a branch made before it holds her note and submission of the claim
// under its old id. Git's merge follows the rename and puts the branch's
// version under the new id: every value there was written and judged on a
// side, so the merge is no change of its own, and the claim's history shows
// li.wei's commits on the branch, not the merger submitting it. A merge
// that adds a change of its own on top (an amount), or a renumbering that
// also changed a field, is still the merger's.
func TestMergeOfEditOnRenumberedRecord(t *testing.T) {
	wangFang := []string{"GIT_AUTHOR_NAME=wang.fang", "GIT_AUTHOR_EMAIL=wang.fang@example.com", "GIT_COMMITTER_NAME=wang.fang", "GIT_COMMITTER_EMAIL=wang.fang@example.com"}
	// the id far from the state and the note, so git merges the lines
	claim := func(id, status, amount, note string) string {
		return "kind: expense\nid: " + id + "\ntitle: 上海客戶拜訪差旅\nclaimant: li.wei\ncategory: travel\ndate: 2026-03-02\namount: " + amount + "\nstatus: " + status + "\n" + note
	}
	setup := func(t *testing.T) (*testRepo, string) {
		tr := newTestRepo(t)
		tr.people(defaultPolicy)
		tr.write(expensePath("EXP-2026-0003"), claim("EXP-2026-0003", "draft", "100.00", ""))
		imp := tr.commit("wang.fang", "import")
		tr.git("checkout", "-q", "-b", "side")
		tr.write(expensePath("EXP-2026-0003"), claim("EXP-2026-0003", "submitted", "100.00", "note: 請核准\n"))
		tr.commit("li.wei", "note and submit")
		tr.git("checkout", "-q", "main")
		return tr, imp
	}
	renumber := func(tr *testRepo, date string) {
		tr.git("rm", "-q", expensePath("EXP-2026-0003"))
		tr.write(expensePath("EXP-2026-0010"), strings.Replace(claim("EXP-2026-0010", "draft", "100.00", ""), "date: 2026-03-02", "date: "+date, 1))
		tr.commit("li.wei", "renumber")
	}

	t.Run("honest", func(t *testing.T) {
		tr, imp := setup(t)
		renumber(tr, "2026-03-02")
		tr.merge("wang.fang", "side")
		wantViolations(t, tr.verify(imp+"..main"))
		evs, err := tr.open().History(context.Background(), "EXP-2026-0010")
		if err != nil {
			t.Fatal(err)
		}
		got := moves(evs)
		if !strings.Contains(got, "li.wei (specialist) EXP-2026-0003 draft → submitted") || strings.Contains(got, "wang.fang (director) EXP-2026-0010") {
			t.Errorf("history:\n%s", got)
		}
	})
	t.Run("the merge adds its own change", func(t *testing.T) {
		tr, imp := setup(t)
		renumber(tr, "2026-03-02")
		tr.gitEnv(wangFang, "merge", "-q", "--no-ff", "--no-commit", "side")
		tr.write(expensePath("EXP-2026-0010"), claim("EXP-2026-0010", "submitted", "900.00", "note: 請核准\n"))
		m := tr.commit("wang.fang", "merge side")
		rep := tr.verify(imp + "..main")
		if len(rep.Violations) == 0 {
			t.Fatal("a merge that raises the amount passed")
		}
		for _, v := range rep.Violations {
			if !strings.HasPrefix(v.Commit, short(m)) {
				t.Errorf("%s %s: %s", v.Commit[:7], v.Rule, v.Message)
			}
		}
	})
	t.Run("the renumbering changed a field too, the merge drops it", func(t *testing.T) {
		tr, imp := setup(t)
		renumber(tr, "2026-03-01")
		tr.gitEnv(wangFang, "merge", "-q", "--no-ff", "--no-commit", "side")
		tr.write(expensePath("EXP-2026-0010"), claim("EXP-2026-0010", "submitted", "100.00", "note: 請核准\n"))
		m := tr.commit("wang.fang", "merge side")
		rep := tr.verify(imp + "..main")
		found := false
		for _, v := range rep.Violations {
			found = found || strings.HasPrefix(v.Commit, short(m))
		}
		if !found {
			t.Errorf("the merge that drops the renumbering's amount passed: %v", violationList(rep))
		}
	})
}
