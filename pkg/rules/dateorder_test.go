package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

// TestDateOrderPairs: what comes of a meeting, a session, a report or an
// approval dated before it is a date-order error on the later field; a
// customer's visit before since, which a visit to a prospect can be, a
// warning. The same day, or a date alone, is neither.
func TestDateOrderPairs(t *testing.T) {
	const cusPath = "records/customers/CUS-0001.yaml"
	customer := "kind: customer\nid: CUS-0001\nname: 青禾\nsegment: retail\nsince: 2026-01-05\nvisits:\n  - date: 2026-03-01\n    by: li.wei\n"
	action := "actions:\n  - title: 整理名單\n    owner: li.wei\n    due: 2026-11-25\n    status: done\n    done: 2026-11-24\n"
	mtg := meeting("published", "2026-11-23", action)
	evaluated := strings.Replace(training, "status: held", "status: evaluated", 1) + "evaluation: {date: 2026-03-09, by: zhang.min, assessment: a}\n"
	amended := strings.Replace(trainingPlan, "status: approved\n", "status: approved\napproved_on: 2026-02-01\n", 1) +
		"amendments:\n  - {date: 2026-05-01, by: huang.jianguo, reason: r, drop: C2}\n"
	closed := strings.Replace(violationRec, "status: decided", "status: closed\nclosed_on: 2026-05-12", 1)
	dismissed := strings.Replace(strings.Replace(violationRec, "status: decided", "status: dismissed", 1),
		"decision: {date: 2026-05-10, by: wang.fang, sanction: fine, amount: 200.00, reason: r}", "dismissal: {date: 2026-05-09, by: wang.fang, reason: r}", 1)
	for name, files := range map[string]map[string]string{
		"meeting": {mtgPath: mtg}, "customer": {cusPath: customer}, "training": {trpPath: trainingPlan, trnPath: evaluated},
		"training plan": {trpPath: amended}, "closed violation": {vioPath: closed}, "dismissed violation": {vioPath: dismissed},
	} {
		for _, d := range check(t, withTeam(files)) {
			if d.Rule == "date-order" {
				t.Errorf("%s in order: %v", name, d)
			}
		}
	}
	cases := []struct {
		name       string
		path, text string
		from, to   string
		sev        diag.Severity
		msg        string
	}{
		{"action due before the meeting", mtgPath, mtg, "due: 2026-11-25", "due: 2026-11-20", diag.Error, "2026-11-20 is before date 2026-11-23"},
		{"action done before the meeting", mtgPath, mtg, "done: 2026-11-24", "done: 2026-11-22", diag.Error, "2026-11-22 is before date 2026-11-23"},
		{"action due the day of the meeting", mtgPath, mtg, "due: 2026-11-25\n    status: done\n    done: 2026-11-24", "due: 2026-11-23\n    status: done\n    done: 2026-11-23", "", ""},
		{"visit before since", cusPath, customer, "date: 2026-03-01", "date: 2025-12-20", diag.Warning, "2025-12-20 is before since 2026-01-05"},
		{"evaluated before the session", trnPath, evaluated, "{date: 2026-03-09", "{date: 2026-03-01", diag.Error, "2026-03-01 is before date 2026-03-02"},
		{"amended before approval", trpPath, amended, "{date: 2026-05-01", "{date: 2026-01-20", diag.Error, "2026-01-20 is before approved_on 2026-02-01"},
		{"amended the day before approval", trpPath, amended, "{date: 2026-05-01", "{date: 2026-01-31", "", ""},
		{"decided before the report", vioPath, closed, "{date: 2026-05-10", "{date: 2026-05-01", diag.Error, "2026-05-01 is before reported_on 2026-05-02"},
		{"dismissed before the report", vioPath, dismissed, "{date: 2026-05-09", "{date: 2026-04-30", diag.Error, "2026-04-30 is before reported_on 2026-05-02"},
		{"closed before the decision", vioPath, closed, "closed_on: 2026-05-12", "closed_on: 2026-05-08", diag.Error, "closed_on 2026-05-08 is before decision.date 2026-05-10"},
		{"closed the day before the decision", vioPath, closed, "closed_on: 2026-05-12", "closed_on: 2026-05-09", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.text, c.from) {
				t.Fatalf("no %q in the record", c.from)
			}
			files := map[string]string{c.path: strings.Replace(c.text, c.from, c.to, 1)}
			if c.path == trnPath {
				files[trpPath] = trainingPlan
			}
			ds := check(t, withTeam(files))
			if c.msg == "" {
				for _, d := range ds {
					if d.Rule == "date-order" {
						t.Fatalf("want none, got %v", d)
					}
				}
				return
			}
			if !has(ds, c.path, "date-order", c.sev, c.msg) {
				t.Fatalf("want %q, got %v", c.msg, ds)
			}
		})
	}
}
