package rules

import (
	"strconv"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// dateOrders checks the start and end dates of a record that no other
// check of its kind orders (date-order): what comes of a meeting, a
// session, a report or an approval is dated on or after it.
func (r *run) dateOrders(rec *record.Record) {
	switch rec.Kind {
	case record.Meeting:
		// an action item is decided at the meeting: it cannot be due, or
		// done, before the meeting was held
		for i := range rec.List("actions") {
			p := "actions." + strconv.Itoa(i)
			r.dateOrder(rec, "date", p+".due", 0)
			r.dateOrder(rec, "date", p+".done", 0)
		}
	case record.Customer:
		// a warning: a visit to a prospect before the relationship began
		// (the visit that won the customer) is real, and is kept in its
		// history; more often the visit or since is mistyped, and since
		// also starts the revisit clock of a customer never visited
		for i := range rec.List("visits") {
			r.dateOrderWarn(rec, "since", "visits."+strconv.Itoa(i)+".date")
		}
	case record.Training:
		// the assessment of a session comes after it (its first day)
		r.dateOrder(rec, "date", "evaluation.date", 0)
	case record.TrainingPlan:
		// leadership amends a plan once it is approved; approved_on is
		// stamped on the calendar of the machine that approved it
		for i := range rec.List("amendments") {
			r.dateOrder(rec, "approved_on", "amendments."+strconv.Itoa(i)+".date", 1)
		}
	case record.Violation:
		// a case is decided or dismissed once reported, and closed once
		// decided (closed_on is stamped, a day's slack as for a task)
		r.dateOrder(rec, "reported_on", "decision.date", 0)
		r.dateOrder(rec, "reported_on", "dismissal.date", 0)
		r.dateOrder(rec, "decision.date", "closed_on", 1)
	}
}

// dateOrderWarn is dateOrder as a warning, for a pair a real case may put
// out of order.
func (r *run) dateOrderWarn(rec *record.Record, start, end string) {
	s, e := rec.Str(start), rec.Str(end)
	if !validDate(s) || !validDate(e) || e >= s {
		return
	}
	r.warnf(rec, end, "date-order", "%s %s is before %s %s", i18n.Field(end), e, i18n.Field(start), s)
}
