package report

import (
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Snapshot is the figures a status report carries, computed from the
// records when it is submitted, for its author's scope: the author and
// everyone whose reports_to chain reaches them (the director: every active
// person but leadership).
type Snapshot struct {
	People            int     `json:"people"`
	OpenWork          int     `json:"open_work"`
	OverdueWork       int     `json:"overdue_work"`
	OnTimePercent     *string `json:"on_time_percent"`
	ActivePlans       int     `json:"active_plans"`
	OpenComplaints    int     `json:"open_complaints"`
	ComplaintsPastSLA int     `json:"complaints_past_sla"`
}

// Scope lists the handles an author answers for.
func Scope(set *record.Set, author string) map[string]bool {
	scope := map[string]bool{author: true}
	a := set.Get(author)
	director := a != nil && a.Str("role") == "director"
	for _, p := range set.OfKind(record.Person) {
		if !activePerson(p) {
			continue
		}
		if director && p.Str("role") != "leadership" || rules.ReportsTo(set, p.ID, author) {
			scope[p.ID] = true
		}
	}
	return scope
}

func activePerson(p *record.Record) bool {
	v, ok := p.Get("active")
	b, isBool := v.(bool)
	return !ok || !isBool || b
}

// ComputeSnapshot computes the figures of author's scope as of c.Now.
func ComputeSnapshot(c *rules.Context, author string) Snapshot {
	scope := Scope(c.Set, author)
	s := Snapshot{People: len(scope)}
	today := c.Now.Format(dateLayout)
	var done PersonWork
	for _, w := range collectWork(c.Set) {
		if !scope[w.Person] {
			continue
		}
		switch {
		case w.open:
			s.OpenWork++
			if w.Due != "" && w.Due < today {
				s.OverdueWork++
			}
		case w.done != "" && w.Due != "" && w.done <= w.Due:
			done.OnTime++
		case w.done != "" && w.Due != "":
			done.Late++
		}
	}
	s.OnTimePercent = onTimePercent(&done)
	for _, p := range c.Set.OfKind(record.Plan) {
		if p.Status() == "active" && scope[p.Str("author")] {
			s.ActivePlans++
		}
	}
	for _, cmp := range c.Set.OfKind(record.Complaint) {
		if st := cmp.Status(); st != "closed" && st != "resolved" && scope[cmp.Str("assignee")] {
			s.OpenComplaints++
		}
	}
	for _, o := range OpenPastSLA(c) {
		if scope[o.Assignee] {
			s.ComplaintsPastSLA++
		}
	}
	return s
}
