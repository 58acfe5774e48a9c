package rules

import (
	"sync"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
)

// facts are what several records' checks ask of the whole set, gathered
// once per Check rather than by a scan of the set for each record: a
// department of 10,000 projects would otherwise read every plan and
// appraisal 10,000 times.
type facts struct {
	crypt     cryptFacts
	once      sync.Once
	planned   map[string]bool // projects with an approved, active or completed plan
	appraised map[[2]string]bool

	// suggestions memoises the "did you mean" for a missing id: a deleted
	// record is usually named by many others.
	mu          sync.Mutex
	suggestions map[string]string

	// courses memoises a training plan's courses as amended (PlanCourses):
	// every session delivering one of them looks its course up.
	courses sync.Map // *record.Record → []Course
}

func (f *facts) gather(set *record.Set) {
	f.once.Do(func() {
		f.planned = map[string]bool{}
		for _, p := range set.OfKind(record.Plan) {
			switch p.Status() {
			case "active", "completed", "superseded":
				// a plan that is or was active: a project executes only
				// with an active plan
				f.planned[p.Str("project")] = true
			}
		}
		f.appraised = AppraisedMembers(set)
		f.suggestions = map[string]string{}
	})
}

// AppraisedMembers returns the (project, employee) pairs that have an
// acknowledged or closed appraisal naming the project: what closing a
// project needs for each member of its team (§3.5.3).
func AppraisedMembers(set *record.Set) map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, a := range set.OfKind(record.Appraisal) {
		if st := a.Status(); st == "acknowledged" || st == "closed" {
			if p := a.Str("project"); p != "" {
				out[[2]string{p, a.Str("employee")}] = true
			}
		}
	}
	return out
}

func (r *run) hasPlan(project string) bool {
	r.facts.gather(r.Set)
	return r.facts.planned[project]
}

func (r *run) appraised(project, member string) bool {
	r.facts.gather(r.Set)
	return r.facts.appraised[[2]string{project, member}]
}

// similarID suggests an existing id of the kind close to a mistyped one
// (at most two edits away), or "".
func (r *run) similarID(k record.Kind, id string) string {
	r.facts.gather(r.Set)
	key := string(k) + "\x00" + id
	r.facts.mu.Lock()
	s, ok := r.facts.suggestions[key]
	r.facts.mu.Unlock()
	if ok {
		return s
	}
	var ids []string
	if r.KindIDs != nil {
		ids = r.KindIDs(k)
	} else {
		for _, rec := range r.Set.OfKind(k) {
			ids = append(ids, rec.ID)
		}
	}
	best := SimilarID(ids, id)
	r.facts.mu.Lock()
	r.facts.suggestions[key] = best
	r.facts.mu.Unlock()
	return best
}

// SimilarID is the id of ids nearest to id, at most two edits away, the
// first of equals in the order given; "" when none is that near.
func SimilarID(ids []string, id string) string {
	best, bestD := "", 3
	for _, other := range ids {
		if n := len(other) - len(id); n >= bestD || -n >= bestD {
			continue // the lengths alone are too far apart
		}
		if d := schema.Distance(id, other); d < bestD {
			best, bestD = other, d
		}
	}
	return best
}
