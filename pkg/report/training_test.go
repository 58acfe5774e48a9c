package report

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

const trpPeople = `
kind: person
id: ann
name: Ann
role: manager
active: true
---
kind: person
id: bob
name: Bob
role: specialist
active: true
---
kind: person
id: cat
name: Cat
role: specialist
active: false
---
kind: person
id: lead
name: Lead
role: leadership
active: true
`

func trainingSet(t *testing.T, extra ...string) *record.Set {
	t.Helper()
	docs := strings.Split(trpPeople, "---")
	docs = append(docs, `
kind: training-plan
id: TRP-2026
title: plan
status: approved
year: 2026
author: ann
courses:
  - {code: CONF, title: 保密, topic: confidentiality, delivery: internal, audience: {all: true}, month: 2026-03, hours: 2}
  - {code: EXT, title: 外部, topic: skills, delivery: external, audience: {people: [bob]}, month: 2026-04, hours: 8, budget: 1000.10}
  - {code: LATE, title: 遲, topic: business, delivery: internal, audience: {all: true}, month: 2026-05, hours: 3, budget: 0.20}
  - {code: NEXT, title: 後, topic: business, delivery: internal, audience: {all: true}, month: 2026-12, hours: 1}
amendments:
  - {date: 2026-06-01, by: lead, reason: r, drop: LATE}
  - {date: 2026-06-02, by: lead, reason: r, course: {code: LATE, title: 遲二, topic: business, delivery: internal, audience: {all: true}, month: 2026-07, hours: 4, budget: 0.30}}
`, `
kind: training
id: TRN-2026-0001
title: conf
status: evaluated
organiser: ann
date: 2026-03-02
topic: confidentiality
delivery: internal
plan: TRP-2026
course: CONF
hours: 2
attendees:
  - {person: ann, attended: true, rating: 5}
  - {person: bob, attended: false}
  - {person: cat, attended: true, hours: 1.5, rating: 2}
evaluation: {date: 2026-03-03, by: ann, assessment: ok}
`, `
kind: training
id: TRN-2026-0002
title: ext
status: held
organiser: bob
date: 2026-04-10
topic: skills
delivery: external
plan: TRP-2026
course: EXT
hours: 8
attendees:
  - {person: bob, attended: true, rating: 4}
expense: EXP-2026-0001
`, `
kind: training
id: TRN-2026-0003
title: ext again, planned
status: planned
organiser: bob
date: 2026-12-20
topic: skills
delivery: external
hours: 8
attendees:
  - {person: bob}
expense: EXP-2026-0002
`, `
kind: expense
id: EXP-2026-0001
title: course
status: paid
claimant: bob
date: 2026-04-01
category: training
amount: 999.99
`, `
kind: expense
id: EXP-2026-0002
title: course 2
status: submitted
claimant: bob
date: 2026-11-01
category: training
amount: 0.01
`, `
kind: training
id: TRN-2025-0001
title: last year
status: held
organiser: ann
date: 2025-03-02
topic: confidentiality
delivery: internal
hours: 2
attendees:
  - {person: bob, attended: true}
`)
	docs = append(docs, extra...)
	return set(t, docs...)
}

func TestTrainingReport(t *testing.T) {
	c := ctxAt(t, trainingSet(t), "2026-09-15T10:00:00+08:00")
	r := TrainingReport(c, 2026)
	eq(t, "plan", r.Plan, "TRP-2026")
	var codes []string
	for _, cs := range r.Courses {
		codes = append(codes, cs.Code+":"+cs.Status+":"+string(cs.PlannedHours)+":"+cs.PlannedBudget.String()+":"+cs.Spent.String())
	}
	// LATE was dropped and added back in July: it is at the end, as amended
	eq(t, "courses", strings.Join(codes, " "), "CONF:held:2:0.00:0.00 EXT:held:8:1000.10:999.99 NEXT:planned:1:0.00:0.00 LATE:not_held:4:0.30:0.00")
	eq(t, "attendance", r.Attendance.Attended, 3)
	eq(t, "invited", r.Attendance.Invited, 4)
	eq(t, "percent", r.Attendance.Percent, "75.0")
	eq(t, "ratings", r.Rating.Count, 3)
	eq(t, "average", num(r.Rating.Average), "3.67") // (5+2+4)/3
	eq(t, "planned budget", r.Budget.Planned.String(), "1000.40")
	eq(t, "spent", r.Budget.Spent.String(), "999.99")
	eq(t, "pending", r.Budget.Pending.String(), "0.01")
	eq(t, "claims", r.Budget.Claims.String(), "999.99")
	if r.Budget.Line != nil {
		t.Errorf("budget line %v without a budget", r.Budget.Line)
	}
	var people []string
	for _, p := range r.People {
		people = append(people, p.Person+":"+string(p.Hours)+":"+yesNo(p.Active)+":"+yesNo(p.Confidentiality))
	}
	// leadership is not staff and attended nothing; cat left but attended
	eq(t, "people", strings.Join(people, " "), "ann:2:yes:yes bob:8:yes:no cat:1.5:no:yes")
	var topics []string
	for _, tp := range r.Topics {
		topics = append(topics, tp.Topic+":"+itoa(tp.Sessions)+":"+string(tp.PersonHours))
	}
	eq(t, "topics", strings.Join(topics, " "), "confidentiality:1:3.5 skills:1:8")
	var warns []string
	for _, w := range r.Warnings {
		warns = append(warns, w.Rule+":"+w.Subject)
	}
	eq(t, "warnings", strings.Join(warns, " "), "course-not-held:TRP-2026 LATE confidentiality-course:bob")

	// Another year knows nothing of this one's plan.
	r25 := TrainingReport(c, 2025)
	eq(t, "2025 plan", r25.Plan, "")
	eq(t, "2025 courses", len(r25.Courses), 0)
	eq(t, "2025 warnings", len(r25.Warnings), 1) // ann has no 2025 confidentiality course; bob has
}

func TestTrainingReportLayout(t *testing.T) {
	r := TrainingReport(ctxAt(t, trainingSet(t), "2026-09-15T10:00:00+08:00"), 2026)
	page := r.Page(View{})
	if len(page.Sections) != 5 {
		t.Fatalf("%d sections", len(page.Sections))
	}
	eq(t, "not-held row warned", page.Sections[0].Warn[3], true)
	csv := r.Table(View{GroupBy: "person"})
	eq(t, "person csv rows", len(csv.Rows), 3)
	eq(t, "default csv", r.Table(View{}).Headers[0], "CODE")
	eq(t, "money plain in csv", r.Table(View{GroupBy: "session"}).Rows[1][11], "999.99")
}

func TestSummaryTraining(t *testing.T) {
	s := summaryTraining(ctxAt(t, trainingSet(t), "2026-09-15T10:00:00+08:00"), 2026)
	eq(t, "held", s.Held, 2)
	eq(t, "not held", s.NotHeld, 1)
	eq(t, "courses", s.Courses, 4)
	eq(t, "without", strings.Join(s.WithoutConfidentiality, ","), "bob")
	eq(t, "line", s.line(), "training 2026: 2 of 4 courses held, 1 past its month, 1 without the confidentiality course")
}

func TestAppraisalsNameTheUnappraised(t *testing.T) {
	s := set(t, strings.Split(trpPeople, "---")[0], strings.Split(trpPeople, "---")[1], `
kind: appraisal
id: APR-2026-0001
title: a
status: draft
employee: bob
appraiser: ann
period: 2026-H1
`)
	r := AppraisalsReport(ctxAt(t, s, "2026-09-15T10:00:00+08:00"), nil)
	eq(t, "last period", r.LastPeriod, "2026-H1")
	eq(t, "unappraised", strings.Join(r.Unappraised, ","), "ann")
	eq(t, "line", r.Page(View{}).Lines[1], "Without an appraisal of 2026-H1, the last finished period: ann.")
}

// TestTrainingClaimNamedTwice: a claim that two sessions name (two days
// of one course) is spent once, in the year's total and in its course's.
func TestTrainingClaimNamedTwice(t *testing.T) {
	second := `
kind: training
id: TRN-2026-0004
title: ext, day two
status: held
organiser: bob
date: 2026-04-11
topic: skills
delivery: external
plan: TRP-2026
course: EXT
hours: 8
attendees:
  - {person: bob, attended: true}
expense: EXP-2026-0001
`
	c := ctxAt(t, trainingSet(t, second), "2026-09-15T10:00:00+08:00")
	r := TrainingReport(c, 2026)
	eq(t, "spent", r.Budget.Spent.String(), "999.99")
	for _, cs := range r.Courses {
		if cs.Code == "EXT" {
			eq(t, "EXT spent", cs.Spent.String(), "999.99")
		}
	}
}

// TestUnappraisedJoinedInChinese: the people without an appraisal are
// listed with the enumeration comma in Chinese (ann、bob), not ", ".
func TestUnappraisedJoinedInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	s := set(t, strings.Split(trpPeople, "---")[0], strings.Split(trpPeople, "---")[1])
	r := AppraisalsReport(ctxAt(t, s, "2026-09-15T10:00:00+08:00"), nil)
	eq(t, "unappraised", strings.Join(r.Unappraised, ","), "ann,bob")
	i18n.Set(i18n.Chinese)
	line := r.Page(View{}).Lines[1]
	if !strings.Contains(line, "ann、bob") || strings.Contains(line, ", ") {
		t.Errorf("line: %q", line)
	}
}
