package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

const rptPath = "records/status-reports/2026/RPT-2026-0001.yaml"

func statusReport(status, submitted string) string {
	return "kind: status-report\nid: RPT-2026-0001\ntitle: 週報\nstatus: " + status + "\nauthor: zhang.min\nto: wang.fang\nperiod: 2026-W47\nprogress: p\nsubmitted_at: " + submitted + "T18:00:00+08:00\nsnapshot:\n  open_work: 1\n"
}

func TestStatusReportRules(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		path  string
		rule  string
		sev   diag.Severity
		msg   string
	}{
		{"late report", map[string]string{rptPath: statusReport("submitted", "2026-11-18")}, rptPath, "status-report-missing", diag.Warning,
			"no status report from zhang.min since this one, submitted 2026-11-18, 8 days ago: the policy asks a manager for one every 7 days (status_reports.manager)"},
		// once the department reports, the director is asked too
		{"director without a report", map[string]string{rptPath: statusReport("submitted", "2026-11-25")}, "records/people/wang.fang.yaml", "status-report-missing", diag.Warning,
			"wang.fang has submitted no status report: the policy asks a director for one every 31 days"},
		{"to someone else", map[string]string{rptPath: strings.Replace(statusReport("submitted", "2026-11-25"), "to: wang.fang", "to: li.wei", 1)}, rptPath, "report-to", diag.Error,
			"zhang.min reports to wang.fang (reports_to), not to li.wei"},
		// a manager whose people record names nobody yet is told what to set
		{"author without reports_to", map[string]string{
			rptPath:                       strings.Replace(statusReport("submitted", "2026-11-25"), "author: zhang.min", "author: gao.yan", 1),
			"records/people/gao.yan.yaml": "kind: person\nid: gao.yan\nname: 高燕\nrole: manager\nemails: [gao.yan@example.com]\n",
		}, rptPath, "report-to", diag.Error,
			"gao.yan has no reports_to in their people record, so their status reports go to nobody yet: the director or leadership sets it (opsbook set gao.yan reports_to=wang.fang)"},
		{"submitted without snapshot", map[string]string{rptPath: strings.Replace(statusReport("submitted", "2026-11-25"), "snapshot:\n  open_work: 1\n", "", 1)}, rptPath, "state-needs", diag.Error,
			"a submitted status report needs snapshot"},
		{"acknowledged without its time", map[string]string{rptPath: statusReport("acknowledged", "2026-11-25")}, rptPath, "state-needs", diag.Error,
			"an acknowledged status report needs acknowledged_at"},
		{"a specialist reports", map[string]string{rptPath: strings.Replace(strings.Replace(statusReport("draft", "2026-11-25"), "author: zhang.min", "author: li.wei", 1), "to: wang.fang", "to: zhang.min", 1)}, rptPath, "ref-role", diag.Error,
			"author: li.wei has the role specialist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := check(t, c.files); !has(ds, c.path, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	// Drafts start no cadence: a department without submitted reports is not warned.
	if ds := check(t, map[string]string{rptPath: strings.Replace(statusReport("draft", "2026-01-01"), "submitted_at: 2026-01-01T18:00:00+08:00\nsnapshot:\n  open_work: 1\n", "", 1)}); len(ds) != 0 {
		t.Fatalf("%v", ds)
	}
	// A week to the day is on time; the director's report to leadership is fine.
	ds := check(t, map[string]string{
		rptPath:                       statusReport("submitted", "2026-11-19"),
		"records/people/sun.hua.yaml": "kind: person\nid: sun.hua\nname: 孫華\nrole: leadership\nemails: [sun.hua@example.com]\n",
		"records/status-reports/2026/RPT-2026-0002.yaml": strings.Replace(strings.Replace(strings.Replace(statusReport("submitted", "2026-11-01"), "RPT-2026-0001", "RPT-2026-0002", 1), "author: zhang.min", "author: wang.fang", 1), "to: wang.fang", "to: sun.hua", 1),
	})
	if len(ds) != 0 {
		t.Fatalf("%v", ds)
	}
}
