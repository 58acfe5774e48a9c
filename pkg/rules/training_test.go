package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

const (
	trpPath = "records/training-plans/TRP-2026.yaml"
	trnPath = "records/trainings/2026/TRN-2026-0001.yaml"
	vioPath = "records/violations/2026/VIO-2026-0001.yaml"
)

const trainingPlan = `kind: training-plan
id: TRP-2026
title: plan
status: approved
year: 2026
author: wang.fang
courses:
  - {code: C1, title: 保密, topic: confidentiality, delivery: internal, audience: {all: true}, month: 2026-03, hours: 2}
  - {code: C2, title: 外部, topic: skills, delivery: external, audience: {people: [li.wei]}, month: 2026-12, hours: 8}
`

const training = `kind: training
id: TRN-2026-0001
title: t
status: held
organiser: zhang.min
date: 2026-03-02
topic: confidentiality
delivery: internal
plan: TRP-2026
course: C1
hours: 2
attendees:
  - {person: li.wei, attended: true, rating: 4}
  - {person: zhang.min, attended: false}
`

func TestTrainingRules(t *testing.T) {
	ok := map[string]string{trpPath: trainingPlan, trnPath: training}
	if ds := check(t, ok); len(ds) != 0 {
		t.Fatalf("a held course of an approved plan: %v", ds)
	}
	cases := []struct {
		name       string
		path, from string
		to         string
		rule       string
		sev        diag.Severity
		msg        string
	}{
		{"course month outside the year", trpPath, "month: 2026-12", "month: 2027-01", "training-plan", diag.Error, "course C2 is planned for 2027-01, outside the plan's year 2026"},
		{"code twice", trpPath, "code: C2", "code: C1", "training-plan", diag.Error, "course code C1 is used twice"},
		{"year and id differ", trpPath, "year: 2026", "year: 2025", "training-plan", diag.Error, "year 2025 differs from the id TRP-2026"},
		{"author not the director", trpPath, "author: wang.fang", "author: zhang.min", "ref-role", diag.Error, ""},
		{"drop of an unknown course", trpPath, "hours: 8}\n", "hours: 8}\namendments:\n  - {date: 2026-05-01, by: wang.fang, reason: r, drop: C9}\n", "training-plan", diag.Error, "drops course C9"},
		{"course past its month not held", trnPath, "status: held", "status: planned", "course-not-held", diag.Warning, "course C1 (保密) was planned for 2026-03"},
		{"unknown course", trnPath, "course: C1", "course: C7", "training-course", diag.Error, "TRP-2026 has no course C7"},
		{"topic differs", trnPath, "topic: confidentiality", "topic: skills", "training-course", diag.Error, "topic skills differs from course C1's topic confidentiality"},
		{"draft plan delivered", trpPath, "status: approved", "status: draft", "training-course", diag.Error, "still a draft"},
		{"course without plan", trnPath, "plan: TRP-2026\n", "", "training-course", diag.Error, "course C1 needs the plan"},
		{"attendance missing once held", trnPath, "attended: false", "hours: 1", "state-needs", diag.Error, "zhang.min has no attended"},
		{"rating while planned", trnPath, "status: held", "status: planned", "training-attendance", diag.Error, "li.wei rates a session that is planned"},
		{"rating without attending", trnPath, "attended: false", "attended: false, rating: 2", "training-attendance", diag.Error, "did not attend"},
		{"longer than the session", trnPath, "attended: true, rating: 4", "attended: true, hours: 3", "training-attendance", diag.Error, "attended 3 hours of a 2-hour session"},
		{"listed twice", trnPath, "person: zhang.min", "person: li.wei", "training-attendance", diag.Error, "li.wei is listed twice"},
		{"held in the future", trnPath, "date: 2026-03-02", "date: 2026-12-01", "state-needs", diag.Error, "in the future"},
		{"evaluated without evaluation", trnPath, "status: held", "status: evaluated", "state-needs", diag.Error, "assessment"},
		{"claim of another category", trnPath, "hours: 2\n", "hours: 2\nexpense: EXP-2026-0001\n", "training-expense", diag.Error, "EXP-2026-0001 is a claim of category office"},
		{"external without its claim", trpPath, "delivery: internal", "delivery: external", "training-expense", diag.Warning, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{trpPath: trainingPlan, trnPath: training, expPath: expense("paid", "100.00", "")}
			if !strings.Contains(files[c.path], c.from) {
				t.Fatalf("%q not in %s", c.from, c.path)
			}
			files[c.path] = strings.Replace(files[c.path], c.from, c.to, 1)
			if c.name == "external without its claim" {
				files[trnPath] = strings.Replace(files[trnPath], "delivery: internal", "delivery: external", 1)
			}
			ds := check(t, files)
			if !has(ds, trpPath, c.rule, c.sev, c.msg) && !has(ds, trnPath, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %s %q; got %v", c.sev, c.rule, c.msg, ds)
			}
		})
	}
	// A cancelled session may name a course since dropped.
	dropped := strings.Replace(trainingPlan, "hours: 8}\n", "hours: 8}\namendments:\n  - {date: 2026-05-01, by: wang.fang, reason: r, drop: C1}\n", 1)
	cancelled := strings.Replace(training, "status: held", "status: cancelled", 1)
	cancelled = strings.Replace(strings.Replace(cancelled, ", rating: 4", "", 1), "  - {person: zhang.min, attended: false}\n", "", 1)
	for _, d := range check(t, map[string]string{trpPath: dropped, trnPath: cancelled}) {
		if d.Rule != "ref-role" { // wang.fang amends here, not leadership
			t.Errorf("cancelled session of a dropped course: %v", d)
		}
	}
}

const violationRec = `kind: violation
id: VIO-2026-0001
title: v
status: decided
person: li.wei
reporter: zhang.min
reported_on: 2026-05-02
date: 2026-04-30
rule: §7.2.2
facts: f
severity: minor
decision: {date: 2026-05-10, by: wang.fang, sanction: fine, amount: 200.00, reason: r}
`

func TestViolationRules(t *testing.T) {
	if ds := check(t, map[string]string{vioPath: violationRec}); len(ds) != 0 {
		t.Fatalf("a decided fine: %v", ds)
	}
	cases := []struct{ name, from, to, rule, msg string }{
		{"decided by the person concerned", "person: li.wei", "person: wang.fang", "violation-four-eyes", "wang.fang is the person concerned"},
		{"decided by the reporter", "reporter: zhang.min", "reporter: wang.fang", "violation-four-eyes", "wang.fang reported the case"},
		{"decided by a manager", "by: wang.fang", "by: zhang.min", "ref-role", ""},
		{"fine without amount", ", amount: 200.00", "", "violation-sanction", "a fine needs its exact amount"},
		{"amount without fine", "sanction: fine", "sanction: warning", "violation-sanction", "only for a fine"},
		{"breach after report", "date: 2026-04-30", "date: 2026-05-03", "violation-date", "dated after its report"},
		{"decided without decision", "decision: {date: 2026-05-10, by: wang.fang, sanction: fine, amount: 200.00, reason: r}\n", "", "state-needs", "needs its decision"},
		{"dismissed without dismissal", "status: decided", "status: dismissed", "state-needs", "reason it was dismissed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(violationRec, c.from) {
				t.Fatalf("%q not in the record", c.from)
			}
			ds := check(t, map[string]string{vioPath: strings.Replace(violationRec, c.from, c.to, 1)})
			if !has(ds, vioPath, c.rule, diag.Error, c.msg) {
				t.Fatalf("want %s %q; got %v", c.rule, c.msg, ds)
			}
		})
	}
}

// TestTrainingShapesTheSchemaRejects: an attendee or a course the schema
// rejects (an attendee given as a bare handle, a person that is a list, a
// course that is a number) has the schema's error alone: the rules do not
// add that "" is listed twice, has no attended, or was not held.
func TestTrainingShapesTheSchemaRejects(t *testing.T) {
	files := map[string]string{
		trpPath: trainingPlan + "  - 5\n",
		trnPath: strings.Replace(training, "  - {person: zhang.min, attended: false}\n", "  - zhang.min\n  - {person: [x], attended: true}\n", 1),
	}
	for _, d := range check(t, files) {
		switch d.Rule {
		case "training-attendance", "state-needs", "course-not-held", "training-plan":
			t.Errorf("bogus finding beside the schema's: %v", d)
		}
	}
	// the plan's courses, as reports read them: the two with a code
	plan, _ := record.Parse(trpPath, []byte(files[trpPath]+"amendments:\n  - {date: 2026-05-01, by: lin.xiaoyu, reason: r, course: 7}\n"))
	var codes []string
	for _, c := range PlanCourses(plan) {
		codes = append(codes, c.Code)
	}
	if got := strings.Join(codes, " "); got != "C1 C2" {
		t.Errorf("courses as amended: %q", got)
	}
}
