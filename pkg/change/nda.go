package change

import (
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// RuleNDARequired refuses a write on a confidential record by an actor
// without a valid confidentiality agreement, under the policy's
// require_nda (§7.2.1).
const RuleNDARequired = "nda-required"

// checkNDA refuses the change when the policy requires an agreement, a
// record it touches is confidential (before or after), and the actor's own
// agreement is missing, not yet signed or expired on the day of the change.
func (s *Session) checkNDA(recs ...*record.Record) error {
	if !s.Repo.Policy.RequireNDA {
		return nil
	}
	for _, r := range recs {
		if r == nil || !rules.Confidential(r, s.Repo.Policy) {
			continue
		}
		p := s.Repo.Set.Get(s.Actor.Handle)
		if p != nil && p.Kind != record.Person {
			p = nil
		}
		why, holds := (&rules.Context{Now: s.Now, Horizon: s.Horizon}).NDAStatus(p)
		if holds {
			return nil
		}
		return refused(RuleNDARequired, "refused: %s is confidential and %s's confidentiality agreement is %s; the policy (require_nda) lets only people with a valid one act on confidential records: the director or leadership records a signed agreement in %s's person record (nda)",
			r.ID, s.Actor.Handle, why, s.Actor.Handle)
	}
	return nil
}
