package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
)

// TestOnlyAndErrors: Check limited to some records' own checks (Only) and
// to errors (Errors) gives, for those records, exactly the errors of a
// full Check, on the sample and on copies of it (which warn of split
// claims and missing appraisals by the thousand).
func TestOnlyAndErrors(t *testing.T) {
	for _, n := range []int{0, 300} {
		r := loadCopy(t, n)
		at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		key := func(ds []diag.Diagnostic, keep func(diag.Diagnostic) bool) map[string]int {
			out := map[string]int{}
			for _, d := range ds {
				if keep(d) {
					out[d.String()]++
				}
			}
			return out
		}
		full := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at})
		chosen := map[string]bool{}
		for i, rec := range r.Set.Records {
			if i%3 == 0 {
				chosen[rec.Path] = true
			}
		}
		some := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at, Errors: true,
			Only: func(rec *record.Record) bool { return chosen[rec.Path] }})
		errorsOf := func(d diag.Diagnostic) bool { return d.Severity == diag.Error && chosen[d.Path] }
		want, got := key(full, errorsOf), key(some, errorsOf)
		if len(want) == 0 {
			t.Fatalf("copies of %d: no errors to compare", n)
		}
		for k, c := range want {
			if got[k] != c {
				t.Errorf("copies of %d: %s: %d times, want %d", n, k, got[k], c)
			}
		}
		for k, c := range got {
			if want[k] != c {
				t.Errorf("copies of %d: %s: %d times, not in the full check", n, k, c)
			}
		}
		// Keep: only the findings it accepts are reported, exactly those
		kept := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at, Errors: true,
			Only: func(rec *record.Record) bool { return chosen[rec.Path] },
			Keep: func(path, rule string, sev diag.Severity) bool { return sev == diag.Error && chosen[path] }})
		all := func(diag.Diagnostic) bool { return true }
		if g, w := key(kept, all), key(some, errorsOf); len(g) != len(w) || len(kept) >= len(some) {
			t.Errorf("copies of %d: Keep reported %d findings (%d distinct), want the %d distinct errors of the chosen records", n, len(kept), len(g), len(w))
		} else {
			for k, c := range w {
				if g[k] != c {
					t.Errorf("copies of %d: with Keep %s: %d times, want %d", n, k, g[k], c)
				}
			}
		}
		warned := 0
		for _, d := range some {
			if d.Rule == "split-claim" || d.Rule == "appraisal-missing" {
				warned++
			}
		}
		if warned > 0 {
			t.Errorf("copies of %d: %d warnings across records with Errors", n, warned)
		}
	}
}

// TestKeep: Check keeping the findings of some files (Keep) gives exactly the
// full Check's findings on those records, warnings included, and none on
// others, on copies of the sample (whose split claims warn by the
// thousand).
func TestKeep(t *testing.T) {
	r := loadCopy(t, 300)
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	full := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at})
	chosen := map[string]bool{}
	for i, rec := range r.Set.Records {
		if i%7 == 0 {
			chosen[rec.Path] = true
		}
	}
	kept := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at,
		Keep: func(path, _ string, _ diag.Severity) bool { return chosen[path] }})
	var want []string
	warnings := 0
	for _, d := range full {
		if chosen[d.Path] {
			want = append(want, d.String())
			if d.Severity == diag.Warning {
				warnings++
			}
		}
	}
	var got []string
	for _, d := range kept {
		got = append(got, d.String())
	}
	if warnings == 0 || len(full) == len(want) {
		t.Fatalf("nothing to tell apart: %d findings, %d of the chosen records, %d warnings", len(full), len(want), warnings)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("kept findings differ from the full check's on the chosen records:\n got %d: %v\nwant %d: %v", len(got), got, len(want), want)
	}
}

// TestUnplacedThenPlaced: a Check with Unplaced reports the same findings
// without a place, each naming its field; Place puts each where the
// placed Check did (the sample, copies of it). (The order of a run's
// findings is not fixed: both are sorted.)
func TestUnplacedThenPlaced(t *testing.T) {
	for _, n := range []int{0, 300} {
		r := loadCopy(t, n)
		at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		placed := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at})
		unplaced := rules.Check(&rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: at, Unplaced: true})
		if len(placed) == 0 || len(placed) != len(unplaced) {
			t.Fatalf("copies of %d: %d findings placed, %d unplaced", n, len(placed), len(unplaced))
		}
		byPath := map[string]*record.Record{}
		for _, rec := range r.Set.Records {
			byPath[rec.Path] = rec
		}
		moved := 0
		for i := range unplaced {
			d := &unplaced[i]
			if d.Line != 0 || d.Column != 0 {
				t.Fatalf("copies of %d: %s placed", n, d)
			}
			rules.Place(d, byPath[d.Path])
			if d.Line > 1 {
				moved++
			}
		}
		placed, unplaced = diag.Sort(placed), diag.Sort(unplaced)
		if len(placed) != len(unplaced) {
			t.Fatalf("copies of %d: %d findings placed, %d placed after", n, len(placed), len(unplaced))
		}
		for i := range placed {
			if unplaced[i] != placed[i] {
				t.Errorf("copies of %d: placed %+v, want %+v", n, unplaced[i], placed[i])
			}
		}
		if moved == 0 {
			t.Errorf("copies of %d: every finding on line 1: the comparison proves nothing", n)
		}
	}
}

// loadCopy loads the sample copied up to n records (n 0: the sample).
func loadCopy(t *testing.T, n int) *repo.Repo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: n}); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	r, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
