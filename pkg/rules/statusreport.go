package rules

import (
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// ReportSubmitted reports whether a status report has been submitted.
func ReportSubmitted(rec *record.Record) bool {
	st := rec.Status()
	return st == "submitted" || st == "acknowledged"
}

func (r *run) statusReport(rec *record.Record) {
	if ReportSubmitted(rec) {
		var missing []string
		for _, f := range []string{"progress", "submitted_at", "snapshot"} {
			if !rec.Has(f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			r.errorf(rec, "status", "state-needs", "a submitted status report needs %s", i18n.Commas(missing))
		}
	}
	if rec.Status() == "acknowledged" && !rec.Has("acknowledged_at") {
		r.errorf(rec, "status", "state-needs", "an acknowledged status report needs acknowledged_at")
	}
	author, to := r.Set.Get(rec.Str("author")), r.Set.Get(rec.Str("to"))
	if author == nil || to == nil || author.Kind != record.Person || to.Kind != record.Person {
		return // ref-missing says so
	}
	if rec.Status() == "acknowledged" {
		// acknowledged by the manager of its day: a later change of
		// reports_to does not make it wrong (nor is refused for it)
		return
	}
	switch {
	case author.Str("role") == "director":
		if to.Str("role") != "leadership" {
			r.errorf(rec, "to", "report-to", "the director reports to leadership; %s is %s", to.ID, roleWord(to.Str("role")))
		}
	case author.Str("reports_to") == "":
		// Nobody is named yet (a new department's first managers): say
		// what to set rather than "reports to (none)".
		r.errorf(rec, "to", "report-to", "%s has no reports_to in their people record, so their status reports go to nobody yet: the director or leadership sets it (opsbook set %s reports_to=%s)", author.ID, author.ID, to.ID)
	case author.Str("reports_to") != to.ID:
		r.errorf(rec, "to", "report-to", "%s reports to %s (reports_to), not to %s", author.ID, orNone(author.Str("reports_to")), to.ID)
	}
}

// statusReportCadence warns about managers and the director whose latest
// submitted status report is older than the policy's status_reports days
// for their role, or who have none. It starts once the department has any
// submitted report: a department not keeping its reports in opsbook is not
// warned about every manager every day.
func (r *run) statusReportCadence() {
	latest := map[string]*record.Record{}
	for _, rep := range r.Set.OfKind(record.StatusReport) {
		if !ReportSubmitted(rep) {
			continue
		}
		a := rep.Str("author")
		if prev := latest[a]; prev == nil || rep.Str("submitted_at") > prev.Str("submitted_at") {
			latest[a] = rep
		}
	}
	if len(latest) == 0 {
		return
	}
	for _, p := range r.Set.OfKind(record.Person) {
		role := p.Str("role")
		days := r.Policy.StatusReports[role]
		if !active(p) || days <= 0 {
			continue
		}
		rep := latest[p.ID]
		if rep == nil {
			r.warnf(p, "role", "status-report-missing", "%s has submitted no status report: the policy asks a %s for one every %s (status_reports.%s)", p.ID, roleWord(role), dayCount(days), role)
			continue
		}
		at := rep.Str("submitted_at")
		if len(at) < 10 {
			continue
		}
		if since, ok := DaysSince(r.Now, at[:10]); ok && since > days {
			r.warnf(rep, "submitted_at", "status-report-missing", "no status report from %s since this one, submitted %s, %s ago: the policy asks a %s for one every %s (status_reports.%s)",
				p.ID, at[:10], dayCount(since), roleWord(role), dayCount(days), role)
		}
	}
}
