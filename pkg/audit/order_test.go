package audit

import (
	"fmt"
	"testing"
)

// TestOrderRecordsReadOncePerRange: the projects, plans and people a
// commit's order checks read are parsed once for the range, not once for
// every commit moving a project (orderRecs), and a file changed by a
// commit of the range is read again as changed: a project started
// without an active plan is named each time, and one started after its
// plan was activated is not.
func TestOrderRecordsReadOncePerRange(t *testing.T) {
	tr := newTestRepo(t)
	tr.people("records: records\n")
	const n = 40
	project := func(i int, status string) string {
		return fmt.Sprintf("kind: project\nid: PRJ-2026-%04d\ntitle: 專案 %d\nstatus: %s\nsponsor: wang.fang\nowner: zhang.min\n", i, i, status)
	}
	plan := func(i int, status string) string {
		return fmt.Sprintf("kind: plan\nid: PLN-2026-%04d\ntitle: 方案 %d\nstatus: %s\nproject: PRJ-2026-%04d\nauthor: zhang.min\nrevision: 1\n", i, i, status, i)
	}
	for i := 1; i <= n; i++ {
		tr.write(fmt.Sprintf("records/projects/2026/PRJ-2026-%04d.yaml", i), project(i, "planning"))
		tr.write(fmt.Sprintf("records/plans/2026/PLN-2026-%04d.yaml", i), plan(i, "approved"))
	}
	base := tr.commit("wang.fang", "the department")
	const started = 6
	for i := 1; i <= started; i++ {
		tr.write(fmt.Sprintf("records/projects/2026/PRJ-2026-%04d.yaml", i), project(i, "executing"))
		tr.commit("zhang.min", fmt.Sprintf("start %d", i))
	}
	// the last project's plan activated, then the project started
	tr.write(fmt.Sprintf("records/plans/2026/PLN-2026-%04d.yaml", n), plan(n, "active"))
	tr.commit("zhang.min", "activate")
	tr.write(fmt.Sprintf("records/projects/2026/PRJ-2026-%04d.yaml", n), project(n, "executing"))
	tr.commit("zhang.min", "start the last")

	before := orderParsed.Load()
	rep := tr.verify(base + "..HEAD")
	parsed := orderParsed.Load() - before
	named := map[string]bool{}
	for _, v := range rep.Violations {
		if v.Rule == "order" {
			named[v.Record] = true
		}
	}
	for i := 1; i <= started; i++ {
		if id := fmt.Sprintf("PRJ-2026-%04d", i); !named[id] {
			t.Errorf("%s started without an active plan is not named: %v", id, rep.Violations)
		}
	}
	if id := fmt.Sprintf("PRJ-2026-%04d", n); named[id] {
		t.Errorf("%s, started after its plan was activated, is named", id)
	}
	// 2n+7 files at the base, and each commit's changed file once more
	if max := int64(2*n + 7 + started + 2); parsed > max {
		t.Errorf("%d files parsed for the order checks of %d commits, want at most %d (once each)", parsed, started+2, max)
	}
}
