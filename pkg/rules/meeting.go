package rules

import (
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// The coordination kinds' rules and references, kept apart from the first
// kinds' so that each kind's checks read in one place.
func init() {
	Catalog = append(Catalog,
		Rule{"action-done", diag.Error, "an action item or task marked done without its done date, or a done date on one not done"},
		Rule{"action-overdue", diag.Warning, "a published meeting's action item past its due date and not done or dropped"},
		Rule{"meeting-missed", diag.Warning, "the latest meeting of a type is older than the policy's cadence for it (meetings:)"},
		Rule{"report-to", diag.Error, "a status report addressed to someone other than its author's reports_to (the director's: leadership)"},
		Rule{"status-report-missing", diag.Warning, "a manager or the director without a status report within the policy's status_reports days"},
		Rule{"measurement-kpi", diag.Error, "a plan's measurement of a KPI that is not among its goals"},
		Rule{"measurement-missing", diag.Warning, "an active plan's goal not measured within measurement_interval_days"},
		Rule{"date-order", diag.Error, "an end before its start: a project's planned or actual end before its start, a task due or done before it was assigned, an action item due or done before its meeting, a session assessed before it was held, a training plan amended before its approval, a violation decided or dismissed before its report or closed before its decision; a warning for a customer's visit before since"},
		Rule{"task-assignee", diag.Error, "a task assigned to someone who does not report to its assigner (the director: anyone in the department but leadership)"},
	)
	Refs = append(Refs,
		Ref{record.Meeting, "chair", record.Person, nil},
		Ref{record.Meeting, "project", record.Project, nil},
		Ref{record.Meeting, "attendees.*", record.Person, nil},
		Ref{record.Meeting, "decisions.*.by", record.Person, nil},
		Ref{record.Meeting, "actions.*.owner", record.Person, nil},
		Ref{record.Meeting, "actions.*.concerns", Any, nil},
		Ref{record.Task, "assigned_by", record.Person, []string{"manager", "director"}},
		Ref{record.Task, "assignee", record.Person, nil},
		Ref{record.Task, "concerns", Any, nil},
		Ref{record.StatusReport, "author", record.Person, []string{"manager", "director"}},
		Ref{record.StatusReport, "to", record.Person, nil},
	)
}

// coordination runs the checks of a coordination record.
func (r *run) coordination(rec *record.Record) {
	switch rec.Kind {
	case record.Meeting:
		r.meeting(rec)
	case record.Task:
		r.task(rec)
	case record.StatusReport:
		r.statusReport(rec)
	case record.OpsPlan:
		r.opsPlan(rec)
	case record.Analysis:
		r.analysis(rec)
	}
}

// MeetingHeld reports whether a meeting counts as held: its minutes are
// published (a draft may be a meeting still to come).
func MeetingHeld(rec *record.Record) bool {
	st := rec.Status()
	return st == "published" || st == "closed"
}

// ActionOpen reports whether an action item or task status is still open.
func ActionOpen(status string) bool { return status != "done" && status != "dropped" }

func (r *run) meeting(rec *record.Record) {
	st := rec.Status()
	if MeetingHeld(rec) {
		var missing []string
		for _, f := range []string{"minutes", "attendees"} {
			if !rec.Has(f) {
				missing = append(missing, f)
			}
		}
		if rec.Str("type") == "project" && !rec.Has("project") {
			missing = append(missing, "project")
		}
		if len(missing) > 0 {
			r.errorf(rec, "status", "state-needs", "published minutes need %s (§6.3.2)", i18n.Commas(missing))
		}
		// minutes are of a meeting held: dated next month, they would
		// also silence the missed-meeting warning until then
		if d := rec.Str("date"); r.StillToCome(d) {
			r.errorf(rec, "date", "state-needs", "published minutes are of a meeting held: its date %s is in the future", d)
		}
	}
	today := r.Now.Format(time.DateOnly)
	for i := range rec.List("actions") {
		p := "actions." + strconv.Itoa(i)
		status := orDefault(rec.Str(p+".status"), "open")
		r.doneDate(rec, p, status)
		switch {
		case st == "closed" && ActionOpen(status):
			r.errorf(rec, p+".status", "state-needs", "a closed meeting has every action item done or dropped; %q is %s", rec.Str(p+".title"), stateWord(status))
		case st == "published" && ActionOpen(status) && rec.Str(p+".due") != "" && rec.Str(p+".due") < today:
			r.warnf(rec, p+".due", "action-overdue", "action %q of %s was due %s and is %s", rec.Str(p+".title"), rec.Str(p+".owner"), rec.Str(p+".due"), stateWord(status))
		}
	}
}

// doneDate checks that the item at p holds a done date exactly when its
// status is done.
func (r *run) doneDate(rec *record.Record, p, status string) {
	done := rec.Str(p + ".done")
	switch {
	case status == "done" && done == "":
		r.errorf(rec, p+".status", "action-done", "%q is done but has no done date (%s.done)", rec.Str(p+".title"), p)
	case status != "done" && done != "":
		r.errorf(rec, p+".done", "action-done", "%q has a done date but is %s", rec.Str(p+".title"), stateWord(status))
	case r.StillToCome(done):
		r.errorf(rec, p+".done", "action-done", "%q was done on %s, a date still to come", rec.Str(p+".title"), done)
	}
}

// DaysSince counts the calendar days from date (YYYY-MM-DD) to now's date
// in now's zone; false when date is not a date.
func DaysSince(now time.Time, date string) (int, bool) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, false
	}
	today, _ := time.Parse(time.DateOnly, now.Format(time.DateOnly))
	return int(today.Sub(d).Hours() / 24), true
}

// meetingCadence warns when the latest held meeting of a type with a
// cadence is older than the cadence allows. A type the department has
// never held a meeting of has no warning: the series starts with its first
// published minutes.
func (r *run) meetingCadence() {
	latest := map[string]*record.Record{}
	for _, m := range r.Set.OfKind(record.Meeting) {
		if !MeetingHeld(m) {
			continue
		}
		t := m.Str("type")
		if prev := latest[t]; prev == nil || m.Str("date") > prev.Str("date") {
			latest[t] = m
		}
	}
	for _, t := range config.MeetingTypes {
		m, days := latest[t], r.Policy.Meetings[t]
		if m == nil || days <= 0 {
			continue
		}
		if since, ok := DaysSince(r.Now, m.Str("date")); ok && since > days {
			r.warnf(m, "date", "meeting-missed", "no %s meeting since this one on %s, %s ago: the policy asks for one every %s (meetings.%s)",
				i18n.Word{Group: "type", Key: t}, m.Str("date"), dayCount(since), dayCount(days), t)
		}
	}
}
