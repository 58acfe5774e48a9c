package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"

	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// TestOverspendsOrder: the claim that crosses a line is the one the
// running total in date and id order passes the budget at, whatever order
// the claims come in; project lines count only where a budget has one;
// a year without an approved budget says so.
func TestOverspendsOrder(t *testing.T) {
	amount := func(s string) money.Amount {
		a, err := money.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	claim := func(id, date, cat, project, a string) LineClaim {
		rec := record.Restore("records/expenses/"+id+".yaml", record.Expense, id, record.Map{{Key: "id", Value: id}}, nil, "")
		return LineClaim{Rec: rec, Date: date, Category: cat, Project: project, Amount: amount(a)}
	}
	claims := []LineClaim{
		claim("EXP-2026-0003", "2026-02-01", "office", "", "60.00"),
		claim("EXP-2026-0001", "2026-01-05", "office", "", "50.00"),
		claim("EXP-2026-0002", "2026-02-01", "office", "", "10.00"), // same day: id decides
		claim("EXP-2026-0004", "2026-03-01", "marketing", "PRJ-2026-0001", "30.00"),
		claim("EXP-2026-0005", "2026-01-01", "marketing", "PRJ-2026-0001", "25.00"),
		claim("EXP-2026-0006", "2026-01-01", "marketing", "PRJ-2026-0009", "500.00"), // no project line
		claim("EXP-2025-0001", "2025-05-05", "office", "", "1.00"),
	}
	budgets := map[BudgetKey]money.Amount{
		{"2026", "office", ""}:                 amount("100.00"),
		{"2026", "marketing", ""}:              amount("1000.00"),
		{"2026", "marketing", "PRJ-2026-0001"}: amount("50.00"),
	}
	years := map[string]bool{"2026": true}
	want := "2025/office/: EXP-2025-0001 1.00 of 0.00 no budget\n" +
		"2026/marketing/PRJ-2026-0001: EXP-2026-0004 55.00 of 50.00\n" +
		"2026/office/: EXP-2026-0003 120.00 of 100.00\n"
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		got := ""
		for _, o := range Overspends(claims, budgets, years) {
			no := ""
			if o.NoBudget {
				no = " no budget"
			}
			got += fmt.Sprintf("%s/%s/%s: %s %s of %s%s\n", o.Key.Year, o.Key.Category, o.Key.Project, o.Claim.Rec.ID, o.Spent, o.Budget, no)
		}
		if got != want {
			t.Fatalf("round %d:\n%s\nwant:\n%s", round, got, want)
		}
		rnd.Shuffle(len(claims), func(i, j int) { claims[i], claims[j] = claims[j], claims[i] })
	}
}

// TestNoOverspend: with NoOverspend the rules leave budget-overspend to
// the caller, and find everything else.
func TestNoOverspend(t *testing.T) {
	files := map[string]string{"records/expenses/2026/EXP-2026-0001.yaml": "kind: expense\nid: EXP-2026-0001\ntitle: t\nstatus: approved\nclaimant: li.wei\ndate: 2026-03-01\ncategory: office\namount: 5000.00\nreceipt: attachments/ok.pdf\n"}
	set := baseWith(t, files)
	ctx := func(no bool) *Context {
		return &Context{Set: set, Policy: config.Default(), Now: now, NoOverspend: no,
			Exists: func(rel string) bool { return strings.HasPrefix(rel, "attachments/ok") }}
	}
	with, without := Check(ctx(false)), Check(ctx(true))
	n := 0
	for _, d := range with {
		if d.Rule == "budget-overspend" {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no budget-overspend to leave out: %v", with)
	}
	for _, d := range without {
		if d.Rule == "budget-overspend" {
			t.Errorf("with NoOverspend: %v", d)
		}
	}
	if len(without) != len(with)-n {
		t.Errorf("with NoOverspend %d findings, without it %d, of which %d budget-overspend", len(without), len(with), n)
	}
}
