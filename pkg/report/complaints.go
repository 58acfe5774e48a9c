package report

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// Complaint vocabularies in the order reports list them (the schema's enums;
// categories come from the policy).
var (
	ComplaintTypes    = []string{"complaint", "inquiry"}
	ComplaintChannels = []string{"phone", "email", "web", "wechat", "in_person", "social", "other"}
	// OpenComplaintStates are the states of a complaint not yet resolved:
	// the open backlog. A resolved complaint waits for the customer's
	// confirmation and a close, and is counted apart (awaiting_close).
	OpenComplaintStates = map[string]bool{"received": true, "acknowledged": true, "investigating": true, "reopened": true}
)

// BacklogBuckets are the open backlog's age buckets, by time since
// received_at: [0,1d), [1d,3d), [3d,7d), [7d,30d), [30d,∞).
var BacklogBuckets = []struct {
	Name  string
	Below time.Duration // upper bound, exclusive; 0 for none
}{
	{"<1d", 24 * time.Hour},
	{"1-3d", 3 * 24 * time.Hour},
	{"3-7d", 7 * 24 * time.Hour},
	{"7-30d", 30 * 24 * time.Hour},
	{">30d", 0},
}

// Timing is one SLA clock (first response or resolution) over a group of
// complaints.
type Timing struct {
	// Measured counts the complaints whose clock has stopped (acknowledged_at,
	// resolution.resolved_at written); medians and p90s are over these.
	Measured    int          `json:"measured"`
	MedianHours *json.Number `json:"median_hours"`
	P90Hours    *json.Number `json:"p90_hours"`
	// WithinSLA counts measured clocks at or under the SLA of their severity.
	WithinSLA        int    `json:"within_sla"`
	WithinSLAPercent string `json:"within_sla_percent"`
	// Breaches counts clocks over the SLA: stopped late, or still running
	// past it (OpenBreaches of them).
	Breaches     int `json:"breaches"`
	OpenBreaches int `json:"open_breaches"`
}

// ComplaintGroup is the complaints sharing one value of a dimension.
type ComplaintGroup struct {
	Key     string `json:"key"`
	Count   int    `json:"count"`
	Percent string `json:"percent"` // share of all complaints in the period
	Open    int    `json:"open"`
	// SLA hours, on severity groups only.
	SLARespondHours *int   `json:"sla_respond_hours,omitempty"`
	SLAResolveHours *int   `json:"sla_resolve_hours,omitempty"`
	Respond         Timing `json:"respond"`
	Resolve         Timing `json:"resolve"`
}

// ComplaintBreach is one SLA clock over its limit.
type ComplaintBreach struct {
	ID         string      `json:"id"`
	Severity   string      `json:"severity"`
	Status     string      `json:"status"`
	Clock      string      `json:"clock"` // respond or resolve
	Hours      json.Number `json:"hours"`
	LimitHours int         `json:"limit_hours"`
	Open       bool        `json:"open"` // the clock is still running
}

// Satisfaction sums up the customers' scores.
type Satisfaction struct {
	Scored       int            `json:"scored"`
	Average      *json.Number   `json:"average"` // two decimals, exact; null when none
	Distribution map[string]int `json:"distribution"`
	Unreachable  int            `json:"unreachable"`
	// Unscored counts resolved or closed complaints with no score and not
	// marked unreachable.
	Unscored int `json:"unscored"`
}

// Rate is a count out of a base, with the ids counted.
type Rate struct {
	Count   int      `json:"count"`
	Of      int      `json:"of"`
	Percent string   `json:"percent"`
	IDs     []string `json:"ids"`
}

// BacklogItem is one open complaint.
type BacklogItem struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Severity string      `json:"severity"`
	Status   string      `json:"status"`
	Assignee string      `json:"assignee"`
	AgeHours json.Number `json:"age_hours"`
	Bucket   string      `json:"bucket"`
	PastSLA  bool        `json:"past_sla"`
}

// Backlog is the open complaints by age.
type Backlog struct {
	Open          int           `json:"open"`
	AwaitingClose int           `json:"awaiting_close"`
	Buckets       []BucketCount `json:"buckets"`
	Items         []BacklogItem `json:"items"`
}

// BucketCount is a named count.
type BucketCount struct {
	Bucket string `json:"bucket"`
	Count  int    `json:"count"`
}

// Complaints is the complaints report of a period: every complaint whose
// received_at falls in it.
type Complaints struct {
	Period       string            `json:"period"`
	From         string            `json:"from"`
	To           string            `json:"to"` // last day, inclusive
	AsOf         string            `json:"as_of"`
	Total        int               `json:"total"`
	All          ComplaintGroup    `json:"all"`
	ByType       []ComplaintGroup  `json:"by_type"`
	BySeverity   []ComplaintGroup  `json:"by_severity"`
	ByCategory   []ComplaintGroup  `json:"by_category"`
	ByChannel    []ComplaintGroup  `json:"by_channel"`
	ByMonth      []ComplaintGroup  `json:"by_month"`
	Breaches     []ComplaintBreach `json:"breaches"`
	Satisfaction Satisfaction      `json:"satisfaction"`
	Reopen       Rate              `json:"reopen"`
	Repeat       Rate              `json:"repeat"`
	Backlog      Backlog           `json:"backlog"`
}

// Reopened tells, from the file alone, whether a complaint was reopened: it
// is in state reopened, or it is investigating again while it holds a
// resolution (only reopened → investigating leads back there after a
// resolution). A complaint reopened and since resolved or closed again
// cannot be told from the file; `opsbook history` shows it.
func Reopened(rec *record.Record) bool {
	st := rec.Status()
	return st == "reopened" || (st == "investigating" && rec.Has("resolution.resolved_at"))
}

// everResolved tells whether a complaint has been resolved at least once,
// the base of the reopen rate.
func everResolved(rec *record.Record) bool {
	switch rec.Status() {
	case "resolved", "closed", "reopened":
		return true
	}
	return rec.Has("resolution.resolved_at")
}

// IsRepeat tells whether a complaint is a repeat: one of its related ids is
// an earlier complaint (received before it) of the same customer, matched by
// customer id, or for walk-in contacts by the same e-mail or phone.
func IsRepeat(set *record.Set, rec *record.Record) bool {
	for _, id := range rec.Strings("related") {
		o := set.Get(id)
		if o == nil || o.Kind != record.Complaint || o == rec {
			continue
		}
		if !receivedBefore(o, rec) {
			continue
		}
		if sameCustomer(o, rec) {
			return true
		}
	}
	return false
}

func receivedBefore(a, b *record.Record) bool {
	ta, e1 := time.Parse(time.RFC3339, a.Str("received_at"))
	tb, e2 := time.Parse(time.RFC3339, b.Str("received_at"))
	return e1 == nil && e2 == nil && ta.Before(tb)
}

func sameCustomer(a, b *record.Record) bool {
	if c := a.Str("customer"); c != "" {
		return c == b.Str("customer")
	}
	for _, f := range []string{"contact.email", "contact.phone"} {
		if v := a.Str(f); v != "" && v == b.Str(f) {
			return true
		}
	}
	return false
}

type complaintAcc struct {
	g                ComplaintGroup
	respond, resolve []time.Duration
}

// ComplaintsReport computes the complaints report for the complaints
// received in period, judged at c.Now.
func ComplaintsReport(c *rules.Context, period Period) *Complaints {
	rep := &Complaints{Period: period.Label, From: period.From, To: period.Last(), AsOf: c.Now.Format(dateLayout)}
	var recs []*record.Record
	for _, r := range c.Set.OfKind(record.Complaint) {
		if period.Contains(r.Str("received_at")) {
			recs = append(recs, r)
		}
	}
	rep.Total = len(recs)

	dims := []struct {
		field string
		known []string
		out   *[]ComplaintGroup
	}{
		{"type", ComplaintTypes, &rep.ByType},
		{"severity", config.Severities, &rep.BySeverity},
		{"category", c.Policy.ComplaintCategories, &rep.ByCategory},
		{"channel", ComplaintChannels, &rep.ByChannel},
		{"month", nil, &rep.ByMonth},
	}
	all := &complaintAcc{g: ComplaintGroup{Key: "all"}}
	accs := make([]map[string]*complaintAcc, len(dims))
	for i := range dims {
		accs[i] = map[string]*complaintAcc{}
		for _, k := range dims[i].known {
			accs[i][k] = &complaintAcc{g: ComplaintGroup{Key: k}}
		}
	}
	// Months of the period, so a quiet month shows as 0.
	for d := period.From; d < period.To; {
		t, _ := time.Parse(dateLayout, d)
		accs[4][d[:7]] = &complaintAcc{g: ComplaintGroup{Key: d[:7]}}
		d = t.AddDate(0, 1, 0).Format(dateLayout)
	}

	rep.Satisfaction.Distribution = map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
	satSum := decimal.Zero
	for _, r := range recs {
		respond, resolve, ok := clocks(c, r)
		open := OpenComplaintStates[r.Status()]
		keys := []string{r.Str("type"), r.Str("severity"), r.Str("category"), r.Str("channel"), r.Str("received_at")[:7]}
		targets := []*complaintAcc{all}
		for i, k := range keys {
			if accs[i][k] == nil {
				accs[i][k] = &complaintAcc{g: ComplaintGroup{Key: k}}
			}
			targets = append(targets, accs[i][k])
		}
		for _, a := range targets {
			a.g.Count++
			if open {
				a.g.Open++
			}
			if !ok {
				continue
			}
			a.respond = addClock(&a.g.Respond, a.respond, respond)
			a.resolve = addClock(&a.g.Resolve, a.resolve, resolve)
		}
		if ok {
			for _, cl := range []struct {
				name string
				c    rules.Clock
			}{{"respond", respond}, {"resolve", resolve}} {
				if cl.c.Breach {
					rep.Breaches = append(rep.Breaches, ComplaintBreach{ID: r.ID, Severity: r.Str("severity"), Status: r.Status(),
						Clock: cl.name, Hours: *hoursOf(cl.c.Elapsed, true), LimitHours: int(cl.c.Limit.Hours()), Open: cl.c.Running})
				}
			}
		}

		switch s := r.Str("satisfaction"); s {
		case "1", "2", "3", "4", "5":
			rep.Satisfaction.Scored++
			rep.Satisfaction.Distribution[s]++
			satSum = satSum.Add(decimal.RequireFromString(s))
		case "unreachable":
			rep.Satisfaction.Unreachable++
		case "":
			if st := r.Status(); st == "resolved" || st == "closed" {
				rep.Satisfaction.Unscored++
			}
		}
		if everResolved(r) {
			rep.Reopen.Of++
			if Reopened(r) {
				rep.Reopen.Count++
				rep.Reopen.IDs = append(rep.Reopen.IDs, r.ID)
			}
		}
		if IsRepeat(c.Set, r) {
			rep.Repeat.Count++
			rep.Repeat.IDs = append(rep.Repeat.IDs, r.ID)
		}
		if r.Status() == "resolved" {
			rep.Backlog.AwaitingClose++
		}
		if open {
			recv, err := time.Parse(time.RFC3339, r.Str("received_at"))
			age := c.Now.Sub(recv)
			if err != nil {
				// The backlog's ages and buckets run with time and register
				// no horizon (rules.Horizon): the summary, the one answer
				// stored, shows only their count.
				age = 0
			}
			rep.Backlog.Items = append(rep.Backlog.Items, BacklogItem{ID: r.ID, Title: r.Title(), Severity: r.Str("severity"),
				Status: r.Status(), Assignee: r.Str("assignee"), AgeHours: *hoursOf(age, true), Bucket: bucketOf(age),
				PastSLA: ok && ((respond.Running && respond.Breach) || (resolve.Running && resolve.Breach))})
		}
	}
	rep.Satisfaction.Average = average(satSum, rep.Satisfaction.Scored, 2)
	rep.Reopen.Percent = percentOf(rep.Reopen.Count, rep.Reopen.Of)
	rep.Repeat.Of = rep.Total
	rep.Repeat.Percent = percentOf(rep.Repeat.Count, rep.Repeat.Of)
	if rep.Reopen.IDs == nil {
		rep.Reopen.IDs = []string{}
	}
	if rep.Repeat.IDs == nil {
		rep.Repeat.IDs = []string{}
	}

	rep.Backlog.Open = len(rep.Backlog.Items)
	for _, b := range BacklogBuckets {
		bc := BucketCount{Bucket: b.Name}
		for _, it := range rep.Backlog.Items {
			if it.Bucket == b.Name {
				bc.Count++
			}
		}
		rep.Backlog.Buckets = append(rep.Backlog.Buckets, bc)
	}
	sev := severityRank()
	sort.SliceStable(rep.Backlog.Items, func(i, j int) bool {
		a, b := rep.Backlog.Items[i], rep.Backlog.Items[j]
		if sev[a.Severity] != sev[b.Severity] {
			return sev[a.Severity] < sev[b.Severity]
		}
		return a.ID < b.ID
	})
	if rep.Backlog.Items == nil {
		rep.Backlog.Items = []BacklogItem{}
	}
	if rep.Breaches == nil {
		rep.Breaches = []ComplaintBreach{}
	}

	rep.All = all.finish(rep.Total)
	for i, d := range dims {
		var keys []string
		known := map[string]bool{}
		for _, k := range d.known {
			keys = append(keys, k)
			known[k] = true
		}
		var extra []string
		for k := range accs[i] {
			if !known[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		keys = append(keys, extra...)
		out := []ComplaintGroup{}
		for _, k := range keys {
			g := accs[i][k].finish(rep.Total)
			if d.field == "severity" {
				if sla, ok := c.Policy.SLA[k]; ok {
					g.SLARespondHours, g.SLAResolveHours = &sla.Respond, &sla.Resolve
				}
			}
			out = append(out, g)
		}
		*d.out = out
	}
	return rep
}

// clocks are the SLA clocks of a complaint, except that a clock left
// running on a resolved or closed complaint (a missing timestamp, which
// validate reports) is not counted as a breach that grows forever.
func clocks(c *rules.Context, r *record.Record) (respond, resolve rules.Clock, ok bool) {
	respond, resolve, ok = c.Clocks(r)
	if !OpenComplaintStates[r.Status()] {
		for _, cl := range []*rules.Clock{&respond, &resolve} {
			if cl.Running {
				cl.Breach = false
			}
		}
	}
	return respond, resolve, ok
}

func addClock(t *Timing, ds []time.Duration, cl rules.Clock) []time.Duration {
	if cl.Breach {
		t.Breaches++
		if cl.Running {
			t.OpenBreaches++
		}
	}
	if cl.Running {
		return ds
	}
	t.Measured++
	if !cl.Breach {
		t.WithinSLA++
	}
	return append(ds, cl.Elapsed)
}

func (a *complaintAcc) finish(total int) ComplaintGroup {
	g := a.g
	g.Percent = percentOf(g.Count, total)
	for _, x := range []struct {
		t  *Timing
		ds []time.Duration
	}{{&g.Respond, a.respond}, {&g.Resolve, a.resolve}} {
		x.t.MedianHours = hoursOf(NearestRank(x.ds, 50))
		x.t.P90Hours = hoursOf(NearestRank(x.ds, 90))
		x.t.WithinSLAPercent = percentOf(x.t.WithinSLA, x.t.Measured)
	}
	return g
}

func bucketOf(age time.Duration) string {
	for _, b := range BacklogBuckets {
		if b.Below == 0 || age < b.Below {
			return b.Name
		}
	}
	return BacklogBuckets[len(BacklogBuckets)-1].Name
}

func severityRank() map[string]int {
	m := map[string]int{}
	for i, s := range config.Severities {
		m[s] = i
	}
	return m
}

// Group returns the groups of one dimension: type, severity, category,
// channel or month.
func (c *Complaints) Group(dim string) []ComplaintGroup {
	switch dim {
	case "type":
		return c.ByType
	case "severity":
		return c.BySeverity
	case "channel":
		return c.ByChannel
	case "month":
		return c.ByMonth
	}
	return c.ByCategory
}

// itoa is strconv.Itoa, short for tables.
func itoa(n int) string { return strconv.Itoa(n) }
