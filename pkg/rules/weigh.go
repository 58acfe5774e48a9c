package rules

import (
	"sort"

	"github.com/opsbook/opsbook/pkg/money"
)

// A Weighing is counted claims (LineClaimOf) made ready to be weighed
// again and again, each time with a few of them taken out and a few put
// in (After), as Overspends would weigh them, at a cost that does not grow
// with the number of claims. A write judged near weighs its claims'
// budget lines before and after the change, and the inbox tries every
// move it lists that way: weighing the whole line again for each (the
// claims of a line pile up over a year, and in copies of a department)
// made each try cost what the line holds.
//
// Each line (a year's category, and each project's line of it) keeps its
// claims in LineClaimLess order with their running totals. Amounts are
// positive (the schema's money), so the running totals only rise: the
// claim at which one passes the budget is found by binary search between
// the claims taken out and put in. A line holding a negative amount (an
// invalid record) is walked in full, as Overspends walks it.
type Weighing struct {
	lines map[BudgetKey]*weighed
	// at holds each claim's places, by its record's path
	at map[string][]place
}

type weighed struct {
	claims []LineClaim    // in LineClaimLess order
	upto   []money.Amount // upto[i]: the sum of claims[:i+1]
	signed bool           // a claim below zero: upto does not only rise
}

type place struct {
	key BudgetKey
	i   int
}

// Weigh prepares claims for After. Every project's line is kept; After
// weighs those the budgets have.
func Weigh(claims []LineClaim) *Weighing {
	w := &Weighing{lines: map[BudgetKey]*weighed{}, at: map[string][]place{}}
	for _, c := range claims {
		for _, k := range claimKeys(c) {
			l := w.lines[k]
			if l == nil {
				l = &weighed{}
				w.lines[k] = l
			}
			l.claims = append(l.claims, c)
		}
	}
	for k, l := range w.lines {
		sort.SliceStable(l.claims, func(i, j int) bool { return LineClaimLess(l.claims[i], l.claims[j]) })
		l.upto = make([]money.Amount, len(l.claims))
		sum := money.Zero
		for i, c := range l.claims {
			sum = sum.Add(c.Amount)
			l.upto[i] = sum
			l.signed = l.signed || c.Amount.Sign() < 0
			w.at[c.Rec.Path] = append(w.at[c.Rec.Path], place{k, i})
		}
	}
	return w
}

// claimKeys are the lines a claim counts on: its year's category, and its
// project's line of that category.
func claimKeys(c LineClaim) []BudgetKey {
	k := BudgetKey{c.Date[:4], c.Category, ""}
	if c.Project == "" {
		return []BudgetKey{k}
	}
	return []BudgetKey{k, {k.Year, k.Category, c.Project}}
}

// After is Overspends over the claims of w but those at the paths of gone,
// and the claims of come: the same lines over, in the same order, each
// with the same claim, spent and budget.
func (w *Weighing) After(budgets map[BudgetKey]money.Amount, years map[string]bool, gone map[string]bool, come []LineClaim) []Overspend {
	removed := map[BudgetKey][]int{}
	for p := range gone {
		for _, at := range w.at[p] {
			removed[at.key] = append(removed[at.key], at.i)
		}
	}
	added := map[BudgetKey][]LineClaim{}
	for _, c := range come {
		for _, k := range claimKeys(c) {
			added[k] = append(added[k], c)
		}
	}
	keys := make([]BudgetKey, 0, len(w.lines)+len(added))
	for k := range w.lines {
		keys = append(keys, k)
	}
	for k := range added {
		if w.lines[k] == nil {
			keys = append(keys, k)
		}
	}
	var out []Overspend
	for _, k := range keys {
		if k.Project != "" {
			if _, has := budgets[k]; !has {
				continue // no project line: the category's budget is the cap
			}
		}
		l := w.lines[k]
		if l == nil {
			l = &weighed{}
		}
		if c, spent, ok := l.over(budgets[k], removed[k], added[k]); ok {
			out = append(out, Overspend{Key: k, Claim: c, Spent: spent, Budget: budgets[k], NoBudget: k.Project == "" && !years[k.Year]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return BudgetKeyLess(out[i].Key, out[j].Key) })
	return out
}

// BudgetKeyLess orders budget lines as Overspends reports them: by year,
// category and project (a category's own line first).
func BudgetKeyLess(a, b BudgetKey) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Category != b.Category {
		return a.Category < b.Category
	}
	return a.Project < b.Project
}

// over weighs the line with the claims at removed taken out and those of
// added put in: the claim at which the running total passes budget, and
// the line's total, when the total does.
func (l *weighed) over(budget money.Amount, removed []int, added []LineClaim) (LineClaim, money.Amount, bool) {
	sort.Ints(removed)
	sort.Slice(added, func(i, j int) bool { return LineClaimLess(added[i], added[j]) })
	if len(l.claims) == len(removed) && len(added) == 0 {
		return LineClaim{}, money.Zero, false // no claim left: not a line
	}
	total := money.Zero
	if n := len(l.claims); n > 0 {
		total = l.upto[n-1]
	}
	signed := l.signed
	for _, i := range removed {
		total = total.Sub(l.claims[i].Amount)
	}
	for _, c := range added {
		total = total.Add(c.Amount)
		signed = signed || c.Amount.Sign() < 0
	}
	if !total.GreaterThan(budget) {
		return LineClaim{}, total, false
	}
	if signed {
		return l.walk(budget, removed, added), total, true
	}
	// The events, in line order: a claim put in goes before the first
	// claim of the line it orders before; a claim taken out is skipped.
	// Between two events the running total is the line's own plus delta.
	delta := money.Zero
	before := func(i int) money.Amount { // the line's own total before claims[i]
		if i == 0 {
			return money.Zero
		}
		return l.upto[i-1]
	}
	// first is the first claim of claims[lo:hi] at which the running total
	// passes budget, or -1.
	first := func(lo, hi int) int {
		limit := budget.Sub(delta)
		j := lo + sort.Search(hi-lo, func(i int) bool { return l.upto[lo+i].GreaterThan(limit) })
		if j < hi {
			return j
		}
		return -1
	}
	next, r := 0, 0 // the next claim of the line not yet weighed; the next removed
	for _, c := range added {
		at := sort.Search(len(l.claims), func(i int) bool { return LineClaimLess(c, l.claims[i]) })
		for r < len(removed) && removed[r] < at {
			if j := first(next, removed[r]); j >= 0 {
				return l.claims[j], total, true
			}
			delta = delta.Sub(l.claims[removed[r]].Amount)
			next = removed[r] + 1
			r++
		}
		if j := first(next, at); j >= 0 {
			return l.claims[j], total, true
		}
		next = max(next, at)
		if before(at).Add(delta).Add(c.Amount).GreaterThan(budget) {
			return c, total, true
		}
		delta = delta.Add(c.Amount)
	}
	for ; r < len(removed); r++ {
		if j := first(next, removed[r]); j >= 0 {
			return l.claims[j], total, true
		}
		delta = delta.Sub(l.claims[removed[r]].Amount)
		next = removed[r] + 1
	}
	if j := first(next, len(l.claims)); j >= 0 {
		return l.claims[j], total, true
	}
	return LineClaim{}, total, false // not reached: the total passes budget
}

// walk is over for a line whose running total may fall: the claims in
// order, one by one.
func (l *weighed) walk(budget money.Amount, removed []int, added []LineClaim) LineClaim {
	out := map[int]bool{}
	for _, i := range removed {
		out[i] = true
	}
	var line []LineClaim
	for i, c := range l.claims {
		if !out[i] {
			line = append(line, c)
		}
	}
	line = append(line, added...)
	sort.SliceStable(line, func(i, j int) bool { return LineClaimLess(line[i], line[j]) })
	running := money.Zero
	for _, c := range line {
		running = running.Add(c.Amount)
		if running.GreaterThan(budget) {
			return c
		}
	}
	return LineClaim{}
}
