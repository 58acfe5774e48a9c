package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

const (
	oppPath = "records/ops-plans/OPP-2026.yaml"
	budPath = "records/budgets/BUD-2026.yaml"
)

// The base budget: office 1000 + 200 amended, marketing 500 (a project line).
const opp = "kind: ops-plan\nid: OPP-2026\ntitle: o\nstatus: approved\nyear: 2026\nobjectives:\n  - objective: grow\n    kpis:\n      - kpi: members\n        target: 100\ninitiatives:\n  - project: PRJ-2026-0001\n    objective: 1\nenvelope:\n  - category: office\n    amount: 1200.00\n  - category: marketing\n    amount: 500.00\n"

func withPlan(budget string) map[string]string {
	return map[string]string{oppPath: opp, budPath: budget}
}

func namedBudget() string {
	return strings.Replace(base[budPath], "year: 2026\n", "year: 2026\nops_plan: OPP-2026\n", 1)
}

func TestOpsPlanRules(t *testing.T) {
	plan := func(id, status, extra, budget string) string {
		return "kind: plan\nid: " + id + "\ntitle: p\nstatus: " + status + "\nproject: PRJ-2026-0001\nauthor: zhang.min\nrevision: 1\n" + extra +
			"goals:\n  - kpi: k\n    target: 1\nstrategy: s\npromotion:\n  channels: [wechat]\nresources:\n  budget:\n    - category: marketing\n      amount: " + budget + "\n"
	}
	p1, p2 := "records/plans/2026/PLN-2026-0001.yaml", "records/plans/2026/PLN-2026-0002.yaml"
	cases := []struct {
		name  string
		files map[string]string
		path  string
		rule  string
		msg   string
	}{
		{"budget within the envelope, to the cent", withPlan(namedBudget()), "", "", ""},
		{"budget above the envelope by an amendment", withPlan(strings.Replace(namedBudget(), "amount: 200.00", "amount: 200.01", 1)), budPath, "budget-envelope",
			"office is budgeted 1,200.01 in BUD-2026, above the envelope of 1,200.00 in OPP-2026"},
		{"a category without an envelope", withPlan(strings.Replace(namedBudget(), "category: marketing", "category: travel", 1)), budPath, "budget-envelope",
			"travel is budgeted 500.00 in BUD-2026, above the envelope of 0.00 in OPP-2026"},
		{"another year's plan", map[string]string{"records/ops-plans/OPP-2025.yaml": strings.ReplaceAll(strings.Replace(opp, "year: 2026", "year: 2025", 1), "OPP-2026", "OPP-2025"),
			budPath: strings.Replace(namedBudget(), "OPP-2026", "OPP-2025", 1)}, budPath, "budget-envelope", "OPP-2025 is 2025's plan"},
		{"the plan named is missing", map[string]string{budPath: namedBudget()}, budPath, "ref-missing", `ops_plan: no ops-plan "OPP-2026"`},
		{"initiative serves no objective", map[string]string{oppPath: strings.Replace(opp, "objective: 1", "objective: 2", 1)}, oppPath, "ops-plan", "serves objective 2, but the plan has 1"},
		{"year differs", map[string]string{oppPath: strings.Replace(opp, "year: 2026", "year: 2027", 1)}, oppPath, "ops-plan", "year 2027 differs"},
		{"two envelopes", map[string]string{oppPath: opp + "  - category: office\n    amount: 1.00\n"}, oppPath, "ops-plan", "office has a second envelope"},
		{"one approved plan within the project line", map[string]string{p1: plan("PLN-2026-0001", "active", "", "500.00")}, "", "", ""},
		{"two plans over the project line", map[string]string{p1: plan("PLN-2026-0001", "completed", "", "300.00"), p2: plan("PLN-2026-0002", "approved", "", "200.01")}, p2, "plan-budget",
			"approved plans PLN-2026-0001, PLN-2026-0002 together need 500.01 of marketing for PRJ-2026-0001 in 2026; the budget has 500.00"},
		{"a revision replaces the plan it supersedes", map[string]string{p1: plan("PLN-2026-0001", "active", "", "400.00"), p2: plan("PLN-2026-0002", "approved", "supersedes: PLN-2026-0001\n", "450.00")}, "", "", ""},
		{"drafts do not count", map[string]string{p1: plan("PLN-2026-0001", "active", "", "400.00"), p2: plan("PLN-2026-0002", "in_review", "", "450.00")}, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := check(t, c.files)
			if c.rule == "" {
				if errs, _ := diag.Count(ds); errs != 0 {
					t.Fatalf("%v", ds)
				}
				return
			}
			if !has(ds, c.path, c.rule, diag.Error, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
}
