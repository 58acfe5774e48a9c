package report

import (
	"sort"
	"strconv"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// BudgetLine is one category (or one project line within a category).
type BudgetLine struct {
	Category    string       `json:"category"`
	Project     string       `json:"project,omitempty"`
	Budget      money.Amount `json:"budget"`
	Amendments  money.Amount `json:"amendments"`
	Approved    money.Amount `json:"approved"`
	Paid        money.Amount `json:"paid"`
	Pending     money.Amount `json:"pending"`
	Remaining   money.Amount `json:"remaining"`
	PercentUsed string       `json:"percent_used"`
	Over        bool         `json:"over_budget"`
}

// BudgetMonth is spending in one month of the year.
type BudgetMonth struct {
	Month    string       `json:"month"`
	Approved money.Amount `json:"approved"`
	Paid     money.Amount `json:"paid"`
	Pending  money.Amount `json:"pending"`
}

// ProjectSpend is what one project spent in one category in the year. Budget,
// Remaining and PercentUsed are null (and Over false) when the budget has no
// line for the project in that category: the spending then counts against
// the category only.
type ProjectSpend struct {
	Project     string        `json:"project"`
	Title       string        `json:"title"`
	Category    string        `json:"category"`
	Budget      *money.Amount `json:"budget"`
	Approved    money.Amount  `json:"approved"`
	Paid        money.Amount  `json:"paid"`
	Pending     money.Amount  `json:"pending"`
	Remaining   *money.Amount `json:"remaining"`
	PercentUsed *string       `json:"percent_used"`
	Over        bool          `json:"over_budget"`
}

// Budget is the budget report of one year.
type Budget struct {
	Year         int            `json:"year"`
	Currency     string         `json:"currency"`
	BudgetID     string         `json:"budget_id"`     // "" when the year has no budget
	BudgetStatus string         `json:"budget_status"` // "" when the year has no budget
	Categories   []BudgetLine   `json:"categories"`
	ProjectLines []BudgetLine   `json:"project_lines"`
	Projects     []ProjectSpend `json:"projects"`
	Months       []BudgetMonth  `json:"months"`
	Total        BudgetLine     `json:"total"`
}

// BudgetReport computes budget against claims for a year. A category's budget
// is the sum of its lines (project lines included) plus its amendments, from
// the year's budget in state approved or closed. Approved, paid and pending
// sum the claims dated in the year in states approved, paid and submitted.
//
// Every category with a line in the year's budget (even a draft one, whose
// lines do not count yet) or with a claim dated in the year (in any state,
// drafts and rejected claims included) has a row, so a category nobody
// budgeted is visible as soon as someone claims against it.
func BudgetReport(set *record.Set, p *config.Policy, year int) *Budget {
	y := strconv.Itoa(year)
	rep := &Budget{Year: year, Currency: p.Currency}
	cats := map[string]*BudgetLine{}
	projs := map[[2]string]*BudgetLine{}
	cat := func(c string) *BudgetLine {
		if cats[c] == nil {
			cats[c] = &BudgetLine{Category: c}
		}
		return cats[c]
	}
	// Budgets and projects are looked up among their own kind: a whole
	// id index of 100,000 claims is not needed for a few dozen names.
	kindIndex := func(k record.Kind) map[string]*record.Record {
		m := map[string]*record.Record{}
		for _, r := range set.OfKind(k) {
			if m[r.ID] == nil {
				m[r.ID] = r
			}
		}
		return m
	}
	projects := kindIndex(record.Project)
	if b := kindIndex(record.Budget)[record.FormatID(record.Budget, year, 0)]; b != nil {
		rep.BudgetID, rep.BudgetStatus = b.ID, b.Status()
		for i := range b.List("lines") {
			cat(b.Str("lines." + strconv.Itoa(i) + ".category"))
		}
		if st := b.Status(); st == "approved" || st == "closed" {
			for i := range b.List("lines") {
				pre := "lines." + strconv.Itoa(i)
				a, _ := b.Money(pre + ".amount")
				c := b.Str(pre + ".category")
				cat(c).Budget = cat(c).Budget.Add(a)
				if pr := b.Str(pre + ".project"); pr != "" {
					k := [2]string{c, pr}
					if projs[k] == nil {
						projs[k] = &BudgetLine{Category: c, Project: pr}
					}
					projs[k].Budget = projs[k].Budget.Add(a)
				}
			}
			for i := range b.List("amendments") {
				pre := "amendments." + strconv.Itoa(i)
				a, _ := b.Money(pre + ".amount")
				c := cat(b.Str(pre + ".category"))
				c.Amendments = c.Amendments.Add(a)
				c.Budget = c.Budget.Add(a)
			}
		}
	}
	months := map[string]*BudgetMonth{}
	spend := map[[2]string]*ProjectSpend{}
	for _, e := range set.OfKind(record.Expense) {
		date := e.Str("date")
		if len(date) < 7 || date[:4] != y {
			continue
		}
		cat(e.Str("category"))
		a, ok := e.Money("amount")
		if !ok {
			continue
		}
		st := e.Status()
		if st != "approved" && st != "paid" && st != "submitted" {
			continue
		}
		if pr := e.Str("project"); pr != "" {
			k := [2]string{pr, e.Str("category")}
			if spend[k] == nil {
				spend[k] = &ProjectSpend{Project: pr, Category: k[1]}
				if p := projects[pr]; p != nil {
					spend[k].Title = p.Title()
				}
			}
			ps := spend[k]
			switch st {
			case "approved":
				ps.Approved = ps.Approved.Add(a)
			case "paid":
				ps.Paid = ps.Paid.Add(a)
			case "submitted":
				ps.Pending = ps.Pending.Add(a)
			}
		}
		m := months[date[:7]]
		if m == nil {
			m = &BudgetMonth{Month: date[:7]}
			months[date[:7]] = m
		}
		lines := []*BudgetLine{cat(e.Str("category"))}
		if l := projs[[2]string{e.Str("category"), e.Str("project")}]; l != nil {
			lines = append(lines, l)
		}
		for _, l := range lines {
			switch st {
			case "approved":
				l.Approved = l.Approved.Add(a)
			case "paid":
				l.Paid = l.Paid.Add(a)
			case "submitted":
				l.Pending = l.Pending.Add(a)
			}
		}
		switch st {
		case "approved":
			m.Approved = m.Approved.Add(a)
		case "paid":
			m.Paid = m.Paid.Add(a)
		case "submitted":
			m.Pending = m.Pending.Add(a)
		}
	}
	order := map[string]int{}
	for i, c := range p.ExpenseCategories {
		order[c] = i
	}
	for _, l := range cats {
		rep.Categories = append(rep.Categories, finish(*l))
		rep.Total.Budget = rep.Total.Budget.Add(l.Budget)
		rep.Total.Amendments = rep.Total.Amendments.Add(l.Amendments)
		rep.Total.Approved = rep.Total.Approved.Add(l.Approved)
		rep.Total.Paid = rep.Total.Paid.Add(l.Paid)
		rep.Total.Pending = rep.Total.Pending.Add(l.Pending)
	}
	rep.Total.Category = "total"
	rep.Total = finish(rep.Total)
	sort.Slice(rep.Categories, func(i, j int) bool {
		return catLess(order, rep.Categories[i].Category, rep.Categories[j].Category)
	})
	for _, l := range projs {
		rep.ProjectLines = append(rep.ProjectLines, finish(*l))
	}
	sort.Slice(rep.ProjectLines, func(i, j int) bool {
		a, b := rep.ProjectLines[i], rep.ProjectLines[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		return a.Category < b.Category
	})
	for k := range projs {
		if spend[[2]string{k[1], k[0]}] == nil {
			ps := &ProjectSpend{Project: k[1], Category: k[0]}
			if p := projects[k[1]]; p != nil {
				ps.Title = p.Title()
			}
			spend[[2]string{k[1], k[0]}] = ps
		}
	}
	for k, ps := range spend {
		if l := projs[[2]string{k[1], k[0]}]; l != nil {
			f := finish(*l)
			ps.Budget, ps.Remaining, ps.PercentUsed, ps.Over = &f.Budget, &f.Remaining, &f.PercentUsed, f.Over
		}
		rep.Projects = append(rep.Projects, *ps)
	}
	sort.Slice(rep.Projects, func(i, j int) bool {
		a, b := rep.Projects[i], rep.Projects[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		return catLess(order, a.Category, b.Category)
	})
	for _, m := range months {
		rep.Months = append(rep.Months, *m)
	}
	sort.Slice(rep.Months, func(i, j int) bool { return rep.Months[i].Month < rep.Months[j].Month })
	if rep.Categories == nil {
		rep.Categories = []BudgetLine{}
	}
	if rep.ProjectLines == nil {
		rep.ProjectLines = []BudgetLine{}
	}
	if rep.Months == nil {
		rep.Months = []BudgetMonth{}
	}
	if rep.Projects == nil {
		rep.Projects = []ProjectSpend{}
	}
	return rep
}

// catLess orders categories as the policy lists them, unknown ones after,
// alphabetically.
func catLess(order map[string]int, a, b string) bool {
	oa, okA := order[a]
	ob, okB := order[b]
	if okA != okB {
		return okA
	}
	if oa != ob {
		return oa < ob
	}
	return a < b
}

func finish(l BudgetLine) BudgetLine {
	used := l.Approved.Add(l.Paid)
	l.Remaining = l.Budget.Sub(used)
	l.Over = used.GreaterThan(l.Budget)
	l.PercentUsed = money.Percent(used, l.Budget)
	if l.Budget.IsZero() && !used.IsZero() {
		// No budget to be a share of: no percentage is invented; the
		// over-budget flag says what there is to say.
		l.PercentUsed = ""
	}
	return l
}
