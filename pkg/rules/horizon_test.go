package rules

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
)

// judged is what a check says, without its wording (messages name hours
// that run on): the place, rule and severity of every finding.
func judged(ds []diag.Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s:%d %s %s", d.Path, d.Line, d.Rule, d.Severity))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestHorizonOfEachTimedRule: for each check that compares instants with
// now, a department whose findings change at an instant: judged just
// before it, the horizon is that instant, the findings hold up to it, and
// just past it the rule's finding appears or goes.
func TestHorizonOfEachTimedRule(t *testing.T) {
	recv := "received_at: 2026-11-20T09:00:00+08:00\n"
	cases := []struct {
		name  string
		files map[string]string
		from  string // judged as of this moment
		flips string // the horizon
		rule  string // the rule whose finding changes there
	}{
		{"first response SLA (critical: 1h)", map[string]string{cmpPath: complaint("received", "critical", "")},
			"2026-11-20T09:30:00+08:00", "2026-11-20T10:00:00+08:00", "sla-breach"},
		{"resolution SLA (critical: 24h)", map[string]string{cmpPath: complaint("acknowledged", "critical", "assignee: li.wei\nacknowledged_at: 2026-11-20T09:10:00+08:00\n")},
			"2026-11-20T12:00:00+08:00", "2026-11-21T09:00:00+08:00", "sla-breach"},
		{"resolution SLA after a reopen", map[string]string{cmpPath: complaint("reopened", "critical", "assignee: li.wei\nacknowledged_at: 2026-11-20T09:10:00+08:00\nreopened_at: 2026-11-22T08:00:00+08:00\ninvestigation: {root_cause: r}\nresolution: {solution: s, resolved_at: 2026-11-21T08:00:00+08:00}\n")},
			"2026-11-22T09:00:00+08:00", "2026-11-23T08:00:00+08:00", "sla-breach"},
		{"resolution SLA of a complaint reopened by hand", map[string]string{cmpPath: complaint("reopened", "high", "assignee: li.wei\nacknowledged_at: 2026-11-20T09:10:00+08:00\ninvestigation: {root_cause: r}\nresolution: {solution: s, resolved_at: 2026-11-21T08:00:00+08:00}\nupdates: [{at: 2026-11-22T10:00:00+08:00, by: li.wei, note: n}]\n")},
			"2026-11-22T12:00:00+08:00", "2026-11-23T09:00:00+08:00", "sla-breach"},
		{"received in the future", map[string]string{cmpPath: strings.Replace(complaint("received", "low", ""), recv, "received_at: 2026-11-26T18:00:00+08:00\n", 1)},
			"2026-11-26T15:00:00+08:00", "2026-11-26T18:00:00+08:00", "complaint-time"},
		{"acknowledged in the future", map[string]string{cmpPath: complaint("acknowledged", "low", "assignee: li.wei\nacknowledged_at: 2026-11-20T11:00:00+08:00\n")},
			"2026-11-20T10:00:00+08:00", "2026-11-20T11:00:00+08:00", "complaint-time"},
		// a date is still to come until it begins in UTC+14
		{"a claim dated ahead", map[string]string{expPath: strings.Replace(expense("draft", "10.00", ""), "date: 2026-03-01", "date: 2026-11-28", 1)},
			"2026-11-26T15:00:00+08:00", "2026-11-27T18:00:00+08:00", "expense-date"},
		{"a task done ahead", map[string]string{tskPath: task("done", "result: r\ndone: 2026-11-28\n")},
			"2026-11-26T15:00:00+08:00", "2026-11-27T18:00:00+08:00", "action-done"},
		{"a breach reported ahead", map[string]string{vioPath: strings.Replace(strings.Replace(violationRec, "reported_on: 2026-05-02", "reported_on: 2026-11-28", 1), "date: 2026-04-30", "date: 2026-11-20", 1)},
			"2026-11-26T15:00:00+08:00", "2026-11-27T18:00:00+08:00", "violation-date"},
		{"an appraisal of a period not begun", map[string]string{aprPath: strings.Replace(appraisal("submitted", twoIndicators, "total: 86.6\nrating: exceeds\n"), "period: 2026-H1", "period: 2026-12", 1)},
			"2026-11-26T15:00:00+08:00", "2026-11-30T18:00:00+08:00", "appraisal-period"},
		{"an agreement signed ahead", map[string]string{liWeiPath: strings.Replace(base[liWeiPath], "signed: 2025-01-01", "signed: 2026-11-28", 1)},
			"2026-11-26T15:00:00+08:00", "2026-11-27T18:00:00+08:00", "nda-missing"},
		{"no update to the customer (48h)", map[string]string{cmpPath: complaint("acknowledged", "low", "assignee: li.wei\nacknowledged_at: 2026-11-20T09:30:00+08:00\nupdates: [{at: 2026-11-21T10:00:00+08:00, by: li.wei, note: n}]\n")},
			"2026-11-22T12:00:00+08:00", "2026-11-23T10:00:00+08:00", "complaint-update"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &Horizon{}
			from := at(c.from)
			before := checkAt(t, c.files, from, h)
			if got, want := h.At(), at(c.flips); !got.Equal(want) {
				t.Fatalf("horizon %v, want %v", got, want)
			}
			if got := checkAt(t, c.files, h.At().Add(-time.Nanosecond), nil); judged(got) != judged(before) {
				t.Errorf("findings changed before the horizon:\n%s\nthen\n%s", judged(before), judged(got))
			}
			after := checkAt(t, c.files, h.At().Add(time.Second), nil)
			if count(after, c.rule) == count(before, c.rule) {
				t.Errorf("%s did not change past the horizon:\n%s\nthen\n%s", c.rule, judged(before), judged(after))
			}
		})
	}
}

// TestNoHorizonAtNow: an instant equal to now (a move tried as of now
// stamps it) is not in the future at now nor later: the horizon is not
// now (it is the update the customer is owed, 48 hours on), and the
// findings are the same an hour later.
func TestNoHorizonAtNow(t *testing.T) {
	recv := "received_at: 2026-11-20T09:00:00+08:00\n"
	files := map[string]string{cmpPath: strings.Replace(complaint("acknowledged", "low", "assignee: li.wei\nacknowledged_at: 2026-11-26T15:00:00+08:00\n"), recv, "received_at: 2026-11-26T15:00:00+08:00\n", 1)}
	h := &Horizon{}
	now := at("2026-11-26T15:00:00+08:00")
	before := checkAt(t, files, now, h)
	if want := now.Add(48 * time.Hour); !h.At().Equal(want) {
		t.Fatalf("horizon %v, want %v", h.At(), want)
	}
	if after := checkAt(t, files, now.Add(time.Hour), nil); judged(after) != judged(before) || count(before, "complaint-time") != 0 {
		t.Fatalf("findings changed:\n%s\nthen\n%s", judged(before), judged(after))
	}
}

func count(ds []diag.Diagnostic, rule string) int {
	n := 0
	for _, d := range ds {
		if d.Rule == rule {
			n++
		}
	}
	return n
}

// TestDayBoundOfEachDatedRule: the checks that compare dates with today
// keep their findings to the last instant of the day (in now's zone) and
// change from the next midnight; they register no instant.
func TestDayBoundOfEachDatedRule(t *testing.T) {
	li := strings.Replace(base[liWeiPath], "nda:\n  signed: 2025-01-01\n", "", 1)
	cases := []struct {
		name  string
		files map[string]string
		rule  string
	}{
		{"a task due today", map[string]string{tskPath: strings.Replace(task("doing", ""), "due: 2026-11-30", "due: 2026-11-26", 1)}, "task-overdue"},
		{"a plan's task due today", map[string]string{plnPath: plan("active", planBody+"activated_on: 2026-11-01\ntasks: [{title: t, due: 2026-11-26, status: doing}]\nchecks: [{date: 2026-11-20, by: zhang.min, summary: ok}]\n")}, "task-overdue"},
		{"a progress check due today", map[string]string{plnPath: plan("active", planBody+"activated_on: 2026-11-01\nchecks: [{date: 2026-11-12, by: zhang.min, summary: ok}]\n")}, "check-missing"},
		{"an NDA expiring today", map[string]string{liWeiPath: li + "nda:\n  signed: 2025-01-01\n  expires: 2026-11-26\n"}, "nda-missing"},
		{"a weekly meeting's cadence running out today", map[string]string{mtgPath: meeting("published", "2026-11-19", "")}, "meeting-missed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &Horizon{}
			before := checkAt(t, c.files, now, h)
			if !h.At().IsZero() {
				t.Errorf("an instant registered: %v", h.At())
			}
			y, m, d := now.Date()
			last := time.Date(y, m, d+1, 0, 0, 0, 0, now.Location()).Add(-time.Nanosecond)
			if got := checkAt(t, c.files, last, nil); judged(got) != judged(before) {
				t.Errorf("findings changed within the day:\n%s\nthen\n%s", judged(before), judged(got))
			}
			after := checkAt(t, c.files, last.Add(time.Nanosecond), nil)
			if count(after, c.rule) == count(before, c.rule) {
				t.Errorf("%s did not change at midnight:\n%s\nthen\n%s", c.rule, judged(before), judged(after))
			}
		})
	}
}

// TestStillToComeInAnotherZone: CI judges in UTC what the department
// wrote in Shanghai. At 07:30 in Shanghai (23:30 UTC the day before) a
// task done, a claim dated, a breach reported today in Shanghai is not
// in the future for CI; two days ahead it is, everywhere.
func TestStillToComeInAnotherZone(t *testing.T) {
	ci := at("2026-11-26T23:30:00Z")
	for _, c := range []struct {
		name, path, rule string
		text             func(day string) string
	}{
		{"task done", tskPath, "action-done", func(d string) string { return task("done", "result: r\ndone: "+d+"\n") }},
		{"claim dated", expPath, "expense-date", func(d string) string {
			return strings.Replace(expense("draft", "10.00", ""), "date: 2026-03-01", "date: "+d, 1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if n := count(checkAt(t, withTeam(map[string]string{c.path: c.text("2026-11-27")}), ci, nil), c.rule); n != 0 {
				t.Errorf("Shanghai's today is in the future for UTC: %d %s", n, c.rule)
			}
			if n := count(checkAt(t, withTeam(map[string]string{c.path: c.text("2026-11-28")}), ci, nil), c.rule); n != 1 {
				t.Errorf("a day still to come everywhere: %d %s, want 1", n, c.rule)
			}
		})
	}
}
