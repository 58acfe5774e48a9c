package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

const tskPath = "records/tasks/2026/TSK-2026-0001.yaml"

func task(status, extra string) string {
	return "kind: task\nid: TSK-2026-0001\ntitle: 整理名單\nstatus: " + status + "\nassigned_by: zhang.min\nassignee: li.wei\ndue: 2026-11-30\n" + extra
}

// A second team under the director, and a specialist two levels down.
var team = map[string]string{
	"records/people/chen.hao.yaml":      "kind: person\nid: chen.hao\nname: 陳浩\nrole: manager\nreports_to: wang.fang\nemails: [chen.hao@example.com]\nnda:\n  signed: 2025-01-01\n",
	"records/people/sun.li.yaml":        "kind: person\nid: sun.li\nname: 孫麗\nrole: specialist\nreports_to: chen.hao\nemails: [sun.li@example.com]\nnda:\n  signed: 2025-01-01\n",
	"records/people/xu.ke.yaml":         "kind: person\nid: xu.ke\nname: 徐可\nrole: specialist\nreports_to: li.wei\nemails: [xu.ke@example.com]\nnda:\n  signed: 2025-01-01\n",
	"records/people/huang.jianguo.yaml": "kind: person\nid: huang.jianguo\nname: 黃建國\nrole: leadership\nemails: [huang@example.com]\n",
}

func withTeam(files map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range team {
		out[k] = v
	}
	for k, v := range files {
		out[k] = v
	}
	return out
}

func TestTaskRules(t *testing.T) {
	cases := []struct {
		name string
		text string
		rule string
		sev  diag.Severity
		msg  string
	}{
		{"overdue", strings.Replace(task("doing", ""), "2026-11-30", "2026-11-20", 1), "task-overdue", diag.Warning, `task "整理名單" of li.wei was due 2026-11-20 and is doing`},
		{"done without result", task("done", "done: 2026-11-25\n"), "state-needs", diag.Error, "a done task needs its result"},
		{"done without date", task("done", "result: r\n"), "action-done", diag.Error, "needs its done date"},
		{"open with a done date", task("open", "done: 2026-11-25\n"), "action-done", diag.Error, "a task open has no done date"},
		{"done in the future", task("done", "result: r\ndone: 2026-11-27\n"), "action-done", diag.Error, "a date still to come"},
		{"to another manager's person", strings.Replace(task("open", ""), "assignee: li.wei", "assignee: sun.li", 1), "task-assignee", diag.Error,
			"sun.li does not report to zhang.min (directly or through others)"},
		{"to oneself", strings.Replace(task("open", ""), "assignee: li.wei", "assignee: zhang.min", 1), "task-assignee", diag.Error, "assigns a task to themselves"},
		{"director to leadership", strings.Replace(strings.Replace(task("open", ""), "assignee: li.wei", "assignee: huang.jianguo", 1), "assigned_by: zhang.min", "assigned_by: wang.fang", 1),
			"task-assignee", diag.Error, "huang.jianguo is leadership"},
		{"by a specialist", strings.Replace(strings.Replace(task("open", ""), "assigned_by: zhang.min", "assigned_by: li.wei", 1), "assignee: li.wei", "assignee: xu.ke", 1),
			"ref-role", diag.Error, "assigned_by: li.wei has the role specialist; the field needs a manager or director"},
		{"due before it was assigned", task("open", "assigned: 2026-12-01\n"), "date-order", diag.Error, "due 2026-11-30 is before assigned 2026-12-01"},
		{"done before it was assigned", task("done", "result: r\nassigned: 2026-11-22\ndone: 2026-11-20\n"), "date-order", diag.Error, "done 2026-11-20 is before assigned 2026-11-22"},
		{"concerns another kind's missing record", task("open", "concerns: MTG-2026-0009\n"), "ref-missing", diag.Error, `concerns: no meeting "MTG-2026-0009"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := check(t, withTeam(map[string]string{tskPath: c.text}))
			if !has(ds, tskPath, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	clean := map[string]string{
		"down two levels":      strings.Replace(task("open", ""), "assignee: li.wei", "assignee: xu.ke", 1),
		"director to anyone":   strings.Replace(strings.Replace(task("open", ""), "assignee: li.wei", "assignee: sun.li", 1), "assigned_by: zhang.min", "assigned_by: wang.fang", 1),
		"done with its result": task("done", "result: r\ndone: 2026-11-26\nconcerns: PRJ-2026-0001\n"),
		"cancelled past due":   strings.Replace(task("cancelled", ""), "2026-11-30", "2026-11-01", 1),
		"due the day assigned": task("open", "assigned: 2026-11-30\n"),
		// assigned at 07:00 on the 22nd in Shanghai, done half an hour
		// later on a machine keeping UTC (the 21st there)
		"done the day before it was assigned, by the calendars of two zones": task("done", "result: r\nassigned: 2026-11-22\ndone: 2026-11-21\n"),
	}
	for name, text := range clean {
		t.Run(name, func(t *testing.T) {
			if ds := check(t, withTeam(map[string]string{tskPath: text})); len(ds) != 0 {
				t.Fatalf("%v", ds)
			}
		})
	}
}

func TestReportsToLoop(t *testing.T) {
	ds := check(t, map[string]string{
		"records/people/a.yaml": "kind: person\nid: a\nname: A\nrole: manager\nreports_to: b\nemails: [a@example.com]\n",
		"records/people/b.yaml": "kind: person\nid: b\nname: B\nrole: manager\nreports_to: a\nemails: [b@example.com]\n",
		tskPath:                 strings.Replace(strings.Replace(task("open", ""), "assigned_by: zhang.min", "assigned_by: a", 1), "assignee: li.wei", "assignee: b", 1),
	})
	// b reports to a: allowed, and the loop a → b → a ends the walk
	for _, d := range ds {
		if d.Rule == "task-assignee" {
			t.Fatalf("%v", d)
		}
	}
}

func TestPlanTaskDates(t *testing.T) {
	plan := "kind: plan\nid: PLN-2026-0001\ntitle: p\nstatus: draft\nproject: PRJ-2026-0001\nauthor: zhang.min\nrevision: 1\ntasks:\n  - title: a\n    status: doing\n    done: 2026-11-01\n  - title: b\n    status: done\n"
	ds := check(t, map[string]string{"records/plans/2026/PLN-2026-0001.yaml": plan})
	if !has(ds, "records/plans/2026/PLN-2026-0001.yaml", "action-done", diag.Error, `"a" has a done date but is doing`) || len(ds) != 1 {
		t.Fatalf("%v", ds)
	}
}

func TestPlanMeasurements(t *testing.T) {
	const path = "records/plans/2026/PLN-2026-0001.yaml"
	plan := func(status, extra string) string {
		return "kind: plan\nid: PLN-2026-0001\ntitle: p\nstatus: " + status + "\nproject: PRJ-2026-0001\nauthor: zhang.min\nrevision: 1\n" +
			"goals:\n  - kpi: members\n    target: 100\n  - kpi: gmv\n    target: 5\nstrategy: s\npromotion:\n  channels: [wechat]\nresources:\n  people:\n    - handle: li.wei\n" +
			"checks:\n  - date: 2026-11-20\n    by: zhang.min\n    summary: s\n" + extra
	}
	meas := func(kpi, date string) string {
		return "  - kpi: " + kpi + "\n    date: " + date + "\n    value: 1\n    by: zhang.min\n"
	}
	cases := []struct {
		name, text, rule string
		sev              diag.Severity
		msg              string
	}{
		{"a kpi that is no goal", plan("completed", "measurements:\n"+meas("members", "2026-11-01")+meas("member", "2026-11-01")), "measurement-kpi", diag.Error,
			`measurement of "member", which is not a goal of PLN-2026-0001 (goals: gmv, members)`},
		{"a goal measured too long ago", plan("active", "activated_on: 2026-06-01\nmeasurements:\n"+meas("members", "2026-11-01")+meas("gmv", "2026-10-25")), "measurement-missing", diag.Warning,
			`goal "gmv" last measured 2026-10-25, 32 days ago: the policy asks for one every 31 days (measurement_interval_days)`},
		{"never measured since activation", plan("active", "activated_on: 2026-10-20\nmeasurements:\n"+meas("members", "2026-11-01")), "measurement-missing", diag.Warning,
			`goal "gmv" not measured since the plan's activation on 2026-10-20, 37 days ago`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := check(t, map[string]string{path: c.text}); !has(ds, path, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	// Every goal measured within the interval (31 days to the day), or activated recently: no finding.
	for _, text := range []string{
		plan("active", "activated_on: 2026-06-01\nmeasurements:\n"+meas("members", "2026-10-26")+meas("gmv", "2026-11-20")),
		plan("active", "activated_on: 2026-11-20\n"),
	} {
		if ds := check(t, map[string]string{path: text}); len(ds) != 0 {
			t.Fatalf("%v", ds)
		}
	}
}

// TestProjectDateOrder: a project planned, or carried out, to end before
// it starts is an error on the end; the same day, or one date alone, is
// not.
func TestProjectDateOrder(t *testing.T) {
	const p = "records/projects/2026/PRJ-2026-0001.yaml"
	proj := "kind: project\nid: PRJ-2026-0001\ntitle: p\nstatus: proposed\nobjective: o\nsponsor: wang.fang\nowner: zhang.min\n"
	for _, c := range []struct {
		name, extra, msg string
	}{
		{"planned", "planned:\n  start: 2026-03-01\n  end: 2025-10-31\n", "planned.end 2025-10-31 is before planned.start 2026-03-01"},
		{"actual", "actual:\n  start: 2026-03-05\n  end: 2026-03-04\n", "actual.end 2026-03-04 is before actual.start 2026-03-05"},
		{"same day", "planned:\n  start: 2026-03-01\n  end: 2026-03-01\n", ""},
		{"no start", "planned:\n  end: 2026-03-01\n", ""},
		{"not a date", "planned:\n  start: 2026-03-01\n  end: 31/12/2025\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			files[p] = proj + c.extra
			ds := check(t, files)
			found := false
			for _, d := range ds {
				if d.Rule == "date-order" {
					found = true
				}
			}
			if c.msg == "" && found || c.msg != "" && !has(ds, p, "date-order", diag.Error, c.msg) {
				t.Fatalf("want %q, got %v", c.msg, ds)
			}
		})
	}
}
