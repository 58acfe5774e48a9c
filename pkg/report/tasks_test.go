package report

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
)

// Work from the three sources, counted by hand below.
func workSet(t *testing.T) *Tasks {
	s := set(t, `
kind: person
id: li.wei
name: 李偉
role: specialist
`, `
kind: task
id: TSK-2026-0001
title: on time
status: done
assigned_by: zhang.min
assignee: li.wei
due: 2026-11-10
done: 2026-11-10
`, `
kind: task
id: TSK-2026-0002
title: late
status: done
assigned_by: zhang.min
assignee: li.wei
due: 2026-11-10
done: 2026-11-11
`, `
kind: task
id: TSK-2026-0003
title: overdue
status: open
assigned_by: zhang.min
assignee: li.wei
due: 2026-11-20
`, `
kind: task
id: TSK-2026-0004
title: cancelled, not counted
status: cancelled
assigned_by: zhang.min
assignee: li.wei
due: 2026-11-01
`, `
kind: plan
id: PLN-2026-0001
title: p
status: active
project: PRJ-2026-0001
author: zhang.min
revision: 1
tasks:
  - title: undated done
    assignee: li.wei
    due: 2026-10-01
    status: done
  - title: blocked and overdue
    assignee: zhao.lei
    due: 2026-11-01
    status: blocked
  - title: not yet due
    assignee: zhao.lei
    due: 2026-12-01
`, `
kind: plan
id: PLN-2026-0002
title: superseded, not counted
status: superseded
project: PRJ-2026-0001
author: zhang.min
revision: 1
tasks:
  - title: x
    assignee: li.wei
    due: 2026-10-01
    status: todo
`, `
kind: meeting
id: MTG-2026-0001
title: m
status: published
type: weekly
date: 2026-11-02
chair: zhang.min
actions:
  - title: done early
    owner: zhao.lei
    due: 2026-11-09
    status: done
    done: 2026-11-05
  - title: dropped, not counted
    owner: zhao.lei
    due: 2026-11-09
    status: dropped
  - title: overdue action
    owner: li.wei
    due: 2026-11-25
`, `
kind: meeting
id: MTG-2026-0002
title: a draft, not counted
status: draft
type: weekly
date: 2026-11-30
chair: zhang.min
actions:
  - title: x
    owner: li.wei
    due: 2026-11-01
`)
	return TasksReport(ctxAt(t, s, "2026-11-26T15:00:00+08:00"), nil)
}

func TestTasksReport(t *testing.T) {
	rep := workSet(t)
	if len(rep.People) != 2 {
		t.Fatalf("people = %+v", rep.People)
	}
	li, zhao := rep.People[0], rep.People[1]
	eq(t, "li.wei name", li.Name, "李偉")
	// li.wei: TSK-1 on time, TSK-2 late, TSK-3 overdue, plan task undated, the overdue action
	eq(t, "li assigned", li.Assigned, 5)
	eq(t, "li open", li.Open, 2)
	eq(t, "li overdue", li.Overdue, 2)
	eq(t, "li done", li.Done, 3)
	eq(t, "li on time", li.OnTime, 1)
	eq(t, "li late", li.Late, 1)
	eq(t, "li undated", li.Undated, 1)
	eq(t, "li on-time %", *li.OnTimePercent, "50.0")
	// zhao.lei: blocked plan task overdue, todo not yet due, action done early
	eq(t, "zhao assigned", zhao.Assigned, 3)
	eq(t, "zhao open", zhao.Open, 2)
	eq(t, "zhao overdue", zhao.Overdue, 1)
	eq(t, "zhao on-time %", *zhao.OnTimePercent, "100.0")
	eq(t, "total assigned", rep.Total.Assigned, 8)
	eq(t, "total on-time %", *rep.Total.OnTimePercent, "66.7")
	var got []string
	for _, o := range rep.Overdue {
		got = append(got, o.Record+" "+o.Item+" "+itoa(o.DaysOverdue))
	}
	eq(t, "overdue, most overdue first", strings.Join(got, ", "), "PLN-2026-0001 tasks.1 25, TSK-2026-0003  6, MTG-2026-0001 actions.2 1")
	// selecting by due date
	sel, _ := ParsePeriod("2026-10")
	r2 := TasksReport(ctxAt(t, set(t, "kind: task\nid: TSK-2026-0001\ntitle: a\nstatus: open\nassigned_by: x\nassignee: li.wei\ndue: 2026-10-05\n",
		"kind: task\nid: TSK-2026-0002\ntitle: b\nstatus: open\nassigned_by: x\nassignee: li.wei\ndue: 2026-11-05\n"), "2026-11-26T15:00:00+08:00"), &sel)
	eq(t, "October's items", r2.Total.Assigned, 1)
	if r2.Total.OnTimePercent != nil {
		t.Error("an on-time rate with nothing done")
	}
	// the page and the CSV tables
	var b strings.Builder
	if err := render.WriteCSV(&b, rep.Table(View{GroupBy: "overdue", Plain: true})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "plan,PLN-2026-0001,tasks.1,zhao.lei,2026-11-01,25,blocked,blocked and overdue") {
		t.Errorf("overdue CSV:\n%s", b.String())
	}
	if p := rep.Page(View{}); !strings.Contains(p.Lines[0], "8 assigned, 4 open, 3 overdue, 4 done; on time 66.7%") {
		t.Errorf("page line %q", p.Lines[0])
	}
}

func TestKPISeries(t *testing.T) {
	s := set(t, `
kind: plan
id: PLN-2026-0001
title: p
status: active
project: PRJ-2026-0001
author: zhang.min
revision: 1
goals:
  - kpi: members
    target: 200
measurements:
  - kpi: members
    date: 2026-10-01
    value: 150
    by: li.wei
  - kpi: members
    date: 2026-09-01
    value: 100
    source: internal
`)
	k := PlansReport(ctxAt(t, s, "2026-11-26T15:00:00+08:00"), nil).KPIs[0]
	if len(k.Series) != 2 || k.Series[0].Date != "2026-09-01" || k.Series[1].By != "li.wei" || string(k.Series[1].Value) != "150" {
		t.Fatalf("series = %+v", k.Series)
	}
	eq(t, "latest", num(k.Actual), "150")
	tab := (&Plans{KPIs: []KPI{k}}).Table(View{GroupBy: "kpi"})
	eq(t, "series cell", tab.Rows[0][9], "100 (2026-09-01); 150 (2026-10-01, li.wei)")
	// in Chinese, with Chinese brackets and punctuation
	i18n.Set(i18n.Chinese)
	defer i18n.Set(i18n.English)
	tab = (&Plans{KPIs: []KPI{k}}).Table(View{GroupBy: "kpi"})
	eq(t, "series cell in Chinese", tab.Rows[0][9], "100（2026-09-01）；150（2026-10-01，li.wei）")
}

func TestCustomersReport(t *testing.T) {
	s := set(t, `
kind: customer
id: CUS-0001
name: 青禾
segment: wholesale
since: 2026-01-05
visits:
  - date: 2026-09-20
    by: li.wei
    satisfaction: 4
  - date: 2026-06-01
    by: li.wei
    satisfaction: 5
  - date: 2026-03-01
    by: li.wei
`, `
kind: customer
id: CUS-0002
name: 明途
segment: retail
since: 2026-01-05
`, `
kind: complaint
id: CMP-2026-0001
title: a
status: closed
customer: CUS-0001
category: service
received_at: 2026-11-01T09:00:00+08:00
`, `
kind: complaint
id: CMP-2026-0002
title: b
status: investigating
customer: CUS-0001
category: service
received_at: 2026-11-20T09:00:00+08:00
`)
	c := ctxAt(t, s, "2026-11-26T15:00:00+08:00")
	c.Policy.RevisitDays = map[string]int{"wholesale": 60}
	rep := CustomersReport(c)
	a, b := rep.Customers[0], rep.Customers[1]
	eq(t, "visits", a.Visits, 3)
	eq(t, "last visit", a.LastVisit, "2026-09-20")
	eq(t, "due", a.RevisitDue, "2026-11-19")
	eq(t, "overdue", a.RevisitOverdue, true)
	eq(t, "satisfaction of the scored revisits", num(a.Satisfaction), "4.50")
	eq(t, "complaints", a.Complaints, 2)
	eq(t, "open", a.OpenComplaints, 1)
	eq(t, "repeats found within the window", a.Repeats, 1)
	eq(t, "retail has no cadence", b.RevisitDue, "")
	eq(t, "overdue count", rep.Overdue, 1)
}
