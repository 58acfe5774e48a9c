package repo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/schema"
)

// Counting validate's findings again after some records changed.
//
// A summary made from the whole department keeps validate's findings
// counted by file (FileCounts) and, beside its memo, the index as it was
// (the base: SaveBase). Asked again after some files changed (C), the
// summary's counts are made from those (Recount) unless a changed file is
// a person or a budget, before or after: every record's findings read the
// people and the budgets, so that is the full pass. Of the others, only
// the findings of the records that read one of C, before or after the
// change, can move (Y, the records judged again):
//
//   - the records of C themselves, as they are;
//   - the records C names and those naming one of C (a reference read
//     either way: a missing id, a project's plans and appraisals, ...),
//     but not those naming a customer, violation or analysis edited where
//     it was (readAlone: they read of it that it is there);
//   - for a claim, the claims grouped with it (by the same claimant on
//     the same day, or sharing a receipt: split-claim and receipt-shared
//     sit on every claim of such a group); budget-overspend is counted
//     apart (FileCounts.Overspend) and weighed again on every line from
//     the index's entries, as a write weighs a line;
//   - for a complaint, the complaints of its customer in its category
//     (complaint-repeat);
//     for a status report, its author's reports; for an appraisal, its
//     employee's appraisals; for a meeting, the meetings of its type (the
//     cadence warning); for a status report submitted or an appraisal of
//     a period, before or after, the people too (one such report or
//     appraisal stands for the department in what status-report-missing
//     and appraisal-missing read);
//   - for a plan counted (approved, active, completed) before or after,
//     the plans of its id's year and of the year of the plan it
//     supersedes (plan-budget); for one active, those of its project, or
//     without a project those without one (plan-active).
//
// This is what Around finds each record's findings reading, turned
// around. The findings of Y are made again on what they read (Around's
// entries for all of Y at once, read in full or as skeletons, an entry
// needed in two forms in full); the findings of every other file are the
// base's. Around is held to what each record's findings read
// (TestAroundEqualsFull), so the counts are those of a full pass
// (TestRecountEqualsFull changes records of every kind at random and
// compares).
//
// The whole department is counted instead when this cannot be shown exact
// cheaply: the base's index or counts are missing, damaged or of another
// department than the memo's; the policy, the build or the language
// changed since (the base's mark names its fingerprint's head); more than
// maxRecount files changed; a changed file is or was no readable record,
// a person or a budget, a claim holding encrypted values, or holds a
// field the index cannot keep (Odd), or holds an id held by another file;
// a record is filed under a name other than its id; or a file read does
// not hold what the index says (it changed during the pass).

// maxRecount is the most files changed since the base that a recount
// takes: beyond it the full pass costs about as much (a variable for the
// tests).
var maxRecount = 2000

// maxJudged: a recount judging again or reading more than one record in
// maxJudged of the department (and more than minJudged)'s costs more than the full pass (which
// reads the records from the parse cache; a recount parses the files it
// reads), and is not made. Changes of many kinds at once (a pull) can
// reach that: a plan's change judges the plans of its year again, an
// appraisal's its employee's and the people. Up to minJudged records
// are always taken: the full pass of a small department is cheap, but a
// recount of it reads its people and budgets, a tenth of it.
var maxJudged, minJudged = 10, 2000

// SaveBase writes the base of later recounts: the entries of d's index
// (whose fingerprint, taken, is fp) at p as SaveIndexBase keeps them (a
// link to the index file itself when that holds them), and c, the counts
// of the department they stand for, beside it (p+".counts", each file's
// counts in the entries' order, naming fp). Recount takes the base only
// when its entries give fp again: an index file replaced between the
// refresh and the link, or a base of a policy, build or language since
// changed, is not taken.
func SaveBase(p string, d *Indexed, fp string, c FileCounts) error {
	if err := SaveIndexBase(p, d); err != nil {
		return err
	}
	es := d.Index.Entries
	return cache.WriteFile(p+".counts", ".counts.tmp-*", encodeCounts(fp+" "+wholeOf(es), es, c))
}

// renameOver renames tmp to p, a base file in the cache folder: a folder
// made in its place is removed first (as cache.WriteFile does), or it
// would refuse every base.
func renameOver(tmp, p string) error {
	err := os.Rename(tmp, p)
	if err != nil {
		if info, lerr := os.Lstat(p); lerr == nil && info.IsDir() && os.RemoveAll(p) == nil {
			err = os.Rename(tmp, p)
		}
	}
	return err
}

// The counts file: "opsbook counts 5 ", the fingerprint of the base's
// entries and that of its people, budgets and files that are no record
// (wholeOf), "\n", the number of entries and each entry's errors and
// warnings (uvarints, in the entries' order), the paths with findings that
// are no entry (a count, then each path, errors and warnings),
// budget-overspend's count, and the SHA-256 of all that.
const countsMagic = "opsbook counts 5 "

// wholeOf hashes the path and content of every person, budget and file
// that is no record of es: a recount sees, without opening its base, that
// one of them changed since (or became one, or stopped being one), which
// is the full pass.
func wholeOf(es []*index.Entry) string {
	h := sha256.New()
	for _, e := range es {
		if e.Kind == "" || e.Kind == record.Person || e.Kind == record.Budget {
			h.Write(append(append([]byte(e.Path), 0), e.Hash[:]...))
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func encodeCounts(what string, es []*index.Entry, c FileCounts) []byte {
	b := []byte(countsMagic + what + "\n")
	b = binary.AppendUvarint(b, uint64(len(es)))
	on := make(map[string]bool, len(es))
	for _, e := range es {
		n := c.Paths[e.Path]
		on[e.Path] = true
		b = binary.AppendUvarint(b, uint64(n[0]))
		b = binary.AppendUvarint(b, uint64(n[1]))
	}
	var extra []string
	for p := range c.Paths {
		if !on[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	b = binary.AppendUvarint(b, uint64(len(extra)))
	for _, p := range extra {
		n := c.Paths[p]
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
		b = binary.AppendUvarint(b, uint64(n[0]))
		b = binary.AppendUvarint(b, uint64(n[1]))
	}
	b = binary.AppendUvarint(b, uint64(c.Overspend))
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// baseCounts are a counts file read: wholeOf the base's entries, each
// entry's counts in the base's order, the others by path, and
// budget-overspend's.
type baseCounts struct {
	whole     string
	entries   [][2]int
	extra     map[string][2]int
	overspend int
}

// readCounts reads the counts file at p, made for the fingerprint fp;
// an error for any other (or a damaged one).
func readCounts(p, fp string) (*baseCounts, error) {
	data, err := cache.ReadFile(p)
	if err != nil {
		return nil, err
	}
	bad := fmt.Errorf("%s: damaged or of another base", p)
	if len(data) < sha256.Size {
		return nil, bad
	}
	body := data[:len(data)-sha256.Size]
	if sha256.Sum256(body) != [sha256.Size]byte(data[len(body):]) {
		return nil, bad
	}
	head, rest, ok := bytes.Cut(body, []byte("\n"))
	whole, found := strings.CutPrefix(string(head), countsMagic+fp+" ")
	switch {
	case !ok || !strings.HasPrefix(string(head), countsMagic):
		return nil, bad
	case !found:
		return nil, fmt.Errorf("the base is not the memo's department (%s)", p)
	}
	uv := func() int {
		x, k := binary.Uvarint(rest)
		if k <= 0 || x > 1<<40 {
			ok = false
			return 0
		}
		rest = rest[k:]
		return int(x)
	}
	n := uv()
	if !ok || n > len(rest) {
		return nil, bad
	}
	c := &baseCounts{whole: whole, entries: make([][2]int, n), extra: map[string][2]int{}}
	for i := range c.entries {
		c.entries[i] = [2]int{uv(), uv()}
	}
	for m := uv(); m > 0 && ok; m-- {
		l := uv()
		if !ok || l > len(rest) {
			return nil, bad
		}
		p := string(rest[:l])
		rest = rest[l:]
		c.extra[p] = [2]int{uv(), uv()}
	}
	c.overspend = uv()
	if !ok || len(rest) != 0 {
		return nil, bad
	}
	return c, nil
}

func indexKey(records string, expense, complaint []string) index.Key {
	return index.NewKey(cache.NewKey(records, expense, complaint))
}

// ClaimChange is a record file changed since the base: Was its entry
// then (nil: a new file), Now its entry now (nil: removed).
type ClaimChange struct {
	Was, Now *index.Entry
}

// Recounted is what Recount made.
type Recounted struct {
	// Errors and Warnings are validate's findings of the department now,
	// as summary counts them.
	Errors, Warnings int
	// Changes are the files changed since the base, by path: what moves
	// the counts of each kind's states.
	Changes []ClaimChange
	// Kinds are the kinds of the records changed, before or after, in
	// record.Kinds order.
	Kinds []record.Kind
	// Budget holds what the budget report reads (report.BudgetReport):
	// the budgets, the projects and the claims dated in Year, the last
	// two as skeletons of their entries; nil when no claim and no project
	// changed (the base's report stands).
	Budget *record.Set
	// Seen are the attachment paths the rules looked at, sorted.
	Seen []string
	// Judged is how many records' findings were made again, Read how
	// many records were read in full.
	Judged, Read int
	// paths are the counts by file (budget-overspend apart), made when
	// byPath is set: the tests compare them with a full pass's.
	paths FileCounts
}

// byPath makes Recount keep its counts by file (Recounted.paths).
var byPath = false

// Recount counts validate's findings of the department d stands for (its
// index refreshed, its fingerprint taken) from the base at basePath (see
// SaveBase), whose fingerprint was baseFP; the budget records and claims
// of year are gathered for the budget report. It returns why not when the
// counts cannot be made so (see above).
func Recount(d *Indexed, basePath, baseFP string, now time.Time, year int, h *rules.Horizon) (*Recounted, string) {
	pol := d.Policy
	tr := trace(time.Now())
	if len(d.Stats.Strays) > 0 {
		// their warnings are no entry's counts
		return nil, d.Stats.Strays[0] + " is no record"
	}
	was, err := readCounts(basePath+".counts", baseFP)
	if err != nil {
		return nil, err.Error()
	}
	if wholeOf(d.Index.Entries) != was.whole {
		return nil, "a person, a budget or a file that is no record changed since the base"
	}
	base, changes, kinds, why := sinceBase(d, basePath, baseFP)
	if why != "" {
		return nil, why
	}
	if len(was.entries) != len(base.Entries) {
		return nil, "the counts are not the base's"
	}
	tr("recount: the base opened")
	x := d.Index
	a := newAroundSet(x, false)
	if a == nil {
		return nil, "a record is filed under a name other than its id"
	}
	judged := judgedAgain(x, changes)
	if len(judged) > max(minJudged, len(x.Entries)/maxJudged) {
		return nil, fmt.Sprintf("%d records to judge again: the full pass costs less", len(judged))
	}
	for _, y := range judged {
		a.add(y)
		// an id held by another file too (unchanged since the base: a
		// changed one is judged whole): id-duplicate reads both
		for _, t := range x.Get(y.ID) {
			a.full(t)
		}
	}
	fullList, skel, claimSkels, naming, planSkels := a.lists()
	if len(fullList) > max(minJudged, len(x.Entries)/maxJudged) {
		return nil, fmt.Sprintf("%d records to read: the full pass costs less", len(fullList))
	}
	tr(fmt.Sprintf("recount: %d changed, %d judged, %d to read, %d skeletons", len(changes), len(judged),
		len(fullList), len(skel)+len(claimSkels)+len(naming)+len(planSkels)))
	sch, err := schema.Compile(pol.ExpenseCategories, pol.ComplaintCategories)
	if err != nil {
		return nil, err.Error()
	}
	sch = sch.Encrypting(EncryptedFields(pol))
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
	recs = appendSkeletons(recs, skel, claimSkels, naming, planSkels)
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	set := record.NewSet(recs)
	tr("recount: read")

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
		LeftAtClose: d.LeftAtClose,
		Keep:        func(p, _ string, _ diag.Severity) bool { return in(p) },
		Unplaced:    true,
		NoOverspend: true,
	}
	ds = append(ds, rules.Check(c)...)
	tr("recount: rules")

	out := &Recounted{Changes: changes, Judged: len(judged), Read: len(fullList)}
	for _, ki := range record.Kinds {
		if kinds[ki.Kind] {
			out.Kinds = append(out.Kinds, ki.Kind)
		}
	}
	// the base's counts, but those of the files judged again and of those
	// removed; then the judged files' own
	gone := map[string]bool{}
	for p := range judged {
		gone[p] = true
	}
	for _, ch := range changes {
		if ch.Was != nil {
			gone[ch.Was.Path] = true
		}
	}
	for i, n := range was.entries {
		if !gone[base.Entries[i].Path] {
			out.Errors += n[0]
			out.Warnings += n[1]
		}
	}
	for p, n := range was.extra {
		if !gone[p] {
			out.Errors += n[0]
			out.Warnings += n[1]
		}
	}
	countEach(set, ds, func(dg diag.Diagnostic) {
		if dg.Severity == diag.Error {
			out.Errors++
		} else {
			out.Warnings++
		}
	})
	if byPath {
		out.paths = FileCounts{Paths: map[string][2]int{}}
		for i, n := range was.entries {
			if p := base.Entries[i].Path; !gone[p] && n != [2]int{} {
				out.paths.Paths[p] = n
			}
		}
		for p, n := range was.extra {
			if !gone[p] {
				out.paths.Paths[p] = n
			}
		}
		countEach(set, ds, out.paths.add)
	}
	over := was.overspend
	if linesMoved(changes) {
		// budget-overspend and the budget report read the budgets (not
		// changed), the projects and the claims: the findings of the
		// lines the changed claims are in, before and after, weighed
		// again (each line's findings are its own); the report made
		// again when a claim of the year or a project changed
		over, out.Budget = weighAgain(base, x, budgets, pol.ExpenseCategories, year, changes, was.overspend)
	}
	out.Errors += over
	out.paths.Overspend = over
	tr("recount: counted")
	seen.Range(func(k, _ any) bool { out.Seen = append(out.Seen, k.(string)); return true })
	sort.Strings(out.Seen)
	return out, ""
}

// judgedAgain are the records of x whose findings the changes can move
// (Y, see above), by path: those whose Around holds one of the changed
// records, as it was or as it is.
func judgedAgain(x *index.Index, changes []ClaimChange) map[string]*index.Entry {
	return judgedAgainOf(x, changes, false)
}

// judgedAgainOf is judgedAgain; errorsOnly leaves out what the checks
// across records that can only warn read (rules.Context.Errors): a
// claim's split-claim group, a complaint's customer's complaints of its
// category (complaint-repeat), the meetings of a type (meeting-missed),
// an author's reports and the people (status-report-missing,
// appraisal-missing).
func judgedAgainOf(x *index.Index, changes []ClaimChange, errorsOnly bool) map[string]*index.Entry {
	judged := map[string]*index.Entry{}
	add := func(e *index.Entry) {
		if e.Kind != "" {
			judged[e.Path] = e
		}
	}
	var keys groupKeys
	var people bool
	meetingTypes := map[string]bool{}
	authors, employees, customers := map[string]bool{}, map[string]bool{}, map[[2]string]bool{}
	planYears, planProjects, noProject := map[string]bool{}, map[string]bool{}, false
	for _, c := range changes {
		if c.Now != nil {
			add(c.Now)
		}
		kept := c.Was != nil && c.Now != nil && c.Was.ID == c.Now.ID && c.Was.Kind == c.Now.Kind
		// The same clear fields, references, attachments and needs: the
		// records reading the changed one as a skeleton read the same
		// (the groups below, the records it names of the kinds reading
		// their namers as skeletons); those reading it in full (naming
		// it, named by it, an author's reports) are judged again.
		same := kept && index.SameFields(c.Was, c.Now)
		for _, e := range []*index.Entry{c.Was, c.Now} {
			if e == nil {
				continue
			}
			for _, r := range e.Refs {
				for _, t := range x.Get(r.ID) {
					// a project, customer, plan or person reads the
					// records naming it as skeletons (namedOnly)
					if !same || !namedOnly[t.Kind] {
						add(t)
					}
				}
			}
			if !kept || !readAlone[e.Kind] {
				for _, in := range x.RefsIn(e.ID) {
					add(in.From)
				}
			}
			if same {
				if e.Kind == record.StatusReport {
					authors[e.Str("author")] = true
				}
				continue
			}
			switch e.Kind {
			case record.Expense:
				keys.add(e)
			case record.Complaint:
				// complaint-repeat reads of the other complaints of its
				// customer those of its category
				for _, r := range e.Refs {
					customers[[2]string{r.ID, e.Str("category")}] = true
				}
			case record.StatusReport:
				authors[e.Str("author")] = true
				// whether anyone submitted a report: a submitted one
				// stands for the department (Around of a person)
				if st := e.Str("status"); st == "submitted" || st == "acknowledged" {
					people = true
				}
			case record.Appraisal:
				employees[e.Str("employee")] = true
				// whether any appraisal has a period
				if e.Str("period") != "" {
					people = true
				}
			case record.Meeting:
				// meeting-missed sits on the latest meeting held of a type
				meetingTypes[e.Str("type")] = true
			case record.Plan:
				// the plans read of the others the counted ones (by
				// year, and those superseding them) and the active ones
				// (by project), as Around gathers them
				switch st := e.Str("status"); {
				case st == "active":
					if p := e.Str("project"); p != "" {
						planProjects[p] = true
					} else {
						noProject = true
					}
					fallthrough
				case st == "approved" || st == "completed": // rules.CountedPlans
					planYears[record.IDYear(e.ID)] = true
					for _, r := range e.Refs {
						if r.Field == "supersedes" {
							planYears[record.IDYear(r.ID)] = true
						}
					}
				}
			}
		}
	}
	if errorsOnly {
		keys, people, meetingTypes, authors, customers = groupKeys{}, false, nil, nil, nil
	}
	if people {
		for _, e := range x.Kind(record.Person) {
			add(e)
		}
	}
	if len(meetingTypes) > 0 {
		for _, e := range x.Kind(record.Meeting) {
			if meetingTypes[e.Str("type")] {
				add(e)
			}
		}
	}
	if len(authors) > 0 {
		for _, e := range x.Kind(record.StatusReport) {
			if authors[e.Str("author")] {
				add(e)
			}
		}
	}
	for k := range customers {
		for _, in := range x.RefsIn(k[0]) {
			if in.From.Kind == record.Complaint && in.From.Str("category") == k[1] {
				add(in.From)
			}
		}
	}
	for id := range employees {
		for _, in := range x.RefsIn(id) {
			if in.From.Kind == record.Appraisal {
				add(in.From)
			}
		}
	}
	if len(planYears) > 0 || len(planProjects) > 0 || noProject {
		for _, e := range x.Kind(record.Plan) {
			p := e.Str("project")
			if planYears[record.IDYear(e.ID)] || planProjects[p] || noProject && p == "" {
				add(e)
			}
		}
	}
	for _, e := range grouped(x.Kind(record.Expense), &keys) {
		add(e)
	}
	return judged
}

// IndexBudget is what Recount makes of the index's claims and the budget
// records given: budget-overspend's count, and what the budget report of
// year reads (Recounted.Budget). A full pass checks that both come out as
// it made them from the records: else no recount may start from it.
func IndexBudget(d *Indexed, budgets []*record.Record, year int) (overspend int, budget *record.Set) {
	return weighClaims(d.Index, budgets, d.Policy.ExpenseCategories, year)
}

// weighClaims counts budget-overspend on the counted claims of the index
// (rules.LineClaimOf) against the budget records, and gathers what the
// budget report of year reads: the budgets, the projects (their titles)
// and the claims dated in the year, the last two as skeletons of their
// entries (a claim's holding the fields its line and the report read).
func weighClaims(x *index.Index, budgets []*record.Record, cats []string, year int) (int, *record.Set) {
	recs := append([]*record.Record(nil), budgets...)
	for _, e := range x.Kind(record.Project) {
		recs = append(recs, e.Skeleton())
	}
	y := fmt.Sprint(year)
	// on every core, each part's claims kept apart and joined in order
	claims := x.Kind(record.Expense)
	const part = 4096
	counted := make([][]rules.LineClaim, (len(claims)+part-1)/part)
	dated := make([][]*record.Record, len(counted))
	par.Each(len(counted), func(k int) {
		for _, e := range claims[k*part : min((k+1)*part, len(claims))] {
			counts, inYear := rules.ExpenseCounts(e.Str("status")), strings.HasPrefix(e.Str("date"), y)
			if !counts && !inYear {
				continue
			}
			rec := e.SkeletonOf(lineField)
			if c, ok := rules.LineClaimOf(rec, cats); ok && counts {
				counted[k] = append(counted[k], c)
			}
			if inYear {
				dated[k] = append(dated[k], rec)
			}
		}
	})
	for _, d := range dated {
		recs = append(recs, d...)
	}
	bset := record.NewSet(budgets)
	over := len(rules.Overspends(slices.Concat(counted...), rules.Budgets(bset), rules.BudgetYears(bset)))
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	return over, record.NewSet(recs)
}

// linesMoved tells whether a change can move budget-overspend or the
// budget report: a claim added, removed or changed in a field its line
// or the report reads (lineField), or a project added, removed or
// changed in what its entry holds (the report shows its title).
func linesMoved(changes []ClaimChange) bool {
	for _, c := range changes {
		for _, e := range []*index.Entry{c.Was, c.Now} {
			if e == nil || e.Kind != record.Expense && e.Kind != record.Project {
				continue
			}
			if c.Was == nil || c.Now == nil || c.Was.Kind != c.Now.Kind || c.Was.ID != c.Now.ID {
				return true
			}
			if e.Kind == record.Project && !index.SameFields(c.Was, c.Now) {
				return true
			}
			if e.Kind == record.Expense && (c.Was.Odd != c.Now.Odd || c.Was.Sealed != c.Now.Sealed || !sameLine(c.Was, c.Now)) {
				return true
			}
		}
	}
	return false
}

// sameLine tells whether two entries of a claim hold the same of the
// fields its budget line and the budget report read (lineField).
func sameLine(a, b *index.Entry) bool {
	for _, f := range index.Clear {
		if lineField(f) && a.Str(f) != b.Str(f) {
			return false
		}
	}
	return true
}

// weighAgain is budget-overspend's count and the budget report's records
// (nil when the report cannot have moved) after changes since the base
// whose count was was: the findings of the lines the changed claims are
// counted in, before or after, weighed on the base's index and on x's,
// replace the base's of those lines. When a claim of those lines holds
// what the index does not keep, every line is weighed (weighClaims).
func weighAgain(base, x *index.Index, budgets []*record.Record, cats []string, year int, changes []ClaimChange, was int) (int, *record.Set) {
	lines := map[[2]string]bool{}
	report := false
	y := fmt.Sprint(year)
	for _, c := range changes {
		if !linesMoved([]ClaimChange{c}) {
			continue
		}
		for _, e := range []*index.Entry{c.Was, c.Now} {
			switch {
			case e == nil:
			case e.Kind == record.Project:
				report = true
			case e.Kind == record.Expense:
				lines[lineOf(e)] = true
				report = report || strings.HasPrefix(e.Str("date"), y)
			}
		}
	}
	bset := record.NewSet(budgets)
	before, err := overspends(base, bset, cats, lines)
	if err != nil {
		return weighClaims(x, budgets, cats, year)
	}
	after, err := overspends(x, bset, cats, lines)
	if err != nil {
		return weighClaims(x, budgets, cats, year)
	}
	if !report {
		return was - len(before) + len(after), nil
	}
	return was - len(before) + len(after), budgetSet(x, budgets, year)
}

// budgetSet is what the budget report of year reads: the budgets, the
// claims dated in the year (skeletons of their entries holding the
// fields their line and the report read) and the projects they name (for
// their titles).
func budgetSet(x *index.Index, budgets []*record.Record, year int) *record.Set {
	y := fmt.Sprint(year)
	recs := append([]*record.Record(nil), budgets...)
	named := map[string]bool{}
	for _, e := range x.Kind(record.Expense) {
		if strings.HasPrefix(e.Str("date"), y) {
			recs = append(recs, e.SkeletonOf(lineField))
			if p := e.Str("project"); p != "" {
				named[p] = true
			}
		}
	}
	for _, e := range x.Kind(record.Project) {
		if named[e.ID] {
			recs = append(recs, e.Skeleton())
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	return record.NewSet(recs)
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

// readAlone are the kinds whose records' findings are read by no other
// record's but as a reference (that the id is there) and by no part of
// the summary but its counts of states: customers (complaints name them),
// violations and analyses (a task or a meeting's action may concern one).
var readAlone = map[record.Kind]bool{record.Customer: true, record.Violation: true, record.Analysis: true}

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

// grouped are the claims in one of the groups g, in their order, looked
// for on every core.
func grouped(claims []*index.Entry, g *groupKeys) []*index.Entry {
	in := make([]bool, len(claims))
	par.For(len(claims), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			in[i] = g.groups(claims[i])
		}
	})
	var out []*index.Entry
	for i, e := range claims {
		if in[i] {
			out = append(out, e)
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

// sinceBase opens the base of a recount at basePath (see SaveBase), which
// must be the department whose fingerprint was baseFP as judged by
// today's policy, build and language, and lists the record files changed
// between it and d (its index refreshed, its fingerprint taken) with
// their kinds, before or after. It returns why not when what changed
// cannot be judged record by record: more than maxRecount files, a file
// that is or was no readable record, a person or a budget (every
// record's findings read them), an entry the index does not stand for,
// an id held by two files, or a file that is no record in d.
func sinceBase(d *Indexed, basePath, baseFP string) (base *index.Index, changes []ClaimChange, kinds map[record.Kind]bool, why string) {
	pol := d.Policy
	head := d.FingerprintHead()
	if head == "" {
		return nil, nil, nil, "no fingerprint"
	}
	if len(d.Stats.Strays) > 0 {
		return nil, nil, nil, d.Stats.Strays[0] + " is no record"
	}
	key := indexKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories)
	base, shared, err := openBase(basePath, key, d.Index)
	if err != nil {
		return nil, nil, nil, fmt.Sprintf("the base: %v", err)
	}
	if fingerprint(head, len(base.Entries), func(i int) (string, cache.Hash) {
		return base.Entries[i].Path, base.Entries[i].Hash
	}) != baseFP {
		return nil, nil, nil, "the base is not the memo's department, or the policy, the build or the language changed since"
	}
	if !shared {
		// the base the answer was made from, decoded on its own: kept
		// again beside the index file this refresh opened
		rebase(basePath, key, base, d.Index)
	}
	x := d.Index
	changes = diffEntries(base.Entries, x.Entries)
	if len(changes) > maxRecount {
		return nil, nil, nil, fmt.Sprintf("%d files changed since the base", len(changes))
	}
	kinds = map[record.Kind]bool{}
	for _, c := range changes {
		for _, e := range []*index.Entry{c.Was, c.Now} {
			switch {
			case e == nil:
			case e.Kind == "":
				return nil, nil, nil, e.Path + " is no readable record"
			case e.Kind == record.Person || e.Kind == record.Budget:
				return nil, nil, nil, e.Path + " is a person or a budget, which every record's findings read"
			case e.Odd || e.Kind == record.Expense && e.Sealed:
				return nil, nil, nil, e.Path + ": the index does not stand for it"
			case len(base.Get(e.ID)) > 1 || len(x.Get(e.ID)) > 1:
				return nil, nil, nil, e.ID + " is held by two files"
			default:
				kinds[e.Kind] = true
			}
		}
	}
	return base, changes, kinds, ""
}
