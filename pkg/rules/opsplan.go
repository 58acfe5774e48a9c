package rules

import (
	"sort"
	"strconv"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

func init() {
	Catalog = append(Catalog,
		Rule{"ops-plan", diag.Error, "an operations plan's year differs from its id, an initiative names an objective it does not have, or a category has two envelopes"},
		Rule{"budget-envelope", diag.Error, "a budget category (lines and amendments) above its operations plan's envelope, or a budget naming another year's plan"},
		Rule{"plan-budget", diag.Error, "approved plans together needing more of a category (or a project line) than the year's budget has"},
	)
	Refs = append(Refs,
		Ref{record.OpsPlan, "initiatives.*.project", record.Project, nil},
		Ref{record.Budget, "ops_plan", record.OpsPlan, nil},
	)
}

func (r *run) opsPlan(rec *record.Record) {
	if y := rec.Str("year"); y != "" && y != record.IDYear(rec.ID) {
		r.errorf(rec, "year", "ops-plan", "year %s differs from the plan's id %s", y, rec.ID)
	}
	n := len(rec.List("objectives"))
	for i := range rec.List("initiatives") {
		p := "initiatives." + strconv.Itoa(i) + ".objective"
		if k, err := strconv.Atoi(rec.Str(p)); err == nil && k > n {
			r.errorf(rec, p, "ops-plan", "initiative %s serves objective %d, but the plan has %d", rec.Str("initiatives."+strconv.Itoa(i)+".project"), k, n)
		}
	}
	seen := map[string]bool{}
	for i := range rec.List("envelope") {
		p := "envelope." + strconv.Itoa(i) + ".category"
		if c := rec.Str(p); seen[c] {
			r.errorf(rec, p, "ops-plan", "category %s has a second envelope: one amount per category", i18n.Word{Group: "category", Key: c})
		}
		seen[rec.Str(p)] = true
	}
}

// Envelope returns an operations plan's envelope per category.
func Envelope(op *record.Record) map[string]money.Amount {
	out := map[string]money.Amount{}
	for i := range op.List("envelope") {
		p := "envelope." + strconv.Itoa(i)
		a, _ := op.Money(p + ".amount")
		out[op.Str(p+".category")] = out[op.Str(p+".category")].Add(a)
	}
	return out
}

// budgetEnvelopes checks every budget that names its operations plan: the
// plan is the budget's year's, and each category's budget (its lines,
// project lines included, plus amendments) stays within the plan's
// envelope, whatever the states (a draft budget over the envelope is the
// time to hear it).
func (r *run) budgetEnvelopes() {
	for _, b := range r.Set.OfKind(record.Budget) {
		op := r.Set.Get(b.Str("ops_plan"))
		if op == nil || op.Kind != record.OpsPlan {
			continue // ref-missing
		}
		if record.IDYear(op.ID) != record.IDYear(b.ID) {
			r.errorf(b, "ops_plan", "budget-envelope", "%s is %s's plan; the budget %s is built from its own year's", op.ID, record.IDYear(op.ID), b.ID)
			continue
		}
		env := Envelope(op)
		total := map[string]money.Amount{}
		first := map[string]string{} // category → the path of its first line
		var order []string
		for _, list := range []string{"lines", "amendments"} {
			for i := range b.List(list) {
				p := list + "." + strconv.Itoa(i)
				a, _ := b.Money(p + ".amount")
				c := b.Str(p + ".category")
				if _, ok := first[c]; !ok {
					first[c] = p
					order = append(order, c)
				}
				total[c] = total[c].Add(a)
			}
		}
		for _, c := range order {
			if e := env[c]; total[c].GreaterThan(e) {
				r.errorf(b, first[c]+".amount", "budget-envelope", "%s is budgeted %s in %s, above the envelope of %s in %s",
					i18n.Word{Group: "category", Key: c}, total[c].Grouped(), b.ID, e.Grouped(), op.ID)
			}
		}
	}
}

// CountedPlans are the plans whose resources.budget spend the year's
// budget: approved, active and completed, except one that a counted
// revision replaces (supersedes), whose figures the revision's replace.
func CountedPlans(set *record.Set) []*record.Record {
	var in []*record.Record
	replaced := map[string]bool{}
	for _, p := range set.OfKind(record.Plan) {
		switch p.Status() {
		case "approved", "active", "completed":
			in = append(in, p)
			if s := p.Str("supersedes"); s != "" {
				replaced[s] = true
			}
		}
	}
	var out []*record.Record
	for _, p := range in {
		if !replaced[p.ID] {
			out = append(out, p)
		}
	}
	return out
}

// planBudgets reconciles the plans with the budget: the counted plans of a
// year (the year of their id) may not together need more of a category
// than the year's approved budget has, nor more for one project than its
// project line, when the budget has one. A year without an approved budget
// is not judged: plans may be approved before the budget is.
func (r *run) planBudgets() {
	budgets := Budgets(r.Set)
	years := map[string]bool{}
	for k := range budgets {
		years[k.Year] = true
	}
	need := map[BudgetKey]money.Amount{}
	who := map[BudgetKey][]string{}
	at := map[BudgetKey][][2]any{} // plan, path
	for _, p := range CountedPlans(r.Set) {
		year := record.IDYear(p.ID)
		if !years[year] {
			continue
		}
		for i := range p.List("resources.budget") {
			path := "resources.budget." + strconv.Itoa(i)
			a, _ := p.Money(path + ".amount")
			c := p.Str(path + ".category")
			for _, k := range []BudgetKey{{year, c, ""}, {year, c, p.Str("project")}} {
				need[k] = need[k].Add(a)
				who[k] = append(who[k], p.ID)
				at[k] = append(at[k], [2]any{p, path + ".amount"})
			}
		}
	}
	keys := make([]BudgetKey, 0, len(need))
	for k := range need {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.Year+a.Category+a.Project < b.Year+b.Category+b.Project
	})
	for _, k := range keys {
		has, ok := budgets[k]
		if k.Project != "" && !ok {
			continue // no project line: the category's budget is the cap
		}
		if !need[k].GreaterThan(has) {
			continue
		}
		var what any = i18n.Word{Group: "category", Key: k.Category}
		if k.Project != "" {
			what = i18n.P("%s for %s", i18n.Word{Group: "category", Key: k.Category}, k.Project)
		}
		report := r.group(diag.Error, "plan-budget", "approved plans %s together need %s of %s in %s; the budget has %s",
			i18n.Some(uniq(who[k]), groupNames), need[k].Grouped(), what, k.Year, has.Grouped())
		for _, pa := range at[k] {
			report(pa[0].(*record.Record), pa[1].(string))
		}
	}
}

func uniq(l []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
