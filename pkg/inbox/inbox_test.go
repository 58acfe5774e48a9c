package inbox

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// set parses hand-written records, one YAML document each.
func set(t *testing.T, docs ...string) *record.Set {
	t.Helper()
	var recs []*record.Record
	for _, d := range docs {
		d = strings.TrimLeft(d, "\n")
		rec, ds := record.Parse("doc.yaml", []byte(d))
		if rec == nil || len(ds) > 0 {
			t.Fatalf("parsing test record:\n%s\n%v", d, ds)
		}
		rec.Path = "records/" + record.RelPath(rec.Kind, rec.ID)
		recs = append(recs, rec)
	}
	return record.NewSet(recs)
}

var now = time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))

// The department of the tests: a director, two managers, their people,
// leadership and finance.
var department = []string{
	"kind: person\nid: wang.fang\nname: 王芳\nrole: director\nemails: [wang.fang@example.com]\n",
	"kind: person\nid: zhang.min\nname: 張敏\nrole: manager\nreports_to: wang.fang\nemails: [zhang.min@example.com]\n",
	"kind: person\nid: chen.hao\nname: 陳浩\nrole: manager\nreports_to: wang.fang\nemails: [chen.hao@example.com]\n",
	"kind: person\nid: li.wei\nname: 李偉\nrole: specialist\nreports_to: zhang.min\nemails: [li.wei@example.com]\n",
	"kind: person\nid: sun.li\nname: 孫麗\nrole: specialist\nreports_to: chen.hao\nemails: [sun.li@example.com]\n",
	"kind: person\nid: huang.jg\nname: 黃建國\nrole: leadership\nemails: [huang.jg@example.com]\n",
	"kind: person\nid: he.jing\nname: 何靜\nrole: finance\nemails: [he.jing@example.com]\n",
}

func build(t *testing.T, person string, needs func(*record.Record, string) []string, docs ...string) *Inbox {
	t.Helper()
	var try func([]*record.Record, []string) ([][]string, [][]string)
	if needs != nil {
		try = func(recs []*record.Record, tos []string) ([][]string, [][]string) {
			out := make([][]string, len(recs))
			for i := range recs {
				out[i] = needs(recs[i], tos[i])
			}
			return out, nil
		}
	}
	box, err := Build(Input{Set: set(t, append(append([]string{}, department...), docs...)...), Policy: config.Default(), Now: now, Person: person, Try: try})
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// lines writes each item as "source record item action due overdue ready".
func lines(items []Item) []string {
	var out []string
	for _, it := range items {
		s := it.Source + " " + it.Record
		if it.Item != "" {
			s += " " + it.Item
		}
		s += " " + it.Action
		if it.Due != "" {
			s += " " + it.Due
		}
		if it.Overdue {
			s += " overdue"
		}
		if !it.Ready {
			s += " not-ready"
		}
		out = append(out, s)
	}
	return out
}

func same(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

const (
	claimSmall = "kind: expense\nid: EXP-2026-0001\ntitle: 文具\nstatus: submitted\nclaimant: li.wei\ndate: 2026-11-20\ncategory: office\namount: 800.00\n"
	claimBig   = "kind: expense\nid: EXP-2026-0002\ntitle: 佈景\nstatus: submitted\nclaimant: li.wei\ndate: 2026-11-20\ncategory: marketing\namount: 6240.00\n"
	claimPaid  = "kind: expense\nid: EXP-2026-0003\ntitle: 差旅\nstatus: approved\nclaimant: sun.li\ndate: 2026-11-20\ncategory: travel\namount: 300.00\n"
	returned   = "kind: expense\nid: EXP-2026-0004\ntitle: 茶歇\nstatus: returned\nclaimant: li.wei\ndate: 2026-11-20\ncategory: other\namount: 120.00\n"
)

func TestClaimsFollowTheApproversLimits(t *testing.T) {
	docs := []string{claimSmall, claimBig, claimPaid}
	same(t, "manager", lines(build(t, "zhang.min", nil, docs...).Items),
		"move EXP-2026-0001 approve")
	same(t, "director", lines(build(t, "wang.fang", nil, docs...).Items),
		"move EXP-2026-0001 approve", "move EXP-2026-0002 approve")
	same(t, "finance", lines(build(t, "he.jing", nil, docs...).Items),
		"move EXP-2026-0003 pay")
	same(t, "the claimant", lines(build(t, "li.wei", nil, docs...).Items))
	box := build(t, "zhang.min", nil, docs...)
	if it := box.Items[0]; it.Command != "opsbook approve EXP-2026-0001" || it.Amount != "800.00" || it.Title != "文具" {
		t.Errorf("item: %+v", it)
	}
}

func TestAMoveTheRulesRefuseIsNotOfferedAsReady(t *testing.T) {
	overBudget := func(rec *record.Record, to string) []string {
		if rec.ID == "EXP-2026-0001" && to == "approved" {
			return []string{"category office is over budget"}
		}
		return nil
	}
	box := build(t, "zhang.min", overBudget, claimSmall)
	same(t, "blocked claim", lines(box.Items), "move EXP-2026-0001 approve not-ready")
	it := box.Items[0]
	if it.Command != "opsbook move EXP-2026-0001" || strings.Contains(it.Command, "approve") || len(it.Needs) != 1 {
		t.Errorf("a claim the rules refuse: %+v", it)
	}
	// a move waited for only when it can be made is left out
	meeting := "kind: meeting\nid: MTG-2026-0001\ntitle: 週會\nstatus: published\ntype: weekly\ndate: 2026-11-20\nchair: zhang.min\n"
	refuse := func(*record.Record, string) []string { return []string{"every action item done or dropped"} }
	same(t, "meeting with open actions", lines(build(t, "zhang.min", refuse, meeting).Items))
	same(t, "meeting ready to close", lines(build(t, "zhang.min", nil, meeting).Items), "move MTG-2026-0001 close")
}

func TestComplaintsCarryTheirSLAClock(t *testing.T) {
	// high: respond 4h, resolve 72h
	late := "kind: complaint\nid: CMP-2026-0001\ntitle: 破損\nstatus: acknowledged\nchannel: phone\ntype: complaint\nseverity: high\ncategory: product\nreceived_at: 2026-11-20T09:00:00+08:00\nacknowledged_at: 2026-11-20T10:00:00+08:00\nassignee: li.wei\n"
	running := "kind: complaint\nid: CMP-2026-0002\ntitle: 延遲\nstatus: received\nchannel: phone\ntype: complaint\nseverity: high\ncategory: delivery\nreceived_at: 2026-11-26T13:00:00+08:00\nassignee: li.wei\n"
	unassigned := "kind: complaint\nid: CMP-2026-0003\ntitle: 諮詢\nstatus: received\nchannel: phone\ntype: inquiry\nseverity: low\ncategory: other\nreceived_at: 2026-11-26T08:00:00+08:00\n"
	resolved := "kind: complaint\nid: CMP-2026-0004\ntitle: 已解決\nstatus: resolved\nchannel: phone\ntype: complaint\nseverity: low\ncategory: other\nreceived_at: 2026-11-20T08:00:00+08:00\nacknowledged_at: 2026-11-20T09:00:00+08:00\nassignee: li.wei\nresolution:\n  solution: 補發\n  resolved_at: 2026-11-21T09:00:00+08:00\n"
	docs := []string{running, late, unassigned, resolved}
	box := build(t, "li.wei", nil, docs...)
	same(t, "assignee", lines(box.Items),
		"complaint CMP-2026-0001 investigate 2026-11-23T09:00:00+08:00 overdue",
		"complaint CMP-2026-0002 ack 2026-11-26T17:00:00+08:00")
	if c := box.Items[1].Clock; c != "respond" {
		t.Errorf("clock of an unacknowledged complaint: %q", c)
	}
	if c := box.Items[0].Clock; c != "resolve" {
		t.Errorf("clock of an acknowledged complaint: %q", c)
	}
	// the director (who reports to nobody in the records) dispatches the unassigned one
	same(t, "director", lines(build(t, "wang.fang", nil, docs...).Items),
		"complaint CMP-2026-0003 assign 2026-11-27T08:00:00+08:00")
	// one assigned to someone who has left goes back to the director
	gone := "kind: person\nid: wu.qiang\nname: 吳強\nrole: specialist\nreports_to: chen.hao\nactive: false\nemails: [wu.qiang@example.com]\n"
	left := strings.Replace(running, "assignee: li.wei", "assignee: wu.qiang", 1)
	same(t, "left", lines(build(t, "wang.fang", nil, gone, left).Items),
		"complaint CMP-2026-0002 assign 2026-11-26T17:00:00+08:00")
	// a resolved complaint assigned to a manager waits for them to close it
	mine := strings.Replace(resolved, "assignee: li.wei", "assignee: zhang.min", 1)
	same(t, "manager closes", lines(build(t, "zhang.min", nil, mine).Items), "complaint CMP-2026-0004 close")
	// one a specialist resolved waits on the manager they report to, not
	// on another manager, nor on the specialist, who may not close it
	same(t, "their manager closes", lines(build(t, "zhang.min", nil, resolved).Items), "complaint CMP-2026-0004 close")
	same(t, "another manager", lines(build(t, "chen.hao", nil, resolved).Items))
	same(t, "the director, who has a manager for it", lines(build(t, "wang.fang", nil, resolved).Items))
	// with no manager above the specialist, the director closes it
	alone := strings.Replace(resolved, "assignee: li.wei", "assignee: xu.lan", 1)
	xu := "kind: person\nid: xu.lan\nname: 徐蘭\nrole: specialist\nemails: [xu.lan@example.com]\n"
	same(t, "director closes", lines(build(t, "wang.fang", nil, xu, alone).Items), "complaint CMP-2026-0004 close")
}

// TestWindowInCalendarDays: work due seven calendar days on is listed,
// eight days on not, across the start of summer time too (America/Denver,
// 14 March 2027: seven times 24 hours from the evening of the 10th end on
// the 18th).
func TestWindowInCalendarDays(t *testing.T) {
	denver, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Fatal(err)
	}
	due := func(id, day string) string {
		return "kind: task\nid: " + id + "\ntitle: t\nstatus: open\nassigned_by: zhang.min\nassignee: li.wei\nassigned: 2027-03-01\ndue: " + day + "\n"
	}
	at := time.Date(2027, 3, 10, 23, 30, 0, 0, denver)
	box, err := Build(Input{Set: set(t, append(append([]string{}, department...), due("TSK-2027-0001", "2027-03-17"), due("TSK-2027-0002", "2027-03-18"))...), Policy: config.Default(), Now: at, Person: "li.wei"})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "window", lines(box.Items), "task TSK-2027-0001 complete 2027-03-17")
}

func TestWorkDueAndOverdue(t *testing.T) {
	task := "kind: task\nid: TSK-2026-0001\ntitle: 對賬\nstatus: doing\nassigned_by: zhang.min\nassignee: li.wei\nassigned: 2026-11-01\ndue: 2026-11-24\n"
	later := "kind: task\nid: TSK-2026-0002\ntitle: 下季度\nstatus: open\nassigned_by: zhang.min\nassignee: li.wei\nassigned: 2026-11-01\ndue: 2027-02-01\n"
	meeting := "kind: meeting\nid: MTG-2026-0001\ntitle: 週會\nstatus: published\ntype: weekly\ndate: 2026-11-20\nchair: zhang.min\nactions:\n  - title: 發通知\n    owner: li.wei\n    due: 2026-11-28\n    status: open\n  - title: 已完成\n    owner: li.wei\n    due: 2026-11-21\n    status: done\n    done: 2026-11-21\n"
	plan := "kind: plan\nid: PLN-2026-0001\ntitle: 推廣\nstatus: active\nauthor: zhang.min\nproject: PRJ-2026-0001\nactivated_on: 2026-11-18\ntasks:\n  - title: 簽約\n    assignee: li.wei\n    due: 2026-11-20\n    status: doing\n"
	box := build(t, "li.wei", nil, later, meeting, task, plan)
	same(t, "work", lines(box.Items),
		"plan-task PLN-2026-0001 tasks.0 complete 2026-11-20 overdue",
		"task TSK-2026-0001 complete 2026-11-24 overdue",
		"action MTG-2026-0001 actions.0 complete 2026-11-28")
	if c := box.Items[2].Command; c != "opsbook set MTG-2026-0001 actions.0.status=done actions.0.done=2026-11-26" {
		t.Errorf("action command: %s", c)
	}
	// the plan's author checks it: activated 2026-11-18, every 14 days
	same(t, "author", lines(build(t, "zhang.min", nil, plan).Items), "check PLN-2026-0001 check 2026-12-02")
	// the manager sees li.wei's overdue work, not what is merely due
	same(t, "team", lines(build(t, "zhang.min", nil, later, meeting, task, plan).Team),
		"plan-task PLN-2026-0001 tasks.0 complete 2026-11-20 overdue",
		"task TSK-2026-0001 complete 2026-11-24 overdue")
	// and the director everyone's; chen.hao's team is not zhang.min's
	if got := build(t, "wang.fang", nil, task).Team; len(got) != 1 || got[0].Person != "li.wei" {
		t.Errorf("director's team: %v", lines(got))
	}
	if got := build(t, "chen.hao", nil, task); len(got.Team) != 0 || !got.Manager {
		t.Errorf("another manager's team: %v (manager %v)", lines(got.Team), got.Manager)
	}
	if got := build(t, "li.wei", nil, task); got.Manager {
		t.Error("a specialist is a manager")
	}
}

func TestRevisitsGoToTheLastVisitor(t *testing.T) {
	visited := "kind: customer\nid: CUS-0001\nname: 青禾\nsegment: key_account\nsince: 2025-01-01\nvisits:\n  - date: 2026-09-01\n    by: sun.li\n"
	never := "kind: customer\nid: CUS-0002\nname: 明途\nsegment: key_account\nsince: 2026-11-01\n"
	p := config.Default()
	p.RevisitDays = map[string]int{"key_account": 30}
	in := Input{Set: set(t, append(append([]string{}, department...), visited, never)...), Policy: p, Now: now}
	for person, want := range map[string][]string{
		"sun.li":    {"revisit CUS-0001 revisit 2026-10-01 overdue"},
		"wang.fang": {"revisit CUS-0002 revisit 2026-12-01"},
		"li.wei":    nil,
	} {
		in.Person = person
		box, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		same(t, person, lines(box.Items), want...)
	}
}

func TestStatusReportsDue(t *testing.T) {
	old := "kind: status-report\nid: RPT-2026-0001\ntitle: 週報\nstatus: acknowledged\nauthor: zhang.min\nto: wang.fang\nperiod: 2026-W46\nprogress: x\nsubmitted_at: 2026-11-16T18:00:00+08:00\nacknowledged_at: 2026-11-17T09:00:00+08:00\nsnapshot:\n  people: 2\n"
	box := build(t, "zhang.min", nil, old)
	same(t, "manager", lines(box.Items), "status-report  report 2026-11-23 overdue")
	if c := box.Items[0].Command; c != "opsbook new status-report --set to=wang.fang --set period=2026-W48" {
		t.Errorf("command: %s", c)
	}
	// one just submitted: the next is for the week it falls due in, not
	// the week just reported again
	recent := strings.NewReplacer("2026-W46", "2026-W48", "2026-11-16T18:00:00", "2026-11-24T18:00:00", "2026-11-17T09:00:00", "2026-11-25T09:00:00").Replace(old)
	box = build(t, "zhang.min", nil, recent)
	same(t, "manager, reported this week", lines(box.Items), "status-report  report 2026-12-01")
	if c := box.Items[0].Command; c != "opsbook new status-report --set to=wang.fang --set period=2026-W49" {
		t.Errorf("command of the next report: %s", c)
	}
	// chen.hao has none at all: overdue, with no date
	same(t, "none yet", lines(build(t, "chen.hao", nil, old).Items), "status-report  report overdue")
	// a draft is to be submitted
	draft := "kind: status-report\nid: RPT-2026-0002\ntitle: 週報\nstatus: draft\nauthor: chen.hao\nto: wang.fang\nperiod: 2026-W48\n"
	same(t, "draft", lines(build(t, "chen.hao", nil, old, draft).Items), "status-report RPT-2026-0002 submit overdue")
	// before the department keeps reports, nobody is due
	same(t, "no reports kept", lines(build(t, "chen.hao", nil).Items))
	// the addressee acknowledges a submitted one
	sub := strings.Replace(strings.Replace(old, "acknowledged", "submitted", 1), "acknowledged_at: 2026-11-17T09:00:00+08:00\n", "", 1)
	same(t, "addressee", lines(build(t, "wang.fang", nil, sub).Items), "status-report  report overdue", "move RPT-2026-0001 ack")
}

func TestOwnRecordsReturnedOnHoldOrBroken(t *testing.T) {
	hold := "kind: project\nid: PRJ-2026-0001\ntitle: 改版\nstatus: on_hold\nowner: zhang.min\nsponsor: wang.fang\nhold:\n  from: planning\n  reason: 等規範\n"
	plan := "kind: plan\nid: PLN-2026-0002\ntitle: 方案\nstatus: changes_requested\nauthor: zhang.min\nproject: PRJ-2026-0001\n"
	in := Input{Set: set(t, append(append([]string{}, department...), returned, hold, plan)...), Policy: config.Default(), Now: now, Person: "li.wei",
		Findings: []diag.Diagnostic{
			{Record: "EXP-2026-0004", Severity: diag.Error, Rule: "items-sum", Message: "items add up to 100.00, not 120.00"},
			{Record: "EXP-2026-0004", Severity: diag.Warning, Rule: "split-claim", Message: "a warning is not listed"},
			{Record: "PLN-2026-0002", Severity: diag.Error, Rule: "state-needs", Message: "not li.wei's"},
		}}
	box, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "claimant", lines(box.Items), "returned EXP-2026-0004 revise", "invalid EXP-2026-0004 fix not-ready")
	if it := box.Items[1]; len(it.Needs) != 1 || it.Needs[0] != "items add up to 100.00, not 120.00 [items-sum]" || it.Command != "opsbook edit EXP-2026-0004" {
		t.Errorf("invalid item: %+v", it)
	}
	in.Person = "zhang.min"
	box, _ = Build(in)
	same(t, "owner", lines(box.Items), "returned PLN-2026-0002 revise", "invalid PLN-2026-0002 fix not-ready", "on-hold PRJ-2026-0001 resume not-ready")
	// a check due beyond the horizon is not listed yet
	later := strings.Replace(strings.Replace(plan, "changes_requested", "active", 1), "project:", "activated_on: 2026-11-20\nproject:", 1)
	same(t, "check beyond the horizon", lines(build(t, "zhang.min", nil, later).Items))
}

func TestOrder(t *testing.T) {
	at := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339, s)
		return t
	}
	items := []Item{
		{Record: "own", rank: rankOwn},
		{Record: "due-later", rank: rankDue, deadline: at("2026-12-01T00:00:00Z")},
		{Record: "due-sooner", rank: rankDue, deadline: at("2026-11-28T00:00:00Z")},
		{Record: "blocked", rank: rankBlocked},
		{Record: "move-b", rank: rankMove},
		{Record: "move-a", rank: rankMove},
		{Record: "clock", rank: rankClock, deadline: at("2026-11-26T10:00:00Z")},
		{Record: "overdue-undated", rank: rankOverdue},
		{Record: "overdue-recent", rank: rankOverdue, deadline: at("2026-11-25T00:00:00Z")},
		{Record: "overdue-old", rank: rankOverdue, deadline: at("2026-10-01T00:00:00Z")},
		{Record: "sla-recent", rank: rankPastSLA, deadline: at("2026-11-26T01:00:00Z")},
		{Record: "sla-old", rank: rankPastSLA, deadline: at("2026-11-20T01:00:00Z")},
		{Record: "x", Item: "tasks.10", rank: rankOwn},
		{Record: "x", Item: "tasks.2", rank: rankOwn},
	}
	sortItems(items)
	var got []string
	for _, it := range items {
		got = append(got, strings.TrimSpace(it.Record+" "+it.Item))
	}
	same(t, "order", got, "sla-old", "sla-recent", "overdue-old", "overdue-recent", "overdue-undated", "clock",
		"move-a", "move-b", "blocked", "due-sooner", "due-later", "own", "x tasks.2", "x tasks.10")
}

func TestMayView(t *testing.T) {
	s := set(t, department...)
	for _, c := range []struct {
		viewer, subject string
		ok              bool
	}{
		{"li.wei", "li.wei", true},
		{"zhang.min", "li.wei", true},
		{"chen.hao", "li.wei", false}, // not his report
		{"li.wei", "zhang.min", false},
		{"li.wei", "sun.li", false},
		{"wang.fang", "sun.li", true}, // through the chain and as director
		{"huang.jg", "wang.fang", true},
		{"he.jing", "li.wei", false},
	} {
		err := MayView(s, c.viewer, c.subject)
		if (err == nil) != c.ok {
			t.Errorf("%s viewing %s: %v", c.viewer, c.subject, err)
		}
	}
	if _, err := Build(Input{Set: s, Now: now, Person: "nobody"}); err == nil || !strings.Contains(err.Error(), `no person "nobody" in records/people`) {
		t.Errorf("Build for nobody, without a policy: %v", err)
	}
	if err := MayView(s, "wang.fang", "nobody"); err == nil || !strings.Contains(err.Error(), "no person") {
		t.Errorf("unknown subject: %v", err)
	}
}

func TestCommandsAreQuotedForTheShell(t *testing.T) {
	for in, want := range map[string]string{
		"approve":                     "approve",
		"visits+={date: 2026, by: x}": "'visits+={date: 2026, by: x}'",
		"it's":                        `'it'\''s'`,
		"actions.0.done=2026-11-26":   "actions.0.done=2026-11-26",
		"":                            "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestWhen(t *testing.T) {
	for _, c := range []struct {
		it   Item
		want string
	}{
		{Item{Clock: "respond", deadline: now.Add(-5 * time.Hour)}, "5h late"},
		{Item{Clock: "respond", deadline: now.Add(90 * time.Minute)}, "in 2h"},
		{Item{Clock: "resolve", deadline: now.Add(-6 * 24 * time.Hour)}, "6d late"},
		{Item{Clock: "resolve", deadline: now.Add(3*24*time.Hour + time.Hour)}, "in 3d"},
		{Item{Due: "2026-11-26", deadline: time.Date(2026, 11, 27, 0, 0, 0, 0, now.Location())}, "today"},
		{Item{Due: "2026-11-27", deadline: time.Date(2026, 11, 28, 0, 0, 0, 0, now.Location())}, "tomorrow"},
		{Item{Due: "2026-11-30", deadline: time.Date(2026, 12, 1, 0, 0, 0, 0, now.Location())}, "in 4d"},
		{Item{Due: "2026-11-20", Overdue: true, deadline: time.Date(2026, 11, 21, 0, 0, 0, 0, now.Location())}, "6d late"},
		{Item{Overdue: true}, "late"},
		{Item{}, ""},
	} {
		if got := when(c.it, now); got != c.want {
			t.Errorf("when(%+v) = %q, want %q", c.it, got, c.want)
		}
	}
}

// In Chinese the page's labels, times and verbs are Chinese; the JSON's
// values stay English.
func TestPageInChinese(t *testing.T) {
	task := "kind: task\nid: TSK-2026-0001\ntitle: 對賬\nstatus: doing\nassigned_by: zhang.min\nassignee: li.wei\nassigned: 2026-11-01\ndue: 2026-11-20\n"
	box := build(t, "zhang.min", nil, claimSmall, task)
	i18n.Set(i18n.Chinese)
	defer i18n.Set(i18n.English)
	p := box.Page(now)
	if !strings.HasPrefix(p.Title, "zhang.min 的待辦") || p.Sections[0].Title != "待你處理" || p.Sections[1].Title != "團隊的逾期工作" {
		t.Errorf("titles: %q %q", p.Title, p.Sections[0].Title)
	}
	if h := p.Sections[0].Table.Headers; strings.Join(h, ",") != "時限,紀錄,事項,指令" {
		t.Errorf("headers: %v", h)
	}
	if row := p.Sections[0].Table.Rows[0]; row[2] != "核准：文具（800.00）" || row[3] != "opsbook approve EXP-2026-0001" {
		t.Errorf("row: %v", row)
	}
	if row := p.Sections[1].Table.Rows[0]; row[0] != "逾期 6 天" || !strings.HasPrefix(row[3], "完成：對賬") {
		t.Errorf("team row: %v", row)
	}
	if box.Items[0].Action != "approve" {
		t.Errorf("JSON action: %q", box.Items[0].Action)
	}
}

// A record's text cannot drive the terminal: control characters (an
// escape sequence in a title) are left out of the page.
func TestPageDropsControlCharacters(t *testing.T) {
	// the parser refuses such a title in a file (file-encoding) and leaves
	// it out; the page drops them whatever hands it one
	box := build(t, "zhang.min", nil, claimSmall)
	box.Items[0].Title = "文具\x1b[2J\a"
	row := box.Page(now).Sections[0].Table.Rows[0]
	if strings.ContainsAny(strings.Join(row, ""), "\x1b\a") || !strings.Contains(row[2], "文具[2J") {
		t.Errorf("row: %q", row)
	}
}

// A draft waits on its owner to submit it, after everything urgent and
// tried against the rules like a move; nobody else sees it.
func TestOwnDraftsWaitToBeSubmitted(t *testing.T) {
	draft := strings.NewReplacer("status: returned", "status: draft", "EXP-2026-0004", "EXP-2026-0005").Replace(returned)
	refuse := func(rec *record.Record, to string) []string {
		if rec.ID == "EXP-2026-0005" && to == "submitted" {
			return []string{"a receipt"}
		}
		return nil
	}
	same(t, "claimant", lines(build(t, "li.wei", nil, draft).Items), "draft EXP-2026-0005 submit")
	same(t, "claimant, refused", lines(build(t, "li.wei", refuse, draft).Items), "draft EXP-2026-0005 submit not-ready")
	same(t, "manager", lines(build(t, "zhang.min", nil, draft).Items))
}

// TestOwnersPrepareTheirProjects: a project in feasibility waits on its
// owner until the study says feasible and the report is there (then on
// leadership only); a project in planning without a plan on its way waits
// on its owner to write one.
func TestOwnersPrepareTheirProjects(t *testing.T) {
	study := "kind: project\nid: PRJ-2026-0001\ntitle: 直播\nstatus: feasibility\nobjective: 試點\nsponsor: wang.fang\nowner: zhang.min\n"
	done := strings.Replace(study, "owner: zhang.min\n", "owner: zhang.min\nfeasibility:\n  conclusion: feasible\n  report: 市場與成本分析\n  date: 2026-11-20\n", 1)
	box := build(t, "zhang.min", nil, study)
	same(t, "study under way", lines(box.Items), "prepare PRJ-2026-0001 prepare not-ready")
	if it := box.Items[0]; it.Command != "opsbook edit PRJ-2026-0001" || len(it.Needs) != 2 || !strings.Contains(it.Needs[1], "feasibility.report") {
		t.Errorf("item: %+v", it)
	}
	same(t, "study done", lines(build(t, "zhang.min", nil, done).Items))
	same(t, "not the owner", lines(build(t, "chen.hao", nil, study).Items))

	planning := strings.Replace(strings.Replace(done, "status: feasibility", "status: planning", 1), "id: PRJ-2026-0001", "id: PRJ-2026-0002", 1)
	box = build(t, "zhang.min", nil, planning)
	same(t, "no plan", lines(box.Items), "prepare PRJ-2026-0002 write-plan")
	if it := box.Items[0]; it.Command != "opsbook new plan --set project=PRJ-2026-0002 --set 'title=直播'" {
		t.Errorf("command %q", it.Command)
	}
	plan := "kind: plan\nid: PLN-2026-0001\ntitle: 直播方案\nstatus: in_review\nproject: PRJ-2026-0002\nauthor: zhang.min\nrevision: 1\n"
	same(t, "a plan in review", lines(build(t, "zhang.min", nil, planning, plan).Items))
	rejected := strings.Replace(plan, "status: in_review", "status: superseded", 1)
	same(t, "only a superseded plan", lines(build(t, "zhang.min", nil, planning, rejected).Items), "prepare PRJ-2026-0002 write-plan")
}

// TestTasksOfSomeoneWhoLeft: a task whose assignee has left waits on its
// assigner to hand it on (the director when the assigner has left too);
// it waited on nobody.
func TestTasksOfSomeoneWhoLeft(t *testing.T) {
	gone := "kind: person\nid: wu.qiang\nname: 吳強\nrole: specialist\nreports_to: zhang.min\nactive: false\nemails: [wu.qiang@example.com]\n"
	task := "kind: task\nid: TSK-2026-0001\ntitle: 對賬\nstatus: open\nassigned_by: zhang.min\nassignee: wu.qiang\ndue: 2026-11-24\n"
	box := build(t, "zhang.min", nil, gone, task)
	same(t, "assigner", lines(box.Items), "task TSK-2026-0001 assign 2026-11-24 overdue")
	if c := box.Items[0].Command; c != "opsbook set TSK-2026-0001 assignee=HANDLE" {
		t.Errorf("command: %s", c)
	}
	same(t, "director, the assigner active", lines(build(t, "wang.fang", nil, gone, task).Items))
	goneBoss := "kind: person\nid: zhang.min\nname: 張敏\nrole: manager\nreports_to: wang.fang\nactive: false\nemails: [zhang.min@example.com]\n"
	var docs []string
	for _, d := range department {
		if !strings.HasPrefix(d, "kind: person\nid: zhang.min\n") {
			docs = append(docs, d)
		}
	}
	box, err := Build(Input{Set: set(t, append(docs, goneBoss, gone, task)...), Policy: config.Default(), Now: now, Person: "wang.fang"})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "director, the assigner gone too", lines(box.Items), "task TSK-2026-0001 assign 2026-11-24 overdue")
	// an active assignee's task is theirs alone
	same(t, "assigner of an active assignee's task", lines(build(t, "zhang.min", nil, strings.Replace(task, "wu.qiang", "li.wei", 1)).Items))
}
