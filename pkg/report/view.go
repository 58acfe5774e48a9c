package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
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
		return i18n.T("yes")
	}
	return i18n.T("no")
}

// state, severity, category, rating and kind are words from the records,
// shown in the reader's language.
func state(s string) string    { return i18n.Term("state", s) }
func severity(s string) string { return i18n.Term("severity", s) }
func rating(s string) string   { return i18n.Term("rating", s) }
func kindName(k string) string { return i18n.Term("kind", k) }

// groupKey shows a group's key in the reader's language: a category,
// severity, type or channel is a term; a month is as it is.
func groupKey(dim, key string) string {
	if key == "all" {
		return i18n.T("all")
	}
	switch dim {
	case "category", "severity", "type", "channel":
		return i18n.Term(dim, key)
	}
	return key
}

// typeCount is a count of complaints of one type: "13 complaints", "1
// inquiry" (in Chinese 投訴 13 件).
func typeCount(key string, n int) string {
	switch key {
	case "complaint":
		return i18n.Plural(n, "%d complaint", "%d complaints", n)
	case "inquiry":
		return i18n.Plural(n, "%d inquiry", "%d inquiries", n)
	}
	return fmt.Sprintf("%d %s", n, groupKey("type", key))
}

// dimHeader is the header of a dimension's column; dimTitle names the
// dimension in a title.
func dimHeader(dim string) string {
	switch dim {
	case "category":
		return i18n.T("CATEGORY")
	case "channel":
		return i18n.T("CHANNEL")
	case "severity":
		return i18n.T("SEVERITY")
	case "type":
		return i18n.T("TYPE")
	case "month":
		return i18n.T("MONTH")
	}
	return strings.ToUpper(dim)
}

// categoryCell is a budget line's category; the last row is the total.
func categoryCell(c string, total bool) string {
	if total {
		return i18n.T("total")
	}
	return i18n.Term("category", c)
}

// ageBucket is a backlog age bucket (<1d, 1-3d, …) in the reader's units.
func ageBucket(b string) string {
	if !i18n.IsChinese() {
		return b
	}
	return strings.ReplaceAll(b, "d", " 天")
}

// clockName is an SLA clock: respond or resolve.
func clockName(c string) string { return i18n.Term("clock", c) }

// improvement is an improvement status (missing, pending, overdue, …).
func improvement(s string) string { return i18n.Term("improvement", s) }

// kindCount is "3 meetings" for the summary's one-line phrase.
func kindCount(n int, kind string) string {
	if i18n.IsChinese() {
		return fmt.Sprintf("%s %d", kindName(kind), n)
	}
	if n == 1 {
		return "1 " + strings.ReplaceAll(kind, "-", " ")
	}
	return itoa(n) + " " + strings.ReplaceAll(record.Info(record.Kind(kind)).Plural, "-", " ")
}

func dimTitle(dim string) string {
	switch dim {
	case "category":
		return i18n.T("category")
	case "channel":
		return i18n.T("channel")
	case "severity":
		return i18n.T("severity")
	case "type":
		return i18n.T("type")
	case "month":
		return i18n.T("month")
	}
	return dim
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
	p := &render.Page{Title: i18n.Sprintf("Budget %d (%s)", b.Year, b.Currency)}
	switch {
	case b.BudgetID == "":
		p.Lines = append(p.Lines, i18n.Sprintf("No budget record for %d: every claim counts against a budget of 0.", b.Year))
	case b.BudgetStatus != "approved" && b.BudgetStatus != "closed":
		p.Lines = append(p.Lines, i18n.Sprintf("%s is %s: its lines count once it is approved.", b.BudgetID, state(b.BudgetStatus)))
	default:
		p.Lines = append(p.Lines, i18n.Sprintf("%s, %s.", b.BudgetID, state(b.BudgetStatus)))
	}
	t := b.Total
	used := t.Approved.Add(t.Paid)
	p.Lines = append(p.Lines, i18n.Sprintf("Budget %s, used %s (%s%%), pending %s, remaining %s.",
		v.money(t.Budget), v.money(used), t.PercentUsed, v.money(t.Pending), v.money(t.Remaining)))

	if v.show("category") {
		s := render.Section{Title: i18n.T("By category"), Empty: i18n.T("No budget lines and no claims in the year."),
			Table: &render.Table{Headers: render.Headers("CATEGORY", "BUDGET", "AMENDMENTS", "APPROVED", "PAID", "PENDING", "REMAINING", "USED %", "OVER"), Right: right(1, 2, 3, 4, 5, 6, 7),
				Narrow: []int{0, 1, 5, 6, 7, 8}, Narrowest: []int{0, 1, 6, 7, 8}}}
		lines := b.Categories
		if !v.Plain {
			lines = append(append([]BudgetLine(nil), lines...), b.Total)
		}
		total := len(b.Categories)
		chart := &render.Chart{Kind: render.PieChart, Title: i18n.T("Used (approved + paid) by category")}
		for i, l := range lines {
			s.Table.Add(categoryCell(l.Category, i == total), v.money(l.Budget), v.money(l.Amendments), v.money(l.Approved), v.money(l.Paid),
				v.money(l.Pending), v.money(l.Remaining), l.PercentUsed, yesNo(l.Over))
			s.Bars = append(s.Bars, PercentValue(l.PercentUsed))
			s.Warn = append(s.Warn, l.Over)
			if i < len(b.Categories) {
				u := l.Approved.Add(l.Paid)
				chart.Items = append(chart.Items, render.ChartItem{Label: i18n.Term("category", l.Category), Value: drawValue(u), Text: v.money(u)})
			}
		}
		if !used.IsZero() {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("project") {
		s := render.Section{Title: i18n.T("By project and category"), Lines: []string{i18n.T("Budget, remaining and used % only where the budget has a line for the project.")},
			Empty: i18n.T("No claims name a project in the year, and the budget has no project lines."),
			Table: &render.Table{Headers: render.Headers("PROJECT", "CATEGORY", "LINE BUDGET", "APPROVED", "PAID", "PENDING", "REMAINING", "USED %", "OVER", "TITLE"), Right: right(2, 3, 4, 5, 6, 7), Give: lastGives(10),
				Narrow: []int{0, 1, 4, 6, 7, 9}, Narrowest: []int{0, 1, 4, 6, 7}}}
		if v.Plain {
			s.Lines = nil
		}
		for _, ps := range b.Projects {
			pct := "—"
			if ps.PercentUsed != nil {
				pct = *ps.PercentUsed
			}
			s.Table.Add(ps.Project, i18n.Term("category", ps.Category), v.moneyPtr(ps.Budget), v.money(ps.Approved), v.money(ps.Paid), v.money(ps.Pending),
				v.moneyPtr(ps.Remaining), pct, yesNo(ps.Over), ps.Title)
			s.Bars = append(s.Bars, PercentValue(pct))
			s.Warn = append(s.Warn, ps.Over)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("month") {
		s := render.Section{Title: i18n.T("By month"), Empty: i18n.T("No approved, paid or submitted claims in the year."),
			Table: &render.Table{Headers: render.Headers("MONTH", "APPROVED", "PAID", "PENDING", "USED", "CUMULATIVE USED", "CUMULATIVE %"), Right: right(1, 2, 3, 4, 5, 6),
				Narrow: []int{0, 3, 4, 5, 6}}}
		chart := &render.Chart{Kind: render.BarChart, Title: i18n.T("Used (approved + paid) per month")}
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
	t := &render.Table{Headers: append([]string{dimHeader(dim)}, render.Headers("COUNT", "SHARE %", "OPEN",
		"RESPOND MEDIAN H", "RESPOND P90 H", "RESPOND IN SLA %", "RESOLVE MEDIAN H", "RESOLVE P90 H", "RESOLVE IN SLA %", "BREACHES")...),
		Right: right(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Narrow: []int{0, 1, 3, 6, 9, 10}}
	groups := c.Group(dim)
	if withAll {
		groups = append(append([]ComplaintGroup(nil), groups...), c.All)
	}
	for _, g := range groups {
		t.Add(groupKey(dim, g.Key), itoa(g.Count), g.Percent, itoa(g.Open),
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
	p := &render.Page{Title: i18n.Sprintf("Complaints %s (received %s to %s; as of %s)", c.Period, c.From, c.To, c.AsOf)}
	var types []string
	for _, g := range c.ByType {
		types = append(types, typeCount(g.Key, g.Count))
	}
	p.Lines = append(p.Lines, i18n.Sprintf("%d received (%s); %d open, %d resolved awaiting close.",
		c.Total, strings.Join(types, i18n.T(", ")), c.Backlog.Open, c.Backlog.AwaitingClose))
	if v.GroupBy != "" {
		s := render.Section{Title: i18n.Sprintf("By %s", dimTitle(v.GroupBy)), Table: c.groupTable(v.GroupBy, true)}
		chart := &render.Chart{Kind: render.PieChart, Title: i18n.Sprintf("Complaints by %s", dimTitle(v.GroupBy))}
		if v.GroupBy == "month" {
			chart.Kind = render.BarChart
		}
		for _, g := range c.Group(v.GroupBy) {
			s.Bars = append(s.Bars, PercentValue(g.Percent))
			chart.Items = append(chart.Items, render.ChartItem{Label: groupKey(v.GroupBy, g.Key), Value: float64(g.Count), Text: itoa(g.Count)})
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
		{i18n.T("First response against SLA (acknowledged_at − received_at)"), func(g ComplaintGroup) Timing { return g.Respond }, func(g ComplaintGroup) *int { return g.SLARespondHours }},
		{i18n.T("Resolution against SLA (resolution.resolved_at − received_at)"), func(g ComplaintGroup) Timing { return g.Resolve }, func(g ComplaintGroup) *int { return g.SLAResolveHours }},
	} {
		s := render.Section{Title: clk.title,
			Table: &render.Table{Headers: render.Headers("SEVERITY", "COUNT", "SLA H", "MEASURED", "MEDIAN H", "P90 H", "IN SLA", "IN SLA %", "BREACHES", "STILL OPEN"), Right: right(1, 2, 3, 4, 5, 6, 7, 8, 9),
				Narrow: []int{0, 1, 2, 4, 5, 7, 8}}}
		for _, g := range append(append([]ComplaintGroup(nil), c.BySeverity...), c.All) {
			tm := clk.pick(g)
			lim := "—"
			if l := clk.limit(g); l != nil {
				lim = itoa(*l)
			}
			s.Table.Add(groupKey("severity", g.Key), itoa(g.Count), lim, itoa(tm.Measured), numText(tm.MedianHours, ""), numText(tm.P90Hours, ""),
				itoa(tm.WithinSLA), inSLA(tm), itoa(tm.Breaches), itoa(tm.OpenBreaches))
			s.Bars = append(s.Bars, PercentValue(inSLA(tm)))
			s.Warn = append(s.Warn, tm.Breaches > 0)
		}
		p.Sections = append(p.Sections, s)
	}
	p.Sections[0].Lines = []string{i18n.T("Median and p90 by nearest rank over the measured (stopped) clocks; breaches include clocks still running past the SLA.")}

	for _, dim := range []string{"category", "channel", "severity", "type"} {
		s := render.Section{Title: i18n.Sprintf("Volume by %s", dimTitle(dim)),
			Table: &render.Table{Headers: append([]string{dimHeader(dim)}, render.Headers("COUNT", "SHARE %", "OPEN")...), Right: right(1, 2, 3)}}
		chart := &render.Chart{Kind: render.PieChart}
		for _, g := range c.Group(dim) {
			s.Table.Add(groupKey(dim, g.Key), itoa(g.Count), g.Percent, itoa(g.Open))
			s.Bars = append(s.Bars, PercentValue(g.Percent))
			if g.Count > 0 {
				chart.Items = append(chart.Items, render.ChartItem{Label: groupKey(dim, g.Key), Value: float64(g.Count), Text: itoa(g.Count)})
			}
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}

	sat := c.Satisfaction
	s := render.Section{Title: i18n.T("Satisfaction"),
		Lines: []string{i18n.Sprintf("Average %s of 5 from %s; %d unreachable; %d resolved or closed without a score.",
			numText(sat.Average, ""), i18n.Plural(sat.Scored, "%d score", "%d scores", sat.Scored), sat.Unreachable, sat.Unscored)},
		Table: &render.Table{Headers: render.Headers("SCORE", "COUNT", "SHARE %"), Right: right(1, 2)}}
	chart := &render.Chart{Kind: render.BarChart, Title: i18n.T("Scores")}
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

	p.Sections = append(p.Sections, render.Section{Title: i18n.T("Reopen and repeat rates"), Lines: []string{
		i18n.Sprintf("Reopened: %d of %d resolved at least once (%s%%)%s. Counted from the files: state reopened, or investigating again with a resolution.",
			c.Reopen.Count, c.Reopen.Of, c.Reopen.Percent, idList(c.Reopen.IDs)),
		i18n.Sprintf("Repeats: %d of %d (%s%%)%s. A repeat names (related) an earlier complaint of the same customer.",
			c.Repeat.Count, c.Repeat.Of, c.Repeat.Percent, idList(c.Repeat.IDs)),
	}})

	bl := render.Section{Title: i18n.Sprintf("Open backlog by age (%d open: received, acknowledged, investigating, reopened)", c.Backlog.Open),
		Table: &render.Table{Headers: render.Headers("AGE", "COUNT", "SHARE %"), Right: right(1, 2)}}
	for _, b := range c.Backlog.Buckets {
		pct := percentOf(b.Count, c.Backlog.Open)
		bl.Table.Add(ageBucket(b.Bucket), itoa(b.Count), pct)
		bl.Bars = append(bl.Bars, PercentValue(pct))
	}
	p.Sections = append(p.Sections, bl)
	items := render.Section{Title: i18n.T("Open complaints"), Empty: i18n.T("None."),
		Table: &render.Table{Headers: render.Headers("ID", "SEVERITY", "STATUS", "ASSIGNEE", "AGE H", "PAST SLA", "TITLE"), Right: right(4), Give: lastGives(7),
			Narrow: []int{0, 1, 2, 3, 5, 6}}}
	for _, it := range c.Backlog.Items {
		items.Table.Add(it.ID, severity(it.Severity), state(it.Status), orDash(it.Assignee), string(it.AgeHours), yesNo(it.PastSLA), it.Title)
		items.Warn = append(items.Warn, it.PastSLA)
	}
	p.Sections = append(p.Sections, items)

	br := render.Section{Title: i18n.Sprintf("SLA breaches (%d)", len(c.Breaches)), Empty: i18n.T("None."),
		Table: &render.Table{Headers: render.Headers("ID", "SEVERITY", "STATUS", "CLOCK", "HOURS", "LIMIT H", "STILL OPEN"), Right: right(4, 5), Narrow: []int{0, 1, 2, 3, 4, 6}}}
	for _, b := range c.Breaches {
		br.Table.Add(b.ID, severity(b.Severity), state(b.Status), clockName(b.Clock), string(b.Hours), itoa(b.LimitHours), yesNo(b.Open))
	}
	p.Sections = append(p.Sections, br)
	return p
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return i18n.Sprintf(": %s", strings.Join(ids, i18n.T(", ")))
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
	h := render.Headers("PERIOD", "APPRAISALS", "DRAFTS")
	for _, r := range RatingNames {
		if i18n.IsChinese() {
			h = append(h, rating(r))
		} else {
			h = append(h, strings.ToUpper(r))
		}
	}
	h = append(h, i18n.T("AVERAGE TOTAL"))
	// narrow: the distribution alone (the ratings add up to the appraisals
	// past draft)
	t := &render.Table{Headers: h, Right: right(1, 2, 3, 4, 5, 6, 7, 8), Narrow: []int{0, 3, 4, 5, 6, 7}}
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
	t := &render.Table{Headers: render.Headers("PERIOD", "INDICATOR", "COUNT", "AVERAGE SCORE"), Right: right(2, 3)}
	for _, g := range a.Groups {
		for _, in := range g.Indicators {
			t.Add(g.Label(), in.Name, itoa(in.Count), string(in.Average))
		}
	}
	return t
}

// Page lays the appraisals report out.
func (a *Appraisals) Page(v View) *render.Page {
	title := i18n.Sprintf("Appraisals, every period (as of %s)", a.AsOf)
	if a.Period != "" {
		title = i18n.Sprintf("Appraisals %s (as of %s)", a.Period, a.AsOf)
	}
	p := &render.Page{Title: title,
		Lines: []string{i18n.T("Ratings follow from the indicators under the policy's thresholds; drafts are counted but left out of the figures.")}}
	if a.LastPeriod != "" {
		line := i18n.Sprintf("Everyone on the staff has an appraisal of %s, the last finished period.", a.LastPeriod)
		if len(a.Unappraised) > 0 {
			line = i18n.Sprintf("Without an appraisal of %s, the last finished period: %s.", a.LastPeriod, i18n.JoinStrings(i18n.P(", "), a.Unappraised))
		}
		p.Lines = append(p.Lines, line)
	}
	for _, d := range a.Duplicates {
		what := strings.Join(slices.DeleteFunc([]string{d.Period, d.Project}, func(s string) bool { return s == "" }), i18n.T(", "))
		p.Lines = append(p.Lines, i18n.Sprintf("%s is appraised more than once for %s: counted once, by %s; left out: %s (appraisal-duplicate).", d.Employee, what, d.Counted, strings.Join(d.LeftOut, i18n.T(", "))))
	}
	if v.show("period") {
		s := render.Section{Title: i18n.T("Ratings by period"), Table: a.periodTable(), Empty: i18n.T("No appraisals.")}
		total := map[string]int{}
		for _, g := range a.Groups {
			for _, r := range g.Ratings {
				total[r.Rating] += r.Count
			}
		}
		chart := &render.Chart{Kind: render.PieChart, Title: i18n.T("Ratings, all periods shown")}
		for _, r := range RatingNames {
			if total[r] > 0 {
				chart.Items = append(chart.Items, render.ChartItem{Label: rating(r), Value: float64(total[r]), Text: itoa(total[r])})
			}
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("indicator") {
		for _, g := range a.Groups {
			s := render.Section{Title: i18n.Sprintf("Average score per indicator, %s", g.Label()), Empty: i18n.T("No appraisals past draft."),
				Table: &render.Table{Headers: render.Headers("INDICATOR", "COUNT", "AVERAGE SCORE"), Right: right(1, 2)}}
			for _, in := range g.Indicators {
				s.Table.Add(in.Name, itoa(in.Count), string(in.Average))
				s.Bars = append(s.Bars, PercentValue(string(in.Average)))
			}
			p.Sections = append(p.Sections, s)
		}
	}
	if v.GroupBy == "" {
		s := render.Section{Title: i18n.T("Below standard and their improvement"), Empty: i18n.T("Nobody rated below or unsatisfactory."),
			Table: &render.Table{Headers: render.Headers("ID", "EMPLOYEE", "PERIOD", "TOTAL", "RATING", "IMPROVEMENT", "REVIEW DATE", "FOLLOW-UP", "STATUS"), Right: right(3),
				Narrow: []int{0, 1, 4, 6, 8}}}
		for _, b := range a.BelowStandard {
			fu := "—"
			if b.FollowUp != "" {
				fu = i18n.Sprintf("%s (%s, %s)", b.FollowUp, rating(b.FollowUpRating), state(b.FollowUpStatus))
			}
			review := orDash(b.ReviewDate)
			if b.ReviewDue {
				review += i18n.T(" (passed)")
			}
			s.Table.Add(b.ID, b.Employee, orDash(orDefault(b.Period, b.Project)), string(b.Total), rating(b.Rating), yesNo(b.Improvement), review, fu, improvement(b.ImprovementStatus))
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

// stateTable lists states with their ids under the header what (a
// catalog key: PROJECTS, PLANS); limit > 0 shows at most that many ids per
// state (for people; CSV gets them all).
// i18n:format 1
func stateTable(states []StateCount, what string, limit int) *render.Table {
	t := &render.Table{Headers: append(render.Headers("STATE", "COUNT", "SHARE %"), i18n.T(what)), Right: right(1, 2)}
	for _, s := range states {
		ids := s.IDs
		more := ""
		if limit > 0 && len(ids) > limit {
			ids, more = ids[:limit], fmt.Sprintf(" … (+%d)", len(ids)-limit)
		}
		t.Add(state(s.State), itoa(s.Count), s.Percent, strings.Join(ids, " ")+more)
	}
	return t
}

// idLimit is how many ids a state row shows on a page.
const idLimit = 5

// lastGives marks the last of n columns (a title, the widest free text)
// as the one a narrow terminal cuts first, so that a state, a date or a
// handle stays whole while it can.
func lastGives(n int) map[int]bool { return map[int]bool{n - 1: true} }

// wrapList joins parts with ", " (in the reader's language), breaking the
// line (a newline inside the cell, which a terminal table shows as a second
// line and TSV as a space) before it passes width display columns.
func wrapList(parts []string, width int) string {
	sep := i18n.T(", ")
	brk := strings.TrimRight(sep, " ") + "\n"
	sw := cells.Width(sep)
	var b strings.Builder
	col := 0
	for i, p := range parts {
		w := cells.Width(p)
		if i > 0 {
			if col+sw+w > width {
				b.WriteString(brk)
				col = 0
			} else {
				b.WriteString(sep)
				col += sw
			}
		}
		b.WriteString(p)
		col += w
	}
	return b.String()
}

func (pr *Projects) projectTable() *render.Table {
	t := &render.Table{Headers: render.Headers("ID", "STATE", "OWNER", "TEAM", "PLANNED END", "LATE", "ACTIVE PLAN", "TITLE"), Right: right(3), Give: lastGives(8),
		Narrow: []int{0, 1, 2, 4, 5, 7}}
	for _, r := range pr.Projects {
		t.Add(r.ID, state(r.Status), r.Owner, itoa(r.Team), orDash(r.PlannedEnd), yesNo(r.Late), orDash(r.ActivePlan), r.Title)
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
	t := &render.Table{Headers: render.Headers("OWNER", "PROJECTS", "OPEN", "LATE"), Right: right(1, 2, 3)}
	for _, o := range owners {
		t.Add(o, itoa(m[o].total), itoa(m[o].open), itoa(m[o].late))
	}
	return t
}

// Page lays the projects report out.
func (pr *Projects) Page(v View) *render.Page {
	title := i18n.Sprintf("Projects, all years (%d; as of %s)", pr.Total, pr.AsOf)
	if pr.Period != "" {
		title = i18n.Sprintf("Projects created in %s (%d; as of %s)", pr.Period[:4], pr.Total, pr.AsOf)
	}
	p := &render.Page{Title: title}
	if v.show("state") {
		s := render.Section{Title: i18n.T("Pipeline by state"), Table: stateTable(pr.Pipeline, "PROJECTS", idLimit)}
		chart := &render.Chart{Kind: render.PieChart}
		for _, st := range pr.Pipeline {
			s.Bars = append(s.Bars, PercentValue(st.Percent))
			if st.Count > 0 {
				chart.Items = append(chart.Items, render.ChartItem{Label: state(st.State), Value: float64(st.Count), Text: itoa(st.Count)})
			}
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("project") {
		s := render.Section{Title: i18n.T("Projects"), Table: pr.projectTable(), Empty: i18n.T("No projects.")}
		for _, r := range pr.Projects {
			s.Warn = append(s.Warn, r.Late)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("owner") && v.GroupBy != "" {
		p.Sections = append(p.Sections, render.Section{Title: i18n.T("By owner"), Table: pr.ownerTable()})
	}
	if v.GroupBy == "" {
		s := render.Section{Title: i18n.T("Closing or closed without what closing needs (summary, lessons, team appraisals)"), Empty: i18n.T("None."),
			Table: &render.Table{Headers: render.Headers("ID", "STATE", "SUMMARY", "LESSONS", "UNAPPRAISED TEAM MEMBERS", "TITLE"), Give: lastGives(6),
				Narrow: []int{0, 1, 2, 3, 4}}}
		for _, g := range pr.ClosureGaps {
			s.Table.Add(g.ID, state(g.Status), missing(g.MissingSummary), missing(g.MissingLessons), orDash(strings.Join(g.Unappraised, i18n.T(", "))), g.Title)
			s.Warn = append(s.Warn, g.Status == "closed")
		}
		p.Sections = append(p.Sections, s)
	}
	return p
}

func missing(b bool) string {
	if b {
		return i18n.T("missing")
	}
	return i18n.T("ok")
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
	t := &render.Table{Headers: render.Headers("ID", "PROJECT", "STATE", "REVISION", "TASKS", "DONE", "OVERDUE", "LAST CHECK", "CHECK MISSING", "TITLE"), Right: right(3, 4, 5, 6), Give: lastGives(10),
		Narrow: []int{0, 2, 4, 6, 7, 9}}
	for _, r := range pl.Plans {
		t.Add(r.ID, r.Project, state(r.Status), r.Revision, itoa(r.Tasks), itoa(r.TasksDone), itoa(r.OverdueTasks), orDash(r.LastCheck), yesNo(r.CheckMissing), r.Title)
	}
	return t
}

func (pl *Plans) kpiTable() *render.Table {
	t := &render.Table{Headers: render.Headers("PLAN", "KPI", "TARGET", "UNIT", "DUE", "ACTUAL", "MEASURED ON", "SOURCE", "% OF TARGET", "SERIES"), Right: right(2, 5, 8),
		Narrow: []int{0, 1, 2, 5, 8}}
	for _, k := range pl.KPIs {
		pct := "—"
		if k.PercentOfTarget != nil {
			pct = *k.PercentOfTarget
		}
		// each measurement with its date and who took it, in the reader's
		// punctuation: 4.3 (2026-11-05, sun.li); 4.3（2026-11-05，sun.li）
		var series []string
		for _, m := range k.Series {
			when := m.Date
			if m.By != "" {
				when = i18n.Sprintf("%s, %s", when, m.By)
			}
			series = append(series, i18n.Sprintf("%s (%s)", string(m.Value), when))
		}
		t.Add(k.Plan, k.KPI, string(k.Target), k.Unit, orDash(k.Due), numText(k.Actual, ""), orDash(k.MeasuredOn), orDash(i18n.Term("source", k.Source)), pct, orDash(strings.Join(series, i18n.T("; "))))
	}
	return t
}

func (pl *Plans) taskTable() *render.Table {
	t := &render.Table{Headers: render.Headers("PLAN", "PROJECT", "DUE", "DAYS OVERDUE", "STATUS", "ASSIGNEE", "TASK"), Right: right(3), Give: lastGives(7),
		Narrow: []int{0, 2, 3, 4, 5, 6}}
	for _, o := range pl.OverdueTasks {
		t.Add(o.Plan, o.Project, o.Due, itoa(o.DaysOverdue), state(o.Status), orDash(o.Assignee), o.Title)
	}
	return t
}

func (pl *Plans) checkTable() *render.Table {
	t := &render.Table{Headers: render.Headers("PLAN", "PROJECT", "AUTHOR", "LAST CHECK", "DAYS SINCE", "INTERVAL DAYS"), Right: right(4, 5), Narrow: []int{0, 2, 3, 4}}
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
	title := i18n.Sprintf("Plans, all years (%d; as of %s)", pl.Total, pl.AsOf)
	if pl.Period != "" {
		title = i18n.Sprintf("Plans created in %s (%d; as of %s)", pl.Period[:4], pl.Total, pl.AsOf)
	}
	p := &render.Page{Title: title}
	if v.show("state") {
		s := render.Section{Title: i18n.T("Plans by state"), Table: stateTable(pl.States, "PLANS", idLimit)}
		for _, st := range pl.States {
			s.Bars = append(s.Bars, PercentValue(st.Percent))
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("plan") {
		s := render.Section{Title: i18n.T("Plans"), Table: pl.planTable(), Empty: i18n.T("No plans.")}
		for _, r := range pl.Plans {
			s.Warn = append(s.Warn, r.OverdueTasks > 0 || r.CheckMissing)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("task") {
		p.Sections = append(p.Sections, render.Section{Title: i18n.Sprintf("Overdue tasks of active plans (%d)", len(pl.OverdueTasks)), Table: pl.taskTable(), Empty: i18n.T("None.")})
	}
	if v.show("kpi") {
		s := render.Section{Title: i18n.T("KPIs of active and completed plans: latest measurement against target"), Table: pl.kpiTable(), Empty: i18n.T("No goals.")}
		chart := &render.Chart{Kind: render.BarChart, Title: i18n.T("% of target"), Unit: "%", Max: 100}
		for _, k := range pl.KPIs {
			v, text := 0.0, i18n.T("not measured")
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
			n := pl.MissingChecks[0].IntervalDays
			interval = i18n.Plural(n, ", every %d day", ", every %d days", n)
		}
		p.Sections = append(p.Sections, render.Section{Title: i18n.Sprintf("Active plans missing a progress check (%d%s)", len(pl.MissingChecks), interval),
			Table: pl.checkTable(), Empty: i18n.T("None: every active plan was checked within the interval.")})
	}
	return p
}

// summaryListMax caps the lists on the summary screen; the reports have the
// rest.
const summaryListMax = 5

// Page lays the summary out on about one screen.
func (s *Summary) Page() *render.Page {
	v := View{}
	p := &render.Page{Title: i18n.Sprintf("opsbook summary as of %s", s.AsOf)}
	kinds := &render.Table{Headers: render.Headers("KIND", "TOTAL", "BY STATE"), Right: right(1)}
	var who, team []string
	for _, k := range s.Kinds {
		switch record.Kind(k.Kind) {
		case record.Person:
			who = append(who, i18n.Plural(k.Total, "%d person (%d active)", "%d people (%d active)", k.Total, k.States["active"]))
			continue
		case record.Customer:
			who = append(who, i18n.Plural(k.Total, "%d customer", "%d customers", k.Total))
			continue
		case record.TrainingPlan, record.Training, record.Violation, record.Meeting, record.Task, record.StatusReport, record.Analysis:
			// the team's and the coordination kinds in one phrase, to keep the summary on a screen
			// (their states are in -o json and `opsbook list`)
			team = append(team, kindCount(k.Total, k.Kind))
			continue
		case record.OpsPlan:
			// one a year: the year's plan is named in the line above
			continue
		}
		var parts []string
		for _, st := range StateOrder[record.Kind(k.Kind)] {
			if n := k.States[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", state(st), n))
			}
		}
		kinds.Add(kindName(k.Kind), itoa(k.Total), wrapList(parts, 64))
	}
	if s.OpsPlan != nil {
		who = append(who, i18n.Sprintf("operations plan %s %s", s.OpsPlan.ID, state(s.OpsPlan.Status)))
	} else {
		who = append(who, i18n.Sprintf("no operations plan for %s", s.AsOf[:4]))
	}
	// clauses, which Chinese separates by ，(a list of items takes 、)
	line := who[0]
	for _, w := range who[1:] {
		line = i18n.Sprintf("%s, %s", line, w)
	}
	if len(team) > 0 {
		line += i18n.T("; ") + strings.Join(team, i18n.T(", "))
	}
	p.Lines = append(p.Lines, line+i18n.T("."))
	p.Sections = append(p.Sections, render.Section{Title: i18n.T("Records"), Table: kinds})

	b := s.Budget
	title := i18n.Sprintf("Budget %d (%s, no budget)", b.Year, b.Currency)
	if b.BudgetID != "" {
		title = i18n.Sprintf("Budget %d (%s, %s %s)", b.Year, b.Currency, b.BudgetID, state(b.BudgetStatus))
	}
	bs := render.Section{Title: title, Empty: i18n.T("No budget lines and no claims in the year."),
		Table: &render.Table{Headers: render.Headers("CATEGORY", "BUDGET", "USED", "PENDING", "REMAINING", "USED %"), Right: right(1, 2, 3, 4, 5),
			Narrow: []int{0, 1, 2, 4, 5}, Narrowest: []int{0, 1, 2, 5}}}
	for i, l := range append(append([]BudgetLine(nil), b.Categories...), b.Total) {
		bs.Table.Add(categoryCell(l.Category, i == len(b.Categories)), v.money(l.Budget), v.money(l.Approved.Add(l.Paid)), v.money(l.Pending), v.money(l.Remaining), l.PercentUsed)
		bs.Bars = append(bs.Bars, PercentValue(l.PercentUsed))
		bs.Warn = append(bs.Warn, l.Over)
	}
	p.Sections = append(p.Sections, bs)

	c := s.Complaints
	timing := func(name string, t Timing) string {
		if t.Measured == 0 && t.OpenBreaches == 0 {
			return i18n.Sprintf("%s: nothing measured yet.", name)
		}
		return i18n.Sprintf("%s: median %s, p90 %s; %s%% of %d within SLA; %s (%d still open).",
			name, numText(t.MedianHours, "h"), numText(t.P90Hours, "h"), t.WithinSLAPercent, t.Measured, i18n.Plural(t.Breaches, "%d breach", "%d breaches", t.Breaches), t.OpenBreaches)
	}
	cs := render.Section{Title: i18n.Sprintf("Complaints %d: %d received, %d open, %d resolved awaiting close", c.Year, c.Received, c.Open, c.AwaitingClose),
		Lines: []string{
			timing(i18n.T("First response"), c.Respond),
			timing(i18n.T("Resolution"), c.Resolve),
			i18n.Sprintf("Satisfaction %s of 5; reopened %s%%, repeats %s%%.", numText(c.Satisfaction, ""), c.ReopenPercent, c.RepeatPercent),
		}}
	p.Sections = append(p.Sections, cs)
	past := render.Section{Title: i18n.Sprintf("Open complaints past SLA: %d", len(s.PastSLA)),
		Table: &render.Table{Headers: render.Headers("ID", "SEVERITY", "STATUS", "ASSIGNEE", "CLOCK", "OPEN FOR", "LIMIT", "TITLE"), Right: map[int]bool{5: true, 6: true}, Give: lastGives(8),
			Narrow: []int{0, 1, 2, 3, 5, 7}, Narrowest: []int{0, 1, 5, 7}}}
	for i, o := range s.PastSLA {
		if i == summaryListMax {
			past.After = append(past.After, i18n.Sprintf("… and %d more: opsbook report complaints", len(s.PastSLA)-i))
			break
		}
		past.Table.Add(o.ID, severity(o.Severity), state(o.Status), orDash(o.Assignee), clockName(o.Clock), o.Open, o.Limit, o.Title)
		past.Warn = append(past.Warn, true)
	}
	p.Sections = append(p.Sections, past)

	fu := render.Section{Title: i18n.Sprintf("Appraisals needing improvement follow-up: %d", len(s.FollowUps)),
		Table: &render.Table{Headers: render.Headers("ID", "EMPLOYEE", "PERIOD", "RATING", "REVIEW DATE", "STATUS"),
			Narrow: []int{0, 1, 3, 4, 5}}}
	for i, f := range s.FollowUps {
		if i == summaryListMax {
			fu.After = append(fu.After, i18n.Sprintf("… and %d more: opsbook report appraisals", len(s.FollowUps)-i))
			break
		}
		fu.Table.Add(f.ID, f.Employee, orDash(orDefault(f.Period, f.Project)), rating(f.Rating), orDash(f.ReviewDate), improvement(f.ImprovementStatus))
	}
	fu.Title += i18n.T("; ") + s.Training.line()
	p.Sections = append(p.Sections, fu)

	pl := s.Plans
	ps := render.Section{Title: i18n.Sprintf("Plans and projects: %s, %s, %s", i18n.Plural(pl.Active, "%d active plan", "%d active plans", pl.Active),
		i18n.Plural(pl.OverdueTasks, "%d overdue task", "%d overdue tasks", pl.OverdueTasks),
		i18n.Plural(pl.MissingChecks, "%d missing check", "%d missing checks", pl.MissingChecks))}
	if len(pl.LateProjects) > 0 {
		ps.Lines = append(ps.Lines, i18n.Sprintf("Past their planned end: %s.", strings.Join(pl.LateProjects, i18n.T(", "))))
	}
	for i, g := range pl.ClosureGaps {
		if i == summaryListMax {
			ps.After = append(ps.After, i18n.Sprintf("… and %d more: opsbook report projects", len(pl.ClosureGaps)-i))
			break
		}
		var miss []string
		if g.MissingSummary {
			miss = append(miss, i18n.T("summary"))
		}
		if g.MissingLessons {
			miss = append(miss, i18n.T("lessons"))
		}
		if len(g.Unappraised) > 0 {
			// the handles as a list of the reader's language (zhou.jie、sun.li)
			miss = append(miss, i18n.Sprintf("appraisals of %s", strings.Join(g.Unappraised, i18n.T(", "))))
		}
		ps.Lines = append(ps.Lines, i18n.Sprintf("%s (%s) lacks %s.", g.ID, state(g.Status), strings.Join(miss, i18n.T("; "))))
	}
	ps.Lines = append(ps.Lines, s.workLines()...)
	p.Sections = append(p.Sections, ps)

	val := i18n.Sprintf("Validation: %s, %s", i18n.Plural(s.Validation.Errors, "%d error", "%d errors", s.Validation.Errors),
		i18n.Plural(s.Validation.Warnings, "%d warning", "%d warnings", s.Validation.Warnings))
	if s.Validation.Errors+s.Validation.Warnings > 0 {
		val += i18n.T(" (opsbook validate)")
	}
	// the summary is the department's; each person's own list, with the
	// commands that act on it, is the inbox
	p.Sections = append(p.Sections, render.Section{Title: val, Lines: []string{i18n.T(msgInboxHint)}})
	return p
}

// msgInboxHint closes the summary: each person's own list is the inbox.
const msgInboxHint = "What waits on you, most urgent first: opsbook inbox (a manager's people: --for HANDLE)."
