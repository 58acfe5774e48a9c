// Package report computes the department's reports from a record set: exact
// figures with a stable JSON shape, independent of how they are drawn. Each
// report also lays itself out as a render.Page (text, Markdown, HTML) and
// gives one render.Table for CSV (View.GroupBy picks it).
//
// # Conventions
//
// Amounts are exact decimal strings with two places ("1280.50"). Percentages
// are strings with one decimal ("56.3"), computed exactly and rounded half
// up. Hours are JSON numbers with one decimal. Median and p90 use the
// nearest-rank method (NearestRank): sort ascending, take the value at rank
// ⌈p/100 × n⌉; null when nothing was measured. Lists are never null (empty
// lists are []); optional values are null. Dates are YYYY-MM-DD.
//
// # JSON shapes (-o json; -o yaml is the same shape)
//
// budget (`report budget --year Y`):
//
//	{"year": 2026, "currency": "CNY", "budget_id": "BUD-2026", "budget_status": "approved",
//	 "categories":    [Line],        one per category with a budget line or a claim in the year, policy order
//	 "project_lines": [Line],        budget lines with a project ("project" set)
//	 "projects":      [{"project", "title", "category", "budget"|null, "approved", "paid", "pending",
//	                    "remaining"|null, "percent_used"|null, "over_budget"}],  per project and category spent in
//	 "months":        [{"month": "2026-03", "approved", "paid", "pending"}],       months with claims
//	 "total":         Line}          "category": "total"
//	Line = {"category", "project"?, "budget", "amendments", "approved", "paid", "pending",
//	        "remaining", "percent_used", "over_budget"}
//
// complaints (`report complaints --period P`, by received_at):
//
//	{"period": "2026", "from": "2026-01-01", "to": "2026-12-31", "as_of": "2026-11-26", "total": 19,
//	 "all": Group, "by_type": [Group], "by_severity": [Group], "by_category": [Group],
//	 "by_channel": [Group], "by_month": [Group],          every known value listed, zeros included
//	 "breaches": [{"id", "severity", "status", "clock": "respond"|"resolve", "hours", "limit_hours", "open"}],
//	 "satisfaction": {"scored", "average"|null, "distribution": {"1".."5": n}, "unreachable", "unscored"},
//	 "reopen": Rate, "repeat": Rate,
//	 "backlog": {"open", "awaiting_close", "buckets": [{"bucket": "<1d"|"1-3d"|"3-7d"|"7-30d"|">30d", "count"}],
//	             "items": [{"id", "title", "severity", "status", "assignee", "age_hours", "bucket", "past_sla"}]}}
//	Group  = {"key", "count", "percent", "open", "sla_respond_hours"?, "sla_resolve_hours"? (severity only),
//	          "respond": Timing, "resolve": Timing}
//	Timing = {"measured", "median_hours"|null, "p90_hours"|null, "within_sla", "within_sla_percent",
//	          "breaches", "open_breaches"}
//	Rate   = {"count", "of", "percent", "ids": [id]}
//
// appraisals (`report appraisals [--period P]`):
//
//	{"period": ""|"2026-H1", "as_of",
//	 "periods": [{"period", "project", "appraisals", "drafts",
//	              "ratings": [{"rating", "count", "percent"}],   outstanding, exceeds, meets, below, unsatisfactory
//	              "average_total"|null, "indicators": [{"name", "count", "average_score"}]}],
//	 "below_standard": [{"id", "employee", "period", "project", "status", "total", "rating",
//	                     "improvement", "coach", "review_date", "review_date_passed",
//	                     "follow_up", "follow_up_status", "follow_up_rating", "measures_required",
//	                     "improvement_status": "missing"|"pending"|"overdue"|"followed_up"|"measures_required"}]}
//
// projects (`report projects [--year Y]`, by the year of the id):
//
//	{"period", "as_of", "total",
//	 "pipeline": [{"state", "count", "percent", "ids"}],      every state, workflow order
//	 "projects": [{"id", "title", "status", "owner", "team", "planned_end", "late", "active_plan"}],
//	 "closure_gaps": [{"id", "title", "status", "missing_summary", "missing_lessons", "unappraised": [handle]}]}
//
// plans (`report plans [--year Y]`, by the year of the id):
//
//	{"period", "as_of", "total",
//	 "states": [{"state", "count", "percent", "ids"}],
//	 "plans": [{"id", "title", "project", "status", "revision", "tasks", "tasks_done", "overdue_tasks",
//	            "last_check", "check_missing"}],
//	 "overdue_tasks": [{"plan", "project", "title", "assignee", "due", "status", "days_overdue"}],
//	 "kpis": [{"plan", "project", "kpi", "target", "unit", "due", "actual"|null, "measured_on", "source",
//	           "percent_of_target"|null}],
//	 "missing_checks": [{"plan", "project", "author", "last_check", "days_since"|null, "interval_days"}]}
//
// The summary's shape is documented on Summary.
//
// # Definitions
//
// Reopened (Reopened): in state reopened, or investigating while holding a
// resolution; the base is complaints resolved at least once. Repeat
// (IsRepeat): related names an earlier complaint of the same customer
// (customer id, or contact e-mail or phone). Open backlog: received,
// acknowledged, investigating, reopened. SLA breaches count clocks still
// running past their limit. Appraisal ratings come from the indicators
// under the policy's thresholds; drafts are counted apart.
package report
