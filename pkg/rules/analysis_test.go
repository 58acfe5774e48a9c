package rules

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

const anaPath = "records/analyses/2026/ANA-2026-0001.yaml"

func analysis(status, recs string) string {
	return "kind: analysis\nid: ANA-2026-0001\ntitle: a\nstatus: " + status + "\nauthor: li.wei\nperiod: 2026-Q3\nsources: [pos_sales]\nfindings:\n  - area: business\n    finding: f\nrecommendations:\n" + recs
}

// checkSources runs the rules with a data-source register.
func checkSources(t *testing.T, files map[string]string) []diag.Diagnostic {
	t.Helper()
	all := map[string]string{}
	for k, v := range base {
		all[k] = v
	}
	for k, v := range files {
		all[k] = v
	}
	all["records/people/sun.hua.yaml"] = "kind: person\nid: sun.hua\nname: 孫華\nrole: leadership\nemails: [sun.hua@example.com]\n"
	var recs []*record.Record
	for p, text := range all {
		r, ds := record.Parse(p, []byte(text))
		if len(ds) > 0 || r == nil {
			t.Fatalf("parse %s: %v", p, ds)
		}
		recs = append(recs, r)
	}
	pol := config.Default()
	pol.DataSources = []config.DataSource{{Name: "pos_sales", Owner: "li.wei", Collection: "daily export"}}
	return Check(&Context{Set: record.NewSet(recs), Policy: pol, Now: now, Exists: func(string) bool { return true }})
}

func TestAnalysisRules(t *testing.T) {
	decided := "  - recommendation: r\n    decision: adopt\n    decided_by: sun.hua\n"
	cases := []struct {
		name, text, rule, msg string
	}{
		{"unregistered source", strings.Replace(analysis("draft", "  - recommendation: r\n"), "[pos_sales]", "[pos_sales, crm]", 1), "data-source",
			`source "crm" is not in the policy's data_sources (registered: pos_sales)`},
		{"submitted without findings", strings.Replace(analysis("submitted", "  - recommendation: r\n"), "findings:\n  - area: business\n    finding: f\n", "", 1), "state-needs",
			"a submitted analysis needs findings"},
		{"decided without a decision", analysis("decided", "  - recommendation: r\n"), "state-needs", "recommendations.0 lacks them"},
		{"decided by someone outside leadership", strings.Replace(analysis("decided", decided), "decided_by: sun.hua", "decided_by: wang.fang", 1), "ref-role",
			"recommendations.0.decided_by: wang.fang has the role director; the field needs a leadership"},
		{"closed without the adopted one's follow-up", analysis("closed", decided), "state-needs", "recommendations.0 has none"},
		{"a follow-up that does not exist", analysis("closed", decided+"    follow_up: [TSK-2026-0009]\n"), "ref-missing", `recommendations.0.follow_up.0: no task "TSK-2026-0009"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ds := checkSources(t, map[string]string{anaPath: c.text}); !has(ds, anaPath, c.rule, diag.Error, c.msg) {
				t.Fatalf("want %s %q, got %v", c.rule, c.msg, ds)
			}
		})
	}
	// Closed with the adopted one's project, a rejected one needing none: clean.
	ok := analysis("closed", decided+"    follow_up: [PRJ-2026-0001]\n  - recommendation: s\n    decision: reject\n    decided_by: sun.hua\n    note: n\n")
	if ds := checkSources(t, map[string]string{anaPath: ok}); len(ds) != 0 {
		t.Fatalf("%v", ds)
	}
	// Without a register every source is unregistered.
	if ds := check(t, map[string]string{anaPath: analysis("draft", "  - recommendation: r\n")}); !has(ds, anaPath, "data-source", diag.Error, "the register is empty") {
		t.Fatalf("%v", ds)
	}
}
