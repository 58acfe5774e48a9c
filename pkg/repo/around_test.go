package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/rules"
)

// sampleCopy copies the shipped sample up to n files (every record once,
// then copies of its yearly ones), with a .git folder for the index.
func sampleCopy(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: n}); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestAroundEqualsFull: for every record, what show prints (its details,
// references both ways, budget figures and validate's findings in its
// file) is the same from the record's neighbourhood as from the whole
// department: on the shipped sample, on copies of it (shared receipts,
// repeated complaints, many plans of one project) and on a generated
// department.
func TestAroundEqualsFull(t *testing.T) {
	depts := map[string]string{
		"sample":    sampleCopy(t, 0),
		"copies":    sampleCopy(t, 400),
		"generated": department(t, 300),
	}
	for name, dir := range depts {
		t.Run(name, func(t *testing.T) { aroundEqualsFull(t, dir) })
	}
}

func aroundEqualsFull(t *testing.T, dir string) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	whole, err := LoadWith(ctx, dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	all := whole.Validate(now)
	show := func(r *Repo, ds []diag.Diagnostic, id string) string {
		rec := r.Set.Get(id)
		c := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
		var out []byte
		for _, redact := range []bool{false, true} { // show and show --redact
			d := query.Describe(c, rec, FilterPaths(ds, []string{rec.Path}), redact)
			j, _ := json.MarshalIndent(d, "", " ")
			out = append(out, j...)
		}
		return string(out)
	}
	bad := 0
	for _, rec := range whole.Set.Records {
		if len(whole.Set.All(rec.ID)) != 1 || wholeKinds[rec.Kind] {
			continue // a duplicate id, a person, a plan: the full path
		}
		ar, err := LoadAround(ctx, dir, rec.ID)
		if err != nil {
			t.Fatalf("%s: %v", rec.ID, err)
		}
		want := show(whole, all, rec.ID)
		got := show(ar, ar.ValidatePaths(now, []string{rec.Path}), rec.ID) // as show asks
		if got != want {
			bad++
			if bad <= 8 {
				t.Errorf("%s: around and full differ:\n%s", rec.ID, lineDiff(got, want))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d records differ", bad, len(whole.Set.Records))
	}
}

// lineDiff shows the lines of a not in b (-) and of b not in a (+).
func lineDiff(a, b string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if cb[l] > 0 {
			cb[l]--
			continue
		}
		out = append(out, "- "+l)
	}
	for _, l := range strings.Split(b, "\n") {
		if ca[l] > 0 {
			ca[l]--
			continue
		}
		out = append(out, "+ "+l)
	}
	return strings.Join(out, "\n")
}

// TestHorizonHoldsAtRandomMoments: validate's findings as of a moment N
// (their place, rule and severity) are the findings at any later moment of
// N's day before the horizon collected at N, and they change at some of
// the horizons: on copies of the sample and a generated department, at
// moments chosen at random, just before horizons and at the
// last instant of days.
func TestHorizonHoldsAtRandomMoments(t *testing.T) {
	for name, dir := range map[string]string{"copies": sampleCopy(t, 600), "generated": department(t, 400)} {
		t.Run(name, func(t *testing.T) {
			r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			key := func(ds []diag.Diagnostic) string {
				var b strings.Builder
				for _, d := range ds {
					fmt.Fprintf(&b, "%s:%d:%d %s %s\n", d.Path, d.Line, d.Column, d.Rule, d.Severity)
				}
				return b.String()
			}
			rng := rand.New(rand.NewPCG(3, uint64(len(name))))
			zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("X", -5*3600-1800)}
			changed := 0
			for i := 0; i < 24; i++ {
				// mostly in the weeks the sample's open complaints run
				n := time.Date(2026, 11, 10+rng.IntN(20), rng.IntN(24), rng.IntN(60), 0, 0, zones[rng.IntN(len(zones))])
				if i%4 == 3 {
					n = time.Date(2025+rng.IntN(2), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, zones[rng.IntN(len(zones))])
				}
				h := &rules.Horizon{}
				at, _ := r.ValidateSeen(n, h)
				y, m, d := n.Date()
				end := time.Date(y, m, d+1, 0, 0, 0, 0, n.Location())
				if u := h.At(); !u.IsZero() && u.Before(end) {
					end = u.In(n.Location()) // judged in n's zone: its day
				}
				for _, mm := range []time.Time{end.Add(-time.Nanosecond), n.Add(time.Duration(rng.Int64N(int64(end.Sub(n)) + 1))).Add(-time.Nanosecond)} {
					if mm.Before(n) {
						continue
					}
					if got := key(r.Validate(mm)); got != key(at) {
						t.Fatalf("findings as of %v differ at %v, before the horizon %v:\n%s", n, mm, end, lineDiff(got, key(at)))
					}
				}
				if key(r.Validate(end.Add(time.Second))) != key(at) {
					changed++
				}
			}
			if changed == 0 {
				t.Errorf("no horizon moved a finding")
			}
		})
	}
}
