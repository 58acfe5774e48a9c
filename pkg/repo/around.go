package repo

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
)

// ErrFullPath: the record's neighbourhood cannot stand in for the whole
// department (no index, an id held twice, an unreadable file, a record
// filed under a name other than its id, an id no record holds with a file
// at its path); the caller loads everything.
var ErrFullPath = errors.New("the full department is needed")

// NoRecord is LoadAround's answer for an id no record holds where a full
// read would find none either: every record file is a readable record
// and none is named after the id (a full read finds a record by its
// file's name too, and explains a file there that cannot be read).
type NoRecord struct {
	Root string
	// IDs are the ids of the department's records, by path (as a full
	// read's set lists them): what a "did you mean" chooses from.
	IDs []string
}

func (e *NoRecord) Error() string { return "no record with id" }

// noRecord is the NoRecord of an id the index does not hold, or
// ErrFullPath.
func noRecord(x *index.Index, root, id string) error {
	ids := make([]string, 0, len(x.Entries))
	for _, e := range x.Entries {
		if e.Kind == "" || strings.TrimSuffix(path.Base(e.Path), ".yaml") == id {
			return ErrFullPath
		}
		ids = append(ids, e.ID)
	}
	return &NoRecord{Root: root, IDs: ids}
}

// LoadAround loads one record and the records the rules and `show` read
// about it, found in the index (see Around), instead of the department:
// the record itself, the records it names, the records naming it (for a
// project or a customer as skeletons with their references: namedOnly),
// the people and the budgets; for a complaint the other complaints of its
// customer as skeletons; for an expense the claims grouped with it (same
// claimant and day, a shared receipt) as skeletons with their
// attachments (what split-claim reads; in full when their index entries
// do not stand for them) and the year's claims of its category as
// skeletons (their clear fields: what the budget sums read); for a status
// report its author's reports; for a meeting every meeting as a
// skeleton. Validate on the result gives the record's own diagnostics
// exactly as on the whole department (TestAroundEqualsFull); the other
// records' diagnostics are not meaningful.
func LoadAround(ctx context.Context, dir, id string) (*Repo, error) {
	root, err := config.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	pol, pds, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	x, st, err := Index(ctx, root, pol)
	if err != nil || st.Hazards > 0 {
		// a file the folders' listing refused (a symbolic link, ...): the
		// full read warns of it
		return nil, ErrFullPath
	}
	if len(x.Get(id)) == 0 {
		return nil, noRecord(x, root, id)
	}
	sch, err := schema.Compile(pol.ExpenseCategories, pol.ComplaintCategories)
	if err != nil {
		return nil, err
	}
	sch = sch.Encrypting(EncryptedFields(pol))
	tr := trace(time.Now())
	full, skel, claims, naming, plans := Around(x, id)
	if full == nil {
		return nil, ErrFullPath
	}
	tr(fmt.Sprintf("around: %d to read, %d skeletons, %d claims' skeletons, %d naming it, %d plans' skeletons", len(full), len(skel), len(claims), len(naming), len(plans)))
	r := &Repo{Root: root, Policy: pol, Schemas: sch, kindIDs: func(k record.Kind) []string {
		es := x.Kind(k) // by path, as the whole department's set lists them
		ids := make([]string, len(es))
		for i, e := range es {
			ids[i] = e.ID
		}
		return ids
	}}
	r.Diags = append(r.Diags, pds...)
	// A file the index could not read as a record is left out, as a full
	// read leaves it out of its set, and read again for what the full
	// read says of it (the reading commands warn of it).
	ds, err := unreadableDiags(root, pol.Records, x)
	if err != nil {
		return nil, err
	}
	r.Diags = append(r.Diags, ds...)
	recs, rds, err := readEntries(root, pol.Records, sch, full, false)
	if err != nil {
		return nil, ErrFullPath // changed under us: the full path tells
	}
	r.Diags = append(r.Diags, rds...)
	recs = appendSkeletons(recs, skel, claims, naming, plans)
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	r.Set = record.NewSet(recs)
	r.Diags = diag.Sort(r.Diags)
	tr("around: read")
	return r, nil
}

// appendSkeletons appends to recs the records Around's lists stand for
// but those read in full: skeletons, claims' skeletons, skeletons with
// their references (a plan naming one, a revision, with its needs too)
// and plans' skeletons.
func appendSkeletons(recs []*record.Record, skel, claims, naming, plans []*index.Entry) []*record.Record {
	for _, e := range skel {
		recs = append(recs, e.Skeleton())
	}
	for _, e := range claims {
		recs = append(recs, e.ClaimSkeleton())
	}
	for _, e := range naming {
		if e.Kind == record.Plan { // a revision: its needs too
			recs = append(recs, e.PlanSkeleton())
		} else {
			recs = append(recs, e.RefSkeleton())
		}
	}
	for _, e := range plans {
		recs = append(recs, e.PlanSkeleton())
	}
	return recs
}

// Around returns the entries LoadAround reads in full, as skeletons
// (index.Entry.Skeleton), as claims' skeletons (ClaimSkeleton), as
// skeletons with their references (RefSkeleton) and as plans' skeletons
// (PlanSkeleton) for the record id, or nil when id is not held by exactly
// one readable file or some record is filed under a name other than its
// id. Files that are no records are passed over.
func Around(x *index.Index, id string) (full, skel, claims, naming, planSkels []*index.Entry) {
	es := x.Get(id)
	if len(es) != 1 {
		return nil, nil, nil, nil, nil
	}
	a := newAroundSet(x, true)
	if a == nil {
		return nil, nil, nil, nil, nil
	}
	a.add(es[0])
	return a.lists()
}

// aroundSet gathers what the findings of some records read (Around's
// entries for each, together): a record needed in full by one of them
// and as a skeleton by another is read in full, and one needed as two
// kinds of skeleton (a claim's and a plan's, say) too.
type aroundSet struct {
	x *index.Index
	// budgetLines: an expense's findings read the year's claims of its
	// category (the budget line's sums); a caller weighing the lines
	// itself (rules.Context.NoOverspend) leaves them out.
	budgetLines bool

	in      map[string]*index.Entry // read in full
	skels   map[string]*index.Entry
	plans   map[string]*index.Entry
	named   map[string]*index.Entry // naming a project, customer, plan or person
	group   map[string]*index.Entry // claims grouped with an expense
	readers []*index.Entry          // the records added

	// gathered from the records added, and looked for at the end, once
	authors                 map[string]bool // of status reports
	meetings, person        bool
	customers               map[string]bool // complaints' customers
	employees               map[string]bool // appraisals' employees
	claimKeys               groupKeys
	lines                   map[[2]string]bool // expenses' year and category
	planYears, planProjects map[string]bool
	noProject               bool
}

// newAroundSet starts an aroundSet on x: the people and the budgets,
// which every record's findings read. Nil when some record is filed under
// a name other than its id (a full read finds it under its file's name
// too, the index under its id alone).
func newAroundSet(x *index.Index, budgetLines bool) *aroundSet {
	a := &aroundSet{x: x, budgetLines: budgetLines, in: map[string]*index.Entry{}, skels: map[string]*index.Entry{},
		plans: map[string]*index.Entry{}, named: map[string]*index.Entry{}, group: map[string]*index.Entry{},
		authors: map[string]bool{}, customers: map[string]bool{}, employees: map[string]bool{}, lines: map[[2]string]bool{},
		planYears: map[string]bool{}, planProjects: map[string]bool{}}
	for _, e := range x.Entries {
		if e.Kind == "" {
			// A file that is no record: a full read leaves it out of its
			// set too, and warns of it (LoadAround reads it again for
			// that warning).
			continue
		}
		if strings.TrimSuffix(path.Base(e.Path), ".yaml") != e.ID {
			return nil
		}
		switch e.Kind {
		case record.Person, record.Budget:
			a.full(e)
		}
	}
	return a
}

func (a *aroundSet) full(e *index.Entry) {
	if e.Kind != "" {
		a.in[e.Path] = e
	}
}

// add adds what the findings of rec read.
func (a *aroundSet) add(rec *index.Entry) {
	x := a.x
	a.full(rec)
	a.readers = append(a.readers, rec)
	for _, r := range rec.Refs {
		for _, t := range x.Get(r.ID) {
			a.full(t)
		}
	}
	if cus := rec.Str("customer"); rec.Kind == record.Complaint && cus != "" {
		// The other records naming what a record names (its siblings:
		// the other claims, plans and appraisals of its project, ...)
		// are read by no rule judging it, but the other complaints of a
		// complaint's customer, of which complaint-repeat reads the
		// customer, category and time received: clear fields, which no
		// policy encrypts. complaint-repeat reads the customer field as
		// written, whether or not a customer holds that id (an id no
		// record holds, another kind's).
		a.customers[cus] = true
	}
	for _, ref := range x.RefsIn(rec.ID) {
		if namedOnly[rec.Kind] {
			a.named[ref.From.Path] = ref.From
		} else {
			a.full(ref.From)
		}
	}
	switch rec.Kind {
	case record.StatusReport:
		// the cadence warning sits on an author's latest submitted report
		// (by submitted_at, not a clear field): the author's reports
		a.authors[rec.Str("author")] = true
	case record.Meeting:
		// the cadence warning sits on the latest meeting held of a type
		a.meetings = true
	case record.Person:
		// status-report-missing reads whether the person submitted a
		// report (their reports name them: skeletons, the status a clear
		// field) and whether anyone did: one submitted report stands for
		// the department; appraisal-missing, the person's appraisals of
		// the period (naming them) and whether any appraisal has a
		// period: one such appraisal stands for the department
		a.person = true
	case record.Appraisal:
		// appraisal-duplicate reads the other appraisals of its employee:
		// their employee, period, project, state and id, clear fields
		if emp := rec.Str("employee"); emp != "" {
			a.employees[emp] = true
		}
	case record.Plan:
		// plan-active reads the active plans of its project (of any
		// year), plan-budget the counted plans of its id's year and the
		// counted plans superseding them (a counted revision replaces the
		// plan it supersedes): their status, project, supersedes and
		// budget needs, which their entries hold (PlanSkeleton); no rule
		// judging it reads the other plans
		a.planYears[record.IDYear(rec.ID)] = true
		if project := rec.Str("project"); project != "" {
			a.planProjects[project] = true
		} else {
			a.noProject = true
		}
	case record.Expense:
		a.claimKeys.add(rec)
		a.lines[[2]string{yearOf(rec.Str("date")), rec.Str("category")}] = true
	}
}

// lists looks for what the records added read beyond their own
// neighbours, and returns it by form, as Around does.
func (a *aroundSet) lists() (full, skel, claims, naming, planSkels []*index.Entry) {
	x := a.x
	if len(a.customers) > 0 {
		for cus := range a.customers {
			for _, sib := range x.RefsIn(cus) {
				switch {
				case sib.From.Kind != record.Complaint:
				case sib.From.Odd:
					a.full(sib.From)
				default:
					a.skels[sib.From.Path] = sib.From
				}
			}
		}
	}
	for emp := range a.employees {
		for _, sib := range x.RefsIn(emp) {
			switch {
			case sib.Field != "employee" || sib.From.Kind != record.Appraisal:
			case sib.From.Odd:
				a.full(sib.From)
			default:
				a.skels[sib.From.Path] = sib.From
			}
		}
	}
	if len(a.authors) > 0 {
		for _, e := range x.Kind(record.StatusReport) {
			if a.authors[e.Str("author")] {
				a.full(e)
			}
		}
	}
	if a.meetings {
		for _, e := range x.Kind(record.Meeting) {
			a.skels[e.Path] = e
		}
	}
	if a.person {
		for _, e := range x.Kind(record.StatusReport) {
			if st := e.Str("status"); st == "submitted" || st == "acknowledged" {
				a.skels[e.Path] = e
				break
			}
		}
		for _, e := range x.Kind(record.Appraisal) {
			if e.Str("period") != "" {
				a.skels[e.Path] = e
				break
			}
		}
	}
	if len(a.planYears) > 0 {
		plan := func(e *index.Entry, states ...string) {
			switch {
			case e.Kind != record.Plan || a.in[e.Path] != nil || !slices.Contains(states, e.Str("status")):
			case e.Odd:
				a.full(e)
			default:
				a.plans[e.Path] = e
			}
		}
		counted := []string{"approved", "active", "completed"} // rules.CountedPlans
		for _, e := range x.Kind(record.Plan) {
			if a.noProject && e.Str("project") == "" {
				plan(e, "active")
			}
			if !a.planYears[record.IDYear(e.ID)] || !slices.Contains(counted, e.Str("status")) {
				continue
			}
			plan(e, counted...)
			for _, sup := range x.RefsIn(e.ID) {
				if sup.Field == "supersedes" {
					plan(sup.From, counted...)
				}
			}
		}
		for project := range a.planProjects {
			for _, sib := range x.RefsIn(project) {
				if sib.Field == "project" {
					plan(sib.From, "active")
				}
			}
		}
	}
	if len(a.lines) > 0 {
		for _, e := range x.Kind(record.Expense) {
			if a.claimKeys.groups(e) {
				a.group[e.Path] = e
			} else if a.budgetLines && a.lines[[2]string{yearOf(e.Str("date")), e.Str("category")}] {
				a.skels[e.Path] = e
			}
		}
	}
	// The claims grouped with an expense are read by split-claim alone
	// (their status, amount, claimant, date and attachments), which their
	// entries hold (ClaimSkeleton), unless their entries do not stand for
	// them (Odd, Sealed) or another rule reads them.
	for p, e := range a.group {
		if a.in[p] != nil {
			continue
		}
		if e.Odd || e.Sealed {
			a.full(e)
			continue
		}
		if a.named[p] != nil || a.plans[p] != nil || a.skels[p] != nil {
			// needed as another skeleton too
			a.full(e)
			continue
		}
		claims = append(claims, e)
	}
	for p, e := range a.named {
		switch {
		case a.in[p] != nil:
		case e.Odd:
			a.full(e)
		default:
			naming = append(naming, e)
		}
	}
	for p, e := range a.plans {
		if a.in[p] == nil && a.named[p] == nil {
			planSkels = append(planSkels, e)
		}
	}
	for p, e := range a.skels {
		if a.in[p] == nil && a.named[p] == nil && a.plans[p] == nil {
			skel = append(skel, e)
		}
	}
	for _, e := range a.in {
		full = append(full, e)
	}
	// the skeletons above were chosen before the last entries were read
	// in full (an Odd one): those read in full are no skeletons
	claims = slices.DeleteFunc(claims, func(e *index.Entry) bool { return a.in[e.Path] != nil })
	naming = slices.DeleteFunc(naming, func(e *index.Entry) bool { return a.in[e.Path] != nil })
	planSkels = slices.DeleteFunc(planSkels, func(e *index.Entry) bool { return a.in[e.Path] != nil })
	skel = slices.DeleteFunc(skel, func(e *index.Entry) bool { return a.in[e.Path] != nil })
	return full, skel, claims, naming, planSkels
}

// namedOnly are the kinds whose records' checks and `show` read of the
// records naming them only their clear fields and references
// (index.Entry.RefSkeleton): a project (its plans' and appraisals' states,
// projects and employees; references in), a customer (references in), a
// plan (the meetings and tasks naming it: references in; a revision
// superseding it, as a plan's skeleton with its budget needs), a person
// (references in; their status reports' states and appraisals' periods).
// In a copied department they are named by thousands.
var namedOnly = map[record.Kind]bool{record.Project: true, record.Customer: true, record.Plan: true, record.Person: true}

func yearOf(date string) string {
	if len(date) < 4 {
		return ""
	}
	return date[:4]
}

// unreadableDiags reads again each record file the index could not read
// as a record and returns what a full read finds in it (the loader's
// diagnostics of a file that makes no record), or ErrFullPath when one is
// no regular file or reads as a record now (changed since the index).
func unreadableDiags(root, dir string, x *index.Index) ([]diag.Diagnostic, error) {
	var bad []string
	for _, e := range x.Entries {
		if e.Kind == "" {
			bad = append(bad, e.Path)
		}
	}
	if len(bad) == 0 {
		return nil, nil
	}
	rd := newReader(root)
	defer rd.close()
	c := rd.cursor()
	defer c.close()
	l := &loader{root: root, dir: dir, noSchema: true} // no record: no schema
	var out []diag.Diagnostic
	var buf []byte
	for _, p := range bad {
		if _, regular, err := c.lstat(p); err != nil || !regular {
			return nil, ErrFullPath
		}
		res := l.file(c, p, nil, &buf)
		if res.rec != nil {
			return nil, ErrFullPath
		}
		out = append(out, res.diags...)
	}
	return out, nil
}

// readEntries reads, parses and checks (placed in the records folder dir,
// against its schema) the files of es on every core, each worker through
// its own open folder (a copied department puts thousands of claims
// around one: those sharing its receipt). A file that cannot be read is
// an error; so is one whose content is not the entry's when same is set
// (the caller judges the department the index stands for).
func readEntries(root, dir string, sch *schema.Set, es []*index.Entry, same bool) ([]*record.Record, []diag.Diagnostic, error) {
	type read struct {
		rec *record.Record
		ds  []diag.Diagnostic
		err error
	}
	reads := make([]read, len(es))
	rd := newReader(root)
	defer rd.close()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(es)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := rd.cursor()
			defer c.close()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(es) {
					return
				}
				data, err := c.read(es[i].Path, -1, nil)
				if err == nil && same && cache.Hash(sha256.Sum256(data)) != es[i].Hash {
					err = fmt.Errorf("%s changed since the index was refreshed", es[i].Path)
				}
				if err != nil {
					reads[i].err = err
					continue
				}
				rec, ds := record.ParseLean(es[i].Path, data)
				if rec != nil {
					ds = append(ds, record.CheckPlace(rec, dir)...)
					ds = append(ds, sch.Validate(rec)...)
				}
				reads[i] = read{rec, ds, nil}
			}
		}()
	}
	wg.Wait()
	var recs []*record.Record
	var ds []diag.Diagnostic
	for _, rd := range reads {
		if rd.err != nil {
			return nil, nil, rd.err
		}
		if rd.rec != nil {
			recs = append(recs, rd.rec)
		}
		ds = append(ds, rd.ds...)
	}
	return recs, ds, nil
}
