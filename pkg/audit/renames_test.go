package audit

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/record"
)

// pairRenamesEveryPair is pairRenames as it was: every change asked, for
// every file added, whether it is its source.
func pairRenamesEveryPair(fcs []*fileChange) {
	for _, a := range fcs {
		if !a.judged || !a.Old.IsZero() || a.after == nil {
			continue
		}
		for _, s := range fcs {
			if s == a || s.before == nil || !s.New.IsZero() || s.kind != a.kind || s.Path == a.Path || s.taken ||
				s.before.ID == a.after.ID || !sameRecordBut(s.before, a.after) {
				continue
			}
			a.source, s.taken = s, true
			s.consumed = s.parent == 0
			break
		}
	}
}

// renameChanges makes a commit's changes at random: claims added,
// removed and changed, some added ones the same record as a removed one
// under another id (two alike removed, two alike added), some not judged,
// some removed in another parent.
func renameChanges(rng *rand.Rand, n int) []*fileChange {
	claim := func(id string, amount int) *record.Record {
		r, _ := record.Parse("records/expenses/2026/"+id+".yaml",
			fmt.Appendf(nil, "kind: expense\nid: %s\ntitle: t\nstatus: draft\nclaimant: li.wei\namount: %d.00\n", id, amount))
		return r
	}
	blob := func(i int) plumbing.Hash { return plumbing.NewHash(fmt.Sprintf("%040x", i+1)) }
	var fcs []*fileChange
	for i := range n {
		id := fmt.Sprintf("EXP-2026-%04d", i)
		fc := &fileChange{Change: gitobj.Change{Path: "records/expenses/2026/" + id + ".yaml"}, kind: record.Expense, id: id,
			judged: rng.IntN(5) > 0, parent: rng.IntN(4) / 3}
		amount := rng.IntN(4) // few amounts: many records alike
		switch rng.IntN(3) {
		case 0: // added
			fc.New, fc.after = blob(i), claim(id, amount)
		case 1: // removed
			fc.Old, fc.before = blob(i), claim(id, amount)
		default: // changed
			fc.Old, fc.New = blob(i), blob(i+n)
			fc.before, fc.after = claim(id, amount), claim(id, amount+1)
		}
		fcs = append(fcs, fc)
	}
	return fcs
}

// TestPairRenamesAsEveryPair holds pairRenames, which asks only the
// removed files, to asking every change: the same sources, taken and
// consumed, on random commits.
func TestPairRenamesAsEveryPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	paired := 0
	for round := range 300 {
		a, b := renameChanges(rand.New(rand.NewPCG(uint64(round), 1)), 1+rng.IntN(40)), []*fileChange(nil)
		b = renameChanges(rand.New(rand.NewPCG(uint64(round), 1)), len(a))
		pairRenames(a)
		pairRenamesEveryPair(b)
		for i := range a {
			sa, sb := -1, -1
			for j := range a {
				if a[i].source == a[j] {
					sa = j
				}
				if b[i].source == b[j] {
					sb = j
				}
			}
			if sa != sb || a[i].taken != b[i].taken || a[i].consumed != b[i].consumed {
				t.Fatalf("round %d, change %d: source %d taken %v consumed %v, every pair gives %d %v %v",
					round, i, sa, a[i].taken, a[i].consumed, sb, b[i].taken, b[i].consumed)
			}
			if sa >= 0 {
				paired++
			}
		}
	}
	if paired == 0 {
		t.Fatal("no renumbering paired: the comparison proves nothing")
	}
}

// BenchmarkPairRenamesImport: a commit adding 20,000 records and removing
// none (an import) pairs nothing, in one pass over the changes.
func BenchmarkPairRenamesImport(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	fcs := renameChanges(rng, 20000)
	for _, fc := range fcs {
		if fc.before != nil && fc.after == nil { // removed: make it added
			fc.Old, fc.New, fc.after, fc.before = fc.New, fc.Old, fc.before, nil
		}
	}
	b.ResetTimer()
	for b.Loop() {
		pairRenames(fcs)
	}
}
