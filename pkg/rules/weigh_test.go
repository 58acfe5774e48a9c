package rules

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// randomClaim is a counted claim of 2025 or 2026, in one of two categories,
// of no project or one of three, of a random amount (negative when signed
// and the dice say so).
func randomClaim(rnd *rand.Rand, n int, signed bool) LineClaim {
	id := fmt.Sprintf("EXP-%d-%04d", 2025+rnd.IntN(2), n)
	date := fmt.Sprintf("%s-%02d-%02d", id[4:8], 1+rnd.IntN(3), 1+rnd.IntN(3))
	cents := rnd.IntN(20000)
	if signed && rnd.IntN(8) == 0 {
		cents = -cents
	}
	a, err := money.Parse(fmt.Sprintf("%d.%02d", cents/100, abs(cents%100)))
	if cents < 0 && cents > -100 {
		a, err = money.Parse(fmt.Sprintf("-0.%02d", -cents))
	}
	if err != nil {
		panic(err)
	}
	project := []string{"", "", "PRJ-2026-0001", "PRJ-2026-0002", "PRJ-2026-0003"}[rnd.IntN(5)]
	rec := record.Restore("records/expenses/"+id[4:8]+"/"+id+".yaml", record.Expense, id, record.Map{{Key: "id", Value: id}}, nil, "")
	return LineClaim{Rec: rec, Date: date, Category: []string{"office", "travel"}[rnd.IntN(2)], Project: project, Amount: a}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func overspendsText(os []Overspend) string {
	var b strings.Builder
	for _, o := range os {
		fmt.Fprintf(&b, "%s/%s/%s: %s %s of %s %v\n", o.Key.Year, o.Key.Category, o.Key.Project, o.Claim.Rec.Path, o.Spent, o.Budget, o.NoBudget)
	}
	return b.String()
}

// TestWeighingAfterIsOverspends: a Weighing's answer with claims taken out
// and put in is Overspends over the claims as that leaves them (lines,
// order, crossing claim, spent, budget), on random lines: claims on the
// same days, budgets crossed anywhere or never, project lines with and
// without a budget, a year without one, lines emptied or new, amounts
// below zero.
func TestWeighingAfterIsOverspends(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 17))
	for round := 0; round < 3000; round++ {
		signed := round%5 == 0
		n := rnd.IntN(40)
		var claims []LineClaim
		for i := 0; i < n; i++ {
			claims = append(claims, randomClaim(rnd, i, signed))
		}
		budgets := map[BudgetKey]money.Amount{}
		for _, k := range []BudgetKey{{"2026", "office", ""}, {"2026", "travel", ""}, {"2025", "office", ""}, {"2026", "office", "PRJ-2026-0001"}, {"2026", "travel", "PRJ-2026-0002"}, {"2025", "travel", "PRJ-2026-0003"}} {
			if rnd.IntN(4) > 0 {
				budgets[k], _ = money.Parse(fmt.Sprintf("%d.00", rnd.IntN(n*100+1)*100))
			}
		}
		years := map[string]bool{"2026": rnd.IntN(3) > 0, "2025": rnd.IntN(2) > 0}
		w := Weigh(claims)
		// the same claims in another order: the order of Weigh's input does
		// not matter
		if got, want := overspendsText(w.After(budgets, years, nil, nil)), overspendsText(Overspends(claims, budgets, years)); got != want {
			t.Fatalf("round %d: nothing changed:\n%s\nwant\n%s", round, got, want)
		}
		for try := 0; try < 5; try++ {
			gone := map[string]bool{}
			var left []LineClaim
			for _, c := range claims {
				if rnd.IntN(8) == 0 {
					gone[c.Rec.Path] = true
				} else {
					left = append(left, c)
				}
			}
			var come []LineClaim
			for i := rnd.IntN(4); i > 0; i-- {
				c := randomClaim(rnd, 1000+rnd.IntN(50), signed)
				if rnd.IntN(2) == 0 && len(claims) > 0 {
					// a claim changed in place: out under its path, in anew
					old := claims[rnd.IntN(len(claims))]
					gone[old.Rec.Path] = true
					left = dropPath(left, old.Rec.Path)
					c.Rec = old.Rec
				}
				if dupPath(come, c.Rec.Path) || (!gone[c.Rec.Path] && dupPath(left, c.Rec.Path)) {
					continue
				}
				come = append(come, c)
			}
			all := append(append([]LineClaim(nil), left...), come...)
			sort.SliceStable(all, func(i, j int) bool { return LineClaimLess(all[i], all[j]) })
			got, want := overspendsText(w.After(budgets, years, gone, come)), overspendsText(Overspends(all, budgets, years))
			if got != want {
				t.Fatalf("round %d, try %d (gone %v, come %d):\n%s\nwant\n%s", round, try, gone, len(come), got, want)
			}
		}
	}
}

func dropPath(l []LineClaim, p string) []LineClaim {
	var out []LineClaim
	for _, c := range l {
		if c.Rec.Path != p {
			out = append(out, c)
		}
	}
	return out
}

func dupPath(l []LineClaim, p string) bool {
	for _, c := range l {
		if c.Rec.Path == p {
			return true
		}
	}
	return false
}

// BenchmarkWeighingAfter weighs a line of N claims with one claim moved,
// as a write judged near and every move an inbox tries do: the cost of
// one weighing stays about flat from 1,000 to 100,000 claims (Overspends
// over the line, which it replaces there, grows with N):
//
//	go test ./pkg/rules -run '^$' -bench Weighing -benchmem
func BenchmarkWeighingAfter(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		rnd := rand.New(rand.NewPCG(1, uint64(n)))
		var claims []LineClaim
		for i := 0; i < n; i++ {
			c := randomClaim(rnd, i, false)
			c.Date, c.Category = "2026"+c.Date[4:], "office"
			claims = append(claims, c)
		}
		budgets := map[BudgetKey]money.Amount{{"2026", "office", ""}: money.MustParse(fmt.Sprintf("%d.00", n*50))}
		years := map[string]bool{"2026": true}
		moved := claims[n/3]
		moved.Amount = money.MustParse("99999.00")
		gone, come := map[string]bool{moved.Rec.Path: true}, []LineClaim{moved}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w := Weigh(claims)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if len(w.After(budgets, years, gone, come)) == 0 {
					b.Fatal("the line is not over")
				}
			}
		})
		b.Run(fmt.Sprint(n)+"-whole", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				all := append(dropPath(claims, moved.Rec.Path), moved)
				sort.SliceStable(all, func(i, j int) bool { return LineClaimLess(all[i], all[j]) })
				if len(Overspends(all, budgets, years)) == 0 {
					b.Fatal("the line is not over")
				}
			}
		})
	}
}
