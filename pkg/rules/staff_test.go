package rules

import (
	"fmt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

const apr2Path = "records/appraisals/2026/APR-2026-0002.yaml"

// second is an appraisal of li.wei with id APR-2026-0002, its period line
// replaced by period (a "period: ..." or "project: ..." line, or both).
func second(status, period string) string {
	a := strings.Replace(appraisal(status, twoIndicators, ""), "APR-2026-0001\ntitle", "APR-2026-0002\ntitle", 1)
	return strings.Replace(a, "period: 2026-H1\n", period, 1)
}

// Two appraisals of one employee for one period (and project): a warning
// on each naming both and the one the reports count; another period or
// another project is no duplicate.
func TestAppraisalDuplicate(t *testing.T) {
	first := appraisal("submitted", twoIndicators, "total: 86.6\nrating: exceeds\n")
	prj := "records/projects/2026/PRJ-2026-0001.yaml"
	for _, c := range []struct {
		name, first, second string
		dup                 bool
		counted             string
	}{
		{"same period", first, second("draft", "period: 2026-H1\n"), true, "APR-2026-0001"},
		{"the later one further along", appraisal("draft", twoIndicators, ""), second("reviewed", "period: 2026-H1\n"), true, "APR-2026-0002"},
		{"same state: the later id", appraisal("draft", twoIndicators, ""), second("draft", "period: 2026-H1\n"), true, "APR-2026-0002"},
		{"another period", first, second("draft", "period: 2026-H2\n"), false, ""},
		{"a project beside the period", first, second("draft", "period: 2026-H1\nproject: PRJ-2026-0001\n"), false, ""},
		{"same project", strings.Replace(first, "period: 2026-H1\n", "project: PRJ-2026-0001\n", 1), second("draft", "project: PRJ-2026-0001\n"), true, "APR-2026-0001"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := check(t, map[string]string{aprPath: c.first, apr2Path: c.second, prj: base[prj]})
			var found []diag.Diagnostic
			for _, d := range ds {
				if d.Rule == "appraisal-duplicate" {
					found = append(found, d)
				}
			}
			if !c.dup {
				if len(found) > 0 {
					t.Fatalf("no duplicate: %v", found)
				}
				return
			}
			if len(found) != 2 || found[0].Path == found[1].Path {
				t.Fatalf("want a warning on each: %v", ds)
			}
			for _, d := range found {
				if d.Severity != diag.Warning || !strings.Contains(d.Message, "li.wei is appraised more than once") ||
					!strings.Contains(d.Message, "(APR-2026-0001, APR-2026-0002)") || !strings.Contains(d.Message, "counts "+c.counted+" alone") {
					t.Errorf("%v", d)
				}
				if d.Line == 0 {
					t.Errorf("unplaced: %v", d)
				}
			}
		})
	}
}

// The appraised employee is department staff: leadership and finance
// are refused (ref-role), and appraisal-missing asks no appraisal of them.
func TestAppraisalEmployeeStaff(t *testing.T) {
	files := map[string]string{
		"records/people/he.jing.yaml":                "kind: person\nid: he.jing\nname: 何靜\nrole: finance\nemails: [he.jing@example.com]\nnda:\n  signed: 2025-01-01\n",
		"records/people/sun.hua.yaml":                "kind: person\nid: sun.hua\nname: 孫華\nrole: leadership\nemails: [sun.hua@example.com]\n",
		aprPath:                                      appraisal("submitted", twoIndicators, "total: 86.6\nrating: exceeds\n"),
		"records/appraisals/2026/APR-2026-0003.yaml": strings.Replace(appraisal("submitted", twoIndicators, "total: 86.6\nrating: exceeds\n"), "APR-2026-0001\ntitle", "APR-2026-0003\ntitle", 1),
	}
	ds := check(t, files)
	for _, d := range ds {
		if d.Rule == "appraisal-missing" && strings.Contains(d.Message, "he.jing") {
			t.Errorf("finance asked an appraisal: %v", d)
		}
	}
	for _, who := range []string{"he.jing", "sun.hua"} {
		files[apr2Path] = strings.Replace(strings.Replace(second("draft", "period: 2026-H1\n"), "employee: li.wei", "employee: "+who, 1), "appraiser: zhang.min", "appraiser: wang.fang", 1)
		ds := check(t, files)
		if !has(ds, apr2Path, "ref-role", diag.Error, "employee: "+who+" has the role") || !has(ds, apr2Path, "ref-role", diag.Error, "the department appraises its own staff (a specialist, manager or director)") {
			t.Errorf("%s: %v", who, ds)
		}
	}
	// Unappraised names the specialists and managers only
	set := baseWith(t, files)
	if got := strings.Join(Unappraised(set, "2026-H2"), " "); got != "li.wei zhang.min" {
		t.Errorf("unappraised: %q", got)
	}
}

// An agreement that expires before it is signed is an error at its
// expiry (whoever holds it), not only "expired".
func TestNDADates(t *testing.T) {
	li := strings.Replace(base[liWeiPath], "nda:\n  signed: 2025-01-01\n", "nda:\n  signed: 2025-01-01\n  expires: 2024-12-31\n", 1)
	ds := check(t, map[string]string{liWeiPath: li})
	if !has(ds, liWeiPath, "date-order", diag.Error, "li.wei's confidentiality agreement expires on 2024-12-31, before it was signed on 2025-01-01") {
		t.Fatalf("%v", ds)
	}
	for _, d := range ds {
		if d.Rule == "nda-missing" {
			t.Errorf("a second finding: %v", d)
		}
		if d.Rule == "date-order" && d.Line != 9 {
			t.Errorf("not at nda.expires: %v", d)
		}
	}
	if why, holds := NDAStatus(baseWith(t, map[string]string{liWeiPath: li}).Get("li.wei"), "2026-11-26"); holds || !strings.Contains(fmt.Sprint(i18n.Texts(why)), "out of order") {
		t.Errorf("status: %v %v", why, holds)
	}
	// an inactive person's record is as wrong
	li = strings.Replace(li, "emails:", "active: false\nemails:", 1)
	if ds := check(t, map[string]string{liWeiPath: li}); !has(ds, liWeiPath, "date-order", diag.Error, "before it was signed") {
		t.Errorf("inactive: %v", ds)
	}
	// the same day is a valid (one-day) agreement
	li = strings.Replace(base[liWeiPath], "nda:\n  signed: 2025-01-01\n", "nda:\n  signed: 2026-11-26\n  expires: 2026-11-26\n", 1)
	if ds := check(t, map[string]string{liWeiPath: li}); len(ds) != 0 {
		t.Errorf("same day: %v", ds)
	}
}

// follow_up_of names an earlier appraisal of the same employee: one of
// another employee, or the appraisal itself, is an error, and asks no
// measures of anyone.
func TestAppraisalFollowUp(t *testing.T) {
	low := "  - name: a\n    weight: 100\n    score: 45\n"
	imp := "improvement:\n  goals: g\n"
	first := appraisal("submitted", low, imp)
	other := strings.Replace(first, "employee: li.wei\nappraiser: zhang.min", "employee: zhang.min\nappraiser: wang.fang", 1)
	for _, c := range []struct {
		name, first, follow, msg string
	}{
		{"same employee", first, "APR-2026-0001", ""},
		{"another employee", other, "APR-2026-0001", "follow_up_of names APR-2026-0001, an appraisal of zhang.min, not of li.wei"},
		{"itself", first, "APR-2026-0002", "APR-2026-0002 follows up itself"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := check(t, map[string]string{aprPath: c.first, apr2Path: strings.Replace(second("submitted", "period: 2026-H2\n"), twoIndicators, low, 1) + imp + "follow_up_of: " + c.follow + "\n"})
			var got []string
			for _, d := range ds {
				if d.Path == apr2Path && (d.Rule == "follow-up" || d.Rule == "measures-required") {
					got = append(got, d.Rule+": "+d.Message)
				}
			}
			switch {
			case c.msg == "" && (len(got) != 1 || !strings.HasPrefix(got[0], "measures-required")):
				t.Errorf("same employee below twice: %v", got)
			case c.msg != "" && (len(got) != 1 || !strings.HasPrefix(got[0], "follow-up: ") || !strings.Contains(got[0], c.msg)):
				t.Errorf("want %q alone, got %v", c.msg, got)
			}
		})
	}
}

// A team moved to another manager (li.wei now reports to chen.hao, and
// zhang.min to chen.hao): what was done down the line of its day stays
// right (a reviewed or closed appraisal, a done or cancelled task, an
// acknowledged status report); what still waits on the old line is named
// (a draft or submitted appraisal, an open task, a report not yet
// acknowledged).
func TestReportsToMovedLater(t *testing.T) {
	moved := withTeam(map[string]string{
		liWeiPath:                       strings.Replace(base[liWeiPath], "reports_to: zhang.min", "reports_to: chen.hao", 1),
		"records/people/zhang.min.yaml": strings.Replace(base["records/people/zhang.min.yaml"], "reports_to: wang.fang", "reports_to: chen.hao", 1),
	})
	for _, c := range []struct {
		name, path, text, rule string
		judged                 bool
	}{
		{"closed appraisal", aprPath, appraisal("closed", twoIndicators, "total: 86.6\nrating: exceeds\noutcome: {none: true}\n"), "appraisal-appraiser", false},
		{"reviewed appraisal", aprPath, appraisal("reviewed", twoIndicators, "total: 86.6\nrating: exceeds\n"), "appraisal-appraiser", false},
		{"submitted appraisal", aprPath, appraisal("submitted", twoIndicators, "total: 86.6\nrating: exceeds\n"), "appraisal-appraiser", true},
		{"draft appraisal", aprPath, appraisal("draft", twoIndicators, ""), "appraisal-appraiser", true},
		{"done task", tskPath, task("done", "done: 2026-11-20\nresult: r\n"), "task-assignee", false},
		{"cancelled task", tskPath, task("cancelled", ""), "task-assignee", false},
		{"open task", tskPath, task("open", ""), "task-assignee", true},
		{"acknowledged report", rptPath, statusReport("acknowledged", "2026-11-25") + "acknowledged_at: 2026-11-25T19:00:00+08:00\n", "report-to", false},
		{"submitted report", rptPath, statusReport("submitted", "2026-11-25"), "report-to", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{c.path: c.text}
			for k, v := range moved {
				files[k] = v
			}
			ds := check(t, files)
			found := false
			for _, d := range ds {
				found = found || d.Path == c.path && d.Rule == c.rule
				if d.Severity == diag.Error && d.Rule != c.rule {
					t.Errorf("another error: %v", d)
				}
			}
			if found != c.judged {
				t.Errorf("%s found %v, want %v: %v", c.rule, found, c.judged, ds)
			}
		})
	}
}

// An appraisal past draft of a period not yet begun: an error (a typo of
// the year, or scores for work not yet done); a draft may be prepared.
func TestAppraisalPeriodToCome(t *testing.T) {
	for p, want := range map[string]string{"2026": "2026-01-01", "2026-H1": "2026-01-01", "2026-H2": "2026-07-01", "2026-Q4": "2026-10-01", "2026-12": "2026-12-01", "2026-Q5": "", "2026-13": "", "20x6": ""} {
		if got := PeriodStart(p); got != want {
			t.Errorf("PeriodStart(%s) = %q, want %q", p, got, want)
		}
	}
	for _, c := range []struct {
		status, period string
		err            bool
	}{
		{"submitted", "2027-H1", true},
		{"reviewed", "2026-12", true},
		{"draft", "2027-H1", false},
		{"submitted", "2026-H2", false},
		{"submitted", "2026-11", false},
	} {
		text := strings.Replace(appraisal(c.status, twoIndicators, "total: 86.6\nrating: exceeds\n"), "period: 2026-H1", "period: "+c.period, 1)
		ds := check(t, map[string]string{aprPath: text})
		if got := has(ds, aprPath, "appraisal-period", diag.Error, "APR-2026-0001 appraises "+c.period+", which begins on "); got != c.err {
			t.Errorf("%s %s: %v", c.status, c.period, ds)
		}
	}
}

// A closed project owes an appraisal to every team member but one who has
// left: nobody may appraise them any more.
func TestClosedProjectMemberLeft(t *testing.T) {
	prj := "records/projects/2026/PRJ-2026-0001.yaml"
	closed := strings.Replace(base[prj], "proposed", "closed", 1) + "team: [li.wei]\nfeasibility: {report: r, conclusion: feasible}\nclosure: {summary: s, lessons: [l]}\n"
	files := map[string]string{prj: closed, plnPath: plan("completed", planBody)}
	if ds := check(t, files); !has(ds, prj, "state-needs", diag.Error, "appraisal of li.wei naming project PRJ-2026-0001") {
		t.Fatalf("active member: %v", ds)
	}
	files[liWeiPath] = strings.Replace(base[liWeiPath], "emails:", "active: false\nemails:", 1)
	for _, d := range check(t, files) {
		if d.Path == prj && d.Severity == diag.Error {
			t.Errorf("member who left: %v", d)
		}
	}
}

// A line (reports_to) ends: nobody reports to themselves, directly or in
// a loop; each person of a loop is told.
func TestReportsToLoopRule(t *testing.T) {
	zm := "records/people/zhang.min.yaml"
	ds := check(t, map[string]string{liWeiPath: strings.Replace(base[liWeiPath], "reports_to: zhang.min", "reports_to: li.wei", 1)})
	if !has(ds, liWeiPath, "reports-to", diag.Error, "li.wei reports to themselves (reports_to)") {
		t.Errorf("self: %v", ds)
	}
	ds = check(t, map[string]string{zm: strings.Replace(base[zm], "reports_to: wang.fang", "reports_to: li.wei", 1)})
	if !has(ds, zm, "reports-to", diag.Error, "zhang.min's line (reports_to) comes back to them: zhang.min → li.wei → zhang.min") ||
		!has(ds, liWeiPath, "reports-to", diag.Error, "li.wei's line (reports_to) comes back to them: li.wei → zhang.min → li.wei") {
		t.Errorf("loop: %v", ds)
	}
	for _, d := range check(t, nil) {
		if d.Rule == "reports-to" {
			t.Errorf("base: %v", d)
		}
	}
}

// A project appraisal is of one of the project's people: its team or its
// owner.
func TestAppraisalProject(t *testing.T) {
	prj := "records/projects/2026/PRJ-2026-0001.yaml"
	withTeam := strings.Replace(base[prj], "owner: zhang.min\n", "owner: zhang.min\nteam: [li.wei]\n", 1)
	apr := func(emp, apr string) string {
		return strings.Replace(strings.Replace(appraisal("draft", twoIndicators, ""), "period: 2026-H1", "project: PRJ-2026-0001", 1), "employee: li.wei\nappraiser: zhang.min", "employee: "+emp+"\nappraiser: "+apr, 1)
	}
	for _, c := range []struct {
		name, project, appraisal string
		err                      bool
	}{
		{"a team member", withTeam, apr("li.wei", "zhang.min"), false},
		{"the owner", withTeam, apr("zhang.min", "wang.fang"), false},
		{"no team", base[prj], apr("li.wei", "zhang.min"), true},
		{"another team", strings.Replace(withTeam, "[li.wei]", "[zhao.lei, xu.ke]", 1), apr("li.wei", "zhang.min"), true},
		{"another team, submitted", strings.Replace(withTeam, "[li.wei]", "[zhao.lei, xu.ke]", 1), strings.Replace(apr("li.wei", "zhang.min"), "status: draft", "status: submitted", 1), true},
		// reviewed: of a member of its day; the team changed since (a
		// reorganisation) does not make it wrong
		{"moved off the team, reviewed", strings.Replace(withTeam, "[li.wei]", "[zhao.lei, xu.ke]", 1), strings.Replace(apr("li.wei", "zhang.min"), "status: draft", "status: reviewed", 1), false},
		{"moved off the team, acknowledged", base[prj], strings.Replace(apr("li.wei", "zhang.min"), "status: draft", "status: acknowledged", 1), false},
	} {
		ds := check(t, map[string]string{prj: c.project, aprPath: c.appraisal})
		if got := has(ds, aprPath, "appraisal-project", diag.Error, "li.wei is not the owner of PRJ-2026-0001 (zhang.min), which has no team") ||
			has(ds, aprPath, "appraisal-project", diag.Error, "li.wei is not on the team of PRJ-2026-0001 (team: zhao.lei, xu.ke; owner: zhang.min)"); got != c.err {
			t.Errorf("%s: %v", c.name, ds)
		}
	}
}

// An active person whose manager has left is told, at reports_to; one
// who has left too is not.
func TestReportsToInactive(t *testing.T) {
	zm := "records/people/zhang.min.yaml"
	gone := strings.Replace(base[zm], "emails:", "active: false\nemails:", 1)
	ds := check(t, map[string]string{zm: gone})
	if !has(ds, liWeiPath, "reports-to-inactive", diag.Warning, "li.wei reports to zhang.min, who is not active") {
		t.Errorf("%v", ds)
	}
	ds = check(t, map[string]string{zm: gone, liWeiPath: strings.Replace(base[liWeiPath], "emails:", "active: false\nemails:", 1)})
	for _, d := range ds {
		if d.Rule == "reports-to-inactive" {
			t.Errorf("both gone: %v", d)
		}
	}
}
