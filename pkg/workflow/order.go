package workflow

import (
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Order across kinds: moves that wait on another record.
//
//   - A plan is submitted only when its project is approved, planning or
//     executing: a plan is written for a project leadership has approved.
//   - A project starts executing only with an active plan of its own.
//   - A claim whose claimant is a director is approved, rejected or
//     returned by leadership alone: the director's own claims go up,
//     never down to the managers who report to them.
//
// The first two need env.Records; without it they are not checked.
var planProjectStates = []string{"approved", "planning", "executing"}

func checkOrder(a Actor, rec *record.Record, m Move, env Env) *Refusal {
	switch {
	case rec.Kind == record.Plan && m.From == "draft" && m.To == "in_review":
		if env.Records == nil {
			return nil
		}
		id := rec.Str("project")
		p := env.Records.Get(id)
		if p == nil || p.Kind != record.Project {
			return refuse(rec, RuleOrder, "project", "%s may not be submitted: its project %s is not found; a plan is submitted for a project that is %s",
				rec.ID, orNoneWord(id), joinOr(stateList(planProjectStates)))
		}
		if !contains(planProjectStates, p.Status()) {
			return refuse(rec, RuleOrder, "project", "%s may not be submitted while its project %s is %s: a plan is submitted once the project is %s",
				rec.ID, id, stateWord(p.Status()), joinOr(stateList(planProjectStates)))
		}
	case rec.Kind == record.Project && m.To == "executing":
		if env.Records == nil {
			return nil
		}
		var states []any
		for _, p := range plansOf(env.Records, rec.ID) {
			if p.Status() == "active" {
				return nil
			}
			states = append(states, i18n.Join(" ", p.ID, stateWord(p.Status())))
		}
		found := i18n.P("it has no plan")
		if len(states) > 0 {
			found = i18n.P("its plans: %s", i18n.Join(i18n.P(", "), states...))
		}
		return refuse(rec, RuleOrder, "status", "%s may not start executing without an active plan (%s): activate its plan first", rec.ID, found)
	case rec.Kind == record.Expense && (m.From == "submitted" || m.From == "reviewed") && contains([]string{"reviewed", "approved", "rejected", "returned"}, m.To):
		if a.Role == Leadership {
			return nil
		}
		claimant := rec.Str("claimant")
		if c, ok := env.People[claimant]; ok && c.Role == Director {
			return refuse(rec, RuleOrder, "status", "%s may not %s %s: it is the claim of the director %s, which only leadership decides",
				a.words(), phrase(m.Verb), rec.ID, claimant)
		}
	}
	return nil
}
