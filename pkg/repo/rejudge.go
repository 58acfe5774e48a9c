package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// Answering again after some records changed: the inbox.
//
// An answer about records one by one (an inbox: each item is one
// record's, but a status report due) made from the whole department is
// kept with the index as it was (its base, SaveIndexBase). Asked again
// after some files changed, only the records whose answer can move are
// answered again (Rejudge):
//
//   - those whose errors can move (judgedAgainOf, as a recount of the
//     summary finds the records whose findings can, less what only
//     warnings read), less the people (no answer is a person's);
//   - when a claim changed, the claims the base's answer tried a move of
//     (an approval is weighed against its budget line, which every claim
//     of the line moves), and the claims that cross a budget line, before
//     or after (budget-overspend sits on them).
//
// They are read with what their answers read (Around's entries for all
// of them at once: a status report's author's reports among them, from
// the latest of which their next report is due; so are those of an
// author a changed report named before). The caller keeps the
// base's answer for every other record. The bounds of a recount hold: a
// person, a budget or a file that is no record changed is the full pass,
// and so is a change judging again more than a tenth of the department.

// SaveIndexBase keeps the entries of d's index (whose fingerprint was
// taken) at p, as the base of a later Rejudge: a link to the index file
// when that holds them; else, when the index file holds nearly them (a
// refresh saves it only once a fair share of it is stale), a link to it
// and, at p+".delta", the entries that differ (those removed as
// tombstones: no content hashes to all ones); else a copy. Whatever is
// kept, Rejudge takes it only when its entries give the fingerprint of
// the answer it is the base of: a base cut short by a kill, or linked to
// an index file saved again meanwhile, is not taken.
func SaveIndexBase(p string, d *Indexed) error {
	key := indexKey(d.Policy.Records, d.Policy.ExpenseCategories, d.Policy.ComplaintCategories)
	main := filepath.Join(cache.Dir(d.Root), "index")
	linked, err := linkBase(p, key, main, d.Index.Entries, d.Stats.Stored, d.Index)
	if linked || err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp-%d", p, os.Getpid())
	os.Remove(tmp)
	defer os.Remove(tmp)
	if err := os.Remove(p + ".delta"); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := index.Save(tmp, key, index.Mark{}, d.Index.Entries); err != nil {
		return err
	}
	return renameOver(tmp, p)
}

// linkBase keeps entries at p as a link to the index file main and, when
// main does not hold exactly them (held says it does), the entries that
// differ at p+".delta", when they are few; false when it did not (main
// cannot be linked or read, or too many differ). cur is an index opened
// from main, if any: its entries as decoded are compared with, rather
// than main decoded again. The link is made first, then what it holds is
// read: an index file saved again meanwhile is not the one compared with.
func linkBase(p string, key index.Key, main string, entries []*index.Entry, held bool, cur *index.Index) (bool, error) {
	tmp := fmt.Sprintf("%s.tmp-%d", p, os.Getpid())
	os.Remove(tmp)
	defer os.Remove(tmp)
	delta := p + ".delta"
	if os.Link(main, tmp) != nil {
		return false, nil
	}
	if held {
		if err := os.Remove(delta); err != nil && !os.IsNotExist(err) {
			return false, err
		}
		return true, renameOver(tmp, p)
	}
	stored := cur.Opened(tmp, key) // the file the refresh read: not decoded again
	if stored == nil {
		stored, _ = index.Open(tmp, key)
	}
	if stored == nil {
		return false, nil
	}
	diff := entriesDiff(stored.Entries, entries)
	if len(diff) > max(64, len(entries)/10) {
		return false, nil
	}
	if err := index.Save(delta, key, index.Mark{}, diff); err != nil {
		return false, err
	}
	return true, renameOver(tmp, p)
}

// tombstone is the hash of an entry of a delta standing for a path
// removed (SaveIndexBase).
var tombstone = func() (h cache.Hash) {
	for i := range h {
		h[i] = 0xff
	}
	return h
}()

// entriesDiff are the entries of now whose path or content is not in
// was, and a tombstone for each path of was not in now (both by path).
func entriesDiff(was, now []*index.Entry) []*index.Entry {
	var out []*index.Entry
	for _, c := range diffEntries(was, now) {
		switch {
		case c.Now != nil:
			out = append(out, c.Now)
		default:
			out = append(out, &index.Entry{Path: c.Was.Path, Hash: tombstone})
		}
	}
	return out
}

// openBase opens the base at p that SaveIndexBase kept (an index file,
// and the entries that differ from it at p+".delta" when there are). When
// the index file is the one cur was opened from (a link to it, kept while
// the index file was not saved again), its entries as cur decoded them
// are taken rather than decoded a second time (shared); when it is not,
// the caller may keep the base again as a link to cur's once it knows the
// base is the one it wants (rebase).
func openBase(p string, key index.Key, cur *index.Index) (base *index.Index, shared bool, err error) {
	if x := cur.Opened(p, key); x != nil {
		base, err = openDelta(p, x, key)
		return base, true, err
	}
	x, err := index.Open(p, key)
	if err != nil {
		return nil, false, err
	}
	base, err = openDelta(p, x, key)
	return base, false, err
}

// openDelta is the base whose index file was opened as x: its entries
// with those of the delta at p+".delta", if any, in their place.
func openDelta(p string, x *index.Index, key index.Key) (*index.Index, error) {
	dx, err := index.Open(p+".delta", key)
	if errors.Is(err, fs.ErrNotExist) {
		return x, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*index.Entry
	i, j := 0, 0
	for i < len(x.Entries) || j < len(dx.Entries) {
		switch {
		case j == len(dx.Entries) || i < len(x.Entries) && x.Entries[i].Path < dx.Entries[j].Path:
			out = append(out, x.Entries[i])
			i++
		default:
			if i < len(x.Entries) && x.Entries[i].Path == dx.Entries[j].Path {
				i++
			}
			if dx.Entries[j].Hash != tombstone {
				out = append(out, dx.Entries[j])
			}
			j++
		}
	}
	return x.Update(out), nil
}

// rebase keeps the base at p (its entries base), whose index file is not
// the one cur was opened from, as a link to that one and the entries that
// differ: the base's entries stay the same, and the next recount or inbox
// made again from it takes them from the index the refresh decoded rather
// than decoding the base's own (on 300,000 records, about half a second).
// Only when cur's file is still the department's index file
// (.git/opsbook/index, beside p); else, or when too many entries differ,
// the base stays as it is. A kill midway leaves a base whose entries do
// not give its fingerprint: the full pass then makes a new one.
func rebase(p string, key index.Key, base, cur *index.Index) {
	main := filepath.Join(filepath.Dir(p), "index")
	if cur == nil || cur.Opened(main, key) == nil {
		return
	}
	linkBase(p, key, main, base.Entries, false, cur)
}

// Rejudged is a department read in part to answer again (see above).
type Rejudged struct {
	// Changes are the files changed since the base.
	Changes []ClaimChange
	// IDs are the ids whose answers are made again: the records judged
	// again, and the changed records as they were (a record removed or
	// given another id answers nothing now).
	IDs map[string]bool
	// Authors are the authors of the status reports judged again and
	// of those changed, as they were: all their status reports are read
	// (Around reads them), and their reports due are made again.
	Authors map[string]bool
	// AnyReport tells whether the department holds a submitted status
	// report (one stands for the department keeping its reports here).
	AnyReport bool
	// Repo holds the records judged again, in full, and what their
	// answers read, in full or as skeletons (its Set); its Diags are the
	// loader's findings of the files read.
	Repo *Repo
	// Full are the records of Repo read in full.
	Full []*record.Record
	// judged are the records judged again, by path
	judged map[string]*index.Entry
}

// Judged tells whether the record file at path is judged again.
func (rj *Rejudged) Judged(path string) bool { return rj.judged[path] != nil }

// Rejudge reads what answering again the records of d (its index
// refreshed, its fingerprint taken) takes, since the base at basePath
// (SaveIndexBase) whose fingerprint was baseFP; claims are the ids of the
// claims whose moves the base's answer tried. It returns why not when the
// answer cannot be made so.
func Rejudge(d *Indexed, basePath, baseFP string, claims []string) (*Rejudged, string) {
	pol := d.Policy
	tr := trace(time.Now())
	base, changes, kinds, why := sinceBase(d, basePath, baseFP)
	if why != "" {
		return nil, why
	}
	x := d.Index
	a := newAroundSet(x, false)
	if a == nil {
		return nil, "a record is filed under a name other than its id"
	}
	// an inbox lists a person's own records' errors alone
	judged := judgedAgainOf(x, changes, true)
	for p, e := range judged {
		if e.Kind == record.Person {
			delete(judged, p)
		}
	}
	add := func(e *index.Entry) {
		if e.Kind != "" && e.Kind != record.Person {
			judged[e.Path] = e
		}
	}
	out := &Rejudged{Changes: changes, IDs: map[string]bool{}, Authors: map[string]bool{}, judged: judged}
	anyOf := func(es []*index.Entry) bool {
		for _, e := range es {
			if st := e.Str("status"); e.Kind == record.StatusReport && (st == "submitted" || st == "acknowledged") {
				return true
			}
		}
		return false
	}
	out.AnyReport = anyOf(x.Kind(record.StatusReport))
	if kinds[record.StatusReport] && out.AnyReport != anyOf(base.Kind(record.StatusReport)) {
		return nil, "the first status report was submitted, or the last one taken back"
	}
	sch, err := schema.Compile(pol.ExpenseCategories, pol.ComplaintCategories)
	if err != nil {
		return nil, err.Error()
	}
	sch = sch.Encrypting(EncryptedFields(pol))
	budgets, _, err := readEntries(d.Root, pol.Records, sch, x.Kind(record.Budget), true)
	if err != nil {
		return nil, err.Error()
	}
	// the budget lines the changed claims are counted in, before or after
	touched := map[[2]string]bool{}
	for _, c := range changes {
		if linesMoved([]ClaimChange{c}) {
			for _, e := range []*index.Entry{c.Was, c.Now} {
				if e != nil && e.Kind == record.Expense {
					touched[lineOf(e)] = true
				}
			}
		}
	}
	bset := record.NewSet(budgets)
	if len(touched) > 0 {
		for _, id := range claims {
			for _, e := range x.Get(id) {
				if e.Kind == record.Expense && touched[lineOf(e)] {
					add(e)
				}
			}
		}
		// the claims crossing a line touched, where the line's finding
		// moved
		was, err := overspends(base, bset, pol.ExpenseCategories, touched)
		if err != nil {
			return nil, err.Error()
		}
		now, err := overspends(x, bset, pol.ExpenseCategories, touched)
		if err != nil {
			return nil, err.Error()
		}
		for k, o := range was {
			if n, ok := now[k]; !ok || n.Claim.Rec.ID != o.Claim.Rec.ID || n.Spent != o.Spent || n.Budget != o.Budget || n.NoBudget != o.NoBudget {
				for _, e := range x.Get(o.Claim.Rec.ID) {
					add(e)
				}
			}
		}
		for k, n := range now {
			if o, ok := was[k]; !ok || n.Claim.Rec.ID != o.Claim.Rec.ID || n.Spent != o.Spent || n.Budget != o.Budget || n.NoBudget != o.NoBudget {
				for _, e := range x.Get(n.Claim.Rec.ID) {
					add(e)
				}
			}
		}
	}
	for _, e := range judged {
		if e.Kind == record.StatusReport {
			out.Authors[e.Str("author")] = true
		}
	}
	for _, c := range changes {
		if c.Was != nil {
			out.IDs[c.Was.ID] = true
			if c.Was.Kind == record.StatusReport {
				out.Authors[c.Was.Str("author")] = true
			}
		}
	}
	if len(judged) > max(minJudged, len(x.Entries)/maxJudged) {
		return nil, fmt.Sprintf("%d records to judge again: the full pass costs less", len(judged))
	}
	for _, y := range judged {
		out.IDs[y.ID] = true
		a.add(y)
	}
	if len(out.Authors) > 0 {
		// an author's next report is due from their latest: every report
		// of theirs is read (Around reads those of the authors of the
		// reports judged again; an author a report no longer names too)
		for _, e := range x.Kind(record.StatusReport) {
			if out.Authors[e.Str("author")] {
				a.full(e)
			}
		}
	}
	fullList, skel, claimSkels, naming, planSkels := a.lists()
	if len(fullList) > max(minJudged, len(x.Entries)/maxJudged) {
		return nil, fmt.Sprintf("%d records to read: the full pass costs less", len(fullList))
	}
	if traceOn {
		byKind := map[record.Kind]int{}
		for _, e := range judged {
			byKind[e.Kind]++
		}
		tr(fmt.Sprintf("rejudge: judged by kind %v, %d claims tried", byKind, len(claims)))
	}
	tr(fmt.Sprintf("rejudge: %d changed, %d judged, %d to read, %d skeletons", len(changes), len(judged),
		len(fullList), len(skel)+len(claimSkels)+len(naming)+len(planSkels)))
	recs, loadDs, err := readEntries(d.Root, pol.Records, sch, fullList, true)
	if err != nil {
		return nil, err.Error()
	}
	out.Full = recs
	all := appendSkeletons(append([]*record.Record(nil), recs...), skel, claimSkels, naming, planSkels)
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	r := &Repo{Root: d.Root, Policy: pol, Schemas: sch, Set: record.NewSet(all), LeftAtClose: d.LeftAtClose, noOverspend: true,
		kindIDs: func(k record.Kind) []string {
			es := x.Kind(k)
			ids := make([]string, len(es))
			for i, e := range es {
				ids[i] = e.ID
			}
			return ids
		}}
	r.Diags = append(append(r.Diags, d.PolicyDiags...), loadDs...)
	// budget-overspend, weighed on the index's claims, sits on the claims
	// that cross a line: those judged again carry it
	// budget-overspend, weighed on the index's claims, sits on the claim
	// crossing a line: the lines of the claims judged again are weighed
	lines := map[[2]string]bool{}
	for _, e := range judged {
		if e.Kind == record.Expense {
			lines[lineOf(e)] = true
		}
	}
	if len(lines) > 0 {
		over, err := overspends(x, bset, pol.ExpenseCategories, lines)
		if err != nil {
			return nil, err.Error()
		}
		for _, o := range over {
			rec := r.Set.Get(o.Claim.Rec.ID)
			if rec == nil || !out.Judged(rec.Path) {
				continue
			}
			msg, text := o.Both()
			dg := diag.Diagnostic{Path: rec.Path, Severity: diag.Error, Rule: "budget-overspend", Message: msg, Text: text, Record: rec.ID, Field: "amount"}
			rules.Place(&dg, rec)
			r.weighed = append(r.weighed, dg)
		}
	}
	out.Repo = r
	tr("rejudge: read")
	return out, ""
}

// overspends are budget-overspend's findings on the counted claims of
// the index x (rules.LineClaimOf) of the lines given (a year and a
// category, with the category's project lines) against the budget
// records of bset, by line. An error when a claim of those lines holds
// what the index does not keep (an encrypted amount).
func overspends(x *index.Index, bset *record.Set, cats []string, lines map[[2]string]bool) (map[rules.BudgetKey]rules.Overspend, error) {
	var counted []rules.LineClaim
	for _, e := range x.Kind(record.Expense) {
		if !lines[lineOf(e)] {
			continue
		}
		if e.Sealed || e.Odd {
			return nil, fmt.Errorf("%s: the index does not stand for its amount", e.Path)
		}
		if !rules.ExpenseCounts(e.Str("status")) {
			continue
		}
		if c, ok := rules.LineClaimOf(e.SkeletonOf(lineField), cats); ok {
			counted = append(counted, c)
		}
	}
	out := map[rules.BudgetKey]rules.Overspend{}
	for _, o := range rules.Overspends(counted, rules.Budgets(bset), rules.BudgetYears(bset)) {
		out[o.Key] = o
	}
	return out, nil
}

// lineOf is the year and category of a claim: the budget line it is
// counted in (and the category's project lines).
func lineOf(e *index.Entry) [2]string {
	return [2]string{yearOf(e.Str("date")), e.Str("category")}
}

// OwnedBy returns the paths of the records of rj judged again that
// handle owns (by the kind's owner field): the files whose errors an
// inbox of handle lists, of those answered again.
func (rj *Rejudged) OwnedBy(handle string) map[string]bool {
	out := map[string]bool{}
	if handle == "" {
		return out
	}
	for _, rec := range rj.Full {
		if f, ok := workflow.OwnerField[rec.Kind]; ok && rj.Judged(rec.Path) && rec.Str(f) == handle {
			out[rec.Path] = true
		}
	}
	return out
}
