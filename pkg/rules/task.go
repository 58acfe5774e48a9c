package rules

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

func (r *run) task(rec *record.Record) {
	st := rec.Status()
	switch st {
	case "done":
		if !rec.Has("result") {
			r.errorf(rec, "status", "state-needs", "a done task needs its result")
		}
		if !rec.Has("done") {
			r.errorf(rec, "status", "action-done", "a done task needs its done date (done)")
		}
	default:
		if rec.Has("done") {
			r.errorf(rec, "done", "action-done", "a task %s has no done date", stateWord(st))
		}
	}
	if d := rec.Str("done"); r.StillToCome(d) {
		r.errorf(rec, "done", "action-done", "done on %s, a date still to come", d)
	}
	if due := rec.Str("due"); (st == "open" || st == "doing") && due != "" && due < r.Now.Format(time.DateOnly) {
		r.warnf(rec, "due", "task-overdue", "task %q of %s was due %s and is %s", rec.Title(), rec.Str("assignee"), due, stateWord(st))
	}
	r.dateOrder(rec, "assigned", "due", 0)
	// both dates are stamped (assigned by new, done by the move), each on
	// the calendar of the machine that wrote it: a task assigned at seven
	// in the morning in Shanghai (its 8th) and completed half an hour later
	// on a machine keeping UTC (still its 7th) reads as done the day before
	// it was assigned. A day's leniency, as StillToCome's, lets it be done.
	r.dateOrder(rec, "assigned", "done", 1)
	r.taskAssignee(rec)
}

// dateOrder reports the date at end when it comes before the one at
// start (date-order) by more than slack days: a project planned or
// carried out to end before it starts, a task due or done before it was
// assigned. A date that is no calendar date is the schema's to report.
func (r *run) dateOrder(rec *record.Record, start, end string, slack int) {
	s, e := rec.Str(start), rec.Str(end)
	if !validDate(s) || !validDate(e) || e >= s {
		return
	}
	if st, _ := time.Parse(time.DateOnly, s); e >= st.AddDate(0, 0, -slack).Format(time.DateOnly) {
		return
	}
	r.errorf(rec, end, "date-order", "%s %s is before %s %s", i18n.Field(end), e, i18n.Field(start), s)
}

// validDate tells whether s is a calendar date (YYYY-MM-DD); a field that
// holds anything else is the schema's to report.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// taskAssignee checks that a task goes down the line (§2.2.3): a manager
// assigns to the people who report to them, directly or through others
// (reports_to); the director to anyone in the department but leadership.
// Nobody assigns a task to themselves.
func (r *run) taskAssignee(rec *record.Record) {
	by, to := rec.Str("assigned_by"), rec.Str("assignee")
	boss, who := r.Set.Get(by), r.Set.Get(to)
	if boss == nil || who == nil || boss.Kind != record.Person || who.Kind != record.Person {
		return // ref-missing says so
	}
	switch st := rec.Status(); {
	case by == to:
		r.errorf(rec, "assignee", "task-assignee", "%s assigns a task to themselves: a task goes to someone below its assigner", by)
	case st == "done" || st == "cancelled":
		// assigned down the line of its day: a later change of reports_to
		// (or of a role) does not make it wrong, nor is refused for it
	case boss.Str("role") == "director":
		if who.Str("role") == "leadership" {
			r.errorf(rec, "assignee", "task-assignee", "%s is leadership, outside the department: the director assigns tasks within it", to)
		}
	case !ReportsTo(r.Set, to, by):
		r.errorf(rec, "assignee", "task-assignee", "%s does not report to %s (directly or through others): a manager assigns tasks to their own people", to, by)
	}
}

// ReportsTo reports whether person `who` reports to `boss`, directly or
// through a chain of reports_to (a loop ends the walk).
func ReportsTo(set *record.Set, who, boss string) bool {
	seen := map[string]bool{}
	for p := set.Get(who); p != nil && p.Kind == record.Person && !seen[p.ID]; p = set.Get(p.Str("reports_to")) {
		seen[p.ID] = true
		if p.Str("reports_to") == boss {
			return true
		}
	}
	return false
}

// planTaskDates checks the done dates of a plan's tasks: only on a task
// that is done, and not in the future. A done task without its date is
// allowed (plans written before tasks carried one); it counts as done at
// an unknown date in the on-time measure.
func (r *run) planTaskDates(rec *record.Record) {
	for i := range rec.List("tasks") {
		p := "tasks." + strconv.Itoa(i)
		done, status := rec.Str(p+".done"), orDefault(rec.Str(p+".status"), "todo")
		switch {
		case done != "" && status != "done":
			r.errorf(rec, p+".done", "action-done", "%q has a done date but is %s", rec.Str(p+".title"), stateWord(status))
		case r.StillToCome(done):
			r.errorf(rec, p+".done", "action-done", "%q was done on %s, a date still to come", rec.Str(p+".title"), done)
		}
	}
}

// planMeasurements checks an active or completed plan's measurements
// against its goals: a measurement of a KPI that is no goal's is an error
// (a typo, or a goal the plan does not have); in an active plan, a goal
// whose KPI was last measured longer ago than measurement_interval_days
// (or never, counting from activated_on) is a warning.
func (r *run) planMeasurements(rec *record.Record) {
	goals := map[string]bool{}
	for i := range rec.List("goals") {
		goals[rec.Str("goals."+strconv.Itoa(i)+".kpi")] = true
	}
	latest := map[string]string{}
	for i := range rec.List("measurements") {
		p := "measurements." + strconv.Itoa(i)
		k := rec.Str(p + ".kpi")
		if !goals[k] && len(goals) > 0 {
			r.errorf(rec, p+".kpi", "measurement-kpi", "measurement of %q, which is not a goal of %s (goals: %s)", k, rec.ID, strings.Join(sortedKeys(goals), ", "))
		}
		if d := rec.Str(p + ".date"); d > latest[k] {
			latest[k] = d
		}
	}
	days := r.Policy.MeasurementIntervalDays
	if rec.Status() != "active" || days <= 0 {
		return
	}
	for i := range rec.List("goals") {
		p := "goals." + strconv.Itoa(i)
		k := rec.Str(p + ".kpi")
		from, what := latest[k], i18n.P("last measured %s", latest[k])
		if from == "" {
			from = rec.Str("activated_on")
			what = i18n.P("not measured since the plan's activation on %s", from)
		}
		if from == "" {
			r.warnf(rec, p+".kpi", "measurement-missing", "goal %q has no measurement: the policy asks for one every %s (measurement_interval_days)", k, dayCount(days))
			continue
		}
		if since, ok := DaysSince(r.Now, from); ok && since > days {
			r.warnf(rec, p+".kpi", "measurement-missing", "goal %q %s, %s ago: the policy asks for one every %s (measurement_interval_days)", k, what, dayCount(since), dayCount(days))
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
