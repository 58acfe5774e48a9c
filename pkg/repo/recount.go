package repo

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/schema"
)

// Counting validate's findings again after some claims changed.
//
// A summary made from the whole department keeps validate's findings
// counted by file (FileCounts) and, beside its memo, the index as it was
// (the base: SaveBase). Asked again after some files changed, the summary
// is made from those when every file changed since the base is an expense
// claim, before and after (Recount); anything else is the full pass. The
// claims changed since the base, C, move the findings of:
//
//   - the claims of C themselves;
//   - the claims grouped with one of C, before or after the change: by
//     the same claimant on the same day, or sharing a receipt (its path,
//     or a listed file's SHA-256): split-claim and receipt-shared sit on
//     every claim of such a group;
//   - the claims of C's budget lines, through budget-overspend, which is
//     counted apart (FileCounts.Overspend) and weighed again on every
//     line from the index's entries, as a write weighs a line;
//   - the records naming a claim of C (a training's claim): when there is
//     one, before or after, the change is judged on the whole department.
//
// The findings of those claims (Y) are made again on the records they
// read (repo.Around): Y in full, the people, the budgets, the records a
// claim of Y names and those naming it, in full, and the claims grouped
// with one of Y as skeletons (in full when their entries do not stand for
// them); the findings of every other file are the base's. The findings of
// a claim read no other record (TestAroundEqualsFull), so the counts are
// those of a full pass (TestRecountEqualsFull).
//
// The whole department is counted instead when this cannot be shown exact
// cheaply: the base's index is missing, damaged or of another department
// than the memo's; more than maxRecount files changed; a changed file is
// or was no readable expense claim, holds encrypted values or a field the
// index cannot keep (Odd), or holds an id held by another file; a record
// is filed under a name other than its id; or a file read does not hold
// what the index says (it changed during the pass).

// maxRecount is the most files changed since the base that a recount
// takes: beyond it the full pass costs about as much.
const maxRecount = 2000

// SaveBase writes the entries of d's index as a base at p (an index
// file: Recount reads it with index.Open).
func SaveBase(p string, d *Indexed) error {
	return index.Save(p, indexKey(d.Policy.Records, d.Policy.ExpenseCategories, d.Policy.ComplaintCategories), index.Mark{}, d.Index.Entries)
}

func indexKey(records string, expense, complaint []string) index.Key {
	return index.NewKey(cache.NewKey(records, expense, complaint))
}

// ClaimChange is a claim file changed since the base: Was its entry then
// (nil: a new file), Now its entry now (nil: removed).
type ClaimChange struct {
	Was, Now *index.Entry
}

// Recounted is what Recount made.
type Recounted struct {
	// Counts are validate's findings of the department now, by file.
	Counts FileCounts
	// Changes are the claims changed since the base, by path.
	Changes []ClaimChange
	// Budget holds what the budget report reads (report.BudgetReport):
	// the budgets, the projects and the claims dated in Year, the last
	// two as skeletons of their entries.
	Budget *record.Set
	// Seen are the attachment paths the rules looked at, sorted.
	Seen []string
	// Judged is how many claims' findings were made again, Read how many
	// records were read in full.
	Judged, Read int
}

// Recount counts validate's findings of the department d stands for (its
// index refreshed, its fingerprint taken) from was, the counts of the
// department the base at basePath held, whose fingerprint was baseFP; the
// budget records and claims of year are gathered for the budget report.
// It returns why not when the counts cannot be made so (see above).
func Recount(d *Indexed, basePath, baseFP string, was FileCounts, now time.Time, year int, h *rules.Horizon) (*Recounted, string) {
	pol := d.Policy
	head := d.FingerprintHead()
	if head == "" {
		return nil, "no fingerprint"
	}
	base, err := index.Open(basePath, indexKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories))
	if err != nil {
		return nil, fmt.Sprintf("the base: %v", err)
	}
	if fingerprint(head, len(base.Entries), func(i int) (string, cache.Hash) {
		return base.Entries[i].Path, base.Entries[i].Hash
	}) != baseFP {
		return nil, "the base is not the memo's department"
	}
	x := d.Index
	changes := diffEntries(base.Entries, x.Entries)
	if len(changes) == 0 {
		return nil, "nothing changed since the base"
	}
	if len(changes) > maxRecount {
		return nil, fmt.Sprintf("%d files changed since the base", len(changes))
	}
	for _, c := range changes {
		for _, side := range []struct {
			e *index.Entry
			x *index.Index
		}{{c.Was, base}, {c.Now, x}} {
			e := side.e
			switch {
			case e == nil:
			case e.Kind != record.Expense:
				return nil, e.Path + " is not an expense claim"
			case e.Odd || e.Sealed:
				return nil, e.Path + ": the index does not stand for it"
			case len(base.Get(e.ID)) > 1 || len(x.Get(e.ID)) > 1:
				return nil, e.ID + " is held by two files"
			case len(base.RefsIn(e.ID)) > 0 || len(x.RefsIn(e.ID)) > 0:
				return nil, e.ID + " is named by another record"
			}
		}
	}
	for _, e := range x.Entries {
		if e.Kind != "" && strings.TrimSuffix(path.Base(e.Path), ".yaml") != e.ID {
			return nil, e.Path + " is filed under a name other than its id"
		}
	}

	// Y: the claims of C as they are, and every claim grouped with one of
	// them before or after.
	judged := map[string]*index.Entry{}
	var keys groupKeys
	for _, c := range changes {
		keys.add(c.Was)
		keys.add(c.Now)
		if c.Now != nil {
			judged[c.Now.Path] = c.Now
		}
	}
	claims := x.Kind(record.Expense)
	for _, e := range claims {
		if keys.groups(e) {
			judged[e.Path] = e
		}
	}
	// N: what the findings of Y read.
	full := map[string]*index.Entry{}
	add := func(e *index.Entry) {
		if e.Kind != "" {
			full[e.Path] = e
		}
	}
	var around groupKeys
	for _, y := range judged {
		add(y)
		around.add(y)
		for _, r := range y.Refs {
			for _, t := range x.Get(r.ID) {
				add(t)
			}
		}
		for _, in := range x.RefsIn(y.ID) {
			add(in.From)
		}
	}
	for _, k := range []record.Kind{record.Person, record.Budget} {
		for _, e := range x.Kind(k) {
			add(e)
		}
	}
	var skels []*index.Entry
	for _, e := range claims {
		if full[e.Path] != nil || !around.groups(e) {
			continue
		}
		if e.Odd || e.Sealed {
			add(e)
		} else {
			skels = append(skels, e)
		}
	}
	sch, err := schema.Compile(pol.ExpenseCategories, pol.ComplaintCategories)
	if err != nil {
		return nil, err.Error()
	}
	sch = sch.Encrypting(EncryptedFields(pol))
	fullList := make([]*index.Entry, 0, len(full))
	for _, e := range full {
		fullList = append(fullList, e)
	}
	recs, loadDs, err := readEntries(d.Root, pol.Records, sch, fullList, true)
	if err != nil {
		return nil, err.Error()
	}
	var budgets []*record.Record
	for _, rec := range recs {
		if rec.Kind == record.Budget {
			budgets = append(budgets, rec)
		}
	}
	for _, e := range skels {
		recs = append(recs, e.ClaimSkeleton())
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	set := record.NewSet(recs)

	in := func(p string) bool { return judged[p] != nil }
	var ds []diag.Diagnostic
	for _, dg := range loadDs {
		if in(dg.Path) {
			ds = append(ds, dg)
		}
	}
	var seen sync.Map
	c := &rules.Context{Set: set, Policy: pol, Root: d.Root, Now: now, Horizon: h,
		Stat: func(rel string) attach.State {
			seen.Store(rel, true)
			if !insideRepo(rel) {
				return attach.Missing
			}
			return attach.Stat(d.Root, rel)
		},
		Sum: func(rel string) (string, error) { seen.Store(rel, true); return attach.Sum(d.Root, rel) },
		Head: func(rel string) ([]byte, error) {
			seen.Store(rel, true)
			return attach.Head(d.Root, rel, crypt.HeaderMax)
		},
		KindIDs: func(k record.Kind) []string {
			es := x.Kind(k)
			ids := make([]string, len(es))
			for i, e := range es {
				ids[i] = e.ID
			}
			return ids
		},
		Only:        func(rec *record.Record) bool { return in(rec.Path) },
		Keep:        func(p, _ string, _ diag.Severity) bool { return in(p) },
		Unplaced:    true,
		NoOverspend: true,
	}
	ds = append(ds, rules.Check(c)...)

	out := &Recounted{Counts: FileCounts{Paths: make(map[string][2]int, len(was.Paths))}, Changes: changes, Judged: len(judged), Read: len(full)}
	for p, n := range was.Paths {
		if judged[p] == nil {
			out.Counts.Paths[p] = n
		}
	}
	for _, ch := range changes {
		if ch.Was != nil && ch.Now == nil {
			delete(out.Counts.Paths, ch.Was.Path)
		}
	}
	countEach(set, ds, func(dg diag.Diagnostic) {
		if dg.Rule != overspendRule { // none: NoOverspend
			out.Counts.add(dg)
		}
	})
	bset := record.NewSet(budgets)
	out.Counts.Overspend = len(rules.Overspends(lineClaims(claims, pol.ExpenseCategories), rules.Budgets(bset), rules.BudgetYears(bset)))
	out.Budget = budgetSet(x, budgets, year)
	seen.Range(func(k, _ any) bool { out.Seen = append(out.Seen, k.(string)); return true })
	sort.Strings(out.Seen)
	return out, ""
}

// IndexOverspends counts budget-overspend as Recount does, on the index's
// entries of the claims and the budget records given: a full pass checks
// that it counts what the rules found (else a recount could not start
// from its counts).
func IndexOverspends(d *Indexed, budgets []*record.Record) int {
	bset := record.NewSet(budgets)
	return len(rules.Overspends(lineClaims(d.Index.Kind(record.Expense), d.Policy.ExpenseCategories), rules.Budgets(bset), rules.BudgetYears(bset)))
}

// IndexBudgetSet is Recounted.Budget for a department read in full: the
// same records, for the full pass to check that the budget report made
// from the index is the one it made from the records.
func IndexBudgetSet(d *Indexed, set *record.Set, year int) *record.Set {
	return budgetSet(d.Index, set.OfKind(record.Budget), year)
}

// lineClaims are the counted claims (rules.LineClaimOf) among the entries,
// from their clear fields.
func lineClaims(es []*index.Entry, cats []string) []rules.LineClaim {
	var out []rules.LineClaim
	for _, e := range es {
		if !rules.ExpenseCounts(e.Str("status")) {
			continue
		}
		if c, ok := rules.LineClaimOf(e.SkeletonOf(lineField), cats); ok {
			out = append(out, c)
		}
	}
	return out
}

// lineField tells the fields of a claim its budget line and the budget
// report read.
func lineField(f string) bool {
	switch f {
	case "status", "amount", "date", "category", "project":
		return true
	}
	return false
}

// budgetSet is what report.BudgetReport reads for year: the budgets, the
// projects (their titles) and the claims dated in the year, the last two
// as skeletons.
func budgetSet(x *index.Index, budgets []*record.Record, year int) *record.Set {
	recs := append([]*record.Record(nil), budgets...)
	for _, e := range x.Kind(record.Project) {
		recs = append(recs, e.Skeleton())
	}
	y := fmt.Sprint(year)
	for _, e := range x.Kind(record.Expense) {
		if strings.HasPrefix(e.Str("date"), y) {
			recs = append(recs, e.SkeletonOf(lineField))
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	return record.NewSet(recs)
}

// diffEntries lists the files whose content differs between two indexes'
// entries (by path: added, removed, changed).
func diffEntries(was, now []*index.Entry) []ClaimChange {
	var out []ClaimChange
	i, j := 0, 0
	for i < len(was) || j < len(now) {
		switch {
		case j == len(now) || i < len(was) && was[i].Path < now[j].Path:
			out = append(out, ClaimChange{Was: was[i]})
			i++
		case i == len(was) || now[j].Path < was[i].Path:
			out = append(out, ClaimChange{Now: now[j]})
			j++
		default:
			if was[i].Hash != now[j].Hash {
				out = append(out, ClaimChange{Was: was[i], Now: now[j]})
			}
			i++
			j++
		}
	}
	return out
}

// groupKeys are the split-claim groups of some claims: their claimant's
// day and their receipts (paths and listed SHA-256s, as index.Entry.Files
// holds them).
type groupKeys struct {
	days  map[string]bool
	files map[string]bool
}

func (g *groupKeys) add(e *index.Entry) {
	if e == nil {
		return
	}
	if g.days == nil {
		g.days, g.files = map[string]bool{}, map[string]bool{}
	}
	if k, ok := dayKey(e); ok {
		g.days[k] = true
	}
	for _, f := range e.Files {
		g.files[f] = true
	}
}

// groups tells whether the claim e is in one of the groups.
func (g *groupKeys) groups(e *index.Entry) bool {
	if g.days == nil {
		return false
	}
	if k, ok := dayKey(e); ok && g.days[k] {
		return true
	}
	for _, f := range e.Files {
		if g.files[f] {
			return true
		}
	}
	return false
}

// dayKey is a claim's claimant and day; false when either is missing
// (split-claim groups no such claims by day).
func dayKey(e *index.Entry) (string, bool) {
	c, dt := e.Str("claimant"), e.Str("date")
	return c + "\x00" + dt, c != "" && dt != ""
}
