package query

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// The coordination kinds' derived fields.
func init() {
	derived[record.Meeting] = []*Derived{
		{"open_actions", Number, "action items not done or dropped", func(c *rules.Context, r *record.Record) (any, bool) {
			return json.Number(strconv.Itoa(countActions(c, r, false))), true
		}},
		{"overdue_actions", Number, "action items past their due date and not done or dropped, as of now (published minutes only, as validate warns)", func(c *rules.Context, r *record.Record) (any, bool) {
			if r.Status() != "published" {
				return json.Number("0"), true
			}
			return json.Number(strconv.Itoa(countActions(c, r, true))), true
		}},
	}
}

// countActions counts a meeting's open action items, or only the overdue
// ones.
func countActions(c *rules.Context, r *record.Record, overdue bool) int {
	today := c.Now.Format(time.DateOnly)
	n := 0
	for i := range r.List("actions") {
		p := "actions." + strconv.Itoa(i)
		st := r.Str(p + ".status")
		if st == "" {
			st = "open"
		}
		if !rules.ActionOpen(st) {
			continue
		}
		if due := r.Str(p + ".due"); !overdue || due != "" && due < today {
			n++
		}
	}
	return n
}

func init() {
	derived[record.Task] = []*Derived{
		{"overdue", Bool, "open or doing past its due date, as of now", func(c *rules.Context, r *record.Record) (any, bool) {
			st := r.Status()
			return (st == "open" || st == "doing") && r.Str("due") < c.Now.Format(time.DateOnly), true
		}},
		{"on_time", Bool, "done on or before its due date (absent until done)", func(c *rules.Context, r *record.Record) (any, bool) {
			if r.Status() != "done" || r.Str("done") == "" {
				return nil, false
			}
			return r.Str("done") <= r.Str("due"), true
		}},
	}
}
