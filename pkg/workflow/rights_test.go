package workflow

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

// Records of the attacks: each as it is before the change.
const (
	draftClaim = `kind: expense
id: EXP-2026-0027
title: 差旅
status: draft
claimant: li.wei
date: 2026-11-20
category: travel
amount: 2100.00
items:
  - description: 高鐵票
    amount: 600.00
  - description: 酒店
    amount: 1500.00
`
	reviewedAppraisal = `kind: appraisal
id: APR-2026-0005
title: 下半年考核
status: reviewed
employee: li.wei
appraiser: zhang.min
period: 2026-H2
indicators:
  - name: 拉新
    weight: 100
    score: 68
total: 68
rating: meets
`
	criticalComplaint = `kind: complaint
id: CMP-2026-0015
title: 漏發
status: investigating
type: complaint
channel: phone
customer: CUS-0001
category: delivery
severity: critical
received_at: 2026-11-16T09:00:00+08:00
assignee: li.wei
acknowledged_at: 2026-11-16T09:30:00+08:00
updates:
  - at: 2026-11-17T10:00:00+08:00
    by: li.wei
    note: 已聯繫物流
`
	approvedProject = `kind: project
id: PRJ-2026-0005
title: 熱線升級
status: approved
objective: 首次響應縮短 50%
sponsor: wang.fang
owner: zhang.min
team: [li.wei, zhao.lei]
feasibility:
  report: attachments/f.pdf
  conclusion: feasible
`
	activePlan = `kind: plan
id: PLN-2026-0004
title: 經銷商方案
status: active
project: PRJ-2026-0003
author: zhang.min
revision: 1
strategy: 直播
resources:
  budget:
    - category: marketing
      amount: 120000.00
tasks:
  - title: 簽約
    assignee: li.wei
    due: 2026-11-20
    status: doing
checks:
  - date: 2026-11-03
    by: zhang.min
    summary: 進度正常
`
	approvedClaim = `kind: expense
id: EXP-2026-0021
title: 差旅
status: approved
claimant: li.wei
date: 2026-10-20
category: travel
project: PRJ-2026-0003
amount: 1545.60
`
)

// after applies text replacements (old, new pairs) to a record's text.
func after(t *testing.T, text string, repl ...string) *record.Record {
	t.Helper()
	for i := 0; i+1 < len(repl); i += 2 {
		if !strings.Contains(text, repl[i]) {
			t.Fatalf("test replacement %q not found", repl[i])
		}
		text = strings.Replace(text, repl[i], repl[i+1], 1)
	}
	return parse(t, text)
}

func TestRightsAttacksAndTheirRightfulCounterparts(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := Env{People: people, Now: now}
	cases := []struct {
		name   string
		actor  Actor
		before string
		repl   []string
		rules  string // the refusals' rules, space-separated; "" = allowed
		msg    string
	}{
		// a specialist sets another person's draft claim to 99999.00
		{"another's draft claim raised", other, draftClaim, []string{"amount: 2100.00", "amount: 99999.00", "amount: 1500.00", "amount: 99399.00"},
			"edit-right edit-right", "zhao.lei (specialist) may not change amount of EXP-2026-0027 while it is draft: only the claimant (li.wei) may"},
		{"own draft claim raised", specialist, draftClaim, []string{"amount: 2100.00", "amount: 2200.00", "amount: 1500.00", "amount: 1600.00"}, "", ""},
		{"the director edits another's draft claim", director, draftClaim, []string{"title: 差旅", "title: 出差"}, "edit-right", ""},
		// an employee raises his own reviewed appraisal's scores and rating
		{"employee raises his scores", specialist, reviewedAppraisal, []string{"score: 68", "score: 100", "total: 68", "total: 100", "rating: meets", "rating: outstanding"},
			"sealed-field stamp stamp", "indicators.0.score of APR-2026-0005 is sealed once the appraisal is reviewed"},
		{"employee raises and acknowledges in one change", specialist, reviewedAppraisal, []string{"status: reviewed", "status: acknowledged", "score: 68", "score: 100"},
			"sealed-field", "indicators.0.score of APR-2026-0005 is sealed"},
		{"employee acknowledges", specialist, reviewedAppraisal, []string{"status: reviewed", "status: acknowledged"}, "", ""},
		{"the director edits scores of a reviewed appraisal", director, reviewedAppraisal, []string{"score: 68", "score: 70"}, "sealed-field", "the director recalibrates it back to draft"},
		{"the director recalibrates: total and rating cleared", director, reviewedAppraisal, []string{"status: reviewed", "status: draft", "total: 68\nrating: meets\n", ""}, "", ""},
		{"recalibrating keeps a total", director, reviewedAppraisal, []string{"status: reviewed", "status: draft", "rating: meets\n", ""}, "stamp", "total of APR-2026-0005 is stamped by the move to draft with nothing (the move clears it)"},
		{"employee comments as himself", specialist, reviewedAppraisal, []string{"rating: meets\n", "rating: meets\ncomments:\n  - date: 2026-11-26\n    by: li.wei\n    note: 同意\n"}, "", ""},
		{"employee comments as his manager", specialist, reviewedAppraisal, []string{"rating: meets\n", "rating: meets\ncomments:\n  - date: 2026-11-26\n    by: zhang.min\n    note: 同意\n"},
			"edit-right", "comments.0 of APR-2026-0005 is by zhang.min, but li.wei added it"},
		// a specialist lowers a critical complaint and moves received_at
		{"specialist lowers severity", specialist, criticalComplaint, []string{"severity: critical", "severity: low"}, "edit-right",
			"li.wei (specialist) may not change severity of CMP-2026-0015 while it is investigating: only a manager or a director may"},
		{"manager lowers severity", manager, criticalComplaint, []string{"severity: critical", "severity: low"}, "", ""},
		{"received_at moved", manager, criticalComplaint, []string{"received_at: 2026-11-16T09:00", "received_at: 2026-11-16T09:20"}, "sealed-field",
			"received_at of CMP-2026-0015 is sealed: it never changes after the complaint is created"},
		{"channel changed", director, criticalComplaint, []string{"channel: phone", "channel: email"}, "sealed-field", ""},
		{"acknowledged_at edited", director, criticalComplaint, []string{"acknowledged_at: 2026-11-16T09:30", "acknowledged_at: 2026-11-16T09:05"}, "stamp",
			"acknowledged_at of CMP-2026-0015 is stamped by opsbook (written by the move to acknowledged): nobody writes it by hand"},
		{"assignee adds an update", specialist, criticalComplaint, []string{"note: 已聯繫物流\n", "note: 已聯繫物流\n  - at: 2026-11-26T15:00:00+08:00\n    by: li.wei\n    note: 補發\n"}, "", ""},
		{"update added as someone else", specialist, criticalComplaint, []string{"note: 已聯繫物流\n", "note: 已聯繫物流\n  - at: 2026-11-26T15:00:00+08:00\n    by: zhang.min\n    note: 補發\n"}, "edit-right", "but li.wei added it"},
		{"another specialist adds an update", other, criticalComplaint, []string{"note: 已聯繫物流\n", "note: 已聯繫物流\n  - at: 2026-11-26T15:00:00+08:00\n    by: zhao.lei\n    note: 補發\n"}, "edit-right",
			"zhao.lei (specialist) may not add to updates of CMP-2026-0015: only the assignee (li.wei), a manager or a director may"},
		{"old update rewritten", specialist, criticalComplaint, []string{"note: 已聯繫物流", "note: 客戶撤訴"}, "sealed-field", "updates.0 of CMP-2026-0015 was changed"},
		{"old update removed", manager, criticalComplaint, []string{"updates:\n  - at: 2026-11-17T10:00:00+08:00\n    by: li.wei\n    note: 已聯繫物流\n", "updates: []\n"}, "sealed-field", "updates of CMP-2026-0015 lost items"},
		{"specialist reassigns to himself", specialist, criticalComplaint, []string{"assignee: li.wei", "assignee: zhao.lei"}, "assign-role", ""},
		// an approved project's objective and feasibility; an active plan's budget
		{"specialist rewrites the objective", specialist, approvedProject, []string{"objective: 首次響應縮短 50%", "objective: 任意"}, "sealed-field",
			"objective of PRJ-2026-0005 is sealed once the project is approved (it changes in proposed, feasibility, by the owner (zhang.min) or a director)"},
		{"the director rewrites the feasibility report", director, approvedProject, []string{"report: attachments/f.pdf", "report: attachments/g.pdf"}, "sealed-field", ""},
		{"finance raises an active plan's budget", finance, activePlan, []string{"amount: 120000.00", "amount: 990000.00"}, "sealed-field",
			"resources.budget.0.amount of PLN-2026-0004 is sealed once the plan is active"},
		{"the author raises an active plan's budget", manager, activePlan, []string{"amount: 120000.00", "amount: 990000.00"}, "sealed-field", "a new revision (supersedes) changes it"},
		{"the director adds to the team of an approved project", director, approvedProject, []string{"team: [li.wei, zhao.lei]", "team: [li.wei, zhao.lei, wu.qiang]"}, "", ""},
		{"the owner sheds the team of an executing project", manager, strings.Replace(approvedProject, "status: approved", "status: executing", 1), []string{"team: [li.wei, zhao.lei]", "team: [li.wei]"}, "edit-right",
			"may not change team of PRJ-2026-0005 while it is executing: only a director may"},
		// a claimant moves her approved claim to another budget line and year
		{"approved claim recategorised", specialist, approvedClaim, []string{"category: travel", "category: office", "project: PRJ-2026-0003", "project: PRJ-2026-0004", "date: 2026-10-20", "date: 2025-12-30"},
			"sealed-field sealed-field sealed-field", "category of EXP-2026-0021 is sealed once the claim is approved"},
		{"approved claim's note", specialist, approvedClaim, []string{"amount: 1545.60\n", "amount: 1545.60\nnote: 發票已補\n"}, "", ""},
		{"paid with a new amount", finance, approvedClaim, []string{"status: approved", "status: paid", "amount: 1545.60", "amount: 1645.60"}, "sealed-field", ""},
		// a specialist records the manager's progress check
		{"a check dated next month", manager2, activePlan, []string{"summary: 進度正常\n", "summary: 進度正常\n  - date: 2026-12-26\n    by: chen.jie\n    summary: 好\n"}, "stamp",
			"checks.1 of PLN-2026-0004 is dated 2026-12-26, after the change that adds it (2026-11-26T15:00:00+08:00)"},
		{"a check dated today", manager2, activePlan, []string{"summary: 進度正常\n", "summary: 進度正常\n  - date: 2026-11-26\n    by: chen.jie\n    summary: 好\n"}, "", ""},
		{"an update at a later hour", specialist, criticalComplaint, []string{"note: 已聯繫物流\n", "note: 已聯繫物流\n  - at: 2026-11-26T18:00:00+08:00\n    by: li.wei\n    note: 補發\n"}, "stamp", ""},
		{"specialist records the manager's check", specialist, activePlan, []string{"summary: 進度正常\n", "summary: 進度正常\n  - date: 2026-11-26\n    by: zhang.min\n    summary: 好\n"}, "edit-right",
			"li.wei (specialist) may not add to checks of PLN-2026-0004: only a manager or a director may"},
		{"a manager records his own check", manager2, activePlan, []string{"summary: 進度正常\n", "summary: 進度正常\n  - date: 2026-11-26\n    by: chen.jie\n    summary: 好\n"}, "", ""},
		{"a task's assignee marks it done", specialist, activePlan, []string{"status: doing", "status: done\n    done: 2026-11-26"}, "", ""},
		{"another marks the task done", other, activePlan, []string{"status: doing", "status: done"}, "edit-right", "only the task's assignee (li.wei), the author (zhang.min) or a director may"},
		{"the assignee renames the task", specialist, activePlan, []string{"title: 簽約", "title: 簽約 5 家"}, "sealed-field", ""},
		// stamps
		{"ack stamped now", manager, strings.Replace(strings.Replace(criticalComplaint, "status: investigating", "status: received", 1), "acknowledged_at: 2026-11-16T09:30:00+08:00\n", "", 1),
			[]string{"status: received", "status: acknowledged", "assignee: li.wei\n", "assignee: li.wei\nacknowledged_at: 2026-11-26T15:00:00+08:00\n"}, "", ""},
		{"ack back-dated", manager, strings.Replace(strings.Replace(criticalComplaint, "status: investigating", "status: received", 1), "acknowledged_at: 2026-11-16T09:30:00+08:00\n", "", 1),
			[]string{"status: received", "status: acknowledged", "assignee: li.wei\n", "assignee: li.wei\nacknowledged_at: 2026-11-16T09:10:00+08:00\n"}, "stamp",
			"acknowledged_at of CMP-2026-0015 is stamped by the move to acknowledged with the instant of the move (2026-11-26T15:00:00+08:00), not 2026-11-16T09:10:00+08:00"},
		{"hold.from is the state left", director, approvedProject, []string{"status: approved", "status: on_hold", "team:", "hold:\n  from: approved\n  reason: 等待\nteam:"}, "", ""},
		{"hold.from names a later state", director, approvedProject, []string{"status: approved", "status: on_hold", "team:", "hold:\n  from: executing\nteam:"}, "hold-from", ""},
		{"submitted with its total", manager, strings.Replace(strings.Replace(reviewedAppraisal, "status: reviewed", "status: draft", 1), "total: 68\nrating: meets\n", "", 1),
			[]string{"status: draft", "status: submitted", "score: 68\n", "score: 68\ntotal: 68\nrating: meets\n"}, "", ""},
		{"submitted with a forged total and rating", manager, strings.Replace(strings.Replace(reviewedAppraisal, "status: reviewed", "status: draft", 1), "total: 68\nrating: meets\n", "", 1),
			[]string{"status: draft", "status: submitted", "score: 68\n", "score: 68\ntotal: 95\nrating: outstanding\n"}, "stamp stamp",
			"total of APR-2026-0005 is stamped by the move to submitted with Σ weight × score / 100 = 68, not 95"},
		{"satisfaction recorded by the assignee", specialist, criticalComplaint, []string{"severity: critical\n", "severity: critical\nsatisfaction: 5\n"}, "edit-right", "the customer's rating"},
		{"satisfaction recorded by a manager", manager, criticalComplaint, []string{"severity: critical\n", "severity: critical\nsatisfaction: 5\n"}, "", ""},
		{"a total written by hand in draft", manager, strings.Replace(reviewedAppraisal, "status: reviewed", "status: draft", 1), []string{"total: 68", "total: 90"}, "stamp", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := parse(t, c.before)
			rs := CheckChange(c.actor, Change{Before: before, After: after(t, c.before, c.repl...)}, env)
			if got := strings.Join(rules(rs), " "); got != c.rules {
				t.Fatalf("rules %q, want %q: %v", got, c.rules, messages(rs))
			}
			if c.msg != "" && !strings.Contains(messages(rs), c.msg) {
				t.Fatalf("messages %q, want one containing %q", messages(rs), c.msg)
			}
		})
	}
}

func messages(rs []*Refusal) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Message)
	}
	return strings.Join(out, "; ")
}

func TestCreateRights(t *testing.T) {
	env := Env{People: people}
	assigned := parse(t, "kind: complaint\nid: CMP-2026-0020\ntitle: t\nstatus: received\ntype: complaint\nassignee: li.wei\n")
	expect(t, CheckCreate(specialist, assigned, env), RuleAssignRole, "li.wei (specialist) may not create CMP-2026-0020 with assignee set: only a manager or a director may set it")
	expect(t, CheckCreate(manager, assigned, env), "", "")
	acked := parse(t, "kind: complaint\nid: CMP-2026-0020\ntitle: t\nstatus: received\ntype: complaint\nacknowledged_at: 2026-11-26T15:00:00+08:00\n")
	expect(t, CheckCreate(manager, acked, env), RuleStamp, "acknowledged_at of CMP-2026-0020 is stamped by opsbook")
	visit := "kind: customer\nid: CUS-0009\nname: 青禾\nvisits:\n  - date: 2026-11-26\n    by: %s\n    note: 拜訪\n"
	expect(t, CheckCreate(finance, parse(t, strings.Replace(visit, "%s", "qian.yu", 1)), env), "", "")
	expect(t, CheckCreate(finance, parse(t, strings.Replace(visit, "%s", "li.wei", 1)), env), RuleEditRight, "visits.0 of CUS-0009 is by li.wei, but qian.yu added it")
	withTotal := parse(t, "kind: appraisal\nid: APR-2026-0011\ntitle: t\nstatus: draft\nemployee: li.wei\nappraiser: zhang.min\ntotal: 95\n")
	expect(t, CheckCreate(manager, withTotal, env), RuleStamp, "total of APR-2026-0011 is stamped by opsbook")
}

func TestCustomerVisitsAppendOnly(t *testing.T) {
	before := parse(t, "kind: customer\nid: CUS-0001\nname: 青禾\nvisits:\n  - date: 2026-10-01\n    by: li.wei\n    note: 初訪\n")
	add := func(by string) *record.Record {
		return parse(t, "kind: customer\nid: CUS-0001\nname: 青禾\nvisits:\n  - date: 2026-10-01\n    by: li.wei\n    note: 初訪\n  - date: 2026-11-26\n    by: "+by+"\n    note: 回訪\n")
	}
	expect(t, CheckEdit(other, before, add("zhao.lei"), Env{}), "", "")
	expect(t, CheckEdit(other, before, add("li.wei"), Env{}), RuleEditRight, "visits.1 of CUS-0001 is by li.wei, but zhao.lei added it")
	rewritten := parse(t, "kind: customer\nid: CUS-0001\nname: 青禾\nvisits:\n  - date: 2026-10-01\n    by: li.wei\n    note: 沒去\n")
	expect(t, CheckEdit(director, before, rewritten, Env{}), RuleSealedField, "visits.0 of CUS-0001 was changed")
	renamed := parse(t, "kind: customer\nid: CUS-0001\nname: 青禾科技\nvisits:\n  - date: 2026-10-01\n    by: li.wei\n    note: 初訪\n")
	expect(t, CheckEdit(finance, before, renamed, Env{}), "", "")
}

// recs is a Records of a few records.
type recs []*record.Record

func (rs recs) Get(id string) *record.Record {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (rs recs) OfKind(k record.Kind) []*record.Record {
	var out []*record.Record
	for _, r := range rs {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

func TestOrderAcrossKinds(t *testing.T) {
	draft := plan(t, "PLN-2026-0009", "draft", "")
	withProject := func(state string, plans ...*record.Record) Env {
		rs := recs{project(t, state, "")}
		return Env{People: people, Records: append(rs, plans...)}
	}
	expect(t, CheckMove(manager, draft, "in_review", withProject("feasibility")), RuleOrder,
		"PLN-2026-0009 may not be submitted while its project PRJ-2026-0003 is feasibility: a plan is submitted once the project is approved, planning or executing")
	expect(t, CheckMove(manager, draft, "in_review", withProject("proposed")), RuleOrder, "")
	for _, s := range []string{"approved", "planning", "executing"} {
		expect(t, CheckMove(manager, draft, "in_review", withProject(s)), "", "")
	}
	expect(t, CheckMove(manager, draft, "in_review", Env{Records: recs{}}), RuleOrder, "its project PRJ-2026-0003 is not found")
	// without Records the order is not judged (a caller that cannot look)
	expect(t, CheckMove(manager, draft, "in_review", Env{}), "", "")

	planning := project(t, "planning", "")
	expect(t, CheckMove(manager, planning, "executing", withProject("planning", plan(t, "PLN-2026-0005", "approved", ""))), RuleOrder,
		"PRJ-2026-0003 may not start executing without an active plan (its plans: PLN-2026-0005 approved): activate its plan first")
	expect(t, CheckMove(manager, planning, "executing", withProject("planning")), RuleOrder, "it has no plan")
	expect(t, CheckMove(manager, planning, "executing", withProject("planning", plan(t, "PLN-2026-0005", "active", ""))), "", "")
	// the plans looked up by project (NewProjectPlans, as the inbox asks
	// of every project): the same answers, the project's plans in order,
	// another project's left out
	elsewhere := parse(t, "kind: plan\nid: PLN-2026-0007\ntitle: 別案\nstatus: approved\nproject: PRJ-2026-0004\nauthor: zhang.min\nrevision: 1\n")
	for _, rs := range []recs{
		{project(t, "planning", ""), plan(t, "PLN-2026-0006", "draft", ""), elsewhere, plan(t, "PLN-2026-0005", "approved", "")},
		{project(t, "planning", ""), elsewhere, plan(t, "PLN-2026-0005", "active", "")},
		{project(t, "planning", ""), elsewhere},
	} {
		plain := CheckMove(manager, planning, "executing", Env{People: people, Records: rs})
		looked := CheckMove(manager, planning, "executing", Env{People: people, Records: NewProjectPlans(rs)})
		if (plain == nil) != (looked == nil) || plain != nil && plain.Error() != looked.Error() {
			t.Errorf("by project: %v, want %v", looked, plain)
		}
	}
	expect(t, CheckMove(manager, planning, "executing", Env{People: people, Records: NewProjectPlans(recs{project(t, "planning", ""), plan(t, "PLN-2026-0006", "draft", ""), elsewhere, plan(t, "PLN-2026-0005", "approved", "")})}), RuleOrder,
		"(its plans: PLN-2026-0006 draft, PLN-2026-0005 approved)")
	// the option list says why, too
	for _, o := range Options(manager, planning, withProject("planning")) {
		if o.To == "executing" && (o.Allowed || o.Rule != RuleOrder) {
			t.Errorf("start listed as %+v", o)
		}
	}

	// the director's own claim goes up, never down
	own := expense(t, "submitted", "wang.fang", "4280.00")
	env := Env{People: people}
	expect(t, CheckMove(manager, own, "approved", env), RuleOrder, "zhang.min (manager) may not approve EXP-2026-0193: it is the claim of the director wang.fang, which only leadership decides")
	expect(t, CheckMove(manager, own, "returned", env), RuleOrder, "")
	expect(t, CheckMove(manager, own, "rejected", env), RuleOrder, "")
	expect(t, CheckMove(director, own, "approved", env), RuleFourEyes, "")
	expect(t, CheckMove(leadership, own, "approved", env), "", "")
	expect(t, CheckMove(manager, expense(t, "submitted", "li.wei", "4280.00"), "approved", env), "", "")
}

func TestExpenseReviewPolicy(t *testing.T) {
	pol := config.Default()
	pol.ExpenseReview = "director"
	env := Env{People: people, Policy: pol}
	sub := expense(t, "submitted", "li.wei", "300.00")
	expect(t, CheckMove(manager, sub, "approved", env), RuleMoveIllegal, "no move from submitted to approved for an expense; from submitted: reviewed, rejected, returned")
	expect(t, CheckMove(manager, sub, "reviewed", env), RuleMoveRole, "only a director or leadership may")
	expect(t, CheckMove(director, sub, "reviewed", env), "", "")
	expect(t, CheckMove(manager, sub, "returned", env), "", "")
	rev := expense(t, "reviewed", "li.wei", "300.00")
	expect(t, CheckMove(manager, rev, "approved", env), "", "")
	expect(t, CheckMove(specialist, rev, "approved", env), RuleMoveRole, "")
	expect(t, CheckMove(manager, expense(t, "reviewed", "li.wei", "6000.00"), "approved", env), RuleApprovalLimit, "")
	own := expense(t, "submitted", "wang.fang", "300.00")
	expect(t, CheckMove(director, own, "reviewed", env), RuleFourEyes, "")
	expect(t, CheckMove(leadership, own, "reviewed", env), "", "")
	expect(t, CheckMove(manager, expense(t, "reviewed", "wang.fang", "300.00"), "approved", env), RuleOrder, "")
	if m, err := MoveByVerb(sub, "review", env); err != nil || m.To != "reviewed" {
		t.Errorf("review = %v, %v", m, err)
	}
	if _, err := MoveByVerb(sub, "review", Env{}); err == nil {
		t.Error("review without the policy is no move")
	}
	// without the policy, reviewed is no state of the default table
	expect(t, CheckMove(manager, sub, "reviewed", Env{}), RuleMoveIllegal, "")
	// a reviewed claim is sealed, like a submitted one
	after := expense(t, "reviewed", "li.wei", "400.00")
	expect(t, CheckEdit(specialist, rev, after, env), RuleSealedField, "amount of EXP-2026-0193 is sealed once the claim is reviewed")
}

func TestDescribe(t *testing.T) {
	v := Describe(record.Expense, nil)
	var claimant RightRow
	for _, r := range v.Fields {
		if r.Field == "claimant" {
			claimant = r
		}
	}
	if claimant.Mode != "sealed" || claimant.Rule != RuleSealedField {
		t.Errorf("claimant row %+v", claimant)
	}
	if len(v.Moves) != len(For(record.Expense).Moves) {
		t.Errorf("%d moves", len(v.Moves))
	}
	pol := config.Default()
	pol.ExpenseReview = "director"
	if v := Describe(record.Expense, pol); !contains(v.States, "reviewed") {
		t.Errorf("review policy states %v", v.States)
	}
	if v := Describe(record.Customer, nil); len(v.Fields) != 2 || v.Fields[1].Mode != "append" {
		t.Errorf("customer %+v", v.Fields)
	}
	if v := Describe(record.Person, nil); len(v.Fields) != 1 || v.Fields[0].Rule != RulePeoplePolicy {
		t.Errorf("person %+v", v.Fields)
	}
	// every stamp names the states whose moves write it, every right a
	// state of its kind
	for _, ki := range record.Kinds {
		rs := RightsFor(ki.Kind)
		tab := ForPolicy(ki.Kind, pol)
		if rs == nil || tab == nil {
			continue
		}
		for _, r := range rs.Rights {
			for _, s := range r.States {
				if !tab.IsState(s) {
					t.Errorf("%s %s: %q is not a state", ki.Kind, r.Field, s)
				}
			}
			if r.Mode == Stamp && len(r.States) == 0 {
				t.Errorf("%s %s: a stamp without moves", ki.Kind, r.Field)
			}
		}
	}
}

func TestEditable(t *testing.T) {
	claim := parse(t, draftClaim)
	if got := Editable(specialist, claim, Env{}); got != "every field but claimant" {
		t.Errorf("claimant: %q", got)
	}
	if got := Editable(other, claim, Env{}); got != "none" {
		t.Errorf("other: %q", got)
	}
	p := parse(t, activePlan)
	if got := Editable(specialist, p, Env{}); got != "tasks.*.status, tasks.*.done" {
		t.Errorf("assignee: %q", got)
	}
	if got := Editable(other, p, Env{}); got != "none" {
		t.Errorf("other on plan: %q", got)
	}
	if got := Editable(finance, parse(t, "kind: expense\nid: EXP-2026-0002\nstatus: paid\nclaimant: li.wei\n"), Env{}); got != "none" {
		t.Errorf("paid: %q", got)
	}
}
