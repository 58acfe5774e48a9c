package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
)

// View says how a report is laid out.
type View struct {
	// GroupBy picks one table ("" shows every section; CSV then writes the
	// report's default table). Each report lists its values in GroupBys.
	GroupBy string
	// Plain writes amounts without thousands separators ("1280.50"), for CSV.
	Plain bool
}

// GroupBys lists, per report, the --group-by values it takes; the first is
// the default table of CSV output.
var GroupBys = map[string][]string{
	"budget":     {"category", "project", "month"},
	"complaints": {"category", "channel", "severity", "type", "month"},
	"appraisals": {"period", "indicator"},
	"projects":   {"project", "state", "owner"},
	"plans":      {"plan", "state", "kpi", "task", "check"},
	"tasks":      {"person", "overdue"},
	"customers":  {"customer"},
}

func (v View) money(a money.Amount) string {
	if v.Plain {
		return a.String()
	}
	return a.Grouped()
}

func (v View) moneyPtr(a *money.Amount) string {
	if a == nil {
		return "—"
	}
	return v.money(*a)
}

// drawValue is an amount as a float, for sizing a chart only.
func drawValue(a money.Amount) float64 { return money.PercentFloat(a, money.FromInt(100)) }

func (v View) show(name string) bool { return v.GroupBy == "" || v.GroupBy == name }

func right(cols ...int) map[int]bool {
	m := map[int]bool{}
	for _, c := range cols {
		m[c] = true
	}
	return m
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Table returns the report's one table for CSV: the --group-by table, or the
// first of GroupBys["budget"] (categories, without a total row).
func (b *Budget) Table(v View) *render.Table {
	v.Plain = true
	if v.GroupBy == "" {
		v.GroupBy = "category"
	}
	return b.Page(v).Sections[0].Table
}

// Page lays the budget report out: categories (with a total row), spending
// per project and category, and months. GroupBy keeps one of them.
func (b *Budget) Page(v View) *render.Page {
	p := &render.Page{Title: fmt.Sprintf("Budget %d (%s)", b.Year, b.Currency)}
	switch {
	case b.BudgetID == "":
		p.Lines = append(p.Lines, fmt.Sprintf("No budget record for %d: every claim counts against a budget of 0.", b.Year))
	case b.BudgetStatus != "approved" && b.BudgetStatus != "closed":
		p.Lines = append(p.Lines, fmt.Sprintf("%s is %s: its lines count once it is approved.", b.BudgetID, b.BudgetStatus))
	default:
		p.Lines = append(p.Lines, fmt.Sprintf("%s, %s.", b.BudgetID, b.BudgetStatus))
	}
	t := b.Total
	used := t.Approved.Add(t.Paid)
	p.Lines = append(p.Lines, fmt.Sprintf("Budget %s, used %s (%s%%), pending %s, remaining %s.",
		v.money(t.Budget), v.money(used), t.PercentUsed, v.money(t.Pending), v.money(t.Remaining)))

	if v.show("category") {
		s := render.Section{Title: "By category", Empty: "No budget lines and no claims this year.",
			Table: &render.Table{Headers: []string{"CATEGORY", "BUDGET", "AMENDMENTS", "APPROVED", "PAID", "PENDING", "REMAINING", "USED %", "OVER"}, Right: right(1, 2, 3, 4, 5, 6, 7)}}
		lines := b.Categories
		if !v.Plain {
			lines = append(append([]BudgetLine(nil), lines...), b.Total)
		}
		chart := &render.Chart{Kind: render.PieChart, Title: "Used (approved + paid) by category"}
		for i, l := range lines {
			s.Table.Add(l.Category, v.money(l.Budget), v.money(l.Amendments), v.money(l.Approved), v.money(l.Paid),
				v.money(l.Pending), v.money(l.Remaining), l.PercentUsed, yesNo(l.Over))
			s.Bars = append(s.Bars, PercentValue(l.PercentUsed))
			s.Warn = append(s.Warn, l.Over)
			if i < len(b.Categories) {
				u := l.Approved.Add(l.Paid)
				chart.Items = append(chart.Items, render.ChartItem{Label: l.Category, Value: drawValue(u), Text: v.money(u)})
			}
		}
		if !used.IsZero() {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("project") {
		s := render.Section{Title: "By project and category", Lines: []string{"Budget, remaining and used % only where the budget has a line for the project."},
			Empty: "No claims name a project this year, and the budget has no project lines.",
			Table: &render.Table{Headers: []string{"PROJECT", "CATEGORY", "LINE BUDGET", "APPROVED", "PAID", "PENDING", "REMAINING", "USED %", "OVER", "TITLE"}, Right: right(2, 3, 4, 5, 6, 7)}}
		if v.Plain {
			s.Lines = nil
		}
		for _, ps := range b.Projects {
			pct := "—"
			if ps.PercentUsed != nil {
				pct = *ps.PercentUsed
			}
			s.Table.Add(ps.Project, ps.Category, v.moneyPtr(ps.Budget), v.money(ps.Approved), v.money(ps.Paid), v.money(ps.Pending),
				v.moneyPtr(ps.Remaining), pct, yesNo(ps.Over), ps.Title)
			s.Bars = append(s.Bars, PercentValue(pct))
			s.Warn = append(s.Warn, ps.Over)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("month") {
		s := render.Section{Title: "By month", Empty: "No approved, paid or submitted claims this year.",
			Table: &render.Table{Headers: []string{"MONTH", "APPROVED", "PAID", "PENDING", "USED", "CUMULATIVE USED", "CUMULATIVE %"}, Right: right(1, 2, 3, 4, 5, 6)}}
		chart := &render.Chart{Kind: render.BarChart, Title: "Used (approved + paid) per month"}
		cum := money.Zero
		for _, m := range b.Months {
			u := m.Approved.Add(m.Paid)
			cum = cum.Add(u)
			pct := money.Percent(cum, b.Total.Budget)
			s.Table.Add(m.Month, v.money(m.Approved), v.money(m.Paid), v.money(m.Pending), v.money(u), v.money(cum), pct)
			s.Bars = append(s.Bars, PercentValue(pct))
			chart.Items = append(chart.Items, render.ChartItem{Label: m.Month, Value: drawValue(u), Text: v.money(u)})
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	return p
}

// Table returns the complaints report's table for CSV: the full figures of
// one dimension (--group-by; category by default).
func (c *Complaints) Table(v View) *render.Table {
	return c.groupTable(orDefault(v.GroupBy, "category"), false)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (c *Complaints) groupTable(dim string, withAll bool) *render.Table {
	t := &render.Table{Headers: []string{strings.ToUpper(dim), "COUNT", "SHARE %", "OPEN",
		"RESPOND MEDIAN H", "RESPOND P90 H", "RESPOND IN SLA %", "RESOLVE MEDIAN H", "RESOLVE P90 H", "RESOLVE IN SLA %", "BREACHES"},
		Right: right(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)}
	groups := c.Group(dim)
	if withAll {
		groups = append(append([]ComplaintGroup(nil), groups...), c.All)
	}
	for _, g := range groups {
		t.Add(g.Key, itoa(g.Count), g.Percent, itoa(g.Open),
			numText(g.Respond.MedianHours, ""), numText(g.Respond.P90Hours, ""), inSLA(g.Respond),
			numText(g.Resolve.MedianHours, ""), numText(g.Resolve.P90Hours, ""), inSLA(g.Resolve),
			itoa(g.Respond.Breaches+g.Resolve.Breaches))
	}
	return t
}

func inSLA(t Timing) string {
	if t.Measured == 0 {
		return "—"
	}
	return t.WithinSLAPercent
}

// Page lays the complaints report out.
func (c *Complaints) Page(v View) *render.Page {
	p := &render.Page{Title: fmt.Sprintf("Complaints %s (received %s to %s; as of %s)", c.Period, c.From, c.To, c.AsOf)}
	var types []string
	for _, g := range c.ByType {
		types = append(types, fmt.Sprintf("%d %s", g.Count, g.Key))
	}
	p.Lines = append(p.Lines, fmt.Sprintf("%d received (%s); %d open, %d resolved awaiting close.",
		c.Total, strings.Join(types, ", "), c.Backlog.Open, c.Backlog.AwaitingClose))
	if v.GroupBy != "" {
		s := render.Section{Title: "By " + v.GroupBy, Table: c.groupTable(v.GroupBy, true)}
		chart := &render.Chart{Kind: render.PieChart, Title: "Complaints by " + v.GroupBy}
		if v.GroupBy == "month" {
			chart.Kind = render.BarChart
		}
		for _, g := range c.Group(v.GroupBy) {
			s.Bars = append(s.Bars, PercentValue(g.Percent))
			chart.Items = append(chart.Items, render.ChartItem{Label: g.Key, Value: float64(g.Count), Text: itoa(g.Count)})
		}
		s.Bars = append(s.Bars, 100)
		if c.Total > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
		return p
	}

	for _, clk := range []struct {
		title string
		pick  func(ComplaintGroup) Timing
		limit func(ComplaintGroup) *int
	}{
		{"First response against SLA (acknowledged_at − received_at)", func(g ComplaintGroup) Timing { return g.Respond }, func(g ComplaintGroup) *int { return g.SLARespondHours }},
		{"Resolution against SLA (resolution.resolved_at − received_at)", func(g ComplaintGroup) Timing { return g.Resolve }, func(g ComplaintGroup) *int { return g.SLAResolveHours }},
	} {
		s := render.Section{Title: clk.title,
			Table: &render.Table{Headers: []string{"SEVERITY", "COUNT", "SLA H", "MEASURED", "MEDIAN H", "P90 H", "IN SLA", "IN SLA %", "BREACHES", "STILL OPEN"}, Right: right(1, 2, 3, 4, 5, 6, 7, 8, 9)}}
		for _, g := range append(append([]ComplaintGroup(nil), c.BySeverity...), c.All) {
			tm := clk.pick(g)
			lim := "—"
			if l := clk.limit(g); l != nil {
				lim = itoa(*l)
			}
			s.Table.Add(g.Key, itoa(g.Count), lim, itoa(tm.Measured), numText(tm.MedianHours, ""), numText(tm.P90Hours, ""),
				itoa(tm.WithinSLA), inSLA(tm), itoa(tm.Breaches), itoa(tm.OpenBreaches))
			s.Bars = append(s.Bars, PercentValue(inSLA(tm)))
			s.Warn = append(s.Warn, tm.Breaches > 0)
		}
		p.Sections = append(p.Sections, s)
	}
	p.Sections[0].Lines = []string{"Median and p90 by nearest rank over the measured (stopped) clocks; breaches include clocks still running past the SLA."}

	for _, dim := range []string{"category", "channel", "severity", "type"} {
		s := render.Section{Title: "Volume by " + dim,
			Table: &render.Table{Headers: []string{strings.ToUpper(dim), "COUNT", "SHARE %", "OPEN"}, Right: right(1, 2, 3)}}
		chart := &render.Chart{Kind: render.PieChart}
		for _, g := range c.Group(dim) {
			s.Table.Add(g.Key, itoa(g.Count), g.Percent, itoa(g.Open))
			s.Bars = append(s.Bars, PercentValue(g.Percent))
			if g.Count > 0 {
				chart.Items = append(chart.Items, render.ChartItem{Label: g.Key, Value: float64(g.Count), Text: itoa(g.Count)})
			}
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}

	sat := c.Satisfaction
	s := render.Section{Title: "Satisfaction",
		Lines: []string{fmt.Sprintf("Average %s of 5 from %d scores; %d unreachable; %d resolved or closed without a score.",
			numText(sat.Average, ""), sat.Scored, sat.Unreachable, sat.Unscored)},
		Table: &render.Table{Headers: []string{"SCORE", "COUNT", "SHARE %"}, Right: right(1, 2)}}
	chart := &render.Chart{Kind: render.BarChart, Title: "Scores"}
	for _, k := range []string{"5", "4", "3", "2", "1"} {
		n := sat.Distribution[k]
		pct := percentOf(n, sat.Scored)
		s.Table.Add(k, itoa(n), pct)
		s.Bars = append(s.Bars, PercentValue(pct))
		chart.Items = append(chart.Items, render.ChartItem{Label: k + " / 5", Value: float64(n), Text: itoa(n)})
	}
	if sat.Scored > 0 {
		s.Chart = chart
	}
	p.Sections = append(p.Sections, s)

	p.Sections = append(p.Sections, render.Section{Title: "Reopen and repeat rates", Lines: []string{
		fmt.Sprintf("Reopened: %d of %d resolved at least once (%s%%)%s. Counted from the files: state reopened, or investigating again with a resolution.",
			c.Reopen.Count, c.Reopen.Of, c.Reopen.Percent, idList(c.Reopen.IDs)),
		fmt.Sprintf("Repeats: %d of %d (%s%%)%s. A repeat names (related) an earlier complaint of the same customer.",
			c.Repeat.Count, c.Repeat.Of, c.Repeat.Percent, idList(c.Repeat.IDs)),
	}})

	bl := render.Section{Title: fmt.Sprintf("Open backlog by age (%d open: received, acknowledged, investigating, reopened)", c.Backlog.Open),
		Table: &render.Table{Headers: []string{"AGE", "COUNT", "SHARE %"}, Right: right(1, 2)}}
	for _, b := range c.Backlog.Buckets {
		pct := percentOf(b.Count, c.Backlog.Open)
		bl.Table.Add(b.Bucket, itoa(b.Count), pct)
		bl.Bars = append(bl.Bars, PercentValue(pct))
	}
	p.Sections = append(p.Sections, bl)
	items := render.Section{Title: "Open complaints", Empty: "None.",
		Table: &render.Table{Headers: []string{"ID", "SEVERITY", "STATUS", "ASSIGNEE", "AGE H", "PAST SLA", "TITLE"}, Right: right(4)}}
	for _, it := range c.Backlog.Items {
		items.Table.Add(it.ID, it.Severity, it.Status, orDash(it.Assignee), string(it.AgeHours), yesNo(it.PastSLA), render.Truncate(it.Title, 40))
		items.Warn = append(items.Warn, it.PastSLA)
	}
	p.Sections = append(p.Sections, items)

	br := render.Section{Title: fmt.Sprintf("SLA breaches (%d)", len(c.Breaches)), Empty: "None.",
		Table: &render.Table{Headers: []string{"ID", "SEVERITY", "STATUS", "CLOCK", "HOURS", "LIMIT H", "STILL OPEN"}, Right: right(4, 5)}}
	for _, b := range c.Breaches {
		br.Table.Add(b.ID, b.Severity, b.Status, b.Clock, string(b.Hours), itoa(b.LimitHours), yesNo(b.Open))
	}
	p.Sections = append(p.Sections, br)
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ": " + strings.Join(ids, ", ")
}

// Table returns the appraisals report's table for CSV: one row per period
// (default) or per period and indicator (--group-by indicator).
func (a *Appraisals) Table(v View) *render.Table {
	if v.GroupBy == "indicator" {
		return a.indicatorTable()
	}
	return a.periodTable()
}

func (a *Appraisals) periodTable() *render.Table {
	h := []string{"PERIOD", "APPRAISALS", "DRAFTS"}
	for _, r := range RatingNames {
		h = append(h, strings.ToUpper(r))
	}
	h = append(h, "AVERAGE TOTAL")
	t := &render.Table{Headers: h, Right: right(1, 2, 3, 4, 5, 6, 7, 8)}
	for _, g := range a.Groups {
		row := []string{g.Label(), itoa(g.Appraisals), itoa(g.Drafts)}
		for _, r := range g.Ratings {
			row = append(row, itoa(r.Count))
		}
		t.Add(append(row, numText(g.AverageTotal, ""))...)
	}
	return t
}

func (a *Appraisals) indicatorTable() *render.Table {
	t := &render.Table{Headers: []string{"PERIOD", "INDICATOR", "COUNT", "AVERAGE SCORE"}, Right: right(2, 3)}
	for _, g := range a.Groups {
		for _, in := range g.Indicators {
			t.Add(g.Label(), in.Name, itoa(in.Count), string(in.Average))
		}
	}
	return t
}

// Page lays the appraisals report out.
func (a *Appraisals) Page(v View) *render.Page {
	title := "Appraisals, every period"
	if a.Period != "" {
		title = "Appraisals " + a.Period
	}
	p := &render.Page{Title: title + " (as of " + a.AsOf + ")",
		Lines: []string{"Ratings follow from the indicators under the policy's thresholds; drafts are counted but left out of the figures."}}
	if a.LastPeriod != "" {
		line := fmt.Sprintf("Everyone on the staff has an appraisal of %s, the last finished period.", a.LastPeriod)
		if len(a.Unappraised) > 0 {
			line = fmt.Sprintf("Without an appraisal of %s, the last finished period: %s.", a.LastPeriod, strings.Join(a.Unappraised, ", "))
		}
		p.Lines = append(p.Lines, line)
	}
	if v.show("period") {
		s := render.Section{Title: "Ratings by period", Table: a.periodTable(), Empty: "No appraisals."}
		total := map[string]int{}
		for _, g := range a.Groups {
			for _, r := range g.Ratings {
				total[r.Rating] += r.Count
			}
		}
		chart := &render.Chart{Kind: render.PieChart, Title: "Ratings, all periods shown"}
		for _, r := range RatingNames {
			if total[r] > 0 {
				chart.Items = append(chart.Items, render.ChartItem{Label: r, Value: float64(total[r]), Text: itoa(total[r])})
			}
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("indicator") {
		for _, g := range a.Groups {
			s := render.Section{Title: "Average score per indicator, " + g.Label(), Empty: "No appraisals past draft.",
				Table: &render.Table{Headers: []string{"INDICATOR", "COUNT", "AVERAGE SCORE"}, Right: right(1, 2)}}
			for _, in := range g.Indicators {
				s.Table.Add(in.Name, itoa(in.Count), string(in.Average))
				s.Bars = append(s.Bars, PercentValue(string(in.Average)))
			}
			p.Sections = append(p.Sections, s)
		}
	}
	if v.GroupBy == "" {
		s := render.Section{Title: "Below standard and their improvement", Empty: "Nobody rated below or unsatisfactory.",
			Table: &render.Table{Headers: []string{"ID", "EMPLOYEE", "PERIOD", "TOTAL", "RATING", "IMPROVEMENT", "REVIEW DATE", "FOLLOW-UP", "STATUS"}, Right: right(3)}}
		for _, b := range a.BelowStandard {
			fu := "—"
			if b.FollowUp != "" {
				fu = b.FollowUp + " (" + b.FollowUpRating + ", " + b.FollowUpStatus + ")"
			}
			review := orDash(b.ReviewDate)
			if b.ReviewDue {
				review += " (passed)"
			}
			s.Table.Add(b.ID, b.Employee, orDash(orDefault(b.Period, b.Project)), string(b.Total), b.Rating, yesNo(b.Improvement), review, fu, b.ImprovementStatus)
			s.Warn = append(s.Warn, b.NeedsAction())
		}
		p.Sections = append(p.Sections, s)
	}
	return p
}

// Table returns the projects report's table for CSV: one row per project
// (default), per state (--group-by state) or per owner (--group-by owner).
func (pr *Projects) Table(v View) *render.Table {
	switch v.GroupBy {
	case "state":
		return stateTable(pr.Pipeline, "PROJECTS", 0)
	case "owner":
		return pr.ownerTable()
	}
	return pr.projectTable()
}

// stateTable lists states with their ids; limit > 0 shows at most that many
// ids per state (for people; CSV gets them all).
func stateTable(states []StateCount, what string, limit int) *render.Table {
	t := &render.Table{Headers: []string{"STATE", "COUNT", "SHARE %", what}, Right: right(1, 2)}
	for _, s := range states {
		ids := s.IDs
		more := ""
		if limit > 0 && len(ids) > limit {
			ids, more = ids[:limit], fmt.Sprintf(" … (+%d)", len(ids)-limit)
		}
		t.Add(s.State, itoa(s.Count), s.Percent, strings.Join(ids, " ")+more)
	}
	return t
}

// idLimit is how many ids a state row shows on a page.
const idLimit = 5

// wrapList joins parts with ", ", breaking the line (a newline inside the
// cell, which a terminal table shows as a second line and TSV as a space)
// before it passes width display columns.
func wrapList(parts []string, width int) string {
	var b strings.Builder
	col := 0
	for i, p := range parts {
		w := runewidth.StringWidth(p)
		if i > 0 {
			if col+2+w > width {
				b.WriteString(",\n")
				col = 0
			} else {
				b.WriteString(", ")
				col += 2
			}
		}
		b.WriteString(p)
		col += w
	}
	return b.String()
}

func (pr *Projects) projectTable() *render.Table {
	t := &render.Table{Headers: []string{"ID", "STATE", "OWNER", "TEAM", "PLANNED END", "LATE", "ACTIVE PLAN", "TITLE"}, Right: right(3)}
	for _, r := range pr.Projects {
		t.Add(r.ID, r.Status, r.Owner, itoa(r.Team), orDash(r.PlannedEnd), yesNo(r.Late), orDash(r.ActivePlan), r.Title)
	}
	return t
}

func (pr *Projects) ownerTable() *render.Table {
	type acc struct{ total, open, late int }
	m := map[string]*acc{}
	var owners []string
	for _, r := range pr.Projects {
		if m[r.Owner] == nil {
			m[r.Owner] = &acc{}
			owners = append(owners, r.Owner)
		}
		m[r.Owner].total++
		if !projectFinal[r.Status] {
			m[r.Owner].open++
		}
		if r.Late {
			m[r.Owner].late++
		}
	}
	sort.Strings(owners)
	t := &render.Table{Headers: []string{"OWNER", "PROJECTS", "OPEN", "LATE"}, Right: right(1, 2, 3)}
	for _, o := range owners {
		t.Add(o, itoa(m[o].total), itoa(m[o].open), itoa(m[o].late))
	}
	return t
}

// Page lays the projects report out.
func (pr *Projects) Page(v View) *render.Page {
	title := "Projects, all years"
	if pr.Period != "" {
		title = "Projects created in " + pr.Period[:4]
	}
	p := &render.Page{Title: fmt.Sprintf("%s (%d; as of %s)", title, pr.Total, pr.AsOf)}
	if v.show("state") {
		s := render.Section{Title: "Pipeline by state", Table: stateTable(pr.Pipeline, "PROJECTS", idLimit)}
		chart := &render.Chart{Kind: render.PieChart}
		for _, st := range pr.Pipeline {
			s.Bars = append(s.Bars, PercentValue(st.Percent))
			if st.Count > 0 {
				chart.Items = append(chart.Items, render.ChartItem{Label: st.State, Value: float64(st.Count), Text: itoa(st.Count)})
			}
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("project") {
		s := render.Section{Title: "Projects", Table: pr.projectTable(), Empty: "No projects."}
		for _, r := range pr.Projects {
			s.Warn = append(s.Warn, r.Late)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("owner") && v.GroupBy != "" {
		p.Sections = append(p.Sections, render.Section{Title: "By owner", Table: pr.ownerTable()})
	}
	if v.GroupBy == "" {
		s := render.Section{Title: "Closing or closed without what closing needs (summary, lessons, team appraisals)", Empty: "None.",
			Table: &render.Table{Headers: []string{"ID", "STATE", "SUMMARY", "LESSONS", "UNAPPRAISED TEAM MEMBERS", "TITLE"}}}
		for _, g := range pr.ClosureGaps {
			s.Table.Add(g.ID, g.Status, missing(g.MissingSummary), missing(g.MissingLessons), orDash(strings.Join(g.Unappraised, ", ")), g.Title)
			s.Warn = append(s.Warn, g.Status == "closed")
		}
		p.Sections = append(p.Sections, s)
	}
	return p
}

func missing(b bool) string {
	if b {
		return "missing"
	}
	return "ok"
}

// Table returns the plans report's table for CSV: per plan (default), per
// state, KPIs (--group-by kpi), overdue tasks (task) or missing checks
// (check).
func (pl *Plans) Table(v View) *render.Table {
	switch v.GroupBy {
	case "state":
		return stateTable(pl.States, "PLANS", 0)
	case "kpi":
		return pl.kpiTable()
	case "task":
		return pl.taskTable()
	case "check":
		return pl.checkTable()
	}
	return pl.planTable()
}

func (pl *Plans) planTable() *render.Table {
	t := &render.Table{Headers: []string{"ID", "PROJECT", "STATE", "REVISION", "TASKS", "DONE", "OVERDUE", "LAST CHECK", "CHECK MISSING", "TITLE"}, Right: right(3, 4, 5, 6)}
	for _, r := range pl.Plans {
		t.Add(r.ID, r.Project, r.Status, r.Revision, itoa(r.Tasks), itoa(r.TasksDone), itoa(r.OverdueTasks), orDash(r.LastCheck), yesNo(r.CheckMissing), r.Title)
	}
	return t
}

func (pl *Plans) kpiTable() *render.Table {
	t := &render.Table{Headers: []string{"PLAN", "KPI", "TARGET", "UNIT", "DUE", "ACTUAL", "MEASURED ON", "SOURCE", "% OF TARGET", "SERIES"}, Right: right(2, 5, 8)}
	for _, k := range pl.KPIs {
		pct := "—"
		if k.PercentOfTarget != nil {
			pct = *k.PercentOfTarget
		}
		var series []string
		for _, m := range k.Series {
			s := string(m.Value) + " (" + m.Date
			if m.By != "" {
				s += ", " + m.By
			}
			series = append(series, s+")")
		}
		t.Add(k.Plan, k.KPI, string(k.Target), k.Unit, orDash(k.Due), numText(k.Actual, ""), orDash(k.MeasuredOn), orDash(k.Source), pct, orDash(strings.Join(series, "; ")))
	}
	return t
}

func (pl *Plans) taskTable() *render.Table {
	t := &render.Table{Headers: []string{"PLAN", "PROJECT", "DUE", "DAYS OVERDUE", "STATUS", "ASSIGNEE", "TASK"}, Right: right(3)}
	for _, o := range pl.OverdueTasks {
		t.Add(o.Plan, o.Project, o.Due, itoa(o.DaysOverdue), o.Status, orDash(o.Assignee), o.Title)
	}
	return t
}

func (pl *Plans) checkTable() *render.Table {
	t := &render.Table{Headers: []string{"PLAN", "PROJECT", "AUTHOR", "LAST CHECK", "DAYS SINCE", "INTERVAL DAYS"}, Right: right(4, 5)}
	for _, m := range pl.MissingChecks {
		days := "—"
		if m.DaysSince != nil {
			days = itoa(*m.DaysSince)
		}
		t.Add(m.Plan, m.Project, m.Author, orDash(m.LastCheck), days, itoa(m.IntervalDays))
	}
	return t
}

// Page lays the plans report out.
func (pl *Plans) Page(v View) *render.Page {
	title := "Plans, all years"
	if pl.Period != "" {
		title = "Plans created in " + pl.Period[:4]
	}
	p := &render.Page{Title: fmt.Sprintf("%s (%d; as of %s)", title, pl.Total, pl.AsOf)}
	if v.show("state") {
		s := render.Section{Title: "Plans by state", Table: stateTable(pl.States, "PLANS", idLimit)}
		for _, st := range pl.States {
			s.Bars = append(s.Bars, PercentValue(st.Percent))
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("plan") {
		s := render.Section{Title: "Plans", Table: pl.planTable(), Empty: "No plans."}
		for _, r := range pl.Plans {
			s.Warn = append(s.Warn, r.OverdueTasks > 0 || r.CheckMissing)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("task") {
		p.Sections = append(p.Sections, render.Section{Title: fmt.Sprintf("Overdue tasks of active plans (%d)", len(pl.OverdueTasks)), Table: pl.taskTable(), Empty: "None."})
	}
	if v.show("kpi") {
		s := render.Section{Title: "KPIs of active and completed plans: latest measurement against target", Table: pl.kpiTable(), Empty: "No goals."}
		chart := &render.Chart{Kind: render.BarChart, Title: "% of target", Unit: "%", Max: 100}
		for _, k := range pl.KPIs {
			v, text := 0.0, "not measured"
			if k.PercentOfTarget != nil {
				v, text = PercentValue(*k.PercentOfTarget), *k.PercentOfTarget+"%"
			}
			s.Bars = append(s.Bars, v)
			chart.Items = append(chart.Items, render.ChartItem{Label: k.Plan + " " + k.KPI, Value: v, Text: text})
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("check") {
		interval := ""
		if len(pl.MissingChecks) > 0 {
			interval = fmt.Sprintf(", every %d days", pl.MissingChecks[0].IntervalDays)
		}
		p.Sections = append(p.Sections, render.Section{Title: fmt.Sprintf("Active plans missing a progress check (%d%s)", len(pl.MissingChecks), interval),
			Table: pl.checkTable(), Empty: "None: every active plan was checked within the interval."})
	}
	return p
}

// summaryListMax caps the lists on the summary screen; the reports have the
// rest.
const summaryListMax = 5

// Page lays the summary out on about one screen.
func (s *Summary) Page() *render.Page {
	v := View{}
	p := &render.Page{Title: "opsbook summary as of " + s.AsOf}
	kinds := &render.Table{Headers: []string{"KIND", "TOTAL", "BY STATE"}, Right: right(1)}
	var who, team []string
	for _, k := range s.Kinds {
		switch record.Kind(k.Kind) {
		case record.Person:
			who = append(who, fmt.Sprintf("%d people (%d active)", k.Total, k.States["active"]))
			continue
		case record.Customer:
			who = append(who, fmt.Sprintf("%d customers", k.Total))
			continue
		case record.TrainingPlan, record.Training, record.Violation, record.Meeting, record.Task, record.StatusReport, record.Analysis:
			// the team's and the coordination kinds in one phrase, to keep the summary on a screen
			// (their states are in -o json and `opsbook list`)
			team = append(team, plural(k.Total, strings.ReplaceAll(k.Kind, "-", " "), strings.ReplaceAll(record.Info(record.Kind(k.Kind)).Plural, "-", " ")))
			continue
		case record.OpsPlan:
			// one a year: the year's plan is named in the line above
			continue
		}
		var parts []string
		for _, st := range StateOrder[record.Kind(k.Kind)] {
			if n := k.States[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", st, n))
			}
		}
		kinds.Add(k.Kind, itoa(k.Total), wrapList(parts, 64))
	}
	if s.OpsPlan != nil {
		who = append(who, fmt.Sprintf("operations plan %s %s", s.OpsPlan.ID, s.OpsPlan.Status))
	} else {
		who = append(who, fmt.Sprintf("no operations plan for %s", s.AsOf[:4]))
	}
	line := strings.Join(who, ", ")
	if len(team) > 0 {
		line += "; " + strings.Join(team, ", ")
	}
	p.Lines = append(p.Lines, line+".")
	p.Sections = append(p.Sections, render.Section{Title: "Records", Table: kinds})

	b := s.Budget
	title := fmt.Sprintf("Budget %d (%s, ", b.Year, b.Currency)
	if b.BudgetID != "" {
		title += b.BudgetID + " " + b.BudgetStatus + ")"
	} else {
		title += "no budget)"
	}
	bs := render.Section{Title: title, Empty: "No budget lines and no claims this year.",
		Table: &render.Table{Headers: []string{"CATEGORY", "BUDGET", "USED", "PENDING", "REMAINING", "USED %"}, Right: right(1, 2, 3, 4, 5)}}
	for _, l := range append(append([]BudgetLine(nil), b.Categories...), b.Total) {
		bs.Table.Add(l.Category, v.money(l.Budget), v.money(l.Approved.Add(l.Paid)), v.money(l.Pending), v.money(l.Remaining), l.PercentUsed)
		bs.Bars = append(bs.Bars, PercentValue(l.PercentUsed))
		bs.Warn = append(bs.Warn, l.Over)
	}
	p.Sections = append(p.Sections, bs)

	c := s.Complaints
	timing := func(name string, t Timing) string {
		if t.Measured == 0 && t.OpenBreaches == 0 {
			return name + ": nothing measured yet."
		}
		return fmt.Sprintf("%s: median %s, p90 %s; %s%% of %d within SLA; %s (%d still open).",
			name, numText(t.MedianHours, "h"), numText(t.P90Hours, "h"), t.WithinSLAPercent, t.Measured, plural(t.Breaches, "breach", "breaches"), t.OpenBreaches)
	}
	cs := render.Section{Title: fmt.Sprintf("Complaints %d: %d received, %d open, %d resolved awaiting close", c.Year, c.Received, c.Open, c.AwaitingClose),
		Lines: []string{
			timing("First response", c.Respond),
			timing("Resolution", c.Resolve),
			fmt.Sprintf("Satisfaction %s of 5; reopened %s%%, repeats %s%%.", numText(c.Satisfaction, ""), c.ReopenPercent, c.RepeatPercent),
		}}
	p.Sections = append(p.Sections, cs)
	past := render.Section{Title: fmt.Sprintf("Open complaints past SLA: %d", len(s.PastSLA)),
		Table: &render.Table{Headers: []string{"ID", "SEVERITY", "STATUS", "ASSIGNEE", "CLOCK", "OPEN FOR", "LIMIT", "TITLE"}, Right: map[int]bool{5: true, 6: true}}}
	for i, o := range s.PastSLA {
		if i == summaryListMax {
			past.Lines = append(past.Lines, fmt.Sprintf("… and %d more: opsbook report complaints", len(s.PastSLA)-i))
			break
		}
		past.Table.Add(o.ID, o.Severity, o.Status, orDash(o.Assignee), o.Clock, o.Open, o.Limit, render.Truncate(o.Title, 30))
		past.Warn = append(past.Warn, true)
	}
	p.Sections = append(p.Sections, past)

	fu := render.Section{Title: fmt.Sprintf("Appraisals needing improvement follow-up: %d", len(s.FollowUps)),
		Table: &render.Table{Headers: []string{"ID", "EMPLOYEE", "PERIOD", "RATING", "REVIEW DATE", "STATUS"}}}
	for i, f := range s.FollowUps {
		if i == summaryListMax {
			fu.Lines = append(fu.Lines, fmt.Sprintf("… and %d more: opsbook report appraisals", len(s.FollowUps)-i))
			break
		}
		fu.Table.Add(f.ID, f.Employee, orDash(orDefault(f.Period, f.Project)), f.Rating, orDash(f.ReviewDate), f.ImprovementStatus)
	}
	fu.Title += "; " + s.Training.line()
	p.Sections = append(p.Sections, fu)

	pl := s.Plans
	ps := render.Section{Title: fmt.Sprintf("Plans and projects: %s, %s, %s", plural(pl.Active, "active plan", "active plans"),
		plural(pl.OverdueTasks, "overdue task", "overdue tasks"), plural(pl.MissingChecks, "missing check", "missing checks"))}
	if len(pl.LateProjects) > 0 {
		ps.Lines = append(ps.Lines, "Past their planned end: "+strings.Join(pl.LateProjects, ", ")+".")
	}
	for i, g := range pl.ClosureGaps {
		if i == summaryListMax {
			ps.Lines = append(ps.Lines, fmt.Sprintf("… and %d more: opsbook report projects", len(pl.ClosureGaps)-i))
			break
		}
		var miss []string
		if g.MissingSummary {
			miss = append(miss, "summary")
		}
		if g.MissingLessons {
			miss = append(miss, "lessons")
		}
		if len(g.Unappraised) > 0 {
			miss = append(miss, "appraisals of "+strings.Join(g.Unappraised, ", "))
		}
		ps.Lines = append(ps.Lines, fmt.Sprintf("%s %s lacks %s.", g.ID, g.Status, strings.Join(miss, "; ")))
	}
	ps.Lines = append(ps.Lines, s.workLines()...)
	p.Sections = append(p.Sections, ps)

	val := fmt.Sprintf("Validation: %d errors, %d warnings", s.Validation.Errors, s.Validation.Warnings)
	if s.Validation.Errors+s.Validation.Warnings > 0 {
		val += " (opsbook validate)"
	}
	// the summary is the department's; each person's own list, with the
	// commands that act on it, is the inbox
	p.Sections = append(p.Sections, render.Section{Title: val, Lines: []string{i18n.T(msgInboxHint)}})
	return p
}

// msgInboxHint closes the summary: each person's own list is the inbox.
const msgInboxHint = "What waits on you, most urgent first: opsbook inbox (a manager's people: --for HANDLE)."
