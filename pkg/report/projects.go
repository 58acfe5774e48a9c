package report

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// StateCount is how many records are in one state, and which.
type StateCount struct {
	State   string   `json:"state"`
	Count   int      `json:"count"`
	Percent string   `json:"percent"`
	IDs     []string `json:"ids"`
}

// ProjectRow is one project.
type ProjectRow struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Owner      string `json:"owner"`
	Team       int    `json:"team"`
	PlannedEnd string `json:"planned_end"`
	// Late: the planned end has passed, the work has not ended (no
	// actual.end) and the project is not yet closing or in a final state.
	Late       bool   `json:"late"`
	ActivePlan string `json:"active_plan"`
}

// ClosureGap is a project in closing or closed that lacks something closing
// needs: a summary, a lesson, or an acknowledged or closed appraisal naming
// the project for each team member (§3.5.3).
type ClosureGap struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Status         string   `json:"status"`
	MissingSummary bool     `json:"missing_summary"`
	MissingLessons bool     `json:"missing_lessons"`
	Unappraised    []string `json:"unappraised"`
}

// Projects is the projects report.
type Projects struct {
	Period      string       `json:"period"` // "" for every project
	AsOf        string       `json:"as_of"`
	Total       int          `json:"total"`
	Pipeline    []StateCount `json:"pipeline"`
	Projects    []ProjectRow `json:"projects"`
	ClosureGaps []ClosureGap `json:"closure_gaps"`
}

// projectFinal are the states a project ends in.
var projectFinal = map[string]bool{"closed": true, "rejected": true, "cancelled": true}

// InYear tells whether a record's id year lies in the selection (nil: all).
// Projects and plans are selected by the year of their id, the year they
// were created.
func InYear(rec *record.Record, sel *Period) bool {
	if sel == nil {
		return true
	}
	// Every period lies within one calendar year.
	return record.IDYear(rec.ID) == sel.From[:4]
}

// ProjectsReport computes the projects report for the projects created in
// sel (nil: all), as of c.Now.
func ProjectsReport(c *rules.Context, sel *Period) *Projects {
	rep := &Projects{AsOf: c.Now.Format(dateLayout), Projects: []ProjectRow{}, ClosureGaps: []ClosureGap{}}
	if sel != nil {
		rep.Period = sel.Label
	}
	today := rep.AsOf
	active := map[string]string{}
	for _, p := range c.Set.OfKind(record.Plan) {
		if p.Status() == "active" {
			active[p.Str("project")] = p.ID
		}
	}
	byState := map[string]*StateCount{}
	appraised := rules.AppraisedMembers(c.Set)
	for _, p := range c.Set.OfKind(record.Project) {
		if !InYear(p, sel) {
			continue
		}
		rep.Total++
		st := p.Status()
		tally(byState, st, p.ID)
		end := p.Str("planned.end")
		rep.Projects = append(rep.Projects, ProjectRow{ID: p.ID, Title: p.Title(), Status: st, Owner: p.Str("owner"),
			Team: len(p.Strings("team")), PlannedEnd: end, Late: end != "" && end < today && !p.Has("actual.end") && st != "closing" && !projectFinal[st],
			ActivePlan: active[p.ID]})
		if st != "closing" && st != "closed" {
			continue
		}
		gap := ClosureGap{ID: p.ID, Title: p.Title(), Status: st, MissingSummary: !p.Has("closure.summary"),
			MissingLessons: len(p.List("closure.lessons")) == 0, Unappraised: []string{}}
		for _, m := range p.Strings("team") {
			if !appraised[[2]string{p.ID, m}] && c.OwesClosingAppraisal(p, m) {
				gap.Unappraised = append(gap.Unappraised, m)
			}
		}
		if gap.MissingSummary || gap.MissingLessons || len(gap.Unappraised) > 0 {
			rep.ClosureGaps = append(rep.ClosureGaps, gap)
		}
	}
	rep.Pipeline = stateCounts(StateOrder[record.Project], byState, rep.Total)
	return rep
}

// stateCounts lists every state of order (zero counts included), then any
// state found outside it.
func stateCounts(order []string, m map[string]*StateCount, total int) []StateCount {
	out := []StateCount{}
	seen := map[string]bool{}
	add := func(st string) {
		sc := m[st]
		if sc == nil {
			sc = &StateCount{State: st, IDs: []string{}}
		}
		sc.Percent = percentOf(sc.Count, total)
		out = append(out, *sc)
		seen[st] = true
	}
	for _, st := range order {
		add(st)
	}
	var extra []string
	for st := range m {
		if !seen[st] {
			extra = append(extra, st)
		}
	}
	sort.Strings(extra)
	for _, st := range extra {
		add(st)
	}
	return out
}

// PlanRow is one plan.
type PlanRow struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Project      string `json:"project"`
	Status       string `json:"status"`
	Revision     string `json:"revision"`
	Tasks        int    `json:"tasks"`
	TasksDone    int    `json:"tasks_done"`
	OverdueTasks int    `json:"overdue_tasks"`
	LastCheck    string `json:"last_check"`
	CheckMissing bool   `json:"check_missing"`
}

// OverdueTask is a task of an active plan past its due date and not done.
type OverdueTask struct {
	Plan        string `json:"plan"`
	Project     string `json:"project"`
	Title       string `json:"title"`
	Assignee    string `json:"assignee"`
	Due         string `json:"due"`
	Status      string `json:"status"`
	DaysOverdue int    `json:"days_overdue"`
}

// KPI is a goal of an active or completed plan against its latest
// measurement.
type KPI struct {
	Plan       string       `json:"plan"`
	Project    string       `json:"project"`
	KPI        string       `json:"kpi"`
	Target     json.Number  `json:"target"`
	Unit       string       `json:"unit"`
	Due        string       `json:"due"`
	Actual     *json.Number `json:"actual"` // null: never measured
	MeasuredOn string       `json:"measured_on"`
	Source     string       `json:"source"`
	// PercentOfTarget is actual / target × 100, one decimal, exact; null
	// when unmeasured or the target is 0.
	PercentOfTarget *string `json:"percent_of_target"`
	// Series is every measurement of the kpi in the plan, oldest first.
	Series []Measurement `json:"series"`
}

// Measurement is one measured value of a KPI: when, what, from where, and
// who collected it.
type Measurement struct {
	Date   string      `json:"date"`
	Value  json.Number `json:"value"`
	Source string      `json:"source"`
	By     string      `json:"by"`
}

// MissingCheck is an active plan without a progress check within the
// policy's check_interval_days.
type MissingCheck struct {
	Plan      string `json:"plan"`
	Project   string `json:"project"`
	Author    string `json:"author"`
	LastCheck string `json:"last_check"` // "" for never
	DaysSince *int   `json:"days_since"` // null for never
	// ActivatedOn: the activate move's stamp; the interval runs from the
	// later of it and the last check.
	ActivatedOn  string `json:"activated_on,omitempty"`
	IntervalDays int    `json:"interval_days"`
}

// Plans is the plans report.
type Plans struct {
	Period        string         `json:"period"` // "" for every plan
	AsOf          string         `json:"as_of"`
	Total         int            `json:"total"`
	States        []StateCount   `json:"states"`
	Plans         []PlanRow      `json:"plans"`
	OverdueTasks  []OverdueTask  `json:"overdue_tasks"`
	KPIs          []KPI          `json:"kpis"`
	MissingChecks []MissingCheck `json:"missing_checks"`
}

// PlansReport computes the plans report for the plans created in sel (nil:
// all), as of c.Now. Overdue tasks and missing checks concern active plans
// only, as in validate; KPIs are reported for active and completed plans.
func PlansReport(c *rules.Context, sel *Period) *Plans {
	rep := &Plans{AsOf: c.Now.Format(dateLayout), Plans: []PlanRow{}, OverdueTasks: []OverdueTask{}, KPIs: []KPI{}, MissingChecks: []MissingCheck{}}
	if sel != nil {
		rep.Period = sel.Label
	}
	today := rep.AsOf
	todayT, _ := time.Parse(dateLayout, today)
	byState := map[string]*StateCount{}
	for _, p := range c.Set.OfKind(record.Plan) {
		if !InYear(p, sel) {
			continue
		}
		rep.Total++
		st := p.Status()
		tally(byState, st, p.ID)
		row := PlanRow{ID: p.ID, Title: p.Title(), Project: p.Str("project"), Status: st, Revision: p.Str("revision"), Tasks: len(p.List("tasks"))}
		for i := range p.List("checks") {
			if d := p.Str("checks." + strconv.Itoa(i) + ".date"); d > row.LastCheck {
				row.LastCheck = d
			}
		}
		for i := range p.List("tasks") {
			pre := "tasks." + strconv.Itoa(i)
			tst := p.Str(pre + ".status")
			if tst == "done" {
				row.TasksDone++
				continue
			}
			due := p.Str(pre + ".due")
			if st != "active" || due == "" || due >= today {
				continue
			}
			row.OverdueTasks++
			days := 0
			if d, err := time.Parse(dateLayout, due); err == nil {
				days = int(todayT.Sub(d).Hours() / 24)
			}
			if tst == "" {
				tst = "todo"
			}
			rep.OverdueTasks = append(rep.OverdueTasks, OverdueTask{Plan: p.ID, Project: row.Project, Title: p.Str(pre + ".title"),
				Assignee: p.Str(pre + ".assignee"), Due: due, Status: tst, DaysOverdue: days})
		}
		if _, activated, missing := rules.CheckClock(p, c.Now, c.Policy.CheckIntervalDays); st == "active" && missing {
			row.CheckMissing = true
			mc := MissingCheck{Plan: p.ID, Project: row.Project, Author: p.Str("author"), LastCheck: row.LastCheck, ActivatedOn: activated, IntervalDays: c.Policy.CheckIntervalDays}
			if d, err := time.Parse(dateLayout, row.LastCheck); err == nil {
				n := int(todayT.Sub(d).Hours() / 24)
				mc.DaysSince = &n
			}
			rep.MissingChecks = append(rep.MissingChecks, mc)
		}
		if st == "active" || st == "completed" {
			rep.KPIs = append(rep.KPIs, planKPIs(p)...)
		}
		rep.Plans = append(rep.Plans, row)
	}
	rep.States = stateCounts(StateOrder[record.Plan], byState, rep.Total)
	sort.SliceStable(rep.OverdueTasks, func(i, j int) bool { return rep.OverdueTasks[i].Due < rep.OverdueTasks[j].Due })
	return rep
}

// planKPIs pairs each goal with the latest measurement of its kpi (by date;
// on the same date, the one written last).
func planKPIs(p *record.Record) []KPI {
	type meas struct{ value, date, source string }
	latest := map[string]meas{}
	series := map[string][]Measurement{}
	for i := range p.List("measurements") {
		pre := "measurements." + strconv.Itoa(i)
		k, d := p.Str(pre+".kpi"), p.Str(pre+".date")
		if m, ok := latest[k]; !ok || d >= m.date {
			latest[k] = meas{p.Str(pre + ".value"), d, p.Str(pre + ".source")}
		}
		series[k] = append(series[k], Measurement{Date: d, Value: json.Number(p.Str(pre + ".value")), Source: p.Str(pre + ".source"), By: p.Str(pre + ".by")})
	}
	for _, s := range series {
		sort.SliceStable(s, func(i, j int) bool { return s[i].Date < s[j].Date })
	}
	var out []KPI
	for i := range p.List("goals") {
		pre := "goals." + strconv.Itoa(i)
		k := KPI{Plan: p.ID, Project: p.Str("project"), KPI: p.Str(pre + ".kpi"), Target: json.Number(p.Str(pre + ".target")),
			Unit: p.Str(pre + ".unit"), Due: p.Str(pre + ".due"), Series: series[p.Str(pre+".kpi")]}
		if k.Series == nil {
			k.Series = []Measurement{}
		}
		if m, ok := latest[k.KPI]; ok && m.value != "" {
			v := json.Number(m.value)
			k.Actual, k.MeasuredOn, k.Source = &v, m.date, m.source
			t, e1 := decimal.NewFromString(string(k.Target))
			a, e2 := decimal.NewFromString(m.value)
			if e1 == nil && e2 == nil && !t.IsZero() {
				pct := a.Mul(decimal.NewFromInt(100)).DivRound(t, 1).StringFixed(1)
				k.PercentOfTarget = &pct
			}
		}
		out = append(out, k)
	}
	return out
}

// tally counts a record in its state.
func tally(byState map[string]*StateCount, st, id string) {
	if byState[st] == nil {
		byState[st] = &StateCount{State: st}
	}
	byState[st].Count++
	byState[st].IDs = append(byState[st].IDs, id)
}
