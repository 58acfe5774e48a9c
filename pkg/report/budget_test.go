package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

func expense(id, status, date, category, amount, project string) string {
	s := "kind: expense\nid: " + id + "\ntitle: t\nstatus: " + status + "\nclaimant: li.wei\ndate: " + date +
		"\ncategory: " + category + "\namount: " + amount + "\n"
	if project != "" {
		s += "project: " + project + "\n"
	}
	return s
}

func budgetSet(t *testing.T, budgetStatus string) *record.Set {
	return set(t, `
kind: budget
id: BUD-2026
title: 2026
status: `+budgetStatus+`
year: 2026
lines:
  - category: personnel
    amount: 1000.00
  - category: marketing
    amount: 500
  - category: marketing
    project: PRJ-2026-0001
    amount: 200.00
amendments:
  - date: 2026-06-01
    category: marketing
    amount: 100.00
    reason: more
  - date: 2026-07-01
    category: other
    amount: 40.00
    reason: new category by amendment
`,
		`
kind: project
id: PRJ-2026-0001
title: 會員拉新
status: executing
`,
		expense("EXP-2026-0001", "approved", "2026-03-10", "marketing", "300.00", "PRJ-2026-0001"),
		expense("EXP-2026-0002", "paid", "2026-03-20", "marketing", "150.50", ""),
		expense("EXP-2026-0003", "submitted", "2026-04-02", "travel", "99.99", ""),
		expense("EXP-2026-0004", "draft", "2026-04-03", "training", "50", ""),
		expense("EXP-2026-0005", "rejected", "2026-05-01", "office", "10.00", ""),
		expense("EXP-2026-0006", "paid", "2026-05-02", "personnel", "0.10", ""),
		expense("EXP-2026-0007", "paid", "2026-05-03", "personnel", "0.20", ""),
		expense("EXP-2026-0008", "submitted", "2026-05-04", "marketing", "12.34", "PRJ-2026-0009"),
		expense("EXP-2026-0009", "returned", "2026-05-05", "marketing", "999.00", ""),
		expense("EXP-2025-0001", "paid", "2025-12-31", "marketing", "7777.00", ""),
	)
}

func line(t *testing.T, b *Budget, cat string) BudgetLine {
	t.Helper()
	for _, l := range b.Categories {
		if l.Category == cat {
			return l
		}
	}
	t.Fatalf("no row for category %s in %+v", cat, b.Categories)
	return BudgetLine{}
}

func TestBudgetReportByHand(t *testing.T) {
	b := BudgetReport(budgetSet(t, "approved"), config.Default(), 2026)

	// Rows: every category with a line (personnel, marketing), an amendment
	// (other) or a claim in the year in any state (travel submitted,
	// training only a draft, office only rejected).
	var cats []string
	for _, l := range b.Categories {
		cats = append(cats, l.Category)
	}
	eq(t, "categories", strings.Join(cats, ","), "personnel,marketing,office,travel,training,other")

	// marketing: lines 500 + 200 (project line) + amendment 100 = 800;
	// approved 300.00, paid 150.50; the 2025 claim and the returned one do
	// not count; remaining 800 − 450.50 = 349.50; used 450.50/800 = 56.3125%.
	m := line(t, b, "marketing")
	eq(t, "marketing budget", m.Budget.String(), "800.00")
	eq(t, "marketing amendments", m.Amendments.String(), "100.00")
	eq(t, "marketing approved", m.Approved.String(), "300.00")
	eq(t, "marketing paid", m.Paid.String(), "150.50")
	eq(t, "marketing pending", m.Pending.String(), "12.34")
	eq(t, "marketing remaining", m.Remaining.String(), "349.50")
	eq(t, "marketing percent", m.PercentUsed, "56.3")
	eq(t, "marketing over", m.Over, false)

	// personnel: 0.10 + 0.20 paid is exactly 0.30 (no binary floating point).
	p := line(t, b, "personnel")
	eq(t, "personnel paid", p.Paid.String(), "0.30")
	eq(t, "personnel remaining", p.Remaining.String(), "999.70")

	tr := line(t, b, "travel")
	eq(t, "travel budget", tr.Budget.String(), "0.00")
	eq(t, "travel pending", tr.Pending.String(), "99.99")
	eq(t, "travel over", tr.Over, false)
	eq(t, "training budget", line(t, b, "training").Budget.String(), "0.00")
	eq(t, "office paid", line(t, b, "office").Paid.String(), "0.00")
	eq(t, "other budget", line(t, b, "other").Budget.String(), "40.00")

	// Totals: budget 1000 + 800 + 40; used 300 + 150.50 + 0.30.
	eq(t, "total budget", b.Total.Budget.String(), "1840.00")
	eq(t, "total approved", b.Total.Approved.String(), "300.00")
	eq(t, "total paid", b.Total.Paid.String(), "150.80")
	eq(t, "total pending", b.Total.Pending.String(), "112.33")
	eq(t, "total remaining", b.Total.Remaining.String(), "1389.20")

	// The project line caps PRJ-2026-0001's marketing at 200: 300 approved
	// is over by 100.
	if len(b.ProjectLines) != 1 {
		t.Fatalf("project lines = %+v", b.ProjectLines)
	}
	pl := b.ProjectLines[0]
	eq(t, "project line", pl.Project+"/"+pl.Category, "PRJ-2026-0001/marketing")
	eq(t, "project line remaining", pl.Remaining.String(), "-100.00")
	eq(t, "project line over", pl.Over, true)
	eq(t, "project line percent", pl.PercentUsed, "150.0")

	// Per project: the lined one, and PRJ-2026-0009's pending claim with no
	// line (budget and remaining null).
	if len(b.Projects) != 2 {
		t.Fatalf("projects = %+v", b.Projects)
	}
	eq(t, "project 1", b.Projects[0].Project, "PRJ-2026-0001")
	eq(t, "project 1 title", b.Projects[0].Title, "會員拉新")
	eq(t, "project 1 budget", b.Projects[0].Budget.String(), "200.00")
	eq(t, "project 1 over", b.Projects[0].Over, true)
	eq(t, "project 2", b.Projects[1].Project, "PRJ-2026-0009")
	eq(t, "project 2 budget", b.Projects[1].Budget == nil, true)
	eq(t, "project 2 pending", b.Projects[1].Pending.String(), "12.34")
	eq(t, "project 2 over", b.Projects[1].Over, false)

	// Months with approved, paid or submitted claims.
	var months []string
	for _, mo := range b.Months {
		months = append(months, mo.Month+"="+mo.Approved.String()+"/"+mo.Paid.String()+"/"+mo.Pending.String())
	}
	eq(t, "months", strings.Join(months, " "), "2026-03=300.00/150.50/0.00 2026-04=0.00/0.00/99.99 2026-05=0.00/0.30/12.34")
}

func TestBudgetReportDraftBudgetCountsNothing(t *testing.T) {
	b := BudgetReport(budgetSet(t, "draft"), config.Default(), 2026)
	m := line(t, b, "marketing")
	eq(t, "draft budget status", b.BudgetStatus, "draft")
	eq(t, "marketing budget of a draft", m.Budget.String(), "0.00")
	eq(t, "marketing over", m.Over, true)
	// personnel has a draft line and claims: still a row.
	eq(t, "personnel paid", line(t, b, "personnel").Paid.String(), "0.30")
}

func TestBudgetJSONShape(t *testing.T) {
	b := BudgetReport(budgetSet(t, "approved"), config.Default(), 2026)
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Year       int               `json:"year"`
		Currency   string            `json:"currency"`
		Categories []map[string]any  `json:"categories"`
		Projects   []map[string]any  `json:"projects"`
		Months     []map[string]any  `json:"months"`
		Total      map[string]any    `json:"total"`
		Lines      []json.RawMessage `json:"project_lines"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	eq(t, "year", v.Year, 2026)
	eq(t, "currency", v.Currency, "CNY")
	for _, k := range []string{"category", "budget", "amendments", "approved", "paid", "pending", "remaining", "percent_used", "over_budget"} {
		if _, ok := v.Categories[0][k]; !ok {
			t.Errorf("categories[0] has no %q: %v", k, v.Categories[0])
		}
	}
	// Amounts are exact decimal strings.
	eq(t, "budget is a string", v.Categories[1]["budget"], any("800.00"))
	eq(t, "unlined project budget is null", v.Projects[1]["budget"], any(nil))
}

func TestBudgetViewTables(t *testing.T) {
	b := BudgetReport(budgetSet(t, "approved"), config.Default(), 2026)
	// CSV: plain amounts, no total row.
	tb := b.Table(View{})
	eq(t, "csv rows", len(tb.Rows), 6)
	eq(t, "csv marketing budget", tb.Rows[1][1], "800.00")
	eq(t, "csv by month rows", len(b.Table(View{GroupBy: "month"}).Rows), 3)
	eq(t, "csv by project rows", len(b.Table(View{GroupBy: "project"}).Rows), 2)
	// Text: grouped thousands, a total row, all three sections.
	p := b.Page(View{})
	eq(t, "sections", len(p.Sections), 3)
	eq(t, "personnel budget", p.Sections[0].Table.Rows[0][1], "1,000.00")
	eq(t, "total row", p.Sections[0].Table.Rows[6][0], "total")
	eq(t, "group-by month keeps one section", len(b.Page(View{GroupBy: "month"}).Sections), 1)
}
