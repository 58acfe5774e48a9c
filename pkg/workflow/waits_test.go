package workflow

import (
	"strconv"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

func awaits(t *testing.T, a Actor, rec *record.Record, env Env) string {
	t.Helper()
	o, _, ok := Awaiting(a, rec, env)
	if !ok {
		return ""
	}
	if !o.Allowed {
		t.Fatalf("Awaiting returned a move %s may not make: %+v", a, o)
	}
	return o.Verb
}

func TestAwaitingClaimFollowsLimitsAndFourEyes(t *testing.T) {
	env := Env{People: people, Now: time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)}
	small := build(t, record.Expense, "EXP-2026-0001", map[string]string{"status": "submitted", "claimant": "li.wei", "amount": "800.00"})
	big := build(t, record.Expense, "EXP-2026-0002", map[string]string{"status": "submitted", "claimant": "li.wei", "amount": "6240.00"})
	own := build(t, record.Expense, "EXP-2026-0003", map[string]string{"status": "submitted", "claimant": "zhang.min", "amount": "100.00"})
	approved := build(t, record.Expense, "EXP-2026-0004", map[string]string{"status": "approved", "claimant": "li.wei", "amount": "100.00"})
	for _, c := range []struct {
		a    Actor
		rec  *record.Record
		want string
	}{
		{manager, small, "approve"},
		{manager, big, ""}, // over the manager's 5,000.00
		{director, big, "approve"},
		{leadership, big, "approve"},
		{manager, own, ""}, // four eyes
		{manager2, own, "approve"},
		{specialist, small, ""},
		{finance, small, ""},
		{finance, approved, "pay"},
		{manager, approved, ""},
		{retired, small, ""},
	} {
		if got := awaits(t, c.a, c.rec, env); got != c.want {
			t.Errorf("%s on %s (%s): %q, want %q", c.a, c.rec.ID, c.rec.Status(), got, c.want)
		}
	}
	// a policy with a lower limit takes the claim off the manager's list
	p := config.Default()
	p.ApprovalLimits["manager"] = money.MustParse("500.00")
	if got := awaits(t, manager, small, Env{Policy: p, People: people, Now: env.Now}); got != "" {
		t.Errorf("over a 500.00 limit: %q", got)
	}
	// with the director's review, a submitted claim waits for the review
	p = config.Default()
	p.ExpenseReview = "director"
	if got := awaits(t, director, small, Env{Policy: p, People: people, Now: env.Now}); got != "review" {
		t.Errorf("under expense_review, the director: %q, want review", got)
	}
	if got := awaits(t, manager, small, Env{Policy: p, People: people, Now: env.Now}); got != "" {
		t.Errorf("under expense_review, a manager before the review: %q", got)
	}
}

func TestAwaitingNamedPersonFirst(t *testing.T) {
	env := Env{People: people, Now: time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)}
	proj := build(t, record.Project, "PRJ-2026-0001", map[string]string{"status": "approved", "owner": "zhang.min"})
	if got := awaits(t, manager, proj, env); got != "plan" {
		t.Errorf("the owner: %q, want plan", got)
	}
	// the director may plan it too, but it waits on its owner
	if got := awaits(t, director, proj, env); got != "" {
		t.Errorf("the director, with an owner who may: %q", got)
	}
	if got := awaits(t, manager2, proj, env); got != "" {
		t.Errorf("another manager: %q", got)
	}
	// an owner who may not (inactive) leaves it to everyone who may
	orphan := build(t, record.Project, "PRJ-2026-0002", map[string]string{"status": "approved", "owner": "old.hand"})
	if got := awaits(t, director, orphan, env); got != "plan" {
		t.Errorf("the director, with an inactive owner: %q, want plan", got)
	}
	apr := build(t, record.Appraisal, "APR-2026-0001", map[string]string{"status": "reviewed", "employee": "li.wei", "appraiser": "zhang.min"})
	if got := awaits(t, specialist, apr, env); got != "ack" {
		t.Errorf("the employee: %q, want ack", got)
	}
	if got := awaits(t, manager, apr, env); got != "" {
		t.Errorf("the appraiser on a reviewed appraisal: %q", got)
	}
}

func TestAwaitingDatesAndYears(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	env := Env{People: people, Now: now}
	soon := build(t, record.Meeting, "MTG-2026-0001", map[string]string{"status": "draft", "chair": "zhang.min", "date": "2026-11-27"})
	held := build(t, record.Meeting, "MTG-2026-0002", map[string]string{"status": "draft", "chair": "zhang.min", "date": "2026-11-26"})
	if got := awaits(t, manager, soon, env); got != "" {
		t.Errorf("a meeting still to come: %q", got)
	}
	if got := awaits(t, manager, held, env); got != "publish" {
		t.Errorf("a meeting held today: %q, want publish", got)
	}
	this := build(t, record.Budget, "BUD-2026", map[string]string{"status": "approved", "year": "2026"})
	last := build(t, record.Budget, "BUD-2025", map[string]string{"status": "approved", "year": "2025"})
	if got := awaits(t, director, this, env); got != "" {
		t.Errorf("this year's budget: %q", got)
	}
	if got := awaits(t, director, last, env); got != "close" {
		t.Errorf("last year's budget: %q, want close", got)
	}
	// without a clock nothing dated waits
	if got := awaits(t, director, last, Env{People: people}); got != "" {
		t.Errorf("no clock: %q", got)
	}
}

func TestAwaitingLeavesOutMovesNobodyWaitsFor(t *testing.T) {
	env := Env{People: people, Now: time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)}
	// the director may hold or cancel an executing project; nobody waits for it
	proj := build(t, record.Project, "PRJ-2026-0003", map[string]string{"status": "executing", "owner": "zhang.min"})
	if got := awaits(t, director, proj, env); got != "" {
		t.Errorf("an executing project: %q", got)
	}
	// a draft is its author's work in progress
	plan := build(t, record.Plan, "PLN-2026-0001", map[string]string{"status": "draft", "author": "zhang.min"})
	if got := awaits(t, manager, plan, env); got != "" {
		t.Errorf("a draft plan: %q", got)
	}
	// complaints and tasks are followed by their own clocks, not here
	cmp := build(t, record.Complaint, "CMP-2026-0001", map[string]string{"status": "received", "assignee": "li.wei"})
	if _, ok := WaitOf(cmp); ok {
		t.Error("a complaint has a Wait")
	}
	// every Wait names a verb of its kind's table out of its state
	for k, states := range waits {
		tbl := For(k)
		if k == record.Expense {
			tbl = reviewedExpenses // the states of both expense tables
		}
		for st, w := range states {
			found := false
			for _, m := range tbl.From(st) {
				for _, v := range w.Verbs {
					found = found || m.Verb == v
				}
			}
			if !tbl.IsState(st) || !found {
				t.Errorf("%s %s: no move %v out of it", k, st, w.Verbs)
			}
		}
	}
}

// awaitingByOptions is Awaiting as it was before mayMakeAny: every
// option asked of Options, the first verb waited for that the table has
// taken, then whether it is allowed and whether the named person may make
// it instead.
func awaitingByOptions(a Actor, rec *record.Record, env Env) (string, bool) {
	w, ok := WaitOf(rec)
	if !ok {
		return "", false
	}
	today := env.Now.Format("2006-01-02")
	if w.AfterDate != "" {
		if d := rec.Str(w.AfterDate); len(d) < 10 || d[:10] > today {
			return "", false
		}
	}
	if w.AfterYear {
		if y := yearOf(rec); y == 0 || strconv.Itoa(y) >= today[:4] {
			return "", false
		}
	}
	opts := Options(a, rec, env)
	var found *Option
	for _, verb := range w.Verbs {
		for i := range opts {
			if opts[i].Verb == verb {
				found = &opts[i]
				break
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil || !found.Allowed {
		return "", false
	}
	if named := rec.Str(w.On); w.On != "" && named != "" && named != a.Handle {
		if p, ok := env.People[named]; ok {
			for _, o := range Options(p, rec, env) {
				if o.Verb == found.Verb && o.Allowed {
					return "", false
				}
			}
		}
	}
	return found.Verb, true
}

// TestAwaitingAsOptionsSay holds Awaiting's shortcut (mayMakeAny: nobody
// asked of Options who may make none of the moves waited for) to the
// answers of asking Options every time: every kind and state that waits,
// every party field naming each person or nobody, inquiries, holds and
// amounts over and under the limits, each actor, two policies.
func TestAwaitingAsOptionsSay(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	review := config.Default()
	review.ExpenseReview = "director"
	handles := []string{"", "li.wei", "zhang.min", "wang.fang", "qian.yu", "old.hand"}
	parties := []string{"claimant", "owner", "author", "assignee", "appraiser", "employee", "organiser"}
	actors := []Actor{director, manager, manager2, specialist, other, leadership, finance, retired, unknown}
	n := 0
	for kind, states := range waits {
		for state := range states {
			for i, h := range handles {
				for j := range parties {
					fields := map[string]string{"status": state, "year": "2025", "date": "2026-11-01",
						"amount": []string{"100.00", "6240.00"}[(i+j)%2]}
					for k, v := range map[string]string{parties[j]: h, parties[(j+i+1)%len(parties)]: handles[(i+j)%len(handles)]} {
						if v != "" {
							fields[k] = v
						}
					}
					if j%3 == 0 {
						fields["type"] = "inquiry"
					}
					rec := build(t, kind, "X-2026-0001", fields)
					for _, pol := range []*config.Policy{nil, review} {
						env := Env{Policy: pol, People: people, Now: now}
						for _, a := range actors {
							o, _, ok := Awaiting(a, rec, env)
							verb, want := awaitingByOptions(a, rec, env)
							if ok != want || ok && o.Verb != verb {
								t.Errorf("%s %s (%v) as %s: Awaiting %q %v, Options say %q %v", kind, state, fields, a, o.Verb, ok, verb, want)
							}
							if ok {
								n++
							}
						}
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no record waited on anyone: the comparison proves nothing")
	}
}
