package workflow

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
)

// The coordination kinds' move tables, transcribed apart from the code.
func init() {
	domain[record.Meeting] = domainKind{"draft", []string{"closed"}, map[string]string{
		"draft>published":  "@chair",
		"published>closed": "@chair director",
	}}
	domain[record.Task] = domainKind{"open", []string{"cancelled", "done"}, map[string]string{
		"open>doing":      "@assignee",
		"open>done":       "@assignee",
		"doing>done":      "@assignee",
		"open>cancelled":  "@assigned_by director",
		"doing>cancelled": "@assigned_by director",
	}}
	domain[record.StatusReport] = domainKind{"draft", []string{"acknowledged"}, map[string]string{
		"draft>submitted":        "@author",
		"submitted>acknowledged": "@to",
	}}
	domain[record.OpsPlan] = domainKind{"draft", []string{"closed"}, map[string]string{
		"draft>approved":  "leadership",
		"approved>closed": "director",
	}}
	domain[record.Analysis] = domainKind{"draft", []string{"closed"}, map[string]string{
		"draft>submitted":   "@author",
		"submitted>decided": "leadership",
		"submitted>draft":   "leadership",
		"decided>closed":    "@author director",
	}}
	partyFields = append(partyFields, "chair", "assigned_by", "to")
}

const publishedMeeting = `kind: meeting
id: MTG-2026-0003
title: 週會
status: published
type: weekly
date: 2026-11-16
chair: zhang.min
attendees: [zhang.min, li.wei, zhao.lei]
minutes: 複盤上週活動
actions:
  - title: 整理名單
    owner: li.wei
    due: 2026-11-20
    status: open
  - title: 聯絡經銷商
    owner: zhao.lei
    due: 2026-11-25
    status: open
`

func TestMeetingRights(t *testing.T) {
	draft := strings.Replace(publishedMeeting, "status: published", "status: draft", 1)
	cases := []struct {
		name   string
		actor  Actor
		before string
		repl   []string
		rule   string
		msg    string
	}{
		{"owner closes their action", specialist, publishedMeeting, []string{"status: open\n  - title: 聯絡", "status: done\n    done: 2026-11-19\n  - title: 聯絡"}, "", ""},
		{"owner closes another's action", specialist, publishedMeeting, []string{"due: 2026-11-25\n    status: open", "due: 2026-11-25\n    status: done"}, RuleEditRight,
			"li.wei (specialist) may not change actions.1.status of MTG-2026-0003 while it is published: only the action's owner (zhao.lei), the chair (zhang.min) or a director may"},
		{"chair follows up an action", manager, publishedMeeting, []string{"due: 2026-11-25\n    status: open", "due: 2026-11-25\n    status: dropped"}, "", ""},
		{"director follows up an action", director, publishedMeeting, []string{"due: 2026-11-25\n    status: open", "due: 2026-11-25\n    status: doing"}, "", ""},
		{"published minutes sealed, even for the chair", manager, publishedMeeting, []string{"複盤上週活動", "改寫"}, RuleSealedField, "minutes of MTG-2026-0003 is sealed once the meeting is published"},
		{"owner moves their due date", specialist, publishedMeeting, []string{"2026-11-20", "2026-12-20"}, RuleSealedField, ""},
		{"action added after publishing", manager, publishedMeeting, []string{"status: open\n  - title: 聯絡", "status: open\n  - title: 新增\n    owner: li.wei\n    due: 2026-12-01\n  - title: 聯絡"}, RuleSealedField, ""},
		{"published_at by hand", manager, publishedMeeting, []string{"minutes:", "published_at: 2026-11-16T10:00:00+08:00\nminutes:"}, RuleStamp, ""},
		{"chair edits the draft", manager, draft, []string{"複盤上週活動", "改寫"}, "", ""},
		{"attendee edits the draft", specialist, draft, []string{"複盤上週活動", "改寫"}, RuleEditRight, "only the chair (zhang.min) may"},
		{"director hands the draft over", director, draft, []string{"chair: zhang.min", "chair: chen.jie"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, edit(t, c.actor, c.before, c.repl...), c.rule, c.msg)
		})
	}
	// Only the chair creates a meeting: nobody records minutes in another's name.
	expect(t, CheckCreate(specialist, parse(t, draft), Env{People: people}), RuleCreateRole, "its chair is zhang.min")
	expect(t, CheckCreate(manager, parse(t, draft), Env{People: people}), "", "")
	// Closed minutes are final.
	closed := strings.Replace(publishedMeeting, "status: published", "status: closed", 1)
	expect(t, edit(t, specialist, closed, "status: open\n  - title: 聯絡", "status: done\n  - title: 聯絡"), RuleFinalState, "")
}

const openTask = `kind: task
id: TSK-2026-0001
title: 整理名單
status: doing
assigned_by: zhang.min
assignee: li.wei
due: 2026-11-30
`

func TestTaskRights(t *testing.T) {
	cases := []struct {
		name  string
		actor Actor
		repl  []string
		rule  string
		msg   string
	}{
		{"assignee writes the result", specialist, []string{"due:", "result: 已整理\ndue:"}, "", ""},
		{"assignee moves the due date", specialist, []string{"2026-11-30", "2026-12-30"}, RuleEditRight, "only the assigner (zhang.min) or a director may"},
		{"assigner moves the due date", manager, []string{"2026-11-30", "2026-12-30"}, "", ""},
		{"assigner hands it to another", manager, []string{"assignee: li.wei", "assignee: zhao.lei"}, "", ""},
		{"assigner is sealed", director, []string{"assigned_by: zhang.min", "assigned_by: chen.jie"}, RuleSealedField, "a task belongs to whoever assigned it"},
		{"done date by hand", specialist, []string{"due:", "done: 2026-11-20\ndue:"}, RuleStamp, ""},
		{"another specialist writes the result", other, []string{"due:", "result: x\ndue:"}, RuleEditRight, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, edit(t, c.actor, openTask, c.repl...), c.rule, c.msg)
		})
	}
	created := strings.Replace(openTask, "status: doing", "status: open", 1)
	expect(t, CheckCreate(specialist, parse(t, strings.Replace(created, "assigned_by: zhang.min", "assigned_by: li.wei", 1)), Env{People: people}), RuleCreateRole, "tasks are created by a manager or a director")
	expect(t, CheckCreate(manager2, parse(t, created), Env{People: people}), RuleCreateRole, "its assigner is zhang.min")
	expect(t, CheckCreate(manager, parse(t, created), Env{People: people}), "", "")
}

const submittedReport = `kind: status-report
id: RPT-2026-0001
title: 週報
status: submitted
author: zhang.min
to: wang.fang
period: 2026-W47
progress: p
submitted_at: 2026-11-23T18:00:00+08:00
snapshot:
  open_work: 6
`

func TestStatusReportRights(t *testing.T) {
	draft := strings.Replace(submittedReport, "status: submitted", "status: draft", 1)
	expect(t, edit(t, manager, draft, "progress: p", "progress: q"), "", "")
	expect(t, edit(t, manager, draft, "open_work: 6", "open_work: 0"), RuleStamp, "snapshot.open_work of RPT-2026-0001 is stamped by opsbook")
	expect(t, edit(t, manager, submittedReport, "progress: p", "progress: q"), RuleSealedField, "a submitted report is sealed")
	expect(t, edit(t, director, submittedReport, "progress: p", "progress: p\nfeedback: 好"), "", "")
	expect(t, edit(t, manager, submittedReport, "progress: p", "progress: p\nfeedback: 好"), RuleEditRight, "only the addressee (wang.fang) may")
}

const submittedAnalysis = `kind: analysis
id: ANA-2026-0001
title: 分析
status: submitted
author: li.wei
period: 2026-Q3
recommendations:
  - recommendation: r
`

func TestAnalysisRights(t *testing.T) {
	expect(t, edit(t, leadership, submittedAnalysis, "  - recommendation: r\n", "  - recommendation: r\n    decision: adopt\n    decided_by: sun.hua\n"), "", "")
	expect(t, edit(t, director, submittedAnalysis, "  - recommendation: r\n", "  - recommendation: r\n    decision: adopt\n"), RuleEditRight, "only leadership may")
	expect(t, edit(t, specialist, submittedAnalysis, "recommendation: r", "recommendation: q"), RuleSealedField, "leadership decides or returns it")
	decided := strings.Replace(submittedAnalysis, "status: submitted", "status: decided", 1)
	expect(t, edit(t, specialist, decided, "  - recommendation: r\n", "  - recommendation: r\n    follow_up: [TSK-2026-0001]\n"), "", "")
	expect(t, edit(t, leadership, decided, "  - recommendation: r\n", "  - recommendation: r\n    decision: reject\n"), RuleSealedField, "only follow-ups are added")
}
