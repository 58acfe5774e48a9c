package change

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
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
	r, err := repo.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := Preview(r, g, r.Set.Get("wang"), now, r.Validate(now))
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
