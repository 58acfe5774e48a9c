package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

// checkCare runs the rules under a policy with revisit days.
func checkCare(t *testing.T, files map[string]string) []diag.Diagnostic {
	t.Helper()
	var recs []*record.Record
	for p, text := range files {
		r, ds := record.Parse(p, []byte(text))
		if len(ds) > 0 || r == nil {
			t.Fatalf("parse %s: %v", p, ds)
		}
		recs = append(recs, r)
	}
	for p, text := range base {
		r, _ := record.Parse(p, []byte(text))
		recs = append(recs, r)
	}
	pol := config.Default()
	pol.RevisitDays = map[string]int{"wholesale": 60}
	return Check(&Context{Set: record.NewSet(recs), Policy: pol, Now: now, Exists: func(string) bool { return true }})
}

func TestCustomerCare(t *testing.T) {
	const cus = "records/customers/CUS-0001.yaml"
	customer := func(segment, extra string) string {
		return "kind: customer\nid: CUS-0001\nname: 青禾\nsegment: " + segment + "\nsince: 2026-01-05\n" + extra
	}
	visit := func(date string) string { return "visits:\n  - date: " + date + "\n    by: li.wei\n" }
	cmp := func(id, received, status, extra string) string {
		return "kind: complaint\nid: " + id + "\ntitle: c\nstatus: " + status + "\ntype: complaint\nchannel: phone\ncustomer: CUS-0001\ncategory: service\nseverity: low\nreceived_at: " + received + "\nsummary: s\nassignee: zhang.min\nacknowledged_at: " + strings.Replace(received, "T09", "T10", 1) + "\n" + extra
	}
	p1, p2 := "records/complaints/2026/CMP-2026-0001.yaml", "records/complaints/2026/CMP-2026-0002.yaml"
	cases := []struct {
		name  string
		files map[string]string
		path  string
		rule  string
		msg   string
	}{
		{"revisit overdue", map[string]string{cus: customer("wholesale", visit("2026-09-26"))}, cus, "revisit-overdue",
			"revisit of CUS-0001 was due 2026-11-25: the policy asks for one every 60 days for wholesale customers (revisit_days.wholesale)"},
		{"never visited counts from since", map[string]string{cus: customer("wholesale", "")}, cus, "revisit-overdue", "was due 2026-03-06"},
		{"no update for two days", map[string]string{cus: customer("consumer", ""), p1: cmp("CMP-2026-0001", "2026-11-24T09:00:00+08:00", "acknowledged", "")}, p1, "complaint-update",
			"no update to the customer for 54.0h since 2026-11-24T09:00:00+08:00: the policy asks for one every 48 hours"},
		{"last update too old", map[string]string{cus: customer("consumer", ""), p1: cmp("CMP-2026-0001", "2026-11-20T09:00:00+08:00", "investigating", "updates:\n  - at: 2026-11-24T12:00:00+08:00\n    by: zhang.min\n    note: n\n")}, p1, "complaint-update",
			"for 51.0h since 2026-11-24T12:00:00+08:00"},
		{"a repeat within the window", map[string]string{cus: customer("consumer", ""),
			p1: cmp("CMP-2026-0001", "2026-11-01T09:00:00+08:00", "closed", "resolution:\n  root_cause: r\n  solution: s\n  resolved_at: 2026-11-02T09:00:00+08:00\nsatisfaction: 4\n"),
			p2: cmp("CMP-2026-0002", "2026-11-25T09:00:00+08:00", "acknowledged", "")}, p2, "complaint-repeat",
			"a repeat of CMP-2026-0001 (same customer CUS-0001 and category service, received 2026-11-01, within 30 days): link it in related"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := checkCare(t, c.files); !has(ds, c.path, c.rule, diag.Warning, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	// Within the cadences, a segment without one, a linked repeat, one outside the window: no care warning.
	quiet := []map[string]string{
		{cus: customer("wholesale", visit("2026-09-27"))},
		{cus: customer("consumer", "")},
		{cus: customer("consumer", ""), p1: cmp("CMP-2026-0001", "2026-11-24T16:00:00+08:00", "acknowledged", "")},
		{cus: customer("consumer", ""), p1: cmp("CMP-2026-0001", "2026-10-25T08:00:00+08:00", "closed", "resolution:\n  root_cause: r\n  solution: s\n  resolved_at: 2026-10-26T09:00:00+08:00\nsatisfaction: 4\n"),
			p2: cmp("CMP-2026-0002", "2026-11-25T09:00:00+08:00", "acknowledged", "")},
		{cus: customer("consumer", ""), p1: cmp("CMP-2026-0001", "2026-11-01T09:00:00+08:00", "closed", "resolution:\n  root_cause: r\n  solution: s\n  resolved_at: 2026-11-02T09:00:00+08:00\nsatisfaction: 4\n"),
			p2: cmp("CMP-2026-0002", "2026-11-25T09:00:00+08:00", "acknowledged", "related: [CMP-2026-0001]\n")},
	}
	for i, files := range quiet {
		for _, d := range checkCare(t, files) {
			if d.Rule == "revisit-overdue" || d.Rule == "complaint-update" || d.Rule == "complaint-repeat" {
				t.Errorf("case %d: %v", i, d)
			}
		}
	}
}

func TestPreventionOnEveryClosedComplaint(t *testing.T) {
	ack := "assignee: zhang.min\nacknowledged_at: 2026-11-20T10:00:00+08:00\n"
	res := "investigation:\n  root_cause: r\nresolution:\n  solution: s\n  resolved_at: 2026-11-21T10:00:00+08:00\nsatisfaction: 4\n"
	if ds := check(t, map[string]string{cmpPath: complaint("closed", "low", ack+res)}); !has(ds, cmpPath, "state-needs", diag.Error, "a closed low-severity complaint needs prevention (what stops a repeat, or why none is needed)") {
		t.Fatalf("%v", ds)
	}
	if ds := check(t, map[string]string{cmpPath: complaint("closed", "low", ack+res+"prevention: 無需：個別情況\n")}); len(ds) != 0 {
		t.Fatalf("%v", ds)
	}
	inquiry := strings.Replace(complaint("closed", "low", ack+strings.Replace(res, "investigation:\n  root_cause: r\n", "", 1)), "type: complaint", "type: inquiry", 1)
	if ds := check(t, map[string]string{cmpPath: inquiry}); len(ds) != 0 {
		t.Fatalf("an inquiry needs no prevention: %v", ds)
	}
}

// TestRepeatOfMatchesScan: the look-up by customer, category and time finds
// what a scan of every complaint finds (the latest earlier one within the
// window, the first in the set's order among equal times), on random sets.
func TestRepeatOfMatchesScan(t *testing.T) {
	scan := func(c *Context, rec *record.Record) *record.Record {
		days := c.Policy.RepeatWindowDays
		cust, cat := rec.Str("customer"), rec.Str("category")
		t0 := parseInstant(rec.Str("received_at"))
		if days <= 0 || cust == "" || cat == "" || t0.IsZero() {
			return nil
		}
		var best *record.Record
		var bestT time.Time
		for _, o := range c.Set.OfKind(record.Complaint) {
			if o == rec || o.Str("customer") != cust || o.Str("category") != cat {
				continue
			}
			ot := parseInstant(o.Str("received_at"))
			if ot.IsZero() || !ot.Before(t0) || t0.Sub(ot) > time.Duration(days)*24*time.Hour {
				continue
			}
			if best == nil || ot.After(bestT) {
				best, bestT = o, ot
			}
		}
		if best != nil {
			for _, id := range rec.Strings("related") {
				if id == best.ID {
					return nil
				}
			}
		}
		return best
	}
	rnd := rand.New(rand.NewPCG(17, 1))
	for round := 0; round < 20; round++ {
		var recs []*record.Record
		for i := 1; i <= 200; i++ {
			id := fmt.Sprintf("CMP-2026-%04d", i)
			text := fmt.Sprintf("kind: complaint\nid: %s\ncustomer: CUS-000%d\ncategory: %s\nreceived_at: 2026-0%d-%02dT09:00:00+08:00\n",
				id, 1+rnd.IntN(3), []string{"service", "quality"}[rnd.IntN(2)], 1+rnd.IntN(3), 1+rnd.IntN(28))
			if rnd.IntN(5) == 0 {
				text += fmt.Sprintf("related: [CMP-2026-%04d]\n", 1+rnd.IntN(200))
			}
			r, ds := record.Parse("records/complaints/2026/"+id+".yaml", []byte(text))
			if r == nil || len(ds) > 0 {
				t.Fatalf("parse: %v", ds)
			}
			recs = append(recs, r)
		}
		c := &Context{Set: record.NewSet(recs), Policy: config.Default()}
		c.Policy.RepeatWindowDays = 1 + rnd.IntN(40)
		for _, r := range recs {
			if got, want := c.RepeatOf(r), scan(c, r); got != want {
				t.Fatalf("round %d, %s: RepeatOf %v, a scan %v", round, r.ID, got, want)
			}
		}
	}
}
