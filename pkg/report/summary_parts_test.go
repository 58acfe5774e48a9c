package report

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
)

// TestSummaryPartsReadTheirKinds: each part of the summary made from the
// records of its kinds alone is the part made from the whole department, on the sample and on a
// generated department, at several moments; and NewSummary is its parts.
// A part reading a kind it does not declare would be made wrong by a
// summary made again after a change of that kind.
func TestSummaryPartsReadTheirKinds(t *testing.T) {
	ctx := context.Background()
	generated := t.TempDir()
	if _, err := gen.Generate(ctx, generated, gen.Options{Records: 600, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{sampleRoot, generated} {
		r, err := repo.LoadWith(ctx, dir, repo.Options{NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []string{"2026-03-01T09:00:00+08:00", "2026-11-26T15:00:00+08:00", "2027-01-15T10:00:00+08:00"} {
			now, _ := time.Parse(time.RFC3339, at)
			whole := NewSummary(&rules.Context{Set: r.Set, Policy: r.Policy, Now: now, Horizon: &rules.Horizon{}}, 0, 0, now)
			want, _ := json.Marshal(whole)
			for _, p := range SummaryParts {
				var recs []*record.Record
				for _, rec := range r.Set.Records {
					if slices.Contains(p.Kinds, rec.Kind) {
						recs = append(recs, rec)
					}
				}
				s := NewSummary(&rules.Context{Set: r.Set, Policy: r.Policy, Now: now, Horizon: &rules.Horizon{}}, 0, 0, now)
				// spoil what the part makes, then make it from its kinds
				spoilt := NewSummary(&rules.Context{Set: record.NewSet(nil), Policy: r.Policy, Now: now, Horizon: &rules.Horizon{}}, 0, 0, now)
				spoilt.Kinds, spoilt.Budget = s.Kinds, s.Budget
				for _, q := range SummaryParts {
					if q.Name != p.Name {
						q.Make(spoilt, &rules.Context{Set: r.Set, Policy: r.Policy, Now: now, Horizon: &rules.Horizon{}}, now)
					}
				}
				p.Make(spoilt, &rules.Context{Set: record.NewSet(recs), Policy: r.Policy, Now: now, Horizon: &rules.Horizon{}}, now)
				got, _ := json.Marshal(spoilt)
				if string(got) != string(want) {
					t.Errorf("%s at %s: the %s part from its kinds differs:\n%s\nfrom the whole department:\n%s", dir, at, p.Name, got, want)
				}
			}
		}
	}
}
