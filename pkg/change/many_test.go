package change

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// manyDept is the department of the tests plus a second submitted office
// claim: 90.00 and 20.00 each fit the office budget of 100.00, together
// they do not.
func manyDept(budget string) map[string]string {
	files := map[string]string{}
	for k, v := range dept {
		files[k] = v
	}
	files["records/expenses/2026/EXP-2026-0008.yaml"] = "kind: expense\nid: EXP-2026-0008\ntitle: u\nstatus: submitted\nclaimant: li\ndate: 2026-03-02\ncategory: office\namount: 20.00\n"
	files["records/budgets/BUD-2026.yaml"] = strings.Replace(dept["records/budgets/BUD-2026.yaml"], "100.00", budget, 1)
	return files
}

// state is the repository as git and the work tree hold it.
func state(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{{"rev-parse", "HEAD"}, {"ls-files", "-s"}, {"status", "--porcelain"}, {"diff", "HEAD"}} {
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		b.Write(out)
	}
	return b.String()
}

func recs(t *testing.T, s *Session, ids ...string) []*record.Record {
	t.Helper()
	var out []*record.Record
	for _, id := range ids {
		r := s.Get(id)
		if r == nil {
			t.Fatalf("no %s", id)
		}
		out = append(out, r)
	}
	return out
}

func TestBatchJudgedWithAllChangesMade(t *testing.T) {
	dir := repoWith(t, manyDept("100.00"))
	s := open(t, dir, "wang@example.com")
	for _, id := range []string{"EXP-2026-0007", "EXP-2026-0008"} {
		b, err := s.Moves(recs(t, s, id), "approve", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CheckBatch(b); err != nil {
			t.Fatalf("%s alone: %v", id, err)
		}
	}
	was := state(t, dir)
	b, err := s.Moves(recs(t, s, "EXP-2026-0007", "EXP-2026-0008"), "approve", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ApplyBatch(context.Background(), b)
	var r *Refused
	if !errors.As(err, &r) || r.Rule != "budget-overspend" || r.Invalid || len(r.Diagnostics) == 0 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(r.Reason, "of the 2 records") {
		t.Errorf("reason: %s", r.Reason)
	}
	if now := state(t, dir); now != was {
		t.Fatalf("a refused batch changed the repository:\n%s\n---\n%s", was, now)
	}
}

func TestBatchListsEveryRefusal(t *testing.T) {
	dir := repoWith(t, manyDept("1000.00"))
	s := open(t, dir, "li@example.com") // a specialist, and the claimant
	b, err := s.Moves(recs(t, s, "EXP-2026-0007", "EXP-2026-0008", "BUD-2026"), "approve", "", "")
	if err != nil {
		t.Fatal(err)
	}
	err = s.CheckBatch(b)
	var r *Refused
	if !errors.As(err, &r) {
		t.Fatalf("err = %v", err)
	}
	got := map[string]string{}
	for _, d := range r.Diagnostics {
		got[d.Record] += d.Rule + " "
		if d.Line < 1 || d.Path == "" || d.Field != "status" {
			t.Errorf("no place or field: %+v", d)
		}
	}
	for _, id := range []string{"EXP-2026-0007", "EXP-2026-0008"} {
		if !strings.Contains(got[id], "move-role") {
			t.Errorf("%s: %q (all: %v)", id, got[id], got)
		}
	}
	if !strings.Contains(got["BUD-2026"], "move-illegal") {
		t.Errorf("the approved budget has no approve move: %v", got)
	}
	if !strings.Contains(r.Reason, "3 of the 3 records (BUD-2026, EXP-2026-0007, EXP-2026-0008)") {
		t.Errorf("reason: %s", r.Reason)
	}
}

func TestBatchOneCommit(t *testing.T) {
	dir := repoWith(t, manyDept("1000.00"))
	s := open(t, dir, "wang@example.com")
	var mu sync.Mutex
	steps := map[string]int{}
	s.Progress = func(what string, done, total int) {
		mu.Lock()
		steps[what] = total
		mu.Unlock()
	}
	b, err := s.Moves(recs(t, s, "EXP-2026-0007", "EXP-2026-0008"), "approve", "", "end of month")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ApplyBatch(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("git", "-C", dir, "log", "--format=%H", "HEAD~1..HEAD").Output()
	if strings.TrimSpace(string(out)) != res.Commit {
		t.Fatalf("HEAD is not the one commit %s: %s", res.Commit, out)
	}
	msg, _ := exec.Command("git", "-C", dir, "show", "--name-only", "--format=%B", res.Commit).Output()
	for _, want := range []string{
		"expense EXP-2026-0007, EXP-2026-0008: approve\n\nend of month\n\nexpense EXP-2026-0007: submitted → approved\nexpense EXP-2026-0008: submitted → approved\n\nOpsbook-Record: EXP-2026-0007\nOpsbook-Record: EXP-2026-0008\nOpsbook-Action: approve\n",
		"records/expenses/2026/EXP-2026-0007.yaml", "records/expenses/2026/EXP-2026-0008.yaml",
	} {
		if !strings.Contains(string(msg), want) {
			t.Errorf("commit lacks %q:\n%s", want, msg)
		}
	}
	if st := state(t, dir); strings.Contains(st, "diff --git") || strings.Contains(st, " M ") {
		t.Errorf("work tree not clean:\n%s", st)
	}
	if steps["reading"] != 2 || steps["judging"] != 2 {
		t.Errorf("progress told %v, want reading and judging of 2 records", steps)
	}
}

func TestBatchSameLeftOut(t *testing.T) {
	dir := repoWith(t, manyDept("1000.00"))
	s := open(t, dir, "wang@example.com")
	b, err := s.Sets(recs(t, s, "EXP-2026-0007"), []Assignment{{Path: "title", Value: "t"}}, nil, "set title", "")
	if err != nil {
		t.Fatal(err)
	}
	was := state(t, dir)
	res, err := s.ApplyBatch(context.Background(), b)
	if err != nil || !res.Unchanged || len(res.Same) != 1 || res.Commit != "" {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	if state(t, dir) != was {
		t.Fatal("an unchanged batch wrote something")
	}
}

func TestBatchWritesNoFileTwice(t *testing.T) {
	b := &Batch{Edits: []Edit{{Path: "records/plans/PLN-2026-0001.yaml"}, {Path: "records/plans/PLN-2026-0001.yaml"}}}
	if err := b.twice(); !errors.Is(err, ErrUsage) {
		t.Fatalf("err = %v", err)
	}
}

func TestMessageSubjectOfMany(t *testing.T) {
	var m Message
	m.Action = "pay"
	for i := 1; i <= 6; i++ {
		m.Many = append(m.Many, Line{Kind: record.Expense, ID: record.FormatID(record.Expense, 2026, i), From: "approved", To: "paid"})
	}
	if got, want := m.subject(), "expense EXP-2026-0001, EXP-2026-0002, EXP-2026-0003, EXP-2026-0004 and 2 more: pay"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	m.Many = append(m.Many[:1], Line{Kind: record.Plan, ID: "PLN-2026-0001", From: "reviewed", To: "approved"})
	if got, want := m.subject(), "EXP-2026-0001, PLN-2026-0001: pay"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if strings.Count(m.String(), "Opsbook-Record: ") != 2 {
		t.Errorf("trailers:\n%s", m.String())
	}
}

// The first line of a refusal of many names the first ten records refused
// and counts the rest (each refusal is listed after it anyway).
func TestRefusedRecordsNamesAFew(t *testing.T) {
	var ds []diag.Diagnostic
	for i := range 13 {
		id := fmt.Sprintf("EXP-2026-%04d", 100+i)
		ds = append(ds, diag.Diagnostic{Record: id}, diag.Diagnostic{Record: id})
	}
	n, ids := refusedRecords(ds)
	en, _ := i18n.Texts(ids)
	if n != 13 || !strings.HasPrefix(en, "EXP-2026-0100, ") || !strings.HasSuffix(en, "EXP-2026-0109 and 3 more records") {
		t.Fatalf("refusedRecords = %d, %q", n, en)
	}
	n, ids = refusedRecords(ds[:4])
	if en, _ := i18n.Texts(ids); n != 2 || en != "EXP-2026-0100, EXP-2026-0101" {
		t.Fatalf("refusedRecords of two = %d, %q", n, en)
	}
}
