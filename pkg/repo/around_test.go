package repo

import (
	"context"
	"encoding/json"
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
		got := show(ar, ar.Validate(now), rec.ID)
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
