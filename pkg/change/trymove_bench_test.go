package change

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
)

// BenchmarkTryMove judges the director's approval of one claim
// (EXP-2026-0023, which names a project) on its neighbourhood, in copies
// of the sample of 1,000 and 4,000 records, as the inbox tries each move
// it lists (a preview of the department loaded whole). Every copy of the claim has the same claimant, day and
// receipt, and the copies' claims name the same project, so these groups
// grow with the department; what one judgement reads must not (ns/op
// about the same at both sizes; it grew with them when the neighbourhood
// held the claimant's day, the claims sharing a receipt and every claim
// naming the project):
//
//	go test ./pkg/change -run '^$' -bench TryMove -benchmem
func BenchmarkTryMove(b *testing.B) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, n := range []int{1000, 4000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			dir := sampleDept(b, n)
			whole, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
			if err != nil {
				b.Fatal(err)
			}
			g, err := gitstore.Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			rec := whole.Set.Get("EXP-2026-0023")
			if rec == nil {
				b.Fatal("no EXP-2026-0023")
			}
			recs, tos := []*record.Record{rec}, []string{"approved"}
			// as the inbox tries its moves: a preview of the department
			// loaded whole, judging each move near
			s := Preview(whole, g, director(b, whole), at, nil)
			if !s.Near() {
				b.Fatal("the preview does not judge near")
			}
			// the first try weighs the line's claims, once a session; the
			// copies overspend the claim's budget line, so the rules are
			// reached and refuse it
			if unmet := s.TryMoves(recs, tos); len(unmet[0]) == 0 || !strings.Contains(unmet[0][0], "over budget") {
				b.Fatalf("want budget-overspend's refusal, got %q", unmet[0])
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.TryMoves(recs, tos)
			}
		})
	}
}
