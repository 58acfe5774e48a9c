package audit

import (
	"slices"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
)

// LeftAtClose reads who had left from the registry of the commit that
// moved the project to closed: found back through a later edit of the
// closed file, and on the branch that closed it rather than the merge that
// brought it. A project HEAD does not hold closed is not known.
func TestLeftAtClose(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	const p = "records/projects/2026/PRJ-2026-0001.yaml"
	prj := "kind: project\nid: PRJ-2026-0001\ntitle: 華東推廣\nstatus: closing\nowner: zhang.min\nteam: [li.wei, sun.li]\n"
	tr.write(p, prj)
	tr.commit("wang.fang", "import")
	tr.git("checkout", "-q", "-b", "close")
	tr.edit("records/people/sun.li.yaml", "active: true", "active: false")
	tr.commit("wang.fang", "sun.li leaves")
	tr.edit(p, "status: closing", "status: closed")
	tr.commit("wang.fang", "close")
	tr.edit("records/people/sun.li.yaml", "active: false", "active: true")
	tr.commit("wang.fang", "sun.li is back")
	tr.edit(p, "title: 華東推廣", "title: 華東推廣（2026）")
	tr.commit("wang.fang", "a later title")
	tr.git("checkout", "-q", "main")
	tr.write("notes.txt", "x")
	tr.commit("wang.fang", "notes")
	tr.merge("wang.fang", "close")

	rec := func(text string) *record.Record {
		r, _ := record.ParseLean(p, []byte(text))
		return r
	}
	closed := strings.Replace(strings.Replace(prj, "status: closing", "status: closed", 1), "title: 華東推廣", "title: 華東推廣（2026）", 1)
	left, ok := LeftAtClose(tr.dir)(rec(closed))
	if !ok || !slices.Equal(left, []string{"sun.li"}) {
		t.Errorf("left %v (known %v), want [sun.li]", left, ok)
	}
	other, _ := record.ParseLean("records/projects/2026/PRJ-2026-0002.yaml", []byte(strings.Replace(closed, "PRJ-2026-0001", "PRJ-2026-0002", 1)))
	if _, ok := LeftAtClose(tr.dir)(other); ok {
		t.Errorf("a project never committed is known")
	}
}
