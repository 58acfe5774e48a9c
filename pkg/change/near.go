package change

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Judging a change on its neighbourhood.
//
// The rules refuse a change for the errors it adds anywhere in the
// department. A record's errors read only some other records: the records
// it names (does the id exist, of that kind, that role), the people, the
// budgets, and a few gatherings: a project reads the plans and appraisals
// naming it, an approved claim its budget line's claims (budget-overspend
// sits on the claim that crossed the line), a training the claim and
// training plan it names. repo.Around lists, from the index, the records
// one record's findings read (proven on every record of the sample, of
// copies of it and of a generated department by TestAroundEqualsFull).
//
// So a change of the records C is judged on N, the union of Around(y), in
// the department before the change and after it, for every record y whose
// errors can move:
//
//   - the records of C, before and after;
//   - the records naming a record of C (their ref-missing, a training's
//     claim, a project's plans and appraisals);
//   - the records a record of C names whose errors read a record of C's
//     kind naming them (see referrersRead): not people (a person's errors
//     read only the people: director, emails, reports_to), customers,
//     complaints, nor a project named by a claim (a project's errors read
//     the plans and appraisals naming it);
//   - when C creates or removes an id, the records naming a missing id
//     within two edits of it (their "did you mean");
//   - for a claim of C, its budget line's claims (year and category,
//     before and after), of which only budget-overspend is compared: it is
//     weighed apart (rules.Overspends), on the line's claims as the index
//     holds them and the claims of C as the change leaves them, not as
//     records of N;
//   - for a plan of C, the counted plans of its year and of the years of
//     the plans it supersedes, with the counted revisions superseding
//     them (plan-budget sits on every plan of a line it passes), and the
//     active plans of its project (plan-active sits on the later ones),
//     before and after.
//
// The rules run over N as it is and as the change leaves it; the errors
// of those records that the second run adds are the refusal, compared
// exactly as the whole department's are (path, rule, record, message).
// Other records' findings in N may be artefacts of a partial set (a
// missing reference to a record outside N), but they are not compared.
// The "did you mean" of a missing id reads the ids of the whole
// department from the index (rules.Context.KindIDs).
//
// A change takes the whole department instead when this cannot be shown
// exact cheaply: a person or a budget among C or among the records whose
// errors can move (a person's role is read by every record checking one,
// a budget by every claim's line), an id of C held by another file, or two
// records of C with one id.

// view is the index as it is (come and gone empty) or as a change leaves
// it: the entries at the paths of gone replaced by come.
type view struct {
	x    *index.Index
	gone map[string]bool
	come []*index.Entry
	ids  map[string][]*index.Entry
	in   map[string][]index.In
	// kinds memoises kindIDs (the rules ask from several goroutines).
	mu    sync.Mutex
	kinds map[record.Kind][]string
}

func newView(x *index.Index, gone map[string]bool, come []*index.Entry) *view {
	v := &view{x: x, gone: gone, come: come, ids: map[string][]*index.Entry{}, in: map[string][]index.In{}}
	for _, e := range come {
		v.ids[e.ID] = append(v.ids[e.ID], e)
		for _, r := range e.Refs {
			v.in[r.ID] = append(v.in[r.ID], index.In{From: e, Field: r.Field})
		}
	}
	return v
}

func (v *view) get(id string) []*index.Entry {
	var out []*index.Entry
	for _, e := range v.x.Get(id) {
		if !v.gone[e.Path] {
			out = append(out, e)
		}
	}
	return append(out, v.ids[id]...)
}

// at returns the view's entry at path p, or nil.
func (v *view) at(p string) *index.Entry {
	for _, e := range v.come {
		if e.Path == p {
			return e
		}
	}
	if v.gone[p] {
		return nil
	}
	return v.x.At(p)
}

// holds reports whether some record of the view holds id.
func (v *view) holds(id string) bool {
	if len(v.ids[id]) > 0 {
		return true
	}
	for _, e := range v.x.Get(id) {
		if !v.gone[e.Path] {
			return true
		}
	}
	return false
}

func (v *view) refsIn(id string) []index.In {
	var out []index.In
	for _, in := range v.x.RefsIn(id) {
		if !v.gone[in.From.Path] {
			out = append(out, in)
		}
	}
	return append(out, v.in[id]...)
}

// pick returns the entries of list still in the view, then the come
// entries that are ours: the view's answer to one of the index's
// look-ups (list) for the entries ours accepts.
func (v *view) pick(list []*index.Entry, ours func(e *index.Entry) bool) []*index.Entry {
	var out []*index.Entry
	for _, e := range list {
		if !v.gone[e.Path] {
			out = append(out, e)
		}
	}
	for _, e := range v.come {
		if ours(e) {
			out = append(out, e)
		}
	}
	return out
}

// ofKind returns the view's entries of a kind.
func (v *view) ofKind(k record.Kind) []*index.Entry {
	return v.pick(v.x.Kind(k), func(e *index.Entry) bool { return e.Kind == k })
}

// claims returns the view's expense entries of a budget line.
func (v *view) claims(l index.Line) []*index.Entry {
	return v.pick(v.x.Claims(l), func(e *index.Entry) bool { return e.Kind == record.Expense && index.LineOf(e) == l })
}

// kindIDs lists the ids of kind k in the view, by path (as the whole
// department's set lists them).
func (v *view) kindIDs(k record.Kind) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if ids, ok := v.kinds[k]; ok {
		return ids
	}
	if v.kinds == nil {
		v.kinds = map[record.Kind][]string{}
	}
	v.kinds[k] = v.listKind(k)
	return v.kinds[k]
}

func (v *view) listKind(k record.Kind) []string {
	type pid struct{ path, id string }
	var l []pid
	for _, e := range v.ofKind(k) {
		l = append(l, pid{e.Path, e.ID})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].path < l[j].path })
	out := make([]string, len(l))
	for i, p := range l {
		out[i] = p.id
	}
	return out
}

// around is repo.Around for several records of a view at once, for their
// errors alone: the paths to read. Of the records naming one of ys, only
// those of the kinds its errors read (referrersRead); the records naming
// what a record of noSiblings names are left out; a claim's budget line
// is weighed apart (overspends). What repo.Around adds for warnings alone
// is left out too: a claim's split-claim group (its claimant's day, the
// claims sharing a file) and the meetings (meeting-missed), which the
// checks across records that only warn read (rules.Context.Errors). Each
// of these grows with the department (the claims of one claimant and day
// pile up in the copies of a department, every claim of a long project
// names it), so reading them made every move tried in an inbox cost more
// as the department grew. false: a record of a kind judged on the whole
// department.
func (v *view) around(ys []*index.Entry) (full, skel map[string]*index.Entry, ok bool) {
	full, skel = map[string]*index.Entry{}, map[string]*index.Entry{}
	add := func(e *index.Entry) {
		if e.Kind != "" {
			full[e.Path] = e
		}
	}
	for _, y := range ys {
		if wholeKind(y.Kind) {
			return nil, nil, false
		}
		add(y)
		for _, r := range y.Refs {
			for _, t := range v.get(r.ID) {
				add(t)
				if t.Kind == record.Person || noSiblings[y.Kind] || y.Kind == record.Plan {
					// a person is named by much of the department; of
					// the records naming what a plan names, its errors
					// read only plans, which are in D when they can
					// move (see judgeNear)
					continue
				}
				for _, sib := range v.refsIn(t.ID) {
					add(sib.From)
				}
			}
		}
		for _, in := range v.refsIn(y.ID) {
			switch {
			case !readsReferrer(y.Kind, in.From.Kind):
			case y.Kind == record.Project && !in.From.Odd:
				// a project's errors read of its plans and appraisals
				// their states, projects and employees: skeletons
				// (namedSkeleton), as show reads them
				skel[in.From.Path] = in.From
			default:
				add(in.From)
			}
		}
	}
	for _, k := range []record.Kind{record.Person, record.Budget} {
		for _, e := range v.ofKind(k) {
			add(e)
		}
	}
	for p := range full {
		delete(skel, p)
	}
	return full, skel, true
}

// namedSkeleton is the record an entry read as a skeleton in N stands
// for: a plan's with its budget needs, another's with its clear fields
// and references.
func namedSkeleton(e *index.Entry) *record.Record {
	if e.Kind == record.Plan {
		return e.PlanSkeleton()
	}
	return e.RefSkeleton()
}

// noSiblings are the kinds whose errors read no other record naming what
// they name: a claim's read its targets, the people, its files and its
// budget line (weighed apart); a complaint's its own fields, its targets
// and the people (a repeat of an earlier complaint of its customer is a
// warning, which a write does not compare); a meeting's its own fields
// (what published minutes and a closed meeting need, its action items),
// its targets and the people (meeting-missed, which reads the other
// meetings, only warns). Other kinds' do (a plan and the other plans of
// its project, ...), or have not been shown not to.
var noSiblings = map[record.Kind]bool{record.Expense: true, record.Complaint: true, record.Meeting: true}

// referrersRead lists, for some kinds, the kinds of the records naming
// one of them that its errors read; a kind not listed may read any. A
// customer's errors read none (its checks of the complaints naming it,
// revisits and repeats, only warn), nor do a complaint's (its own fields,
// its targets and the people; not the complaints, meetings, tasks and
// analyses naming it); a project's read the plans naming it (an
// executing project needs an active plan) and the appraisals (a closed
// project needs one of each member), never the claims, meetings or tasks
// naming it; a plan's read none of them (not the meetings and tasks; a
// revision superseding it takes it out of its year's budget sums, but
// plan-budget's and plan-active's errors land on plans a change of a plan
// puts in D itself: its year's counted plans, with their revisions, and
// the active plans of its project). A change of a record naming one cannot move its errors
// unless it is of a kind listed, and its own are judged without the
// others.
var referrersRead = map[record.Kind][]record.Kind{
	record.Customer:  {},
	record.Complaint: {},
	record.Project:   {record.Plan, record.Appraisal},
	record.Plan:      {},
}

// readsReferrer tells whether the errors of a record of kind k can read a
// record of kind from that names it.
func readsReferrer(k, from record.Kind) bool {
	kinds, listed := referrersRead[k]
	return !listed || slices.Contains(kinds, from)
}

// readsOnlyAsRef are the kinds whose findings read the project they name
// nothing of but what a reference reads (rules.Ref: that the id is held,
// by a project): a budget (the projects of its lines, lines.*.project)
// and a claim (its project, a key of the budget line it weighs on). A
// change that keeps a project (keptProjects), a move or an edit, cannot
// move their findings, so the budgets and claims naming it are not among
// the records whose errors can move: the change is judged near rather
// than on the whole department (a budget is judged so: wholeKind), and
// not on every claim of a long project. Plans, appraisals, meetings and
// the operations plan read more of a project, and stay.
var readsOnlyAsRef = map[record.Kind]bool{record.Budget: true, record.Expense: true}

// keptProjects are the ids of the projects a change leaves where they
// were: one file holding the project before and after, at the same path.
// A project created, removed, renumbered or moved to another path keeps
// no id here.
func keptProjects(was, come []*index.Entry) map[string]bool {
	before := map[string]string{}
	for _, e := range was {
		if e.Kind == record.Project {
			before[e.ID] = e.Path
		}
	}
	kept := map[string]bool{}
	for _, e := range come {
		if e.Kind == record.Project && before[e.ID] == e.Path {
			kept[e.ID] = true
		}
	}
	return kept
}

// wholeKind: records judged on the whole department (a person's errors
// read the people, whom a change of a person moves for every record
// checking a role), and budgets, which every claim's line reads.
func wholeKind(k record.Kind) bool {
	return k == record.Person || k == record.Budget
}

// countedPlan tells whether a plan's budget needs count against its year
// (rules.CountedPlans: approved, active, completed), by its entry.
func countedPlan(e *index.Entry) bool {
	switch e.Str("status") {
	case "approved", "active", "completed":
		return true
	}
	return false
}

// planYears are the years whose plan-budget a plan reads or moves: its
// id's, and those of the plans it supersedes (a counted revision takes
// the plan it supersedes out of its year's sums).
func planYears(v *view, e *index.Entry) []string {
	years := []string{record.IDYear(e.ID)}
	for _, r := range e.Refs {
		if r.Field == "supersedes" {
			years = append(years, record.IDYear(r.ID))
		}
	}
	return years
}

// yearPlans returns the counted plans of a year in view v and the counted
// plans superseding them: what plan-budget sums for the year.
func (v *view) yearPlans(year string) []*index.Entry {
	var out []*index.Entry
	for _, e := range v.ofKind(record.Plan) {
		if record.IDYear(e.ID) != year || !countedPlan(e) {
			continue
		}
		out = append(out, e)
		for _, in := range v.refsIn(e.ID) {
			if in.Field == "supersedes" && in.From.Kind == record.Plan && countedPlan(in.From) {
				out = append(out, in.From)
			}
		}
	}
	return out
}

// activeSiblings returns the active plans naming a plan's project (or
// naming none, for a plan of none): what plan-active reads of a plan.
func (v *view) activeSiblings(e *index.Entry) []*index.Entry {
	var out []*index.Entry
	project := e.Str("project")
	if project == "" {
		for _, p := range v.ofKind(record.Plan) {
			if p.Str("project") == "" && p.Str("status") == "active" {
				out = append(out, p)
			}
		}
		return out
	}
	for _, in := range v.refsIn(project) {
		if in.Field == "project" && in.From.Kind == record.Plan && in.From.Str("status") == "active" {
			out = append(out, in.From)
		}
	}
	return out
}

// nearOnlyMost is how many records (read or as skeletons) a change tried
// alone (TryMoves) is judged near on at most: beyond it, it is judged
// together with the other moves tried, on the whole department or near
// on their neighbourhoods' union, once for all of them. A plan's move
// is never tried alone so (in a copied department thousands of plans are
// around it, and finding them costs about as much as judging them).
const nearOnlyMost = 256

// judgeNear judges the rules' side of a change on its neighbourhood (see
// above): the errors the change adds, whether it takes any away, and
// false when the change must be judged on the whole department instead
// (nearOnly: it will be, with others).
func (s *Session) judgeNear(edits []Edit, after []*record.Record, pending map[string][]byte, nearOnly bool) ([]diag.Diagnostic, bool, bool) {
	start := time.Now()
	whole := func(why string) ([]diag.Diagnostic, bool, bool) {
		if !nearOnly {
			tracef("write judged on the whole department: %s", why)
		}
		return nil, false, false
	}
	x := s.near.x
	gone := map[string]bool{}
	var was, come []*index.Entry
	afterAt := map[string]*record.Record{}
	for i, e := range edits {
		if e.File {
			continue
		}
		if gone[e.Path] {
			return whole("one path edited twice")
		}
		gone[e.Path] = true
		if old := x.At(e.Path); old != nil {
			was = append(was, old)
		}
		if after[i] != nil {
			afterAt[e.Path] = after[i]
			come = append(come, index.EntryOf(e.Path, cache.Stat{}, false, cache.Hash{}, after[i]))
		}
	}
	before, then := newView(x, nil, nil), newView(x, gone, come)
	// ids held by one record each, before and after
	for _, v := range []*view{before, then} {
		for _, l := range [][]*index.Entry{was, come} {
			for _, e := range l {
				if wholeKind(e.Kind) {
					return whole("a " + string(e.Kind) + " changed")
				}
				if nearOnly && e.Kind == record.Plan {
					// its neighbourhood (the counted plans of its years)
					// costs about a pass: tried with the others
					return whole("a plan changed")
				}
				if len(v.get(e.ID)) > 1 {
					return whole(e.ID + " held by two files")
				}
			}
		}
	}
	// D: the records whose errors can move; line: claims whose
	// budget-overspend can move.
	type pair struct {
		v *view
		e *index.Entry
	}
	var ds []pair
	judged := map[string]bool{}
	addD := func(v *view, e *index.Entry) {
		if !judged[e.Path+"\x00"+boolKey(v == then)] {
			judged[e.Path+"\x00"+boolKey(v == then)] = true
			ds = append(ds, pair{v, e})
		}
	}
	// plans whose plan-budget and plan-active alone can move (see
	// below): compared as skeletons
	planD := map[string]*index.Entry{}
	addPlan := func(e *index.Entry) {
		if !gone[e.Path] {
			planD[e.Path] = e
		}
	}
	lines := map[index.Line]bool{}
	planYearsMoved := map[string]bool{}
	kept := keptProjects(was, come)
	for _, side := range []struct {
		v  *view
		cs []*index.Entry
	}{{before, was}, {then, come}} {
		for _, c := range side.cs {
			addD(side.v, c)
			for _, in := range side.v.refsIn(c.ID) {
				if readsOnlyAsRef[in.From.Kind] && kept[c.ID] {
					// a budget or a claim reads the project it names
					// only as a reference does: that it is there
					continue
				}
				addD(side.v, in.From)
			}
			for _, r := range c.Refs {
				for _, t := range side.v.get(r.ID) {
					if t.Kind != record.Person && readsReferrer(t.Kind, c.Kind) {
						addD(side.v, t)
					}
				}
			}
			if c.Kind == record.Expense {
				lines[index.LineOf(c)] = true
			}
			if c.Kind == record.Plan {
				// plan-budget sits on every counted plan of a year the
				// plan counts in (or takes a superseded plan out of),
				// plan-active on the active plans of its project
				for _, yr := range planYears(side.v, c) {
					planYearsMoved[yr] = true
				}
				for _, sib := range side.v.activeSiblings(c) {
					addPlan(sib)
				}
			}
		}
	}
	for yr := range planYearsMoved {
		for _, v := range []*view{before, then} {
			for _, e := range v.yearPlans(yr) {
				addPlan(e)
			}
		}
	}
	// "did you mean": an id created or removed can change the suggestion
	// for a missing id within two edits of it
	ids := map[string]int{}
	for _, e := range was {
		ids[e.ID]--
	}
	for _, e := range come {
		ids[e.ID]++
	}
	var moved []string
	for id, n := range ids {
		if n != 0 {
			moved = append(moved, id)
		}
	}
	if len(moved) > 0 {
		near := func(m string) bool {
			for _, id := range moved {
				if m != id && rules.SimilarID([]string{id}, m) != "" {
					return true
				}
			}
			return false
		}
		for _, v := range []*view{before, then} {
			consider := func(m string) {
				if v.holds(m) || !near(m) {
					return
				}
				for _, in := range v.refsIn(m) {
					addD(v, in.From)
				}
			}
			x.NamedIDs(consider)
			for id := range v.in {
				consider(id)
			}
		}
	}
	// N: around every record of D, in both views (where it is): its
	// findings are compared as they are and as the change leaves them;
	// named: records in N as skeletons (a project's plans and appraisals)
	full := map[string]*index.Entry{}
	named := map[string]*index.Entry{}
	dPaths := map[string]bool{}
	for _, p := range ds {
		dPaths[p.e.Path] = true
	}
	// The plans a plan of C moves only by plan-budget and plan-active
	// (the counted plans of its years, the active plans of its project;
	// thousands in a copied department) are in N as skeletons holding
	// what those two rules read (index.Entry.PlanSkeleton, proven by
	// TestAroundEqualsFull), and only those two rules' errors of theirs
	// are compared; a plan whose entry does not stand for it is read.
	// Their errors are placed by no skeleton: one the change adds sends
	// the change to the whole department, which places it.
	skelPlans := map[string]bool{}
	for p, e := range planD {
		switch {
		case dPaths[p]:
		case e.Odd:
			dPaths[p] = true
		default:
			skelPlans[p] = true
		}
	}
	for _, v := range []*view{before, then} {
		var ys []*index.Entry
		for p := range dPaths {
			if e := v.at(p); e != nil {
				ys = append(ys, e)
			}
		}
		f, sk, ok := v.around(ys)
		if !ok {
			return whole("a person or budget's findings can move")
		}
		for p, e := range f {
			full[p] = e
		}
		for p, e := range sk {
			named[p] = e
		}
	}
	for p := range full {
		delete(named, p)
	}
	if around := len(full) + len(skelPlans) + len(named); nearOnly && around > nearOnlyMost {
		// as dear as a pass over the department: judged with others
		return whole(fmt.Sprintf("%d records around it", around))
	}
	// Errors the change adds on a plan read as a skeleton are placed by
	// reading it: once such an error is found, the plans it lands on are
	// read in full and the rules run again (the same errors, placed).
	var added []diag.Diagnostic
	takes := false
	for again := true; again; {
		// the two sets
		var common, was2, now2 []*record.Record
		for p := range skelPlans {
			if full[p] == nil {
				common = append(common, planD[p].PlanSkeleton())
			}
		}
		for p, e := range named {
			if full[p] == nil && !skelPlans[p] && !gone[p] {
				common = append(common, namedSkeleton(e))
			}
		}
		for p := range full {
			if gone[p] {
				continue
			}
			rec, err := s.near.load(s.Repo, p)
			if err != nil || rec == nil {
				return whole(fmt.Sprintf("%s: %v", p, err)) // changed under us
			}
			common = append(common, rec)
		}
		for p := range gone {
			if x.At(p) != nil {
				rec, err := s.near.load(s.Repo, p)
				if err != nil || rec == nil {
					return whole(fmt.Sprintf("%s: %v", p, err))
				}
				was2 = append(was2, rec)
			}
			if a := afterAt[p]; a != nil {
				now2 = append(now2, a)
			}
		}
		setOf := func(extra []*record.Record) *record.Set {
			return record.NewSet(append(append([]*record.Record(nil), common...), extra...))
		}
		// Only the records compared need their own checks, and only their
		// errors; budget-overspend is weighed apart, on the lines' claims.
		only := func(rec *record.Record) bool { return dPaths[rec.Path] }
		keep := func(path, rule string, sev diag.Severity) bool {
			return sev == diag.Error && (dPaths[path] || skelPlans[path] && (rule == "plan-budget" || rule == "plan-active"))
		}
		compared := func(d diag.Diagnostic) bool { return keep(d.Path, d.Rule, d.Severity) }
		beforeDs := rules.Check(s.rulesOn(&rules.Context{Set: setOf(was2), Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now, KindIDs: before.kindIDs, Only: only, Errors: true, Keep: keep, NoOverspend: true}))
		nowDs := rules.Check(s.rulesOn(&rules.Context{Set: setOf(now2), Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now, Pending: pending, KindIDs: then.kindIDs, Only: only, Errors: true, Keep: keep, NoOverspend: true}))
		// budget-overspend of every claim of the lines the claims of C count
		// against, before and after: the line's sums are whole, read from the
		// index (a budget is never among C: that change is judged whole)
		var budgetRecs []*record.Record
		for _, rec := range common {
			if rec.Kind == record.Budget {
				budgetRecs = append(budgetRecs, rec)
			}
		}
		bset := record.NewSet(budgetRecs)
		budgets, years := rules.Budgets(bset), rules.BudgetYears(bset)
		var overBefore, overNow []diag.Diagnostic
		if len(lines) > 0 {
			overBefore = s.overspends(before, lines, budgets, years, nil)
			overNow = s.overspends(then, lines, budgets, years, afterAt)
		}
		wasDs, nowAll := append(filterDiags(beforeDs, compared), overBefore...), append(filterDiags(nowDs, compared), overNow...)
		added, takes = addedErrors(wasDs, nowAll), len(addedErrors(nowAll, wasDs)) > 0
		again = false
		for _, d := range added {
			if skelPlans[d.Path] && full[d.Path] == nil {
				full[d.Path], again = planD[d.Path], true
			}
		}
	}
	for i, d := range added {
		if d.Rule != "budget-overspend" || d.Line != 0 {
			continue
		}
		// weighed on the index's entries: placed at the claim's amount
		rec := afterAt[d.Path]
		if rec == nil {
			var err error
			if rec, err = s.near.load(s.Repo, d.Path); err != nil || rec == nil {
				return whole(fmt.Sprintf("%s: %v", d.Path, err))
			}
		}
		added[i].Line, added[i].Column = rec.Pos(budgetField)
	}
	tracef("write judged near: %d records compared, %d read, %d lines weighed, %d plans' skeletons, %d skeletons: %.0f ms",
		len(dPaths), len(full), len(lines), len(skelPlans), len(named), float64(time.Since(start).Microseconds())/1000)
	return added, takes, true
}

// overspends is budget-overspend (rules.Overspends) on the claims of the
// lines in view v, as diagnostics without a place; the claims of the
// change come from its records (after), the others from the index's
// entries (their clear fields: what the sums read).
func (s *Session) overspends(v *view, lines map[index.Line]bool, budgets map[rules.BudgetKey]money.Amount, years map[string]bool, after map[string]*record.Record) []diag.Diagnostic {
	cats := s.Repo.Policy.ExpenseCategories
	come := map[index.Line][]rules.LineClaim{}
	for _, e := range v.come {
		if e.Kind != record.Expense || !lines[index.LineOf(e)] {
			continue
		}
		rec := after[e.Path]
		if rec == nil {
			rec = e.Skeleton()
		}
		if c, ok := rules.LineClaimOf(rec, cats); ok {
			come[index.LineOf(e)] = append(come[index.LineOf(e)], c)
		}
	}
	var over []rules.Overspend
	for l := range lines {
		// the line's claims but those of gone, the change's put in
		over = append(over, s.near.weighing(v.x, l, cats).After(budgets, years, v.gone, come[l])...)
	}
	// in Overspends's order: by year, category and project line
	sort.Slice(over, func(i, j int) bool { return rules.BudgetKeyLess(over[i].Key, over[j].Key) })
	var out []diag.Diagnostic
	for _, o := range over {
		msg, text := o.Both()
		out = append(out, diag.Diagnostic{Path: o.Claim.Rec.Path, Severity: diag.Error, Rule: "budget-overspend", Message: msg, Text: text, Record: o.Claim.Rec.ID})
	}
	return out
}

// weighing returns the counted claims of a budget line in the index,
// weighed (rules.Weigh) once a session per line, from the entries'
// skeletons: each change is then weighed at a cost that does not grow
// with the line.
func (n *near) weighing(x *index.Index, l index.Line, cats []string) *rules.Weighing {
	n.mu.Lock()
	defer n.mu.Unlock()
	w, ok := n.lines[l]
	if !ok {
		var all []rules.LineClaim
		for _, e := range x.Claims(l) {
			// a claim not approved or paid counts on no line: its status,
			// read in place, spares making its skeleton
			if !rules.ExpenseCounts(e.Str("status")) {
				continue
			}
			if c, ok := rules.LineClaimOf(e.SkeletonOf(lineField), cats); ok {
				all = append(all, c)
			}
		}
		w = rules.Weigh(all)
		if n.lines == nil {
			n.lines = map[index.Line]*rules.Weighing{}
		}
		n.lines[l] = w
	}
	return w
}

// lineField tells the fields a claim's line reads (rules.LineClaimOf):
// the skeletons of a line's claims hold no others.
func lineField(f string) bool {
	switch f {
	case "status", "amount", "date", "category", "project":
		return true
	}
	return false
}

// budgetField is where rules put budget-overspend: the claim's amount.
const budgetField = "amount"

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func filterDiags(ds []diag.Diagnostic, keep func(diag.Diagnostic) bool) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range ds {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// insideRepo tells whether an attachment path stays below the root (as
// validate's look-up does).
func insideRepo(rel string) bool {
	return !strings.HasPrefix(rel, "/") && !strings.Contains("/"+rel+"/", "/../")
}
