package query

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Derived is a field computed from a record (and, for clocks and budgets,
// from the policy and the moment judged against) rather than stored in it.
// Derived fields can be used in --where, --sort and --columns like stored ones.
type Derived struct {
	Name string
	Type Type
	Doc  string
	// value returns the plain value (string, json.Number, bool,
	// time.Duration), or false when the record does not have one yet.
	value func(c *rules.Context, r *record.Record) (any, bool)
}

// derived lists each kind's derived fields. Durations, once known, are
// fixed: a complaint's response time exists from acknowledged_at on.
var derived = map[record.Kind][]*Derived{
	record.Complaint: {
		{"response_time", Duration, "acknowledged_at − received_at (absent until acknowledged)", func(c *rules.Context, r *record.Record) (any, bool) {
			return span(r, "received_at", "acknowledged_at")
		}},
		{"resolution_time", Duration, "resolution.resolved_at − received_at (absent until resolved)", func(c *rules.Context, r *record.Record) (any, bool) {
			return span(r, "received_at", "resolution.resolved_at")
		}},
		{"age", Duration, "time since received_at, as of now", func(c *rules.Context, r *record.Record) (any, bool) {
			t, err := time.Parse(time.RFC3339, r.Str("received_at"))
			if err != nil {
				return nil, false
			}
			return c.Now.Sub(t), true
		}},
		{"sla_breach", Bool, "a first-response or resolution SLA is breached (as validate warns)", func(c *rules.Context, r *record.Record) (any, bool) {
			respond, resolve, ok := c.Clocks(r)
			if !ok {
				return nil, false
			}
			return respond.Breach || resolutionBreach(r, resolve), true
		}},
		{"response_breach", Bool, "first response later than the SLA (or still unanswered past it)", func(c *rules.Context, r *record.Record) (any, bool) {
			respond, _, ok := c.Clocks(r)
			return respond.Breach, ok
		}},
		{"resolution_breach", Bool, "resolved later than the SLA (or still open past it)", func(c *rules.Context, r *record.Record) (any, bool) {
			_, resolve, ok := c.Clocks(r)
			return resolutionBreach(r, resolve), ok
		}},
	},
	record.Expense: {
		{"year", Number, "year of date", func(c *rules.Context, r *record.Record) (any, bool) {
			d, ok := dateOf(r.Str("date"))
			if !ok {
				return nil, false
			}
			return json.Number(d[:4]), true
		}},
		{"month", Text, "month of date, YYYY-MM", func(c *rules.Context, r *record.Record) (any, bool) {
			d, ok := dateOf(r.Str("date"))
			if !ok {
				return nil, false
			}
			return d[:7], true
		}},
		{"items_sum", Money, "sum of the items' amounts (absent without items)", func(c *rules.Context, r *record.Record) (any, bool) {
			sum, n := itemsSum(r)
			if n == 0 {
				return nil, false
			}
			return json.Number(sum.String()), true
		}},
		{"receipt_status", Text, "claim (one receipt for the claim), items (one on every item), partial, or none", func(c *rules.Context, r *record.Record) (any, bool) {
			return ReceiptStatus(r), true
		}},
		{"receipt_required", Bool, "the amount is above the policy's receipt_required_above", func(c *rules.Context, r *record.Record) (any, bool) {
			a, ok := r.Money("amount")
			if !ok {
				return nil, false
			}
			return a.GreaterThan(c.Policy.ReceiptRequiredAbove), true
		}},
	},
	record.Appraisal: {
		{"computed_total", Number, "Σ weight × score / 100, exact", func(c *rules.Context, r *record.Record) (any, bool) {
			if len(r.List("indicators")) == 0 {
				return nil, false
			}
			return json.Number(rules.AppraisalScore(r, c.Policy).Total.String()), true
		}},
		{"computed_rating", Text, "the rating the computed total earns under the policy", func(c *rules.Context, r *record.Record) (any, bool) {
			if len(r.List("indicators")) == 0 {
				return nil, false
			}
			return rules.AppraisalScore(r, c.Policy).Rating, true
		}},
	},
	record.Budget: {
		{"total", Money, "sum of the lines and amendments", func(c *rules.Context, r *record.Record) (any, bool) {
			t := money.Zero
			for _, list := range []string{"lines", "amendments"} {
				for i := range r.List(list) {
					a, _ := r.Money(list + "." + strconv.Itoa(i) + ".amount")
					t = t.Add(a)
				}
			}
			return json.Number(t.String()), true
		}},
	},
	record.Plan: {
		{"overdue_tasks", Number, "tasks past their due date and not done, as of now", func(c *rules.Context, r *record.Record) (any, bool) {
			today := c.Now.Format(time.DateOnly)
			n := 0
			for i := range r.List("tasks") {
				p := "tasks." + strconv.Itoa(i)
				if due, ok := dateOf(r.Str(p + ".due")); ok && due < today && r.Str(p+".status") != "done" {
					n++
				}
			}
			return json.Number(strconv.Itoa(n)), true
		}},
		{"last_check", Date, "date of the latest progress check", func(c *rules.Context, r *record.Record) (any, bool) {
			return latest(r, "checks", "date")
		}},
	},
	record.Customer: {
		{"last_visit", Date, "date of the latest visit", func(c *rules.Context, r *record.Record) (any, bool) {
			return latest(r, "visits", "date")
		}},
	},
}

// DerivedFields lists the derived fields of a kind, for help text.
func DerivedFields(k record.Kind) []*Derived { return derived[k] }

func derivedField(k record.Kind, name string) *Derived {
	for _, d := range derived[k] {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// resolutionBreach follows validate: a closed complaint without a resolution
// instant no longer runs its clock.
func resolutionBreach(r *record.Record, cl rules.Clock) bool {
	return cl.Breach && (!cl.Running || r.Status() != "closed")
}

func span(r *record.Record, from, to string) (any, bool) {
	a, err1 := time.Parse(time.RFC3339, r.Str(from))
	b, err2 := time.Parse(time.RFC3339, r.Str(to))
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return b.Sub(a), true
}

func itemsSum(r *record.Record) (money.Amount, int) {
	sum := money.Zero
	items := r.List("items")
	for i := range items {
		a, _ := r.Money("items." + strconv.Itoa(i) + ".amount")
		sum = sum.Add(a)
	}
	return sum, len(items)
}

// ReceiptStatus says where an expense's receipts are: "claim" (one for the
// whole claim), "items" (one on every item), "partial" (on some items) or
// "none".
func ReceiptStatus(r *record.Record) string {
	if r.Has("receipt") {
		return "claim"
	}
	items := r.List("items")
	with := 0
	for i := range items {
		if r.Has("items." + strconv.Itoa(i) + ".receipt") {
			with++
		}
	}
	switch {
	case len(items) > 0 && with == len(items):
		return "items"
	case with > 0:
		return "partial"
	}
	return "none"
}

func latest(r *record.Record, list, field string) (any, bool) {
	best := ""
	for i := range r.List(list) {
		if d, ok := dateOf(r.Str(list + "." + strconv.Itoa(i) + "." + field)); ok && d > best {
			best = d
		}
	}
	return best, best != ""
}
