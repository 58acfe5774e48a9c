package change

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/inbox"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// tryEachAlone is the straightforward way of trying an inbox's moves:
// each one on its own, as a write of that move alone would be checked
// (the workflow, then the whole check of its edits). TryMovesText must
// answer exactly this, however it groups, orders or shares the work.
func tryEachAlone(s *Session) func(recs []*record.Record, tos []string) (english, text [][]string) {
	return func(recs []*record.Record, tos []string) (english, text [][]string) {
		english, text = make([][]string, len(recs)), make([][]string, len(recs))
		for i, rec := range recs {
			err := error(workflow.CheckMove(s.Actor, rec, tos[i], s.env))
			if err == nil {
				var edits []Edit
				if edits, err = MoveEdits(s, rec, tos[i], ""); err == nil {
					err = s.Check(edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "move to " + tos[i]})
				}
			}
			if err != nil {
				english[i], text[i] = Unmet(err), UnmetText(err)
			}
		}
		return english, text
	}
}

// TestInboxTriesMovesAsEachAlone builds every person's inbox of the
// sample and of copies of it (a few hundred and over a thousand records)
// the fast way (TryMovesText on one preview) and the straightforward way
// (each move checked alone, on the sample on the whole department), and
// wants them the same byte for byte: items, their order, what a blocked
// move needs in both languages, which are dropped.
func TestInboxTriesMovesAsEachAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds departments of thousands of records")
	}
	keys, err := filepath.Abs(filepath.Join("..", "..", "cmd", "opsbook", "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	nows := []time.Time{
		time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)),
	}
	for _, dept := range []struct {
		name  string
		n     int // 0: the sample itself
		whole bool
	}{{"sample", 0, true}, {"300", 300, false}, {"1200", 1200, false}} {
		t.Run(dept.name, func(t *testing.T) {
			dir := filepath.Join("..", "..")
			if dept.n > 0 {
				dir = sampleDept(t, dept.n)
			}
			r, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			g, err := gitstore.Open(r.Root)
			if err != nil {
				t.Fatal(err)
			}
			// the same department read with the cache, and its index, which
			// stands for the records read (PreviewIndexed)
			var rc *repo.Repo
			var x *index.Index
			if dept.n > 0 {
				if rc, err = repo.Load(context.Background(), dir); err != nil {
					t.Fatal(err)
				}
				d, err := repo.OpenIndexed(context.Background(), dir)
				if err != nil {
					t.Fatal(err)
				}
				fp, ok := rc.Fingerprint()
				if dfp, dok := d.Fingerprint(); !ok || !dok || fp != dfp {
					t.Fatalf("the load's fingerprint %q (%v), the index's %q (%v)", fp, ok, dfp, dok)
				}
				x = d.Index
			}
			people := r.Set.OfKind(record.Person)
			if len(people) < 10 {
				t.Fatalf("%d people", len(people))
			}
			moves, blocked := 0, 0
			for _, p := range people {
				// the person's own key, for the encrypted fields a move keeps
				t.Setenv("OPSBOOK_IDENTITY", filepath.Join(keys, p.ID))
				if _, err := os.Stat(filepath.Join(keys, p.ID)); err != nil {
					t.Setenv("OPSBOOK_IDENTITY", filepath.Join(keys, "none"))
				}
				for _, now := range nows {
					findings := r.ErrorsOf(now, inbox.Owned(r.Set, p.ID))
					build := func(try func(*Session) func([]*record.Record, []string) ([][]string, [][]string), whole bool) []byte {
						s := Preview(r, g, p, now, nil)
						s.Horizon = &rules.Horizon{}
						if whole {
							s.near = nil
						}
						box, err := inbox.Build(inbox.Input{Set: r.Set, Policy: r.Policy, Now: now, Person: p.ID, Findings: findings, Try: try(s), Horizon: &rules.Horizon{}})
						if err != nil {
							t.Fatal(err)
						}
						for _, it := range box.Items {
							if it.Source == inbox.SourceMove {
								moves++
								if !it.Ready {
									blocked++
								}
							}
						}
						kept, err := box.Keep()
						if err != nil {
							t.Fatal(err)
						}
						return kept
					}
					fast := build(func(s *Session) func([]*record.Record, []string) ([][]string, [][]string) { return s.TryMovesText }, false)
					alone := build(tryEachAlone, dept.whole)
					if !bytes.Equal(fast, alone) {
						t.Errorf("%s as of %s: the inbox made by TryMovesText differs from the one made trying each move alone:\n%s", p.ID, now.Format(time.RFC3339), firstDiff(fast, alone))
					}
					if x != nil {
						s := PreviewIndexed(rc, g, rc.Set.Get(p.ID), now, nil, x)
						s.Horizon = &rules.Horizon{}
						box, err := inbox.Build(inbox.Input{Set: rc.Set, Policy: rc.Policy, Now: now, Person: p.ID, Findings: rc.ErrorsOf(now, inbox.Owned(rc.Set, p.ID)), Try: s.TryMovesText, Horizon: &rules.Horizon{}})
						if err != nil {
							t.Fatal(err)
						}
						kept, err := box.Keep()
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(kept, alone) {
							t.Errorf("%s as of %s: the inbox judged on the department's index differs from the one made trying each move alone:\n%s", p.ID, now.Format(time.RFC3339), firstDiff(kept, alone))
						}
					}
				}
			}
			if moves == 0 || blocked == 0 {
				t.Fatalf("%d moves tried, %d refused: want both", moves, blocked)
			}
		})
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-300)
	return "fast:  …" + string(a[lo:min(len(a), i+300)]) + "\nalone: …" + string(b[lo:min(len(b), i+300)])
}

// TestTriedAloneOnlyOnSmallNeighbourhoods: TryMoves tries a move alone
// only where its neighbourhood is small. A plan's move, judged near on
// every counted plan of its years (thousands in a copied department, each
// found at a cost like judging it), is left for the group, judged once
// for all of them; a claim's approval is tried alone. Either way the
// answer is the move's own (TestInboxTriesMovesAsEachAlone).
func TestTriedAloneOnlyOnSmallNeighbourhoods(t *testing.T) {
	r, g := loadGit(t, sampleDept(t, 0))
	at := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	s := Preview(r, g, director(t, r), at, nil)
	plans, claims := 0, 0
	for _, rec := range r.Set.Records {
		if rec.Kind != record.Plan && rec.Kind != record.Expense {
			continue
		}
		for _, m := range workflow.ForPolicy(rec.Kind, r.Policy).From(rec.Status()) {
			if workflow.CheckMove(s.Actor, rec, m.To, s.env) != nil {
				continue
			}
			edits, err := MoveEdits(s, rec, m.To, "")
			if err != nil {
				t.Fatal(err)
			}
			err = s.checkAs(edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "move to " + m.To}, false, judging{nearOnly: true})
			switch rec.Kind {
			case record.Plan:
				plans++
				if err != errWhole {
					t.Errorf("%s to %s tried alone: %v", rec.ID, m.To, err)
				}
			case record.Expense:
				claims++
				if err == errWhole {
					t.Errorf("%s to %s not tried alone", rec.ID, m.To)
				}
			}
		}
	}
	if plans == 0 || claims == 0 {
		t.Fatalf("%d plans' moves, %d claims' moves tried: want both", plans, claims)
	}
}

// TestInboxTriesMovesWithUnreadableFiles: with record files that are no
// records in the department, the inbox's moves are still judged near
// (such a file is out of the set near and whole alike), and each person's
// inbox is the one made trying each move alone on the whole department.
func TestInboxTriesMovesWithUnreadableFiles(t *testing.T) {
	dir := unreadableDept(t)
	r, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Unread == 0 || r.Hazards != 0 {
		t.Fatalf("%d unread, %d hazards: want files that are no records and no hazard", r.Unread, r.Hazards)
	}
	g, err := gitstore.Open(r.Root)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPSBOOK_IDENTITY", filepath.Join("..", "..", "cmd", "opsbook", "testdata", "keys", "none"))
	at := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	moves := 0
	for _, p := range r.Set.OfKind(record.Person) {
		findings := r.ErrorsOf(at, inbox.Owned(r.Set, p.ID))
		build := func(whole bool) []byte {
			s := Preview(r, g, p, at, nil)
			s.Horizon = &rules.Horizon{}
			if s.near == nil {
				t.Fatalf("%s: the preview did not judge near", p.ID)
			}
			try := s.TryMovesText
			if whole {
				s.near = nil
				try = tryEachAlone(s)
			}
			box, err := inbox.Build(inbox.Input{Set: r.Set, Policy: r.Policy, Now: at, Person: p.ID, Findings: findings, Try: try, Horizon: &rules.Horizon{}})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range box.Items {
				if it.Source == inbox.SourceMove && !whole {
					moves++
				}
			}
			kept, err := box.Keep()
			if err != nil {
				t.Fatal(err)
			}
			return kept
		}
		if fast, alone := build(false), build(true); !bytes.Equal(fast, alone) {
			t.Errorf("%s: the inbox judged near differs from the one judged whole:\n%s", p.ID, firstDiff(fast, alone))
		}
	}
	if moves == 0 {
		t.Fatal("no move tried")
	}
}
