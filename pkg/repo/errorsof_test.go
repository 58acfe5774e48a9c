package repo

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
)

// TestErrorsOfEqualsValidate: the errors ErrorsOf finds on some files are
// those Validate finds on them, no more and no fewer, on the sample and on
// copies of it, for random choices of files (each person's own records
// among them: what the inbox asks for).
func TestErrorsOfEqualsValidate(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 500} {
		r, err := Load(context.Background(), sampleCopy(t, n))
		if err != nil {
			t.Fatal(err)
		}
		full := r.Validate(at)
		rnd := rand.New(rand.NewPCG(uint64(n), 7))
		compared := 0
		for round := 0; round < 12; round++ {
			paths := map[string]bool{}
			for _, rec := range r.Set.Records {
				if rnd.IntN(1+round) == 0 {
					paths[rec.Path] = true
				}
			}
			want := map[string]int{}
			for _, d := range full {
				if d.Severity == diag.Error && paths[d.Path] {
					want[d.String()+d.Record]++
				}
			}
			got := map[string]int{}
			for _, d := range r.ErrorsOf(at, paths) {
				got[d.String()+d.Record]++
			}
			for k, c := range want {
				if got[k] != c {
					t.Errorf("copies of %d, round %d: %s: %d times, want %d", n, round, k, got[k], c)
				}
			}
			for k, c := range got {
				if want[k] != c {
					t.Errorf("copies of %d, round %d: %s: %d times, not among validate's errors", n, round, k, c)
				}
			}
			compared += len(want)
		}
		if compared == 0 {
			t.Fatalf("copies of %d: no errors compared", n)
		}
	}
}
