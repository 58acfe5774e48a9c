package report

import (
	"fmt"
	"strings"
	"testing"
)

func projectsPlansSet(t *testing.T) []string {
	return []string{
		// Closed with everything: no gap.
		`
kind: project
id: PRJ-2025-0001
title: done well
status: closed
owner: zhang.min
team: [a]
planned: {start: 2025-01-01, end: 2025-06-30}
closure: {summary: s, lessons: [l]}
`,
		// Closed without summary, lessons or b's appraisal (a's is only
		// submitted, which does not count either).
		`
kind: project
id: PRJ-2025-0002
title: done badly
status: closed
owner: zhang.min
team: [a, b]
`,
		// Executing past its planned end: late.
		`
kind: project
id: PRJ-2026-0001
title: late
status: executing
owner: liu.yang
planned: {start: 2026-01-01, end: 2026-06-30}
`,
		// Closing, ended, summary written, no lessons: a gap, not late.
		`
kind: project
id: PRJ-2026-0002
title: closing
status: closing
owner: liu.yang
planned: {end: 2026-06-30}
actual: {end: 2026-06-30}
closure: {summary: s}
`,
		"kind: appraisal\nid: APR-2025-0001\nstatus: closed\nemployee: a\nproject: PRJ-2025-0001\n",
		"kind: appraisal\nid: APR-2025-0002\nstatus: submitted\nemployee: a\nproject: PRJ-2025-0002\n",
		// Active plan: one task overdue 10 days, one done, one due later;
		// last check 20 days ago (interval 14): missing. KPIs: members
		// measured twice (latest 900 of 1000 → 90.0%), rate never measured.
		`
kind: plan
id: PLN-2026-0001
title: p1
status: active
project: PRJ-2026-0001
author: liu.yang
revision: 1
goals:
  - {kpi: members, target: 1000, unit: count, due: 2026-12-31}
  - {kpi: rate, target: 25, unit: percent, due: 2026-12-31}
tasks:
  - {title: late one, assignee: a, due: 2026-11-16, status: doing}
  - {title: done one, assignee: a, due: 2026-11-01, status: done}
  - {title: later, assignee: b, due: 2026-12-01}
checks:
  - {date: 2026-10-01, by: liu.yang, summary: s}
  - {date: 2026-11-06, by: liu.yang, summary: s}
measurements:
  - {kpi: members, date: 2026-11-01, value: 900, source: internal}
  - {kpi: members, date: 2026-10-01, value: 1200, source: internal}
`,
		// Draft plan with an overdue task: not active, not reported.
		`
kind: plan
id: PLN-2026-0002
title: p2
status: draft
project: PRJ-2026-0002
author: liu.yang
revision: 1
tasks:
  - {title: whatever, due: 2026-01-01, status: todo}
`,
		// Active plan never checked.
		`
kind: plan
id: PLN-2025-0001
title: p3
status: active
project: PRJ-2025-0001
author: zhang.min
revision: 1
`,
	}
}

func TestProjectsReportByHand(t *testing.T) {
	c := ctxAt(t, set(t, projectsPlansSet(t)...), "2026-11-26T15:00:00+08:00")
	r := ProjectsReport(c, nil)
	eq(t, "total", r.Total, 4)
	states := map[string]int{}
	for _, s := range r.Pipeline {
		states[s.State] = s.Count
	}
	eq(t, "closed", states["closed"], 2)
	eq(t, "proposed (zero, listed)", states["proposed"], 0)
	eq(t, "pipeline lists every state", len(r.Pipeline), len(StateOrder["project"]))

	late := map[string]bool{}
	for _, p := range r.Projects {
		late[p.ID] = p.Late
	}
	eq(t, "executing past end is late", late["PRJ-2026-0001"], true)
	eq(t, "closing is not late", late["PRJ-2026-0002"], false)
	eq(t, "closed is not late", late["PRJ-2025-0001"], false)

	var gaps []string
	for _, g := range r.ClosureGaps {
		gaps = append(gaps, fmt.Sprintf("%s summary=%v lessons=%v unappraised=%s", g.ID, g.MissingSummary, g.MissingLessons, strings.Join(g.Unappraised, ",")))
	}
	eq(t, "gaps", strings.Join(gaps, "; "), "PRJ-2025-0002 summary=true lessons=true unappraised=a,b; PRJ-2026-0002 summary=false lessons=true unappraised=")

	y, _ := ParsePeriod("2026")
	eq(t, "2026 projects", ProjectsReport(c, &y).Total, 2)
}

func TestPlansReportByHand(t *testing.T) {
	c := ctxAt(t, set(t, projectsPlansSet(t)...), "2026-11-26T15:00:00+08:00")
	r := PlansReport(c, nil)
	eq(t, "total", r.Total, 3)

	if len(r.OverdueTasks) != 1 {
		t.Fatalf("overdue tasks = %+v", r.OverdueTasks)
	}
	o := r.OverdueTasks[0]
	eq(t, "overdue", o.Plan+" "+o.Title+" "+o.Status, "PLN-2026-0001 late one doing")
	eq(t, "days overdue", o.DaysOverdue, 10)

	var kpis []string
	for _, k := range r.KPIs {
		pct := "null"
		if k.PercentOfTarget != nil {
			pct = *k.PercentOfTarget
		}
		kpis = append(kpis, fmt.Sprintf("%s=%s/%s %s", k.KPI, num(k.Actual), k.Target, pct))
	}
	// The latest members measurement is 900 (2026-11-01), not the larger
	// earlier one.
	eq(t, "kpis", strings.Join(kpis, " "), "members=900/1000 90.0 rate=<nil>/25 null")

	var mc []string
	for _, m := range r.MissingChecks {
		days := "never"
		if m.DaysSince != nil {
			days = itoa(*m.DaysSince)
		}
		mc = append(mc, m.Plan+"="+days)
	}
	eq(t, "missing checks", strings.Join(mc, " "), "PLN-2025-0001=never PLN-2026-0001=20")
	for _, p := range r.Plans {
		if p.ID == "PLN-2026-0001" {
			eq(t, "tasks done", p.TasksDone, 1)
			eq(t, "last check", p.LastCheck, "2026-11-06")
		}
	}
}
