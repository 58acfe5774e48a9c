package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
)

const mtgPath = "records/meetings/2026/MTG-2026-0001.yaml"

func meeting(status, date, actions string) string {
	return "kind: meeting\nid: MTG-2026-0001\ntitle: 週會\nstatus: " + status + "\ntype: weekly\ndate: " + date +
		"\nchair: zhang.min\nattendees: [zhang.min, li.wei]\nminutes: m\n" + actions
}

func TestMeetingRules(t *testing.T) {
	action := func(due, status, extra string) string {
		return "actions:\n  - title: 整理名單\n    owner: li.wei\n    due: " + due + "\n    status: " + status + "\n" + extra
	}
	cases := []struct {
		name  string
		files map[string]string
		path  string
		rule  string
		sev   diag.Severity
		msg   string
	}{
		{"overdue action", map[string]string{mtgPath: meeting("published", "2026-11-23", action("2026-11-25", "doing", ""))},
			mtgPath, "action-overdue", diag.Warning, `action "整理名單" of li.wei was due 2026-11-25 and is doing`},
		{"done without a date", map[string]string{mtgPath: meeting("published", "2026-11-23", action("2026-11-25", "done", ""))},
			mtgPath, "action-done", diag.Error, `"整理名單" is done but has no done date (actions.0.done)`},
		{"a done date on an open action", map[string]string{mtgPath: meeting("published", "2026-11-23", action("2026-11-30", "open", "    done: 2026-11-24\n"))},
			mtgPath, "action-done", diag.Error, "has a done date but is open"},
		{"done tomorrow", map[string]string{mtgPath: meeting("published", "2026-11-23", action("2026-11-30", "done", "    done: 2026-11-27\n"))},
			mtgPath, "action-done", diag.Error, "a date still to come"},
		{"closed with an open action", map[string]string{mtgPath: meeting("closed", "2026-11-23", action("2026-11-30", "open", ""))},
			mtgPath, "state-needs", diag.Error, `a closed meeting has every action item done or dropped; "整理名單" is open`},
		{"published without minutes", map[string]string{mtgPath: strings.Replace(meeting("published", "2026-11-23", ""), "minutes: m\n", "", 1)},
			mtgPath, "state-needs", diag.Error, "published minutes need minutes"},
		{"project meeting without a project", map[string]string{mtgPath: strings.Replace(meeting("published", "2026-11-23", ""), "weekly", "project", 1)},
			mtgPath, "state-needs", diag.Error, "published minutes need project"},
		{"minutes published before the meeting", map[string]string{mtgPath: meeting("published", "2026-12-07", "")},
			mtgPath, "state-needs", diag.Error, "published minutes are of a meeting held: its date 2026-12-07 is in the future"},
		{"weekly meeting missed", map[string]string{mtgPath: meeting("published", "2026-11-18", "")},
			mtgPath, "meeting-missed", diag.Warning, "no weekly meeting since this one on 2026-11-18, 8 days ago: the policy asks for one every 7 days (meetings.weekly)"},
		{"action concerns a missing record", map[string]string{mtgPath: meeting("published", "2026-11-23", action("2026-11-30", "open", "    concerns: CMP-2026-0099\n"))},
			mtgPath, "ref-missing", diag.Error, `actions.0.concerns: no complaint "CMP-2026-0099"`},
		{"action owner unknown", map[string]string{mtgPath: strings.Replace(meeting("published", "2026-11-23", action("2026-11-30", "open", "")), "owner: li.wei", "owner: nobody", 1)},
			mtgPath, "ref-missing", diag.Error, `actions.0.owner: no person "nobody"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := check(t, c.files)
			if !has(ds, c.path, c.rule, c.sev, c.msg) {
				t.Fatalf("want %s %s %q, got %v", c.path, c.rule, c.msg, ds)
			}
		})
	}
}

func TestMeetingClean(t *testing.T) {
	clean := map[string]map[string]string{
		// a week to the day is within the cadence; the action is on time
		"within cadence": {mtgPath: meeting("published", "2026-11-19", "actions:\n  - title: a\n    owner: li.wei\n    due: 2026-11-26\n    concerns: PRJ-2026-0001\n")},
		// a draft is no meeting held: no cadence, no overdue actions
		"old draft": {mtgPath: meeting("draft", "2026-01-05", "actions:\n  - title: a\n    owner: li.wei\n    due: 2026-01-06\n")},
		// a type without a cadence is never missed
		"decision meeting": {mtgPath: strings.Replace(meeting("published", "2026-01-05", ""), "weekly", "decision", 1)},
		// dropped and done actions are not overdue; closed is fine with them
		"closed": {mtgPath: meeting("closed", "2026-11-20", "actions:\n  - title: a\n    owner: li.wei\n    due: 2026-11-24\n    status: dropped\n  - title: b\n    owner: li.wei\n    due: 2026-11-24\n    status: done\n    done: 2026-11-23\n")},
	}
	for name, files := range clean {
		t.Run(name, func(t *testing.T) {
			if ds := check(t, files); len(ds) != 0 {
				t.Fatalf("%v", ds)
			}
		})
	}
	// The latest meeting of the type counts, not any older one.
	ds := check(t, map[string]string{
		mtgPath: meeting("published", "2026-10-01", ""),
		"records/meetings/2026/MTG-2026-0002.yaml": strings.Replace(meeting("published", "2026-11-24", ""), "MTG-2026-0001", "MTG-2026-0002", 1),
	})
	if len(ds) != 0 {
		t.Fatalf("an older meeting warned: %v", ds)
	}
}
