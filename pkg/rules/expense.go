package rules

import (
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// ExpenseCounts reports whether an expense's state spends budget.
func ExpenseCounts(status string) bool { return status == "approved" || status == "paid" }

func (r *run) expense(rec *record.Record) {
	amount, ok := rec.Money("amount")
	items := rec.List("items")
	if ok && len(items) > 0 && validAmounts(rec, len(items)) {
		sum := money.Zero
		for i := range items {
			a, _ := rec.Money("items." + strconv.Itoa(i) + ".amount")
			sum = sum.Add(a)
		}
		if !sum.Equal(amount) {
			r.errorf(rec, "amount", "items-sum", "amount %s differs from the sum of its %s, %s (difference %s)", amount, i18n.PluralP(len(items), "%d item", "%d items", len(items)), sum, amount.Sub(sum))
		}
	}
	if d := rec.Str("date"); r.StillToCome(d) {
		// a claim reimburses money spent: one dated ahead would also
		// weigh on a budget line (its year's) before anything was spent
		r.errorf(rec, "date", "expense-date", "dated %s, a day still to come: a claim is for money already spent", d)
	}
	st := rec.Status()
	if ok && st != "draft" && st != "returned" && st != "rejected" && amount.GreaterThan(r.Policy.ReceiptRequiredAbove) && !rec.Has("receipt") {
		if len(items) == 0 {
			if att := rec.Str("attachments.0.path"); att != "" {
				// attached, but not named as the receipt: say what to set
				r.errorf(rec, "amount", "receipt-required", "amount %s is over %s: a %s claim needs a receipt; its attachment %s is not named as one (opsbook set %s receipt=%s)", amount, r.Policy.ReceiptRequiredAbove, stateWord(st), att, rec.ID, att)
			} else {
				r.errorf(rec, "amount", "receipt-required", "amount %s is over %s: a %s claim needs a receipt (receipt: or one on each item)", amount, r.Policy.ReceiptRequiredAbove, stateWord(st))
			}
		}
		for i := range items {
			p := "items." + strconv.Itoa(i)
			if !rec.Has(p + ".receipt") {
				r.errorf(rec, p, "receipt-required", "item %d has no receipt: a %s claim over %s needs a receipt on each item (or one receipt: for the claim)", i+1, stateWord(st), r.Policy.ReceiptRequiredAbove)
			}
		}
	}
}

func (r *run) budget(rec *record.Record) {
	if y := rec.Str("year"); y != "" && y != record.IDYear(rec.ID) {
		r.errorf(rec, "year", "budget-year", "year %s differs from the budget's id %s", y, rec.ID)
	}
}

// BudgetKey is a category, or a category within a project line.
type BudgetKey struct {
	Year     string
	Category string
	Project  string // "" for the whole category
}

// Budgets returns each year's budget per category and per project line,
// from budgets in state approved or closed: lines plus amendments.
func Budgets(set *record.Set) map[BudgetKey]money.Amount {
	out := map[BudgetKey]money.Amount{}
	for _, b := range set.OfKind(record.Budget) {
		if st := b.Status(); st != "approved" && st != "closed" {
			continue
		}
		year := record.IDYear(b.ID)
		for i := range b.List("lines") {
			p := "lines." + strconv.Itoa(i)
			a, _ := b.Money(p + ".amount")
			cat := b.Str(p + ".category")
			k := BudgetKey{year, cat, ""}
			out[k] = out[k].Add(a)
			if proj := b.Str(p + ".project"); proj != "" {
				pk := BudgetKey{year, cat, proj}
				out[pk] = out[pk].Add(a)
			}
		}
		for i := range b.List("amendments") {
			p := "amendments." + strconv.Itoa(i)
			a, _ := b.Money(p + ".amount")
			k := BudgetKey{year, b.Str(p + ".category"), ""}
			out[k] = out[k].Add(a)
		}
	}
	return out
}

// Budgeted reports whether a claim can be weighed against a budget: its
// date is a calendar date and its category one of categories (the policy's;
// nil accepts any). A date or category the schema rejects is the schema's
// to report: weighing the claim anyway would add a second, bogus
// budget-overspend error (year "14/0" of 14/09/2026, or a category
// "Marketing" that no budget has).
func Budgeted(e *record.Record, categories []string) bool {
	if _, err := time.Parse("2006-01-02", e.Str("date")); err != nil {
		return false
	}
	cat := e.Str("category")
	if cat == "" {
		return false
	}
	return categories == nil || slices.Contains(categories, cat)
}

// Spent returns, per category and per project line that has a budget, the
// approved and paid claims dated in each year. Claims that are not
// Budgeted are left out.
func Spent(set *record.Set, budgets map[BudgetKey]money.Amount, categories []string) map[BudgetKey]money.Amount {
	out := map[BudgetKey]money.Amount{}
	for _, e := range set.OfKind(record.Expense) {
		if !ExpenseCounts(e.Status()) || !Budgeted(e, categories) {
			continue
		}
		a, ok := e.Money("amount")
		date := e.Str("date")
		if !ok {
			continue
		}
		k := BudgetKey{date[:4], e.Str("category"), ""}
		out[k] = out[k].Add(a)
		if proj := e.Str("project"); proj != "" {
			pk := BudgetKey{k.Year, k.Category, proj}
			if _, has := budgets[pk]; has {
				out[pk] = out[pk].Add(a)
			}
		}
	}
	return out
}

// budgets reports every category and project line whose approved and paid
// claims exceed its budget. The error sits on the claim that crossed the
// line (the latest by date), which is the one to look at.
func (r *run) budgets() {
	if r.NoOverspend {
		return
	}
	cats := r.categories()
	var claims []LineClaim
	for _, e := range r.Set.OfKind(record.Expense) {
		if c, ok := LineClaimOf(e, cats); ok {
			claims = append(claims, c)
		}
	}
	for _, o := range Overspends(claims, Budgets(r.Set), BudgetYears(r.Set)) {
		if r.Keep == nil || r.Keep(o.Claim.Rec.Path, "budget-overspend", diag.Error) {
			msg, text := o.Both()
			r.reportText(o.Claim.Rec, "amount", diag.Error, "budget-overspend", msg, text)
		}
	}
}

// BudgetYears are the years that have an approved (or closed) budget.
func BudgetYears(set *record.Set) map[string]bool {
	years := map[string]bool{}
	for _, b := range set.OfKind(record.Budget) {
		if st := b.Status(); st == "approved" || st == "closed" {
			years[record.IDYear(b.ID)] = true
		}
	}
	return years
}

// LineClaim is what budget-overspend reads of a claim counted against a
// budget: approved or paid, with a calendar date, a category (the
// policy's) and an amount.
type LineClaim struct {
	Rec                     *record.Record // the claim (a skeleton will do: only its path and id are read)
	Date, Category, Project string
	Amount                  money.Amount
}

// LineClaimOf is the claim as budget-overspend counts it; false when it
// does not count (not approved or paid, not Budgeted, no amount).
func LineClaimOf(e *record.Record, categories []string) (LineClaim, bool) {
	if !ExpenseCounts(e.Status()) || !Budgeted(e, categories) {
		return LineClaim{}, false
	}
	a, ok := e.Money("amount")
	if !ok {
		return LineClaim{}, false
	}
	return LineClaim{Rec: e, Date: e.Str("date"), Category: e.Str("category"), Project: e.Str("project"), Amount: a}, true
}

// LineClaimLess orders claims as budget-overspend walks them: by date,
// then id.
func LineClaimLess(a, b LineClaim) bool {
	if a.Date != b.Date {
		return a.Date < b.Date
	}
	return a.Rec.ID < b.Rec.ID
}

// Overspend is a budget line over its budget, and the claim that crossed
// it.
type Overspend struct {
	Key           BudgetKey
	Claim         LineClaim
	Spent, Budget money.Amount
	// NoBudget: the year has no approved budget at all (a category line).
	NoBudget bool
}

// The messages of budget-overspend.
const (
	msgNoBudget   = "%s has no approved budget, and claims are approved against their year's budget: leadership approves the %s budget first (approved and paid so far: %s)"
	msgOverBudget = "%s %s is over budget: approved and paid %s, budget %s (over by %s)"
)

// Both is the finding's message, in English and in the reader's language.
func (o Overspend) Both() (msg, text string) {
	if o.NoBudget {
		return i18n.Both(msgNoBudget, o.Key.Year, o.Key.Year, o.Spent)
	}
	what := i18n.P("category %s", i18n.Word{Group: "category", Key: o.Key.Category})
	if o.Key.Project != "" {
		what = i18n.P("project line %s / %s", o.Key.Project, i18n.Word{Group: "category", Key: o.Key.Category})
	}
	return i18n.Both(msgOverBudget, o.Key.Year, what, o.Spent, o.Budget, o.Spent.Sub(o.Budget))
}

// Overspends finds every budget line over its budget (budgets, the years
// with an approved budget: Budgets, BudgetYears) among claims (counted
// ones: LineClaimOf), in line order, and for each the claim at which the
// running total, in date and id order, passes the budget: the claim that
// crossed the line carries the error. A line is a year's category, and a
// project's line of a category where the budgets have one. Claims already
// in LineClaimLess order are not sorted again.
func Overspends(claims []LineClaim, budgets map[BudgetKey]money.Amount, years map[string]bool) []Overspend {
	spent := map[BudgetKey]money.Amount{}
	// The claims of a line mostly come together: their sum is kept apart
	// until the line changes (a look-up per claim costs more than the sum).
	var run BudgetKey
	total := money.Zero
	flush := func() {
		if run != (BudgetKey{}) {
			spent[run] = spent[run].Add(total)
		}
	}
	for _, c := range claims {
		if k := (BudgetKey{c.Date[:4], c.Category, ""}); k != run {
			flush()
			run, total = k, money.Zero
		}
		total = total.Add(c.Amount)
		if c.Project != "" {
			pk := BudgetKey{run.Year, run.Category, c.Project}
			if _, has := budgets[pk]; has {
				spent[pk] = spent[pk].Add(c.Amount)
			}
		}
	}
	flush()
	keys := make([]BudgetKey, 0, len(spent))
	for k := range spent {
		if spent[k].GreaterThan(budgets[k]) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Project < b.Project
	})
	// The claims of every line that is over, in one pass over the claims.
	over := make(map[BudgetKey]*[]LineClaim, len(keys))
	for _, k := range keys {
		over[k] = new([]LineClaim)
	}
	var last BudgetKey
	var lastLine *[]LineClaim
	for _, c := range claims {
		k := BudgetKey{c.Date[:4], c.Category, ""}
		if k != last {
			last, lastLine = k, over[k]
		}
		if lastLine != nil {
			*lastLine = append(*lastLine, c)
		}
		if k.Project = c.Project; k.Project != "" {
			if l := over[k]; l != nil {
				*l = append(*l, c)
			}
		}
	}
	var out []Overspend
	for _, k := range keys {
		budget, line := budgets[k], *over[k]
		less := func(i, j int) bool { return LineClaimLess(line[i], line[j]) }
		if !sort.SliceIsSorted(line, less) {
			sort.Slice(line, less)
		}
		running := money.Zero
		for _, c := range line {
			running = running.Add(c.Amount)
			if running.GreaterThan(budget) {
				out = append(out, Overspend{Key: k, Claim: c, Spent: spent[k], Budget: budget, NoBudget: k.Project == "" && !years[k.Year]})
				break
			}
		}
	}
	return out
}

// categories are the policy's expense categories, nil without a policy.
func (r *run) categories() []string {
	if r.Policy == nil {
		return nil
	}
	return r.Policy.ExpenseCategories
}

// validAmounts reports whether the claim's amount and every item's are
// money literals; a malformed one is the schema's to report, and a sum over
// it would only confuse.
func validAmounts(rec *record.Record, items int) bool {
	if !money.ValidLiteral(rec.Str("amount"), false) {
		return false
	}
	for i := 0; i < items; i++ {
		if !money.ValidLiteral(rec.Str("items."+strconv.Itoa(i)+".amount"), false) {
			return false
		}
	}
	return true
}
