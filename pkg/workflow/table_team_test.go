package workflow

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
)

func init() {
	domain[record.TrainingPlan] = domainKind{"draft", []string{"closed"}, map[string]string{
		"draft>approved":  "leadership",
		"approved>closed": "director",
	}}
	domain[record.Training] = domainKind{"planned", []string{"cancelled", "evaluated"}, map[string]string{
		"planned>held":      "@organiser manager director",
		"held>evaluated":    "@organiser manager director",
		"planned>cancelled": "@organiser manager director",
	}}
	domain[record.Violation] = domainKind{"reported", []string{"closed", "dismissed"}, map[string]string{
		"reported>investigating":  "director leadership",
		"reported>dismissed":      "director leadership",
		"investigating>decided":   "director leadership",
		"investigating>dismissed": "director leadership",
		"decided>closed":          "director leadership",
	}}
	partyFields = append(partyFields, "organiser", "reporter", "person")
}

const violation = `kind: violation
id: VIO-2026-0001
title: 外發客戶名單
status: investigating
person: wang.fang
reporter: zhang.min
reported_on: 2026-05-02
date: 2026-04-30
rule: §7.2.2
facts: 將客戶名單發至私人郵箱
severity: serious
`

// The director concerned, or the manager who reported the case, never
// decides it; leadership does.
func TestViolationFourEyes(t *testing.T) {
	v := parse(t, violation)
	env := Env{People: people}
	expect(t, CheckMove(director, v, "decided", env), RuleFourEyes, "wang.fang may not decide VIO-2026-0001: it is their own case (four eyes)")
	expect(t, CheckMove(director, v, "dismissed", env), RuleFourEyes, "their own case")
	expect(t, CheckMove(leadership, v, "decided", env), "", "")
	reported := parse(t, strings.Replace(strings.Replace(violation, "person: wang.fang", "person: li.wei", 1), "reporter: zhang.min", "reporter: wang.fang", 1))
	expect(t, CheckMove(director, reported, "decided", env), RuleFourEyes, "it is their own report (four eyes)")
	expect(t, CheckMove(manager, parse(t, strings.Replace(violation, "person: wang.fang", "person: li.wei", 1)), "decided", env), RuleMoveRole, "only a director or leadership may")
}

const approvedTrainingPlan = `kind: training-plan
id: TRP-2026
title: 2026 培訓計劃
status: approved
year: 2026
author: wang.fang
courses:
  - code: C01
    title: 保密
    topic: confidentiality
    delivery: internal
    audience: {all: true}
    month: 2026-03
    hours: 2
amendments:
  - date: 2026-04-01
    by: sun.hua
    reason: 加課
    drop: C01
`

const plannedTraining = `kind: training
id: TRN-2026-0001
title: 保密培訓
status: held
organiser: zhang.min
date: 2026-03-10
topic: confidentiality
delivery: internal
hours: 2
attendees:
  - person: li.wei
    attended: true
  - person: zhao.lei
    attended: true
`

func TestTeamEditRights(t *testing.T) {
	cases := []struct {
		name   string
		actor  Actor
		before string
		repl   []string
		rule   string
		msg    string
	}{
		{"approved plan's courses sealed", director, approvedTrainingPlan, []string{"hours: 2", "hours: 3"}, RuleSealedField,
			"courses.0.hours of TRP-2026 is sealed once the training plan is approved (it changes in draft, by a director); leadership changes an approved plan by adding an amendment"},
		{"leadership amends the plan", leadership, approvedTrainingPlan, []string{"drop: C01\n", "drop: C01\n  - date: 2026-05-01\n    by: sun.hua\n    reason: 改期\n    drop: C02\n"}, "", ""},
		{"the director may not amend", director, approvedTrainingPlan, []string{"drop: C01\n", "drop: C01\n  - date: 2026-05-01\n    by: wang.fang\n    reason: 改期\n    drop: C02\n"}, RuleEditRight, "only leadership may"},
		{"an amendment is never rewritten", leadership, approvedTrainingPlan, []string{"reason: 加課", "reason: 改"}, RuleSealedField, "only added"},
		{"draft plan changed by the director", director, strings.Replace(approvedTrainingPlan, "status: approved", "status: draft", 1), []string{"hours: 2", "hours: 3"}, "", ""},
		{"an attendee rates the session", specialist, plannedTraining, []string{"person: li.wei\n    attended: true", "person: li.wei\n    attended: true\n    rating: 4"}, "", ""},
		{"nobody rates for another", specialist, plannedTraining, []string{"person: zhao.lei\n    attended: true", "person: zhao.lei\n    attended: true\n    rating: 5"}, RuleEditRight, "only the attendee's person (zhao.lei) may"},
		{"the organiser may not rate", manager, plannedTraining, []string{"person: zhao.lei\n    attended: true", "person: zhao.lei\n    attended: true\n    rating: 5"}, RuleEditRight, ""},
		// the list changing length does not open its items' ratings
		{"the organiser adds an attendee with a rating", manager, plannedTraining, []string{"person: zhao.lei\n    attended: true\n", "person: zhao.lei\n    attended: true\n  - person: chen.jie\n    attended: true\n    rating: 2\n"}, RuleEditRight, "only the attendee's person (chen.jie) may"},
		{"the organiser adds an attendee", manager, plannedTraining, []string{"person: zhao.lei\n    attended: true\n", "person: zhao.lei\n    attended: true\n  - person: chen.jie\n    attended: false\n"}, "", ""},
		{"the organiser drops a rating with its attendee", manager, strings.Replace(plannedTraining, "person: li.wei\n    attended: true\n", "person: li.wei\n    attended: true\n    rating: 5\n", 1), []string{"  - person: li.wei\n    attended: true\n    rating: 5\n", ""}, RuleEditRight, "attendees.0.rating of TRN-2026-0001"},
		{"the organiser drops an attendee who did not rate", manager, strings.Replace(plannedTraining, "person: zhao.lei\n    attended: true\n", "person: zhao.lei\n    attended: true\n    rating: 5\n", 1), []string{"  - person: li.wei\n    attended: true\n", ""}, "", ""},
		{"held session's date sealed", manager, plannedTraining, []string{"date: 2026-03-10", "date: 2026-03-11"}, RuleSealedField, "date of TRN-2026-0001 is sealed once the training is held"},
		{"the organiser records attendance", manager, plannedTraining, []string{"person: zhao.lei\n    attended: true", "person: zhao.lei\n    attended: false"}, "", ""},
		{"an attendee may not change attendance", specialist, plannedTraining, []string{"person: li.wei\n    attended: true", "person: li.wei\n    attended: false"}, RuleEditRight, ""},
		{"the person concerned may not change the facts", specialist, strings.Replace(violation, "person: wang.fang", "person: li.wei", 1), []string{"將客戶", "把客戶"}, RuleEditRight, "only a director or leadership may"},
		{"the director concerned may not change the facts", director, violation, []string{"將客戶", "把客戶"}, RuleEditRight, "only a director or leadership other than the person concerned (wang.fang) may"},
		{"the director concerned may not write the decision", director, violation, []string{"severity: serious\n", "severity: serious\ndecision:\n  sanction: warning\n"}, RuleEditRight, "the person concerned"},
		{"the reporting director may not shape the investigation", director, strings.Replace(strings.Replace(violation, "person: wang.fang", "person: li.wei", 1), "reporter: zhang.min", "reporter: wang.fang", 1), []string{"將客戶", "把客戶"}, RuleEditRight, "other than the reporter (wang.fang) may"},
		{"leadership changes the facts under investigation", leadership, violation, []string{"將客戶", "把客戶"}, "", ""},
		{"the person concerned is sealed", leadership, violation, []string{"person: wang.fang", "person: li.wei"}, RuleSealedField, "person of VIO-2026-0001 is sealed: it never changes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, edit(t, c.actor, c.before, c.repl...), c.rule, c.msg)
		})
	}
}

// TestYearRecordsCloseOnceTheYearIsOver: the director closes the year's
// training plan, budget and operations plan once the year is over, not
// before (closed is final: leadership's amendments could no longer come).
func TestYearRecordsCloseOnceTheYearIsOver(t *testing.T) {
	in2026 := Env{People: people, Now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	in2027 := Env{People: people, Now: time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)}
	budget := parse(t, "kind: budget\nid: BUD-2026\ntitle: b\nstatus: approved\nyear: 2026\n")
	opp := parse(t, "kind: ops-plan\nid: OPP-2026\ntitle: o\nstatus: approved\nyear: 2026\n")
	for _, rec := range []*record.Record{parse(t, approvedTrainingPlan), budget, opp} {
		expect(t, CheckMove(director, rec, "closed", in2026), RuleYearOpen, rec.ID+" moves to closed only once its year 2026 is over (from 2027-01-01)")
		expect(t, CheckMove(director, rec, "closed", in2027), "", "")
		// without a time (no clock to judge by) the move is not judged
		expect(t, CheckMove(director, rec, "closed", Env{People: people}), "", "")
	}
}

// TestAttendeeInactive: nobody who has left is invited to a training
// (new, or added to its attendees); one invited before leaving stays.
func TestAttendeeInactive(t *testing.T) {
	planned := strings.Replace(plannedTraining, "status: held", "status: planned", 1)
	planned = strings.ReplaceAll(planned, "    attended: true\n", "")
	withRetired := strings.Replace(planned, "  - person: zhao.lei\n", "  - person: zhao.lei\n  - person: old.hand\n", 1)
	env := Env{People: people}
	expect(t, CheckCreate(manager, parse(t, withRetired), env), RuleAttendeeInactive, "training TRN-2026-0001 may not invite old.hand, who is not active")
	expect(t, CheckEdit(director, parse(t, planned), parse(t, withRetired), env), RuleAttendeeInactive, "who is not active")
	expect(t, CheckCreate(manager, parse(t, planned), env), "", "")
	// invited before old.hand left: the session still changes
	expect(t, CheckEdit(director, parse(t, withRetired), parse(t, strings.Replace(withRetired, "hours: 2", "hours: 3", 1)), env), "", "")
}
