package rules

import (
	"slices"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

var planReviewed = map[string]bool{"in_review": true, "changes_requested": true, "reviewed": true, "approved": true, "active": true, "completed": true, "superseded": true, "rejected": true}

func (r *run) plan(rec *record.Record) {
	st := rec.Status()
	if planReviewed[st] {
		var missing []string
		for _, f := range []string{"goals", "strategy", "promotion", "resources"} {
			if !rec.Has(f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			r.errorf(rec, missing[0], "state-needs", "a plan in %s needs %s (§3.2.2)", stateWord(st), i18n.Commas(missing))
		}
	}
	r.planTaskDates(rec)
	r.planMeasurements(rec)
	if st != "active" {
		return
	}
	today := r.Now.Format("2006-01-02")
	for i := range rec.List("tasks") {
		p := "tasks." + strconv.Itoa(i)
		if due := rec.Str(p + ".due"); due != "" && due < today && rec.Str(p+".status") != "done" {
			r.warnf(rec, p+".due", "task-overdue", "task %q was due %s and is %s", rec.Str(p+".title"), due, stateWord(orDefault(rec.Str(p+".status"), "todo")))
		}
	}
	last, activated, missing := CheckClock(rec, r.Now, r.Policy.CheckIntervalDays)
	switch {
	case !missing:
	case last == "" && activated == "":
		r.warnf(rec, "status", "check-missing", "active plan has no progress check (checks:); the policy asks for one every %s", dayCount(r.Policy.CheckIntervalDays))
	case activated > last:
		r.warnf(rec, "activated_on", "check-missing", "active since %s with no progress check since; the policy asks for one every %s", activated, dayCount(r.Policy.CheckIntervalDays))
	default:
		r.warnf(rec, "checks", "check-missing", "last progress check was %s, more than %s ago", last, dayCount(r.Policy.CheckIntervalDays))
	}
}

// CheckClock tells an active plan's progress-check clock: the date of its
// last check and the day it was (last) activated ("" for none), and whether
// the interval has run out as of now. The interval runs from whichever is
// later: activated_on is stamped by the activate move, so a plan activated
// today is not yet missing a check. A plan with neither (activated by hand)
// is missing one.
func CheckClock(rec *record.Record, now time.Time, intervalDays int) (last, activated string, missing bool) {
	for i := range rec.List("checks") {
		if d := rec.Str("checks." + strconv.Itoa(i) + ".date"); d > last {
			last = d
		}
	}
	activated = rec.Str("activated_on")
	if _, err := time.Parse("2006-01-02", activated); err != nil {
		activated = "" // the schema reports it
	}
	from := max(last, activated)
	limit := now.AddDate(0, 0, -intervalDays).Format("2006-01-02")
	return last, activated, from == "" || from < limit
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// activePlans reports a project with more than one active plan.
func (r *run) activePlans() {
	active := map[string][]*record.Record{}
	for _, p := range r.Set.OfKind(record.Plan) {
		if p.Status() == "active" {
			active[p.Str("project")] = append(active[p.Str("project")], p)
		}
	}
	for proj, plans := range active {
		if len(plans) < 2 {
			continue
		}
		for _, p := range plans[1:] {
			r.errorf(p, "status", "plan-active", "project %s already has an active plan, %s: at most one is active (supersede the older one)", proj, plans[0].ID)
		}
	}
}

var projectOrder = []string{"proposed", "feasibility", "approved", "planning", "executing", "closing", "closed"}

func stateIndex(order []string, s string) int {
	for i, x := range order {
		if x == s {
			return i
		}
	}
	return -1
}

// FeasibilityNeeds is what a project still lacks for state (approved or
// later): the study's conclusion "feasible" and its report, as the
// state-needs rule says it (english for -o json, text in the reader's
// language). The inbox tells the owner of a project in feasibility.
func FeasibilityNeeds(rec *record.Record, state string) (english, text []string) {
	add := func(e, t string) { english, text = append(english, e), append(text, t) }
	if rec.Str("feasibility.conclusion") != "feasible" {
		add(i18n.Both("a project in %s needs feasibility.conclusion: feasible", stateWord(state)))
	}
	if !rec.Has("feasibility.report") {
		add(i18n.Both("a project in %s needs feasibility.report", stateWord(state)))
	}
	return english, text
}

func (r *run) project(rec *record.Record) {
	r.dateOrder(rec, "planned.start", "planned.end", 0)
	r.dateOrder(rec, "actual.start", "actual.end", 0)
	st := rec.Status()
	effective := st
	if st == "on_hold" {
		if !rec.Has("hold.from") {
			r.errorf(rec, "hold", "state-needs", "a project on hold needs hold.from (the state it left) and hold.reason")
		}
		effective = rec.Str("hold.from")
	}
	at := stateIndex(projectOrder, effective)
	if at >= stateIndex(projectOrder, "approved") {
		if rec.Str("feasibility.conclusion") != "feasible" {
			r.errorf(rec, "feasibility", "state-needs", "a project in %s needs feasibility.conclusion: feasible", stateWord(st))
		}
		if !rec.Has("feasibility.report") {
			r.errorf(rec, "feasibility", "state-needs", "a project in %s needs feasibility.report", stateWord(st))
		}
	}
	if at >= stateIndex(projectOrder, "executing") && !r.hasPlan(rec.ID) {
		r.errorf(rec, "status", "state-needs", "a project in %s needs an active plan (or a completed or superseded one; none names %s)", stateWord(st), rec.ID)
	}
	if st != "closed" {
		return
	}
	if !rec.Has("closure.summary") {
		r.errorf(rec, "closure", "state-needs", "a closed project needs closure.summary")
	}
	if len(rec.List("closure.lessons")) == 0 {
		r.errorf(rec, "closure", "state-needs", "a closed project needs at least one lesson (closure.lessons)")
	}
	for i, member := range rec.Strings("team") {
		if !r.appraised(rec.ID, member) && r.Context.OwesClosingAppraisal(rec, member) {
			r.errorf(rec, "team."+strconv.Itoa(i), "state-needs", "a closed project needs an acknowledged or closed appraisal of %s naming project %s (§3.5.3)", member, rec.ID)
		}
	}
}

// OwesAppraisal reports whether a project's team member is owed a closing
// appraisal: everyone but a person who has left (active: false), whom
// nobody may appraise any more (employee-inactive) and who could not
// acknowledge it; a handle that names no person is ref-missing's.
func OwesAppraisal(set *record.Set, member string) bool {
	p := set.Get(member)
	return p == nil || p.Kind != record.Person || p.Str("active") != "false"
}

// OwesClosingAppraisal is OwesAppraisal for a member of project prj, which
// also owes none to a member its closing move found gone (closure.left,
// stamped by that move): someone who comes back later was owed nothing
// when the project closed, and its sealed record cannot take an appraisal
// that could not be written then, so their return must not break it.
func OwesClosingAppraisal(set *record.Set, prj *record.Record, member string) bool {
	if prj != nil && slices.Contains(prj.Strings("closure.left"), member) {
		return false
	}
	return OwesAppraisal(set, member)
}

// OwesClosingAppraisal is the package's OwesClosingAppraisal on c's
// records, which also owes none, for a project closed without closure.left
// (closed before the move stamped it), to a member who had left when it
// closed by the history (c.LeftAtClose): someone who comes back is not
// owed what nobody could write while they were gone, whenever the project
// closed. Where the history does not say, the member is owed it.
func (c *Context) OwesClosingAppraisal(prj *record.Record, member string) bool {
	if !OwesClosingAppraisal(c.Set, prj, member) {
		return false
	}
	if c.LeftAtClose == nil || prj == nil || prj.Status() != "closed" || prj.Has("closure.left") {
		return true
	}
	left, ok := c.LeftAtClose(prj)
	return !ok || !slices.Contains(left, member)
}
