package query

import (
	"encoding/json"
	"strconv"

	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// The derived fields of training plans and trainings.
func init() {
	derived[record.TrainingPlan] = []*Derived{
		{"courses_planned", Number, "the courses of the plan as its amendments leave them", func(c *rules.Context, r *record.Record) (any, bool) {
			return json.Number(strconv.Itoa(len(rules.PlanCourses(r)))), true
		}},
		{"planned_hours", Number, "Σ hours of the courses, as amended", func(c *rules.Context, r *record.Record) (any, bool) {
			h := decimal.Zero
			for _, cs := range rules.PlanCourses(r) {
				h = h.Add(cs.Hours)
			}
			return json.Number(h.String()), true
		}},
		{"planned_budget", Money, "Σ budget of the courses, as amended", func(c *rules.Context, r *record.Record) (any, bool) {
			b := money.Zero
			for _, cs := range rules.PlanCourses(r) {
				b = b.Add(cs.Budget)
			}
			return json.Number(b.String()), true
		}},
	}
	derived[record.Training] = []*Derived{
		{"invited", Number, "how many attendees are listed", func(c *rules.Context, r *record.Record) (any, bool) {
			return json.Number(strconv.Itoa(len(r.List("attendees")))), true
		}},
		{"attended", Number, "how many attendees attended (absent until held)", func(c *rules.Context, r *record.Record) (any, bool) {
			if !rules.Held(r) {
				return nil, false
			}
			n := 0
			for i := range r.List("attendees") {
				if r.Str("attendees."+strconv.Itoa(i)+".attended") == "true" {
					n++
				}
			}
			return json.Number(strconv.Itoa(n)), true
		}},
		{"average_rating", Number, "the attendees' average rating, two decimals (absent without ratings)", func(c *rules.Context, r *record.Record) (any, bool) {
			sum, n := rules.Ratings(r)
			if n == 0 {
				return nil, false
			}
			return json.Number(sum.DivRound(decimal.NewFromInt(int64(n)), 2).StringFixed(2)), true
		}},
	}
}
