package rules

import (
	"slices"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// One appraisal of an employee a period (and project): a second one rates
// the same work twice, and a report counting both counts the person twice.
// Appraisals have no state that ends one without its outcome, and records
// are never deleted, so a duplicate already written is a warning (the
// department cannot make it go away, only stop counting it twice: see
// CountedAppraisal); writing one anew is refused (pkg/change).
func init() {
	Catalog = append(Catalog,
		Rule{"appraisal-duplicate", diag.Warning, "two appraisals of one employee for the same period and project (or both without a project); writing the second is refused"})
}

// AppraisalKey is what makes two appraisals the same appraisal: the
// employee, the period and the project (either may be empty, not both).
// ok is false for an appraisal without an employee, or with neither a
// period nor a project.
type AppraisalKey struct {
	Employee, Period, Project string
}

// KeyOf returns an appraisal's key; ok is false when it has none.
func KeyOf(a *record.Record) (k AppraisalKey, ok bool) {
	k = AppraisalKey{a.Str("employee"), a.Str("period"), a.Str("project")}
	return k, k.Employee != "" && (k.Period != "" || k.Project != "")
}

// Words names what the key appraises: "2026-H1", "2026-H1, PRJ-2026-0001"
// or "PRJ-2026-0001".
func (k AppraisalKey) Words() string {
	return strings.Join(slices.DeleteFunc([]string{k.Period, k.Project}, func(s string) bool { return s == "" }), ", ")
}

// CountedAppraisal returns, of appraisals sharing one key, the one the
// reports count: the one furthest along its workflow (its scores settled
// furthest), of those the latest id. The others are left out of the
// figures, so nobody is counted twice.
func CountedAppraisal(same []*record.Record) *record.Record {
	states := workflow.For(record.Appraisal).States
	var best *record.Record
	for _, a := range same {
		if best == nil {
			best = a
			continue
		}
		ra, rb := slices.Index(states, a.Status()), slices.Index(states, best.Status())
		if ra > rb || ra == rb && a.ID > best.ID {
			best = a
		}
	}
	return best
}

// AppraisalDuplicates groups the appraisals of a set by key and returns
// the groups of more than one, each sorted by id, the groups by their
// first id.
func AppraisalDuplicates(set *record.Set) [][]*record.Record {
	by := map[AppraisalKey][]*record.Record{}
	for _, a := range set.OfKind(record.Appraisal) {
		if k, ok := KeyOf(a); ok {
			by[k] = append(by[k], a)
		}
	}
	var out [][]*record.Record
	for _, g := range by {
		if len(g) > 1 {
			sort.Slice(g, func(i, j int) bool { return g[i].ID < g[j].ID })
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0].ID < out[j][0].ID })
	return out
}

// appraisalDuplicates puts the warning on each appraisal of a group.
func (r *run) appraisalDuplicates() {
	for _, g := range AppraisalDuplicates(r.Set) {
		k, _ := KeyOf(g[0])
		ids := make([]string, len(g))
		for i, a := range g {
			ids[i] = a.ID
		}
		report := r.group(diag.Warning, "appraisal-duplicate", "%s is appraised more than once for %s (%s): one appraisal each period; the appraisals report counts %s alone, the one furthest along",
			k.Employee, k.Words(), i18n.Some(ids, groupNames), CountedAppraisal(g).ID)
		for _, a := range g {
			field := "period"
			if k.Period == "" {
				field = "project"
			}
			report(a, field)
		}
	}
}
