package report

import (
	"sort"
	"strconv"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Tasks is the work report: everything assigned to someone with a due
// date, from three places — tasks (TSK), the tasks of active and completed
// plans, and the action items of published and closed meetings — per
// person: open, overdue, done, and done on time.
type Tasks struct {
	Period  string       `json:"period"` // "" for every due date
	AsOf    string       `json:"as_of"`
	People  []PersonWork `json:"people"`
	Total   PersonWork   `json:"total"`
	Overdue []WorkItem   `json:"overdue"`
}

// PersonWork is one person's work. Done items count as on time when their
// done date is on or before their due date, late when after, and undated
// when either date is missing (plan tasks written before tasks carried a
// done date). The on-time rate is on time / (on time + late).
type PersonWork struct {
	Person        string  `json:"person"`
	Name          string  `json:"name"`
	Assigned      int     `json:"assigned"`
	Open          int     `json:"open"`
	Overdue       int     `json:"overdue"`
	Done          int     `json:"done"`
	OnTime        int     `json:"on_time"`
	Late          int     `json:"late"`
	Undated       int     `json:"undated"`
	OnTimePercent *string `json:"on_time_percent"` // null when nothing done has both dates
}

// WorkItem is one overdue piece of work.
type WorkItem struct {
	Source      string `json:"source"` // task, plan, meeting
	Record      string `json:"record"`
	Item        string `json:"item"` // the list item's path ("tasks.2"); "" for a task
	Title       string `json:"title"`
	Person      string `json:"person"`
	Due         string `json:"due"`
	Status      string `json:"status"`
	DaysOverdue int    `json:"days_overdue"`
}

// work is one item of any source.
type work struct {
	WorkItem
	open bool
	done string // the done date, when done
}

// collectWork lists every item the report counts: tasks that are not
// cancelled; the tasks of active plans and the done tasks of completed
// ones (a superseded plan's tasks live on in its revision); the action
// items of published and closed meetings, except dropped ones.
func collectWork(set *record.Set) []work {
	var out []work
	for _, t := range set.OfKind(record.Task) {
		st := t.Status()
		if st == "cancelled" {
			continue
		}
		out = append(out, work{WorkItem: WorkItem{Source: "task", Record: t.ID, Title: t.Title(), Person: t.Str("assignee"), Due: t.Str("due"), Status: st},
			open: st == "open" || st == "doing", done: t.Str("done")})
	}
	for _, p := range set.OfKind(record.Plan) {
		st := p.Status()
		if st != "active" && st != "completed" {
			continue
		}
		for i := range p.List("tasks") {
			path := "tasks." + strconv.Itoa(i)
			status := p.Str(path + ".status")
			if status == "" {
				status = "todo"
			}
			if st == "completed" && status != "done" {
				continue
			}
			out = append(out, work{WorkItem: WorkItem{Source: "plan", Record: p.ID, Item: path, Title: p.Str(path + ".title"), Person: p.Str(path + ".assignee"),
				Due: p.Str(path + ".due"), Status: status}, open: status != "done", done: p.Str(path + ".done")})
		}
	}
	for _, m := range set.OfKind(record.Meeting) {
		if !rules.MeetingHeld(m) {
			continue
		}
		for i := range m.List("actions") {
			path := "actions." + strconv.Itoa(i)
			status := m.Str(path + ".status")
			if status == "" {
				status = "open"
			}
			if status == "dropped" {
				continue
			}
			out = append(out, work{WorkItem: WorkItem{Source: "meeting", Record: m.ID, Item: path, Title: m.Str(path + ".title"), Person: m.Str(path + ".owner"),
				Due: m.Str(path + ".due"), Status: status}, open: rules.ActionOpen(status), done: m.Str(path + ".done")})
		}
	}
	return out
}

// TasksReport computes the work report as of c.Now, for the items due in
// sel (nil: every item; an item without a due date counts only then).
func TasksReport(c *rules.Context, sel *Period) *Tasks {
	rep := &Tasks{AsOf: c.Now.Format(dateLayout), People: []PersonWork{}, Overdue: []WorkItem{}, Total: PersonWork{Person: "total"}}
	if sel != nil {
		rep.Period = sel.Label
	}
	byPerson := map[string]*PersonWork{}
	for _, w := range collectWork(c.Set) {
		if sel != nil && (w.Due == "" || !sel.Contains(w.Due)) {
			continue
		}
		pw := byPerson[w.Person]
		if pw == nil {
			pw = &PersonWork{Person: w.Person}
			if p := c.Set.Get(w.Person); p != nil && p.Kind == record.Person {
				pw.Name = p.Title()
			}
			byPerson[w.Person] = pw
		}
		for _, t := range []*PersonWork{pw, &rep.Total} {
			t.Assigned++
			switch {
			case w.open:
				t.Open++
			default:
				t.Done++
				switch {
				case w.done == "" || w.Due == "":
					t.Undated++
				case w.done <= w.Due:
					t.OnTime++
				default:
					t.Late++
				}
			}
		}
		if w.open && w.Due != "" && w.Due < rep.AsOf {
			pw.Overdue++
			rep.Total.Overdue++
			days, _ := rules.DaysSince(c.Now, w.Due)
			w.DaysOverdue = days
			rep.Overdue = append(rep.Overdue, w.WorkItem)
		}
	}
	for _, pw := range byPerson {
		pw.OnTimePercent = onTimePercent(pw)
		rep.People = append(rep.People, *pw)
	}
	rep.Total.OnTimePercent = onTimePercent(&rep.Total)
	sort.Slice(rep.People, func(i, j int) bool { return rep.People[i].Person < rep.People[j].Person })
	sort.SliceStable(rep.Overdue, func(i, j int) bool {
		a, b := rep.Overdue[i], rep.Overdue[j]
		if a.DaysOverdue != b.DaysOverdue {
			return a.DaysOverdue > b.DaysOverdue
		}
		return a.Record+a.Item < b.Record+b.Item
	})
	return rep
}

func onTimePercent(pw *PersonWork) *string {
	if pw.OnTime+pw.Late == 0 {
		return nil
	}
	s := percentOf(pw.OnTime, pw.OnTime+pw.Late)
	return &s
}

// Table returns the work report's table for CSV: per person (default) or
// the overdue items (--group-by overdue).
func (t *Tasks) Table(v View) *render.Table {
	if v.GroupBy == "overdue" {
		return t.overdueTable()
	}
	return t.personTable(false)
}

func (t *Tasks) personTable(total bool) *render.Table {
	tab := &render.Table{Headers: render.Headers("PERSON", "ASSIGNED", "OPEN", "OVERDUE", "DONE", "ON TIME", "DONE LATE", "UNDATED", "ON-TIME %", "NAME"), Right: right(1, 2, 3, 4, 5, 6, 7, 8),
		Narrow: []int{0, 1, 2, 3, 4, 8, 9}}
	rows := t.People
	if total {
		rows = append(append([]PersonWork(nil), rows...), t.Total)
	}
	for i, p := range rows {
		total := total && i == len(rows)-1
		pct := "—"
		if p.OnTimePercent != nil {
			pct = *p.OnTimePercent
		}
		person := p.Person
		if total && person == "total" {
			person = i18n.T("total")
		}
		tab.Add(orDash(person), itoa(p.Assigned), itoa(p.Open), itoa(p.Overdue), itoa(p.Done), itoa(p.OnTime), itoa(p.Late), itoa(p.Undated), pct, p.Name)
	}
	return tab
}

func (t *Tasks) overdueTable() *render.Table {
	tab := &render.Table{Headers: render.Headers("SOURCE", "RECORD", "ITEM", "PERSON", "DUE", "DAYS OVERDUE", "STATUS", "TITLE"), Right: right(5), Give: lastGives(8),
		Narrow: []int{1, 3, 4, 5, 6, 7}}
	for _, w := range t.Overdue {
		tab.Add(i18n.Term("source", w.Source), w.Record, orDash(w.Item), orDash(w.Person), w.Due, itoa(w.DaysOverdue), state(w.Status), w.Title)
	}
	return tab
}

// Page lays the work report out.
func (t *Tasks) Page(v View) *render.Page {
	title := i18n.Sprintf("Work: tasks, plan tasks and meeting actions (as of %s)", t.AsOf)
	if t.Period != "" {
		title = i18n.Sprintf("Work: tasks, plan tasks and meeting actions, due in %s (as of %s)", t.Period, t.AsOf)
	}
	p := &render.Page{Title: title}
	p.Lines = append(p.Lines, i18n.Sprintf("%d assigned, %d open, %d overdue, %d done; on time %s.", t.Total.Assigned, t.Total.Open, t.Total.Overdue, t.Total.Done, pctWords(t.Total.OnTimePercent)))
	if v.show("person") {
		s := render.Section{Title: i18n.T("By person"), Table: t.personTable(v.GroupBy == ""), Empty: i18n.T("Nothing assigned.")}
		for _, pw := range t.People {
			s.Warn = append(s.Warn, pw.Overdue > 0)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("overdue") {
		p.Sections = append(p.Sections, render.Section{Title: i18n.Sprintf("Overdue (%d)", len(t.Overdue)), Table: t.overdueTable(), Empty: i18n.T("None.")})
	}
	return p
}

func pctWords(p *string) string {
	if p == nil {
		return i18n.T("— (nothing done with both dates)")
	}
	return *p + "%"
}

// OpenWork lists the work still open, as the work report counts it (tasks
// open or doing, the open tasks of active plans, the open action items of
// published meetings), each with its person and due date, in no
// particular order.
func OpenWork(set *record.Set) []WorkItem {
	var out []WorkItem
	for _, w := range collectWork(set) {
		if w.open {
			out = append(out, w.WorkItem)
		}
	}
	return out
}
