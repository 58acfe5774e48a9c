package rules

import (
	"sort"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Customer care cadence (§5.2.1, §5.3.2): revisits per segment, updates to
// complaining customers, and repeats found without anyone linking them.
func init() {
	Catalog = append(Catalog,
		Rule{"revisit-overdue", diag.Warning, "a customer not revisited within the policy's revisit_days for its segment"},
		Rule{"complaint-update", diag.Warning, "an open complaint without an update to the customer within update_interval_hours"},
		Rule{"complaint-repeat", diag.Warning, "a complaint from the same customer in the same category within repeat_window_days of an earlier one, not linked in related"},
	)
}

// RevisitDue returns the date a customer's next revisit is due under the
// policy (its latest visit, or its since date, plus its segment's days),
// and false when its segment has no cadence or it has no date to count
// from.
func (c *Context) RevisitDue(cust *record.Record) (string, bool) {
	days := c.Policy.RevisitDays[cust.Str("segment")]
	if days <= 0 {
		return "", false
	}
	from := cust.Str("since")
	for i := range cust.List("visits") {
		if d := cust.Str("visits." + strconv.Itoa(i) + ".date"); d > from {
			from = d
		}
	}
	t, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return "", false
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly), true
}

func (r *run) customer(rec *record.Record) {
	due, ok := r.RevisitDue(rec)
	if !ok || due >= r.Now.Format(time.DateOnly) {
		return
	}
	seg := rec.Str("segment")
	at := "segment"
	if n := len(rec.List("visits")); n > 0 {
		at = "visits." + strconv.Itoa(n-1) + ".date"
	}
	r.warnf(rec, at, "revisit-overdue", "revisit of %s was due %s: the policy asks for one every %s for %s customers (revisit_days.%s)",
		rec.ID, due, dayCount(r.Policy.RevisitDays[seg]), i18n.Word{Group: "segment", Key: seg}, seg)
}

var complaintOpen = map[string]bool{"received": true, "acknowledged": true, "investigating": true, "reopened": true}

// complaintCare checks an open complaint's updates to the customer and
// finds the earlier complaint it repeats.
func (r *run) complaintCare(rec *record.Record) {
	if h := r.Policy.UpdateIntervalHours; h > 0 && complaintOpen[rec.Status()] {
		last, at := rec.Str("received_at"), "received_at"
		for _, f := range []string{"reopened_at"} {
			if v := rec.Str(f); v > last {
				last = v
			}
		}
		for i := range rec.List("updates") {
			p := "updates." + strconv.Itoa(i) + ".at"
			if t1, t2 := parseInstant(rec.Str(p)), parseInstant(last); !t1.IsZero() && t1.After(t2) {
				last, at = rec.Str(p), p
			}
		}
		t := parseInstant(last)
		if !t.IsZero() {
			r.Until(t.Add(time.Duration(h) * time.Hour))
		}
		if !t.IsZero() && r.Now.Sub(t) > time.Duration(h)*time.Hour {
			r.warnf(rec, at, "complaint-update", "no update to the customer for %s since %s: the policy asks for one every %s (update_interval_hours)",
				Hours(r.Now.Sub(t)), last, hourCount(h))
		}
	}
	if prev := r.repeatOf(rec); prev != nil {
		r.warnf(rec, "category", "complaint-repeat", "a repeat of %s (same customer %s and category %s, received %s, within %s): link it in related",
			prev.ID, rec.Str("customer"), rec.Str("category"), prev.Str("received_at")[:10], dayCount(r.Policy.RepeatWindowDays))
	}
}

// RepeatOf returns the latest earlier complaint of the same customer (its
// customer id) and category received within the policy's
// repeat_window_days before rec, unless rec's related already names it;
// nil when there is none.
func (c *Context) RepeatOf(rec *record.Record) *record.Record {
	days := c.Policy.RepeatWindowDays
	cust, cat := rec.Str("customer"), rec.Str("category")
	t := parseInstant(rec.Str("received_at"))
	if days <= 0 || cust == "" || cat == "" || t.IsZero() {
		return nil
	}
	// The latest complaint of the pair received before t (the first in the
	// set's order among equal times), if within the window.
	list := c.complaintsBy().by[cust+"\x00"+cat]
	i := sort.Search(len(list), func(i int) bool { return !list[i].at.Before(t) })
	if i == 0 {
		return nil
	}
	at := list[i-1].at
	if t.Sub(at) > time.Duration(days)*24*time.Hour {
		return nil
	}
	i = sort.Search(i, func(i int) bool { return !list[i].at.Before(at) })
	best := list[i].rec
	for _, id := range rec.Strings("related") {
		if id == best.ID {
			return nil
		}
	}
	return best
}

// complaintsAt is the complaints of each customer and category, by the
// time received (stable: equal times keep the set's order), built once per
// set: RepeatOf was a scan of every complaint for each one. Check builds it
// before the checks run on several goroutines; a caller of RepeatOf alone
// builds it on its first call.
type complaintsAt struct {
	set *record.Set
	by  map[string][]timedRecord
}

type timedRecord struct {
	at  time.Time
	rec *record.Record
}

func (c *Context) complaintsBy() *complaintsAt {
	if c.repeats != nil && c.repeats.set == c.Set {
		return c.repeats
	}
	idx := &complaintsAt{set: c.Set, by: map[string][]timedRecord{}}
	for _, o := range c.Set.OfKind(record.Complaint) {
		cust, cat := o.Str("customer"), o.Str("category")
		at := parseInstant(o.Str("received_at"))
		if cust == "" || cat == "" || at.IsZero() {
			continue
		}
		k := cust + "\x00" + cat
		idx.by[k] = append(idx.by[k], timedRecord{at, o})
	}
	for _, l := range idx.by {
		sort.SliceStable(l, func(i, j int) bool { return l[i].at.Before(l[j].at) })
	}
	c.repeats = idx
	return idx
}

func (r *run) repeatOf(rec *record.Record) *record.Record { return r.RepeatOf(rec) }

func parseInstant(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}
