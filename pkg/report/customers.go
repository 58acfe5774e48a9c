package report

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// Customers is the customer care report (§5.2): per customer, revisits
// done and when the next is due under the policy's revisit_days,
// satisfaction from revisits, and complaints.
type Customers struct {
	AsOf      string        `json:"as_of"`
	Customers []CustomerRow `json:"customers"`
	Overdue   int           `json:"revisits_overdue"`
}

// CustomerRow is one customer.
type CustomerRow struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Segment   string `json:"segment"`
	Visits    int    `json:"visits"`
	LastVisit string `json:"last_visit"` // "" for never
	// RevisitDue is "" when the segment has no revisit_days.
	RevisitDue     string       `json:"revisit_due"`
	RevisitOverdue bool         `json:"revisit_overdue"`
	Satisfaction   *json.Number `json:"revisit_satisfaction"` // average of the scored revisits, two decimals; null for none
	Complaints     int          `json:"complaints"`
	OpenComplaints int          `json:"open_complaints"`
	// Repeats are complaints that repeat an earlier one: linked in related,
	// or found within repeat_window_days (complaint-repeat).
	Repeats int `json:"repeats"`
}

// CustomersReport computes the customer care report as of c.Now.
func CustomersReport(c *rules.Context) *Customers {
	rep := &Customers{AsOf: c.Now.Format(dateLayout), Customers: []CustomerRow{}}
	today := c.Now.Format(time.DateOnly)
	rows := map[string]*CustomerRow{}
	var order []string
	for _, cu := range c.Set.OfKind(record.Customer) {
		row := &CustomerRow{ID: cu.ID, Name: cu.Title(), Segment: cu.Str("segment")}
		sum, n := decimal.Zero, 0
		for i := range cu.List("visits") {
			p := "visits." + strconv.Itoa(i)
			row.Visits++
			if d := cu.Str(p + ".date"); d > row.LastVisit {
				row.LastVisit = d
			}
			if s, err := decimal.NewFromString(cu.Str(p + ".satisfaction")); err == nil {
				sum, n = sum.Add(s), n+1
			}
		}
		row.Satisfaction = average(sum, n, 2)
		if due, ok := c.RevisitDue(cu); ok {
			row.RevisitDue, row.RevisitOverdue = due, due < today
			if row.RevisitOverdue {
				rep.Overdue++
			}
		}
		rows[cu.ID] = row
		order = append(order, cu.ID)
	}
	for _, cm := range c.Set.OfKind(record.Complaint) {
		row := rows[cm.Str("customer")]
		if row == nil {
			continue
		}
		row.Complaints++
		if st := cm.Status(); st != "resolved" && st != "closed" {
			row.OpenComplaints++
		}
		if len(cm.Strings("related")) > 0 || c.RepeatOf(cm) != nil {
			row.Repeats++
		}
	}
	for _, id := range order {
		rep.Customers = append(rep.Customers, *rows[id])
	}
	return rep
}

// Table is the report's one table.
func (cs *Customers) Table(View) *render.Table {
	t := &render.Table{Headers: render.Headers("ID", "SEGMENT", "VISITS", "LAST VISIT", "REVISIT DUE", "OVERDUE", "SATISFACTION", "COMPLAINTS", "OPEN", "REPEATS", "NAME"), Right: right(2, 6, 7, 8, 9),
		Narrow: []int{0, 4, 5, 6, 8, 10}}
	for _, r := range cs.Customers {
		t.Add(r.ID, orDash(i18n.Term("segment", r.Segment)), itoa(r.Visits), orDash(r.LastVisit), orDash(r.RevisitDue), yesNo(r.RevisitOverdue), numText(r.Satisfaction, ""),
			itoa(r.Complaints), itoa(r.OpenComplaints), itoa(r.Repeats), r.Name)
	}
	return t
}

// Page lays the report out.
func (cs *Customers) Page(v View) *render.Page {
	p := &render.Page{Title: i18n.Sprintf("Customers (%d; as of %s)", len(cs.Customers), cs.AsOf)}
	p.Lines = append(p.Lines, i18n.Plural(cs.Overdue, "%d revisit overdue under the policy's revisit_days.", "%d revisits overdue under the policy's revisit_days.", cs.Overdue))
	s := render.Section{Title: i18n.T("Revisits and complaints per customer"), Table: cs.Table(v), Empty: i18n.T("No customers.")}
	for _, r := range cs.Customers {
		s.Warn = append(s.Warn, r.RevisitOverdue)
	}
	p.Sections = append(p.Sections, s)
	return p
}
