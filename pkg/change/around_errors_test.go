package change

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
)

// TestAroundErrorsEqualFull: the errors of every record (but those judged
// on the whole department, budget-overspend, weighed apart, and a plan's
// plan-budget and plan-active, judged on the plans a change of a plan
// puts in D: TestNearPlans, TestNearEqualsWhole), found
// from what view.around reads for it, are the errors the whole
// department gives it, on the sample, on copies of it and on a generated
// department. This holds the neighbourhood to what it leaves out: the
// records naming a record of a kind whose errors do not read them
// (referrersRead: a project's claims, meetings and tasks; whatever names a
// complaint or a customer), the records naming what a claim, a complaint
// or a meeting names (noSiblings), and what only warnings read (a claim's
// split-claim group, the meetings). A rule that came to read one of them
// for an error would fail it.
func TestAroundErrorsEqualFull(t *testing.T) {
	depts := map[string]string{
		"sample":    sampleDept(t, 0),
		"copies":    sampleDept(t, 600),
		"generated": generatedDept(t, 400, 3),
	}
	withErrors := 0
	for name, dir := range depts {
		t.Run(name, func(t *testing.T) { withErrors += aroundErrorsEqualFull(t, dir) })
	}
	if withErrors == 0 {
		t.Fatal("no record judged near has an error: the comparison shows nothing")
	}
}

// aroundErrorsEqualFull compares every record of dir's and returns how
// many of those judged near have errors.
func aroundErrorsEqualFull(t *testing.T, dir string) int {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	whole, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	n := nearOfSet(whole, nil)
	if n == nil {
		t.Fatal("the department's records cannot stand for an index")
	}
	v := newView(n.x, nil, nil)
	errorsOf := func(ds []diag.Diagnostic, path string) string {
		var b strings.Builder
		for _, d := range diag.Sort(ds) {
			if d.Path == path && d.Severity == diag.Error && d.Rule != "budget-overspend" && d.Rule != "plan-budget" && d.Rule != "plan-active" {
				fmt.Fprintf(&b, "%d:%d %s %s %s\n", d.Line, d.Column, d.Rule, d.Record, d.Message)
			}
		}
		return b.String()
	}
	byPath := map[string]*record.Record{}
	for _, rec := range whole.Set.Records {
		byPath[rec.Path] = rec
	}
	all := rules.Check(&rules.Context{Set: whole.Set, Policy: whole.Policy, Root: whole.Root, Now: at, Errors: true})
	judged, withErrors := 0, 0
	for _, rec := range whole.Set.Records {
		e := n.x.At(rec.Path)
		if e == nil {
			t.Fatalf("%s: not in the index", rec.Path)
		}
		full, skel, ok := v.around([]*index.Entry{e})
		if !ok {
			continue // judged on the whole department
		}
		var recs []*record.Record
		for p := range full {
			recs = append(recs, byPath[p])
		}
		for _, e := range skel {
			recs = append(recs, namedSkeleton(e))
		}
		path := rec.Path
		near := rules.Check(&rules.Context{Set: record.NewSet(recs), Policy: whole.Policy, Root: whole.Root, Now: at, KindIDs: v.kindIDs,
			Only: func(r *record.Record) bool { return r.Path == path }, Errors: true, NoOverspend: true,
			Keep: func(p, rule string, sev diag.Severity) bool { return p == path && sev == diag.Error }})
		got, want := errorsOf(near, path), errorsOf(all, path)
		if got != want {
			t.Errorf("%s (%d records around it): errors from its neighbourhood\n%s\nthe whole department's\n%s", path, len(full), got, want)
		}
		judged++
		if want != "" {
			withErrors++
		}
	}
	if judged < len(whole.Set.Records)/2 {
		t.Fatalf("%d records judged near of %d", judged, len(whole.Set.Records))
	}
	t.Logf("%d records judged near, %d with errors, of %d", judged, withErrors, len(whole.Set.Records))
	return withErrors
}
