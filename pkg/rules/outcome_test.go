package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

func TestOutcomes(t *testing.T) {
	// 86.6: exceeds
	closed := func(outcome string) string {
		return appraisal("closed", twoIndicators, "total: 86.6\nrating: exceeds\n"+outcome)
	}
	cases := []struct{ name, outcome, rule, msg string }{
		{"closed without outcome", "", "outcome-required", "a closed appraisal records its outcome"},
		{"none beside a reward", "outcome:\n  reward: 1 month\n  none: true\n", "outcome-rating", "outcome none stands alone, and this one also has reward"},
	}
	for _, c := range cases {
		if ds := check(t, map[string]string{aprPath: closed(c.outcome)}); !has(ds, aprPath, c.rule, diag.Error, c.msg) {
			t.Errorf("%s: %v", c.name, ds)
		}
	}
	for _, ok := range []string{"outcome:\n  reward: 1 month\n  promotion: senior\n", "outcome:\n  none: true\n"} {
		for _, d := range check(t, map[string]string{aprPath: closed(ok)}) {
			if strings.HasPrefix(d.Rule, "outcome") {
				t.Errorf("%q: %v", ok, d)
			}
		}
	}
	// 60×50 + 40×50 = 50: below; a reward does not go with it, a pay cut does.
	low := "  - name: a\n    weight: 60\n    score: 50\n  - name: b\n    weight: 40\n    score: 50\n"
	imp := "improvement:\n  goals: g\n  coach: zhang.min\n  review_date: 2026-12-31\n"
	ds := check(t, map[string]string{aprPath: appraisal("reviewed", low, "total: 50\nrating: below\n"+imp+"outcome:\n  reward: 1 month\n")})
	if !has(ds, aprPath, "outcome-rating", diag.Error, "outcome reward does not go with the rating below: the policy's rating_outcomes allow pay_change, none") {
		t.Errorf("reward for below: %v", ds)
	}
	ds = check(t, map[string]string{aprPath: appraisal("reviewed", low, "total: 50\nrating: below\n"+imp+"outcome:\n  salary_change: \"-3%\"\n")})
	for _, d := range ds {
		if strings.HasPrefix(d.Rule, "outcome") {
			t.Errorf("pay cut for below: %v", d)
		}
	}
}

func TestLastPeriod(t *testing.T) {
	at := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct{ cycle, day, want string }{
		{"half", "2026-11-26", "2026-H1"}, {"half", "2026-06-30", "2025-H2"}, {"half", "2026-07-01", "2026-H1"},
		{"year", "2026-01-01", "2025"}, {"quarter", "2026-02-10", "2025-Q4"}, {"quarter", "2026-11-26", "2026-Q3"}, {"quarter", "2026-04-01", "2026-Q1"},
	} {
		if got := LastPeriod(c.cycle, at(c.day)); got != c.want {
			t.Errorf("LastPeriod(%s, %s) = %s, want %s", c.cycle, c.day, got, c.want)
		}
	}
}

func TestAppraisalMissing(t *testing.T) {
	// li.wei is appraised for 2026-H1; zhang.min (a manager) is not; the
	// director appraises and is not named.
	ds := check(t, map[string]string{aprPath: appraisal("draft", twoIndicators, "")})
	if !has(ds, "records/people/zhang.min.yaml", "appraisal-missing", diag.Warning, "zhang.min has no appraisal for 2026-H1") {
		t.Errorf("zhang.min: %v", ds)
	}
	for _, d := range ds {
		if d.Rule == "appraisal-missing" && !strings.Contains(d.Message, "zhang.min") {
			t.Errorf("only zhang.min: %v", d)
		}
	}
	// an appraisal of another period does not count
	ds = check(t, map[string]string{aprPath: strings.Replace(appraisal("draft", twoIndicators, ""), "2026-H1", "2025-H2", 1)})
	if !has(ds, "records/people/li.wei.yaml", "appraisal-missing", diag.Warning, "li.wei has no appraisal for 2026-H1") {
		t.Errorf("li.wei: %v", ds)
	}
	// a department without periodic appraisals is not told about each person
	for _, d := range check(t, nil) {
		t.Errorf("no appraisals: %v", d)
	}
}

// TestAppraisalPeriod: an appraisal of a quarter under half-yearly
// appraisals is told it stands for no periodic appraisal (and
// appraisal-missing still names its employee); one of the cycle's
// periods, or a month (a review of its own), is not.
func TestAppraisalPeriod(t *testing.T) {
	ds := check(t, map[string]string{aprPath: strings.Replace(appraisal("draft", twoIndicators, ""), "2026-H1", "2026-Q2", 1)})
	if !has(ds, aprPath, "appraisal-cycle", diag.Warning, "period 2026-Q2 is no period of the appraisal cycle (appraisal_cycle: half, such as 2026-H1)") {
		t.Errorf("a quarter under half-yearly appraisals: %v", ds)
	}
	if !has(ds, "records/people/li.wei.yaml", "appraisal-missing", diag.Warning, "li.wei has no appraisal for 2026-H1") {
		t.Errorf("li.wei: %v", ds)
	}
	for _, period := range []string{"2026-H1", "2026-03"} {
		for _, d := range check(t, map[string]string{aprPath: strings.Replace(appraisal("draft", twoIndicators, ""), "2026-H1", period, 1)}) {
			if d.Rule == "appraisal-cycle" {
				t.Errorf("%s: %v", period, d)
			}
		}
	}
}

// Recorded measures answer a second below-standard rating; they are the
// director's (or leadership's) decision.
func TestMeasuresRecorded(t *testing.T) {
	low := "  - name: a\n    weight: 100\n    score: 45\n"
	imp := "improvement:\n  goals: g\n"
	const second = "records/appraisals/2026/APR-2026-0002.yaml"
	text := func(measures string) string {
		return strings.Replace(appraisal("submitted", low, imp+"follow_up_of: APR-2026-0001\n"+measures), "APR-2026-0001\ntitle", "APR-2026-0002\ntitle", 1)
	}
	ds := check(t, map[string]string{aprPath: appraisal("submitted", low, imp), second: text("measures:\n  - action: 調崗至客服組\n    date: 2026-11-20\n    by: wang.fang\n")})
	for _, d := range ds {
		if d.Rule == "measures-required" || d.Path == second && d.Severity == diag.Error {
			t.Errorf("measures recorded: %v", d)
		}
	}
	ds = check(t, map[string]string{aprPath: appraisal("submitted", low, imp), second: text("measures:\n  - action: 調崗\n    date: 2026-11-20\n    by: zhang.min\n")})
	if !has(ds, second, "ref-role", diag.Error, "") {
		t.Errorf("a manager's measures: %v", ds)
	}
}

func TestIndicatorCatalogue(t *testing.T) {
	files := map[string]string{aprPath: appraisal("draft", twoIndicators, "")}
	run := func(extra string) []diag.Diagnostic {
		files[aprPath] = appraisal("draft", twoIndicators, extra)
		var recs []*record.Record
		for p, text := range base {
			if _, over := files[p]; !over {
				r, _ := record.Parse(p, []byte(text))
				recs = append(recs, r)
			}
		}
		for p, text := range files {
			r, _ := record.Parse(p, []byte(text))
			recs = append(recs, r)
		}
		pol, ds := config.FromBytes([]byte("indicators:\n  specialist:\n    - {name: a, weight: 60, standard: s}\n    - {name: c, weight: 40, standard: s}\n"))
		if len(ds) > 0 {
			t.Fatal(ds)
		}
		return Check(&Context{Set: record.NewSet(recs), Policy: pol, Now: now, Exists: func(string) bool { return true }})
	}
	// li.wei is a specialist: b is not in the catalogue, c is missing
	if ds := run(""); !has(ds, aprPath, "appraisal-catalogue", diag.Error, "differ from the specialist catalogue of the policy (lacks c; adds b)") {
		t.Errorf("%v", ds)
	}
	for _, d := range run("deviation:\n  by: wang.fang\n  date: 2026-06-20\n  reason: 轉崗\n") {
		if d.Rule == "appraisal-catalogue" {
			t.Errorf("approved deviation: %v", d)
		}
	}
	if ds := run("deviation:\n  by: zhang.min\n  date: 2026-06-20\n  reason: 轉崗\n"); !has(ds, aprPath, "ref-role", diag.Error, "") {
		t.Errorf("a manager's deviation: %v", ds)
	}
	// a catalogue whose weights do not sum to 100 is a policy error
	if _, ds := config.FromBytes([]byte("indicators:\n  manager:\n    - {name: a, weight: 60, standard: s}\n")); len(ds) == 0 || !strings.Contains(ds[0].Message, "sum to 60, not 100") {
		t.Errorf("policy: %v", ds)
	}
}
