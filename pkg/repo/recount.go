package repo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"path/filepath"
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

// Counting validate's findings again after some claims changed.
//
// A summary made from the whole department keeps validate's findings
// counted by file (FileCounts) and, beside its memo, the index as it was
// (the base: SaveBase). Asked again after some files changed, the summary
// is made from those when every file changed since the base is an expense
// claim, before and after, or a customer edited where it was (keptCustomer:
// its own findings are the only ones it moves, and they are made again)
// (Recount); anything else is the full pass. The claims changed since the
// base, C, move the findings of:
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
// claim of Y names and those naming it, the other files holding a claim
// of Y's id (id-duplicate), in full, and the claims grouped
// with one of Y as skeletons (in full when their entries do not stand for
// them); the findings of every other file are the base's. A claim's
// findings read no records but those (TestAroundEqualsFull holds Around to
// what each record's findings read), so the counts are those of a full
// pass (TestRecountEqualsFull).
//
// The whole department is counted instead when this cannot be shown exact
// cheaply: the base's index or counts are missing, damaged or of another
// department than the memo's; the policy, the build or the language
// changed since (the base's mark names its fingerprint's head); more than
// maxRecount files changed; a changed file is
// or was no readable expense claim, holds encrypted values or a field the
// index cannot keep (Odd), or holds an id held by another file; a record
// is filed under a name other than its id; or a file read does not hold
// what the index says (it changed during the pass).

// maxRecount is the most files changed since the base that a recount
// takes: beyond it the full pass costs about as much (a variable for the
// tests).
var maxRecount = 2000

// SaveBase writes the base of later recounts: the entries of d's index
// (whose fingerprint, taken, is fp) as an index file at p (a link to the
// index file itself when that holds them: IndexStats.Stored), and c, the
// counts of the department they stand for, beside it (p+".counts", each
// file's counts in the entries' order, naming fp). Recount takes the base
// only when its entries give fp again: an index file replaced between the
// refresh and the link, or a base of a policy, build or language since
// changed, is not taken.
func SaveBase(p string, d *Indexed, fp string, c FileCounts) error {
	es := d.Index.Entries
	tmp := fmt.Sprintf("%s.tmp-%d", p, os.Getpid())
	os.Remove(tmp)
	defer os.Remove(tmp)
	if !d.Stats.Stored || os.Link(filepath.Join(cache.Dir(d.Root), "index"), tmp) != nil {
		if err := index.Save(tmp, indexKey(d.Policy.Records, d.Policy.ExpenseCategories, d.Policy.ComplaintCategories), index.Mark{}, es); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	return cache.WriteFile(p+".counts", ".counts.tmp-*", encodeCounts(fp+" "+othersOf(es), es, c))
}

// The counts file: "opsbook counts 3 ", the fingerprint of the base's
// entries and that of its files other than claims (othersOf), "\n", the number of entries and each entry's errors and
// warnings (uvarints, in the entries' order), the paths with findings that
// are no entry (a count, then each path, errors and warnings),
// budget-overspend's count, and the SHA-256 of all that.
const countsMagic = "opsbook counts 4 "

// othersOf hashes the path and content of every file of es that is no
// expense claim or customer: a recount sees, without opening its base,
// that one of them changed since (or became a claim or a customer, or
// stopped being one), which it does not take.
func othersOf(es []*index.Entry) string {
	h := sha256.New()
	buf := make([]byte, 0, 64<<10)
	for _, e := range es {
		if e.Kind == record.Expense || readAlone[e.Kind] {
			continue
		}
		buf = append(append(append(buf, e.Path...), 0), e.Hash[:]...)
		if len(buf) > 60<<10 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
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

// baseCounts are a counts file read: othersOf the base's entries, each
// entry's counts in the base's order, the others by path, and
// budget-overspend's.
type baseCounts struct {
	others    string
	entries   [][2]int
	extra     map[string][2]int
	overspend int
}

// readCounts reads the counts file at p, made for the fingerprint fp;
// an error for any other (or a damaged one). Its others are othersOf the
// base's entries.
func readCounts(p, fp string) (*baseCounts, error) {
	data, err := os.ReadFile(p)
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
	what, found := strings.CutPrefix(string(head), countsMagic+fp+" ")
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
	c := &baseCounts{others: what, entries: make([][2]int, n), extra: map[string][2]int{}}
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

// ClaimChange is a claim file changed since the base: Was its entry then
// (nil: a new file), Now its entry now (nil: removed).
type ClaimChange struct {
	Was, Now *index.Entry
}

// Recounted is what Recount made.
type Recounted struct {
	// Errors and Warnings are validate's findings of the department now,
	// as summary counts them.
	Errors, Warnings int
	// Changes are the claims changed since the base, by path.
	Changes []ClaimChange
	// Customers is how many customers, violations and analyses were
	// edited where they were (keptCustomer).
	Customers int
	// Moved are the changes that move the counts of each kind's states:
	// the claims' and those of the others kept.
	Moved []ClaimChange
	// Budget holds what the budget report reads (report.BudgetReport):
	// the budgets, the projects and the claims dated in Year, the last
	// two as skeletons of their entries.
	Budget *record.Set
	// Seen are the attachment paths the rules looked at, sorted.
	Seen []string
	// Judged is how many claims' findings were made again, Read how many
	// records were read in full.
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
	head := d.FingerprintHead()
	if head == "" {
		return nil, "no fingerprint"
	}
	if len(d.Stats.Strays) > 0 {
		// their warnings are no entry's counts
		return nil, d.Stats.Strays[0] + " is no record"
	}
	was, err := readCounts(basePath+".counts", baseFP)
	if err != nil {
		return nil, err.Error()
	}
	if othersOf(d.Index.Entries) != was.others {
		return nil, "a file other than an expense claim changed since the base"
	}
	base, err := index.Open(basePath, indexKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories))
	if err != nil {
		return nil, fmt.Sprintf("the base: %v", err)
	}
	// its entries, judged by today's policy, build and language, must be
	// the memo's department
	if len(was.entries) != len(base.Entries) || fingerprint(head, len(base.Entries), func(i int) (string, cache.Hash) {
		return base.Entries[i].Path, base.Entries[i].Hash
	}) != baseFP {
		return nil, "the base is not the memo's department, or the policy, the build or the language changed since"
	}
	tr("recount: the base opened")
	x := d.Index
	changes := diffEntries(base.Entries, x.Entries)
	if len(changes) > maxRecount {
		return nil, fmt.Sprintf("%d files changed since the base", len(changes))
	}
	var claimChanges, alone []ClaimChange
	var customers []*index.Entry
	for _, c := range changes {
		if keptCustomer(c) {
			if len(base.Get(c.Now.ID)) > 1 || len(x.Get(c.Now.ID)) > 1 {
				return nil, c.Now.ID + " is held by two files"
			}
			customers = append(customers, c.Now)
			alone = append(alone, c)
			continue
		}
		claimChanges = append(claimChanges, c)
		for _, e := range []*index.Entry{c.Was, c.Now} {
			switch {
			case e == nil:
			case e.Kind != record.Expense:
				return nil, e.Path + " is not an expense claim, nor a customer, violation or analysis edited where it was"
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
	for _, e := range customers {
		judged[e.Path] = e
	}
	var keys groupKeys
	for _, c := range claimChanges {
		keys.add(c.Was)
		keys.add(c.Now)
		if c.Now != nil {
			judged[c.Now.Path] = c.Now
		}
	}
	claims := x.Kind(record.Expense)
	for _, e := range grouped(claims, &keys) {
		judged[e.Path] = e
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
		if y.Kind == record.Expense {
			around.add(y)
		}
		// an id held by another file too (unchanged since the base: a
		// changed one is judged whole): id-duplicate reads both
		for _, t := range x.Get(y.ID) {
			add(t)
		}
		for _, r := range y.Refs {
			for _, t := range x.Get(r.ID) {
				add(t)
			}
		}
		if readAlone[y.Kind] {
			// their findings read none of the records naming them
			// (a customer's complaints: thousands, in a copied
			// department)
			continue
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
	for _, e := range grouped(claims, &around) {
		if full[e.Path] != nil {
			continue
		}
		if e.Odd || e.Sealed {
			add(e)
		} else {
			skels = append(skels, e)
		}
	}
	tr(fmt.Sprintf("recount: %d changed, %d judged, %d to read, %d skeletons", len(changes), len(judged), len(full), len(skels)))
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
		Keep:        func(p, _ string, _ diag.Severity) bool { return in(p) },
		Unplaced:    true,
		NoOverspend: true,
	}
	ds = append(ds, rules.Check(c)...)
	tr("recount: rules")

	out := &Recounted{Changes: claimChanges, Customers: len(customers), Moved: slices.Concat(claimChanges, alone), Judged: len(judged), Read: len(full)}
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
	var over int
	over, out.Budget = weighClaims(x, budgets, pol.ExpenseCategories, year)
	out.Errors += over
	out.paths.Overspend = over
	tr("recount: counted, the budget lines weighed")
	seen.Range(func(k, _ any) bool { out.Seen = append(out.Seen, k.(string)); return true })
	sort.Strings(out.Seen)
	return out, ""
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

// lineField tells the fields of a claim its budget line and the budget
// report read.
func lineField(f string) bool {
	switch f {
	case "status", "amount", "date", "category", "project":
		return true
	}
	return false
}

// keptCustomer tells whether a change is a customer, a violation or an
// analysis edited where it was (readAlone): the same file holding the
// same id before and after (a visit noted, a segment changed, a case
// investigated). Its own findings are the only ones it can move: the
// records naming it read of it only that it is there (ref-missing), and
// no check across records and no part of the summary but its kind's
// counts of states (Recounted.Moved) reads it. A record created, removed,
// renumbered or turned into another kind is not kept, nor one whose entry
// does not stand for it (Odd: its status could not be read from it).
func keptCustomer(c ClaimChange) bool {
	return c.Was != nil && c.Now != nil && readAlone[c.Was.Kind] && c.Now.Kind == c.Was.Kind && c.Was.ID == c.Now.ID &&
		!c.Was.Odd && !c.Now.Odd
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
