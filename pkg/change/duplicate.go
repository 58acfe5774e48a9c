package change

import (
	"slices"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// RuleAppraisalDuplicate refuses a second appraisal of one employee for
// one period (and project): validate only warns of one already written
// (rules: appraisal-duplicate), which nothing can take back, so the
// write that would make one is where it is stopped.
const RuleAppraisalDuplicate = "appraisal-duplicate"

// checkDuplicateAppraisal refuses an appraisal created, or changed in its
// employee, period or project, when another appraisal of the department
// (as the change leaves it: edits replaces the records it rewrites) has
// the same employee, period and project. A change that keeps the key of
// an appraisal already duplicated is not refused: the department has to
// be able to go on with it.
func (s *Session) checkDuplicateAppraisal(before, after *record.Record, edits []Edit, afters []*record.Record) error {
	if after == nil || after.Kind != record.Appraisal {
		return nil
	}
	k, ok := rules.KeyOf(after)
	if !ok {
		return nil
	}
	if before != nil {
		if bk, ok := rules.KeyOf(before); ok && bk == k {
			return nil
		}
	}
	changing := map[string]bool{}
	for _, e := range edits {
		changing[e.Path] = true
	}
	var others []string
	same := func(a *record.Record) {
		if a != nil && a.Kind == record.Appraisal && a.Path != after.Path {
			if ak, ok := rules.KeyOf(a); ok && ak == k {
				others = append(others, a.ID)
			}
		}
	}
	for _, a := range afters {
		same(a)
	}
	if s.near == nil {
		for _, a := range s.Repo.Set.OfKind(record.Appraisal) {
			if !changing[a.Path] {
				same(a)
			}
		}
	} else {
		for _, in := range s.near.x.RefsIn(k.Employee) {
			e := in.From
			if in.Field != "employee" || e.Kind != record.Appraisal || changing[e.Path] {
				continue
			}
			if e.Odd { // its fields do not stand for it: read it
				same(s.getEntry(e))
				continue
			}
			if e.Str("period") == k.Period && e.Str("project") == k.Project && e.Path != after.Path {
				others = append(others, e.ID)
			}
		}
	}
	if len(others) == 0 {
		return nil
	}
	slices.Sort(others)
	others = slices.Compact(others)
	return refused(RuleAppraisalDuplicate, "refused: %s would be a second appraisal of %s for %s, beside %s: one appraisal each period (and project); change that one instead; nothing was changed",
		after.ID, k.Employee, k.Words(), others[0])
}
