package change

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// TryMoves tries many moves at once but judges each as if alone: three
// claims that each fit the office budget of 100.00 (but not together) are
// all ready, the one over it alone is not, the director's own claim is
// refused by four eyes; and nothing is written.
func TestTryMovesJudgesEachMoveAlone(t *testing.T) {
	files := map[string]string{}
	for k, v := range dept {
		files[k] = v
	}
	delete(files, "records/expenses/2026/EXP-2026-0007.yaml")
	claim := func(id, who, amount string) {
		files["records/expenses/2026/"+id+".yaml"] = fmt.Sprintf("kind: expense\nid: %s\ntitle: t\nstatus: submitted\nclaimant: %s\ndate: 2026-03-01\ncategory: office\namount: %s\n", id, who, amount)
	}
	claim("EXP-2026-0001", "li", "40.00")
	claim("EXP-2026-0002", "li", "50.00")
	claim("EXP-2026-0003", "li", "120.00")
	claim("EXP-2026-0004", "li", "70.00")
	claim("EXP-2026-0005", "wang", "10.00")
	dir := repoWith(t, files)
	r, s := previewOf(t, dir)
	var recs []*record.Record
	var tos []string
	for _, id := range []string{"EXP-2026-0001", "EXP-2026-0002", "EXP-2026-0003", "EXP-2026-0004", "EXP-2026-0005"} {
		recs, tos = append(recs, r.Set.Get(id)), append(tos, "approved")
	}
	got := s.TryMoves(recs, tos)
	for i, rec := range recs {
		alone, _ := s.Needs(rec, "approved")
		if strings.Join(got[i], "|") != strings.Join(alone, "|") {
			t.Errorf("%s: together %q, alone %q", rec.ID, got[i], alone)
		}
		ready := len(got[i]) == 0
		if want := rec.ID != "EXP-2026-0003" && rec.ID != "EXP-2026-0005"; ready != want {
			t.Errorf("%s: ready %v, want %v (%q)", rec.ID, ready, want, got[i])
		}
	}
	if !strings.Contains(strings.Join(got[2], " "), "over budget") || !strings.Contains(strings.Join(got[4], " "), "four eyes") {
		t.Errorf("reasons: %q / %q", got[2], got[4])
	}
	// a preview never writes
	edits, err := MoveEdits(s, recs[0], "approved", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), edits, Message{Kind: record.Expense, ID: recs[0].ID, Action: "approve"}); !errors.Is(err, ErrRepository) {
		t.Errorf("Apply on a preview: %v", err)
	}
	if r2, _ := repo.Load(context.Background(), dir); r2.Set.Get("EXP-2026-0001").Status() != "submitted" {
		t.Error("the preview wrote the claim")
	}
}

// TestPreviewNearEqualsWhole: a preview (the inbox's) judges its moves on
// their neighbourhoods from an index made of the loaded records; every
// move of every record out of its state, tried by every active person of
// the sample, of 400 copies of it and of a generated department, gets what
// the whole department says of it, and the near judging is really used.
func TestPreviewNearEqualsWhole(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, d := range []struct {
		name string
		dir  string
	}{{"sample", sampleDept(t, 0)}, {"copies", sampleDept(t, 400)}, {"generated", generatedDept(t, 300, 9)}} {
		t.Run(d.name, func(t *testing.T) {
			r, g := loadGit(t, d.dir)
			findings := r.Validate(at)
			var recs []*record.Record
			var tos []string
			for _, rec := range r.Set.Records {
				tab := workflow.ForPolicy(rec.Kind, r.Policy)
				if tab == nil {
					continue
				}
				for _, m := range tab.Moves {
					if m.From == rec.Status() {
						recs, tos = append(recs, rec), append(tos, m.To)
					}
				}
			}
			if len(recs) < 50 {
				t.Fatalf("only %d moves to try", len(recs))
			}
			tried, ready := 0, 0
			for _, p := range r.Set.OfKind(record.Person) {
				if p.Str("active") == "false" {
					continue
				}
				n := Preview(r, g, p, at, findings)
				if n.near == nil {
					t.Fatal("the preview judges on the whole department")
				}
				w := Preview(r, g, p, at, findings)
				w.near = nil
				got, want := n.TryMoves(recs, tos), w.TryMoves(recs, tos)
				for i := range recs {
					tried++
					if len(want[i]) == 0 {
						ready++
					}
					if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
						t.Errorf("%s moving %s to %s:\nnear:  %q\nwhole: %q", p.ID, recs[i].ID, tos[i], got[i], want[i])
					}
				}
			}
			t.Logf("%d moves tried, %d ready", tried, ready)
			if ready == 0 || ready == tried {
				t.Errorf("%d of %d moves ready: the comparison proves nothing", ready, tried)
			}
		})
	}
}

// TestPreviewWholeWhenIndexCannotStand: a department with an id held by
// two files or a record filed under another name is judged whole by the
// preview (as a write opens whole), and its moves still get their
// answers. A file that is no record is out of the set near and whole
// alike: that department is judged near.
func TestPreviewWholeWhenIndexCannotStand(t *testing.T) {
	claim := "kind: expense\nid: EXP-2026-0001\ntitle: t\nstatus: submitted\nclaimant: li\ndate: 2026-03-01\ncategory: office\namount: 40.00\n"
	for name, extra := range map[string]map[string]string{
		"id held twice":    {"records/expenses/2026/EXP-2026-0009.yaml": claim},
		"misfiled":         {"records/expenses/2026/EXP-2026-0001.yaml": "", "records/expenses/2026/EXP-2026-0010.yaml": claim},
		"not a record":     {"records/expenses/2026/EXP-2026-0011.yaml": "kind: [\n"},
		"clean (contrast)": {},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range dept {
				files[k] = v
			}
			files["records/expenses/2026/EXP-2026-0001.yaml"] = claim
			for k, v := range extra {
				if v == "" {
					delete(files, k)
				} else {
					files[k] = v
				}
			}
			r, s := previewOf(t, repoWith(t, files))
			if wantNear := name == "clean (contrast)" || name == "not a record"; (s.near != nil) != wantNear {
				t.Fatalf("judged near: %v, want %v", s.near != nil, wantNear)
			}
			var rec *record.Record
			for _, x := range r.Set.OfKind(record.Expense) {
				if x.Status() == "submitted" && x.Str("claimant") == "li" {
					rec = x
				}
			}
			if rec == nil {
				t.Fatal("no claim of li submitted")
			}
			got := s.TryMoves([]*record.Record{rec}, []string{"approved"})
			alone, _ := s.Needs(rec, "approved")
			if strings.Join(got[0], "|") != strings.Join(alone, "|") {
				t.Errorf("TryMoves %q, Needs %q", got[0], alone)
			}
		})
	}
}

// previewOf loads the department at dir and opens wang's preview of it.
func previewOf(t *testing.T, dir string) (*repo.Repo, *Session) {
	t.Helper()
	r, g := loadGit(t, dir)
	return r, Preview(r, g, r.Set.Get("wang"), now, r.Validate(now))
}

// loadGit loads the department at dir and opens its git repository.
func loadGit(t *testing.T, dir string) (*repo.Repo, *gitstore.Repo) {
	t.Helper()
	r, err := repo.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r, g
}

// TestTryMovesTellsProgress: trying many moves tells Progress how many
// of those the workflow lets through to the rules have their answer,
// ending with all of them; one move alone tells nothing.
func TestTryMovesTellsProgress(t *testing.T) {
	r, g := loadGit(t, sampleDept(t, 0))
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	s := Preview(r, g, director(t, r), at, nil)
	var recs []*record.Record
	var tos []string
	for _, rec := range r.Set.OfKind(record.Expense) {
		if rec.Status() == "submitted" {
			recs, tos = append(recs, rec), append(tos, "approved")
		}
	}
	if len(recs) < 3 {
		t.Fatalf("only %d submitted claims", len(recs))
	}
	var last [2]int
	calls := 0
	s.Progress = func(what string, n, total int) {
		if what != "trying" {
			t.Errorf("step %q", what)
		}
		calls++
		last = [2]int{n, total}
	}
	s.TryMoves(recs, tos)
	// (the moves the workflow refuses outright are not tried)
	if calls == 0 || last[0] != last[1] || last[1] < 2 || last[1] > len(recs) {
		t.Errorf("%d reports, the last %v; want it to end at all of the %d moves or fewer", calls, last, len(recs))
	}
	calls = 0
	s.TryMoves(recs[:1], tos[:1])
	if calls != 0 {
		t.Errorf("one move: %d reports", calls)
	}
}
