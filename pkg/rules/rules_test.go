package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

// base is a small valid department; tests add or replace files.
var base = map[string]string{
	"records/people/wang.fang.yaml":            "kind: person\nid: wang.fang\nname: 王芳\nrole: director\nemails: [wang.fang@example.com]\nactive: true\nnda:\n  signed: 2025-01-01\n",
	"records/people/zhang.min.yaml":            "kind: person\nid: zhang.min\nname: 張敏\nrole: manager\nreports_to: wang.fang\nemails: [zhang.min@example.com]\nnda:\n  signed: 2025-01-01\n",
	"records/people/li.wei.yaml":               "kind: person\nid: li.wei\nname: 李偉\nrole: specialist\nreports_to: zhang.min\nemails: [li.wei@example.com]\nnda:\n  signed: 2025-01-01\n",
	"records/budgets/BUD-2026.yaml":            "kind: budget\nid: BUD-2026\ntitle: b\nstatus: approved\nyear: 2026\nlines:\n  - category: office\n    amount: 1000.00\n  - category: marketing\n    amount: 500.00\n    project: PRJ-2026-0001\namendments:\n  - date: 2026-06-01\n    category: office\n    amount: 200.00\n    reason: more\n",
	"records/projects/2026/PRJ-2026-0001.yaml": "kind: project\nid: PRJ-2026-0001\ntitle: p\nstatus: proposed\nobjective: o\nsponsor: wang.fang\nowner: zhang.min\n",
}

var now = time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))

func check(t *testing.T, files map[string]string) []diag.Diagnostic {
	t.Helper()
	return checkAt(t, files, now, nil)
}

// checkAt is check as of at, collecting in h when its answers may change.
func checkAt(t *testing.T, files map[string]string, at time.Time, h *Horizon) []diag.Diagnostic {
	t.Helper()
	ds := Check(&Context{Set: baseWith(t, files), Policy: config.Default(), Now: at, Horizon: h,
		Exists: func(rel string) bool { return strings.HasPrefix(rel, "attachments/ok") }})
	if checkHook != nil {
		checkHook(ds)
	}
	return ds
}

// baseWith is base with files added or replaced ("" removes one), as a
// set of records.
func baseWith(t testing.TB, files map[string]string) *record.Set {
	t.Helper()
	all := map[string]string{}
	for k, v := range base {
		all[k] = v
	}
	for k, v := range files {
		if v == "" {
			delete(all, k)
		} else {
			all[k] = v
		}
	}
	var recs []*record.Record
	for p, text := range all {
		r, ds := record.Parse(p, []byte(text))
		if len(ds) > 0 || r == nil {
			t.Fatalf("parse %s: %v", p, ds)
		}
		recs = append(recs, r)
	}
	return record.NewSet(recs)
}

// checkHook, when set, sees the diagnostics of every check.
var checkHook func([]diag.Diagnostic)

func has(ds []diag.Diagnostic, path, rule string, sev diag.Severity, msg string) bool {
	for _, d := range ds {
		if d.Path == path && d.Rule == rule && d.Severity == sev && strings.Contains(d.Message, msg) {
			return true
		}
	}
	return false
}

func TestBaseIsClean(t *testing.T) {
	if ds := check(t, nil); len(ds) != 0 {
		t.Fatalf("base department: %v", ds)
	}
}

const expPath = "records/expenses/2026/EXP-2026-0001.yaml"

func expense(status, amount, extra string) string {
	return fmt.Sprintf("kind: expense\nid: EXP-2026-0001\ntitle: t\nstatus: %s\nclaimant: li.wei\ndate: 2026-03-01\ncategory: office\namount: %s\n%s", status, amount, extra)
}

func TestRules(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		path  string
		rule  string
		sev   diag.Severity
		msg   string
	}{
		{"duplicate id", map[string]string{"records/people/li.wei2.yaml": strings.Replace(base["records/people/li.wei.yaml"], "emails: [li.wei@", "emails: [li.wei2@", 1)},
			"records/people/li.wei.yaml", "id-duplicate", diag.Error, "also held by records/people/li.wei2.yaml"},
		{"missing ref", map[string]string{expPath: strings.Replace(expense("draft", "10.00", ""), "claimant: li.wei", "claimant: li.wie", 1)},
			expPath, "ref-missing", diag.Error, `no person "li.wie" (did you mean "li.wei"?)`},
		{"ref of wrong kind", map[string]string{expPath: expense("draft", "10.00", "project: PRJ-2026-0009\n")},
			expPath, "ref-missing", diag.Error, `no project "PRJ-2026-0009"`},
		{"sponsor not director", map[string]string{"records/projects/2026/PRJ-2026-0001.yaml": strings.Replace(base["records/projects/2026/PRJ-2026-0001.yaml"], "sponsor: wang.fang", "sponsor: li.wei", 1)},
			"records/projects/2026/PRJ-2026-0001.yaml", "ref-role", diag.Error, "li.wei has the role specialist"},
		{"no director", map[string]string{"records/people/wang.fang.yaml": strings.Replace(base["records/people/wang.fang.yaml"], "active: true", "active: false", 1)},
			"records/people/wang.fang.yaml", "people-director", diag.Error, "no active director"},
		{"a mistyped id does not break the references to the file", map[string]string{"records/people/li.wei.yaml": strings.Replace(base["records/people/li.wei.yaml"], "id: li.wei", "id: li.wei2", 1),
			expPath: expense("draft", "10.00", "")}, expPath, "", diag.Error, ""},
		{"shared email", map[string]string{"records/people/li.wei.yaml": strings.Replace(base["records/people/li.wei.yaml"], "li.wei@example.com", "zhang.min@example.com", 1)},
			"records/people/zhang.min.yaml", "people-email", diag.Error, "also registered to li.wei"},
		{"shared key", map[string]string{"records/people/li.wei.yaml": strings.Replace(base["records/people/li.wei.yaml"], "emails:", "keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIbyketZv li.wei@laptop]\nemails:", 1),
			"records/people/zhang.min.yaml": strings.Replace(base["records/people/zhang.min.yaml"], "emails:", "keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIbyketZv  other-comment]\nemails:", 1)},
			"records/people/zhang.min.yaml", "people-key", diag.Error, "also registered to li.wei"},
		{"items sum", map[string]string{expPath: expense("draft", "10.00", "items:\n  - description: a\n    amount: 4.00\n  - description: b\n    amount: 5.99\n")},
			expPath, "items-sum", diag.Error, "differs from the sum of its 2 items, 9.99 (difference 0.01)"},
		{"dated after today", map[string]string{expPath: strings.Replace(expense("draft", "10.00", ""), "date: 2026-03-01", "date: 2026-11-27", 1)},
			expPath, "expense-date", diag.Error, "dated 2026-11-27, a day still to come"},
		{"dated today", map[string]string{expPath: strings.Replace(expense("draft", "10.00", ""), "date: 2026-03-01", "date: 2026-11-26", 1)}, expPath, "", diag.Error, ""},
		{"receipt required", map[string]string{expPath: expense("submitted", "600.00", "")},
			expPath, "receipt-required", diag.Error, "needs a receipt"},
		// attached but not named as the receipt: the message says what to set
		{"receipt attached, not named", map[string]string{expPath: expense("submitted", "600.00", "attachments:\n  - path: attachments/EXP-2026-0001/r.pdf\n    sha256: \"0000000000000000000000000000000000000000000000000000000000000000\"\n")},
			expPath, "receipt-required", diag.Error, "its attachment attachments/EXP-2026-0001/r.pdf is not named as one (opsbook set EXP-2026-0001 receipt=attachments/EXP-2026-0001/r.pdf)"},
		{"receipt per item", map[string]string{expPath: expense("approved", "600.00", "items:\n  - description: a\n    amount: 600.00\n")},
			expPath, "receipt-required", diag.Error, "item 1 has no receipt"},
		{"attachment missing in draft", map[string]string{expPath: expense("draft", "10.00", "receipt: attachments/none.pdf\n")},
			expPath, "attachment-missing", diag.Warning, "does not exist"},
		{"attachment missing once submitted", map[string]string{expPath: expense("submitted", "10.00", "receipt: attachments/none.pdf\n")},
			expPath, "attachment-missing", diag.Error, "required once the record is submitted"},
		{"a folder is not a receipt", map[string]string{expPath: expense("submitted", "10.00", "receipt: attachments\n")},
			expPath, "attachment-missing", diag.Error, "attachment attachments does not exist"},
		{"overspend category", map[string]string{expPath: expense("paid", "1200.01", "receipt: attachments/ok.pdf\n")},
			expPath, "budget-overspend", diag.Error, "2026 category office is over budget: approved and paid 1200.01, budget 1200.00 (over by 0.01)"},
		{"overspend project line", map[string]string{expPath: strings.Replace(expense("approved", "500.01", "project: PRJ-2026-0001\nreceipt: attachments/ok.pdf\n"), "category: office", "category: marketing", 1)},
			expPath, "budget-overspend", diag.Error, "project line PRJ-2026-0001 / marketing"},
		{"no budget for the year", map[string]string{"records/expenses/2025/EXP-2025-0001.yaml": strings.NewReplacer("EXP-2026-0001", "EXP-2025-0001", "2026-03-01", "2025-03-01").Replace(expense("approved", "10.00", ""))},
			"records/expenses/2025/EXP-2025-0001.yaml", "budget-overspend", diag.Error, "2025 has no approved budget"},
		{"overspend names the claim that crossed the line", map[string]string{
			expPath: strings.Replace(expense("paid", "1100.00", "receipt: attachments/ok.pdf\n"), "2026-03-01", "2026-01-05", 1),
			"records/expenses/2026/EXP-2026-0002.yaml": strings.NewReplacer("EXP-2026-0001", "EXP-2026-0002", "2026-03-01", "2026-09-01").Replace(expense("paid", "200.00", ""))},
			"records/expenses/2026/EXP-2026-0002.yaml", "budget-overspend", diag.Error, "over by 100.00"},
		{"items of a malformed amount are not summed", map[string]string{expPath: expense("draft", "10.005", "items:\n  - description: a\n    amount: 4.00\n")}, expPath, "", diag.Error, ""},
		{"budget year", map[string]string{"records/budgets/BUD-2026.yaml": strings.Replace(base["records/budgets/BUD-2026.yaml"], "year: 2026", "year: 2025", 1)},
			"records/budgets/BUD-2026.yaml", "budget-year", diag.Error, "year 2025 differs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := check(t, c.files)
			if c.rule == "" {
				if len(ds) > 0 {
					t.Fatalf("want no findings, got %v", ds)
				}
				return
			}
			if !has(ds, c.path, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %s %q at %s, got:\n%v", c.sev, c.rule, c.msg, c.path, ds)
			}
		})
	}
}

const aprPath = "records/appraisals/2026/APR-2026-0001.yaml"

func appraisal(status, scores, extra string) string {
	return "kind: appraisal\nid: APR-2026-0001\ntitle: a\nstatus: " + status + "\nemployee: li.wei\nappraiser: zhang.min\nperiod: 2026-H1\nindicators:\n" + scores + extra
}

const twoIndicators = "  - name: a\n    weight: 60\n    score: 92\n  - name: b\n    weight: 40\n    score: 78.5\n"

func TestAppraisalRules(t *testing.T) {
	// 60×92/100 + 40×78.5/100 = 55.2 + 31.4 = 86.6 → exceeds
	// (zhang.min, whom nobody appraises here, is named by appraisal-missing)
	if ds := check(t, map[string]string{aprPath: appraisal("submitted", twoIndicators, "total: 86.6\nrating: exceeds\n")}); len(ds) != 1 || ds[0].Rule != "appraisal-missing" {
		t.Fatalf("correct appraisal: %v", ds)
	}
	cases := []struct{ name, text, rule, msg string }{
		{"weights", appraisal("draft", "  - name: a\n    weight: 60\n    score: 90\n", ""), "appraisal-weights", "sum to 60, not 100"},
		{"total", appraisal("draft", twoIndicators, "total: 86.5\n"), "appraisal-total", "= 86.6"},
		{"rating", appraisal("draft", twoIndicators, "rating: outstanding\n"), "appraisal-rating", "which is exceeds"},
		{"self", strings.Replace(appraisal("draft", twoIndicators, ""), "appraiser: zhang.min", "appraiser: li.wei", 1), "appraisal-self", "appraises themselves"},
		{"appraiser", strings.Replace(strings.Replace(appraisal("draft", twoIndicators, ""), "appraiser: zhang.min", "appraiser: li.wei", 1), "employee: li.wei", "employee: zhang.min", 1), "appraisal-appraiser", "neither zhang.min's manager"},
		{"improvement", appraisal("submitted", "  - name: a\n    weight: 100\n    score: 45\n", ""), "state-needs", "needs an improvement plan"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := check(t, map[string]string{aprPath: c.text}); !has(ds, aprPath, c.rule, diag.Error, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	t.Run("measures required", func(t *testing.T) {
		low := "  - name: a\n    weight: 100\n    score: 45\n"
		imp := "improvement:\n  goals: g\n"
		second := strings.Replace(appraisal("submitted", low, imp+"follow_up_of: APR-2026-0001\n"), "APR-2026-0001\ntitle", "APR-2026-0002\ntitle", 1)
		ds := check(t, map[string]string{aprPath: appraisal("submitted", low, imp), "records/appraisals/2026/APR-2026-0002.yaml": second})
		if !has(ds, "records/appraisals/2026/APR-2026-0002.yaml", "measures-required", diag.Warning, "below standard again") {
			t.Fatalf("got %v", ds)
		}
	})
}

const cmpPath = "records/complaints/2026/CMP-2026-0001.yaml"

func complaint(status, severity, extra string) string {
	return "kind: complaint\nid: CMP-2026-0001\ntitle: c\nstatus: " + status + "\ntype: complaint\nchannel: phone\ncontact: {name: x}\ncategory: service\nseverity: " + severity + "\nreceived_at: 2026-11-20T09:00:00+08:00\nsummary: s\n" + extra
}

func TestComplaintRules(t *testing.T) {
	ack := "assignee: li.wei\nacknowledged_at: 2026-11-20T10:00:00+08:00\n"
	res := "investigation: {root_cause: r}\nresolution: {solution: s, resolved_at: 2026-11-21T09:00:00+08:00}\n"
	if ds := check(t, map[string]string{cmpPath: complaint("closed", "high", ack+res+"satisfaction: 4\nprevention: p\n")}); len(ds) != 0 {
		t.Fatalf("good complaint: %v", ds)
	}
	cases := []struct {
		name, text, rule string
		sev              diag.Severity
		msg              string
	}{
		{"ack needs assignee", complaint("acknowledged", "low", "acknowledged_at: 2026-11-20T10:00:00+08:00\n"), "state-needs", diag.Error, "needs assignee"},
		{"resolved needs root cause", complaint("resolved", "low", ack+"resolution: {solution: s, resolved_at: 2026-11-21T09:00:00+08:00}\n"), "state-needs", diag.Error, "root_cause"},
		{"closed needs satisfaction", complaint("closed", "low", ack+res), "state-needs", diag.Error, "satisfaction"},
		{"closed high needs prevention", complaint("closed", "high", ack+res+"satisfaction: unreachable\n"), "state-needs", diag.Error, "prevention"},
		{"late response", complaint("acknowledged", "critical", "assignee: li.wei\nacknowledged_at: 2026-11-20T10:30:00+08:00\n"), "sla-breach", diag.Warning, "first response SLA breached: acknowledged after 1.5h, limit 1.0h"},
		{"open too long", complaint("received", "low", ""), "sla-breach", diag.Warning, "not acknowledged yet"},
		{"update before received", complaint("acknowledged", "low", "assignee: li.wei\nacknowledged_at: 2026-11-20T10:00:00+08:00\nupdates: [{at: 2026-11-19T12:00:00+08:00, by: li.wei, note: n}]\n"), "complaint-time", diag.Error, "updates.0.at 2026-11-19T12:00:00+08:00 is before received_at"},
		{"ack before received", complaint("acknowledged", "low", "assignee: li.wei\nacknowledged_at: 2026-11-19T10:00:00+08:00\n"), "complaint-time", diag.Error, "is before received_at"},
		{"resolved before received", complaint("resolved", "low", "assignee: li.wei\nacknowledged_at: 2026-11-20T10:00:00+08:00\ninvestigation: {root_cause: r}\nresolution: {solution: s, resolved_at: 2026-11-01T09:00:00+08:00}\n"), "complaint-time", diag.Error, "resolution.resolved_at 2026-11-01T09:00:00+08:00 is before received_at"},
		{"received in the future", strings.Replace(complaint("received", "low", ""), "2026-11-20T09:00:00", "2026-12-20T09:00:00", 1), "complaint-time", diag.Error, "is in the future"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := check(t, map[string]string{cmpPath: c.text}); !has(ds, cmpPath, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	// a complaint is handled by the department's own staff: a finance or
	// leadership person is no assignee (ref-role); a specialist, a
	// manager or the director is
	for role, bad := range map[string]bool{"finance": true, "leadership": true, "specialist": false, "manager": false, "director": false} {
		files := map[string]string{
			"records/people/he.jing.yaml": "kind: person\nid: he.jing\nname: 何靜\nrole: " + role + "\nemails: [he.jing@example.com]\nactive: true\nnda:\n  signed: 2025-01-01\n",
			cmpPath:                       complaint("acknowledged", "low", strings.Replace(ack, "li.wei", "he.jing", 1)),
		}
		if role == "director" {
			files["records/people/wang.fang.yaml"] = strings.Replace(base["records/people/wang.fang.yaml"], "role: director", "role: leadership", 1)
		}
		if role == "specialist" || role == "manager" {
			files["records/people/he.jing.yaml"] = strings.Replace(files["records/people/he.jing.yaml"], "\nemails:", "\nreports_to: wang.fang\nemails:", 1)
		}
		ds := check(t, files)
		if got := has(ds, cmpPath, "ref-role", diag.Error, "assignee: he.jing has the role "+role+"; the field needs a specialist, manager or director"); got != bad {
			t.Errorf("a complaint assigned to a %s: ref-role %v, want %v: %v", role, got, bad, ds)
		}
	}
	// critical: 1h to respond; acknowledged after exactly 1h is within SLA
	ds := check(t, map[string]string{cmpPath: strings.Replace(complaint("acknowledged", "critical", ack), "09:00:00+08:00\nsummary", "09:00:00+08:00\nsummary", 1)})
	for _, d := range ds {
		if d.Rule == "sla-breach" && strings.Contains(d.Message, "first response") && !strings.Contains(d.Message, "after 1.0h") {
			t.Fatalf("unexpected %v", d)
		}
	}
}

const plnPath = "records/plans/2026/PLN-2026-0001.yaml"

func plan(status, extra string) string {
	return "kind: plan\nid: PLN-2026-0001\ntitle: p\nstatus: " + status + "\nproject: PRJ-2026-0001\nauthor: zhang.min\nrevision: 1\n" + extra
}

const planBody = "goals: [{kpi: k, target: 1}]\nstrategy: s\npromotion: {channels: [web]}\nresources: {people: [{handle: li.wei}]}\n"

func TestPlanAndProjectRules(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		path  string
		rule  string
		sev   diag.Severity
		msg   string
	}{
		{"in review needs goals", map[string]string{plnPath: plan("in_review", "strategy: s\n")}, plnPath, "state-needs", diag.Error, "needs goals, promotion, resources"},
		{"overdue task", map[string]string{plnPath: plan("active", planBody+"tasks: [{title: t, due: 2026-11-01, status: doing}]\nchecks: [{date: 2026-11-20, by: zhang.min, summary: ok}]\n")}, plnPath, "task-overdue", diag.Warning, "was due 2026-11-01 and is doing"},
		{"missing check", map[string]string{plnPath: plan("active", planBody+"checks: [{date: 2026-10-01, by: zhang.min, summary: ok}]\n")}, plnPath, "check-missing", diag.Warning, "last progress check was 2026-10-01"},
		{"two active plans", map[string]string{plnPath: plan("active", planBody+"checks: [{date: 2026-11-20, by: zhang.min, summary: ok}]\n"),
			"records/plans/2026/PLN-2026-0002.yaml": strings.Replace(plan("active", planBody+"checks: [{date: 2026-11-20, by: zhang.min, summary: ok}]\n"), "PLN-2026-0001", "PLN-2026-0002", 1)},
			"records/plans/2026/PLN-2026-0002.yaml", "plan-active", diag.Error, "already has an active plan"},
		{"approved needs feasibility", map[string]string{"records/projects/2026/PRJ-2026-0001.yaml": strings.Replace(base["records/projects/2026/PRJ-2026-0001.yaml"], "proposed", "approved", 1)},
			"records/projects/2026/PRJ-2026-0001.yaml", "state-needs", diag.Error, "feasibility.conclusion: feasible"},
		{"executing needs a plan", map[string]string{"records/projects/2026/PRJ-2026-0001.yaml": strings.Replace(base["records/projects/2026/PRJ-2026-0001.yaml"], "proposed", "executing", 1) + "feasibility: {report: r, conclusion: feasible}\n"},
			"records/projects/2026/PRJ-2026-0001.yaml", "state-needs", diag.Error, "needs an active plan"},
		{"on hold from executing needs a plan", map[string]string{"records/projects/2026/PRJ-2026-0001.yaml": strings.Replace(base["records/projects/2026/PRJ-2026-0001.yaml"], "proposed", "on_hold", 1) + "hold: {from: executing, reason: r}\nfeasibility: {report: r, conclusion: feasible}\n"},
			"records/projects/2026/PRJ-2026-0001.yaml", "state-needs", diag.Error, "needs an active plan"},
		{"closed needs closure and appraisals", map[string]string{"records/projects/2026/PRJ-2026-0001.yaml": strings.Replace(base["records/projects/2026/PRJ-2026-0001.yaml"], "proposed", "closed", 1) + "team: [li.wei]\nfeasibility: {report: r, conclusion: feasible}\n",
			plnPath: plan("completed", planBody)},
			"records/projects/2026/PRJ-2026-0001.yaml", "state-needs", diag.Error, "appraisal of li.wei naming project PRJ-2026-0001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := check(t, c.files); !has(ds, c.path, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
}
