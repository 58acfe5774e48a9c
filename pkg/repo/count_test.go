package repo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// countOracle places every finding on the record of its file, as
// validate does, and counts as validate does: sorted, equal findings
// kept once.
func countOracle(set *record.Set, ds []diag.Diagnostic) (int, int) {
	byPath := map[string]*record.Record{}
	for _, rec := range set.Records {
		byPath[rec.Path] = rec
	}
	placed := make([]diag.Diagnostic, len(ds))
	for i, d := range ds {
		if d.Line == 0 && d.Field != "" {
			rules.Place(&d, byPath[d.Path])
		}
		placed[i] = d
	}
	return diag.Count(diag.Sort(placed))
}

// countPlaced counts findings left unplaced as validate counts them
// placed: findings equal but for fields that land on one place (two
// missing fields under one mapping point at the mapping) are one, those
// on two places two, and a finding placed already is one with the same
// finding unplaced on its place.
func TestCountPlacedEqualsPlacing(t *testing.T) {
	src := []byte(`kind: expense
id: EXP-2025-0001
title: 一
status: draft
claimant: li.wei
date: 2025-10-20
category: marketing
amount: 10.00
items:
  - description: 二
    amount: 10.00
`)
	rec, ds := record.ParseLean("records/expenses/2025/EXP-2025-0001.yaml", src)
	if rec == nil {
		t.Fatal(ds)
	}
	other, _ := record.ParseLean("records/expenses/2025/EXP-2025-0002.yaml", []byte(string(src[:0])+"kind: expense\nid: EXP-2025-0002\ntitle: x\nstatus: draft\n"))
	// a record without an id (the rules still judge it): its findings
	// are placed as any other's
	noID, _ := record.ParseLean("records/expenses/2025/EXP-2025-0003.yaml", []byte("kind: expense\ntitle: x\nstatus: draft\nitems:\n  - amount: 1.00\n"))
	if noID == nil || noID.ID != "" {
		t.Fatalf("the record without an id: %v", noID)
	}
	set := record.NewSet([]*record.Record{rec, other, noID})
	fields := []string{"title", "status", "items", "items.0.amount", "items.0.receipt", "items.0.note", "project", "approvals", "approvals.0.by", ""}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		var in []diag.Diagnostic
		for range 1 + rng.IntN(12) {
			r := rec
			switch rng.IntN(6) {
			case 0:
				r = other
			case 1:
				r = noID
			}
			d := diag.Diagnostic{Path: r.Path, Record: r.ID, Severity: []diag.Severity{diag.Error, diag.Warning}[rng.IntN(2)], Rule: []string{"a", "b"}[rng.IntN(2)], Message: []string{"m", "n"}[rng.IntN(2)]}
			d.Field = fields[rng.IntN(len(fields))]
			if rng.IntN(3) == 0 { // placed already, as a load's finding is
				rules.Place(&d, r)
			}
			in = append(in, d)
		}
		we, ww := countOracle(set, in)
		ge, gw := countPlaced(set, in)
		if ge != we || gw != ww {
			t.Fatalf("round %d: countPlaced %d errors %d warnings, placed and sorted %d and %d\n%#v", round, ge, gw, we, ww, in)
		}
	}
}

// CountSeen gives validate's counts on the sample and on a copy of it
// with findings that differ only in field.
func TestCountSeenEqualsValidate(t *testing.T) {
	now, _ := time.Parse(time.RFC3339, "2026-11-26T15:00:00+08:00")
	dir := sampleCopy(t, 400)
	// a draft claim with many missing fields and a claim naming people
	// and projects that do not exist
	os.WriteFile(filepath.Join(dir, "records/expenses/2025/EXP-2025-0999.yaml"), []byte("kind: expense\nid: EXP-2025-0999\ntitle: x\nstatus: approved\nclaimant: no.one\nproject: PRJ-2025-9999\ncategory: nothing\namount: 1.00\nitems:\n  - amount: 1.00\n    receipt: attachments/none.txt\n"), 0o644)
	for _, root := range []string{filepath.Join("..", ".."), dir} {
		r, err := Load(context.Background(), root)
		if err != nil {
			t.Fatal(err)
		}
		ds, seen := r.ValidateSeen(now, &rules.Horizon{})
		we, ww := diag.Count(ds)
		ge, gw, gseen := r.CountSeen(now, &rules.Horizon{})
		if ge != we || gw != ww {
			t.Errorf("%s: CountSeen %d errors %d warnings, ValidateSeen %d and %d", root, ge, gw, we, ww)
		}
		if len(gseen) != len(seen) {
			t.Errorf("%s: CountSeen looked at %d attachments, ValidateSeen %d", root, len(gseen), len(seen))
		}
		if root == dir && (we == 0 || ww == 0) {
			t.Errorf("%s: %d errors %d warnings: the comparison needs both", root, we, ww)
		}
	}
}

// A full load's fingerprint is the refreshed index's of the same files,
// follows a change, and is not given when the load did not read every
// file as a record, read some kinds only, or read without the cache.
func TestLoadFingerprintIsTheIndexs(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 300)
	fps := func() (load, indexed string, lok, iok bool) {
		t.Helper()
		r, err := Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		load, lok = r.Fingerprint()
		d, err := OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		indexed, iok = d.Fingerprint()
		return
	}
	first, idx, lok, iok := fps()
	if !lok || !iok || first != idx {
		t.Fatalf("load %q (%v), index %q (%v): want the same", first, lok, idx, iok)
	}
	claim := filepath.Join(dir, "records/expenses/2025/EXP-2025-0001.yaml")
	data, err := os.ReadFile(claim)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(claim, append(data, "# changed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	second, idx, lok, iok := fps()
	if !lok || !iok || second != idx || second == first {
		t.Fatalf("after a change: load %q (%v), index %q (%v), before %q", second, lok, idx, iok, first)
	}
	for name, o := range map[string]Options{"some kinds": {Kinds: []record.Kind{record.Expense}}, "no cache": {NoCache: true}} {
		r, err := LoadWith(ctx, dir, o)
		if err != nil {
			t.Fatal(err)
		}
		if fp, ok := r.Fingerprint(); ok {
			t.Errorf("%s: fingerprint %q given", name, fp)
		}
	}
	// a file that is no record is part of the department as read, by its
	// content: the load's fingerprint and the index's hold it alike
	if err := os.WriteFile(claim, []byte("kind: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, idx, lok, iok := fps()
	if !lok || !iok || third != idx || third == second {
		t.Errorf("a file that is no record: load %q (%v), index %q (%v)", third, lok, idx, iok)
	}
}

// TestLoadListed holds a load given the refreshed index (Options.Listed)
// to a load that lists and stats the department itself: the same
// records, diagnostics and fingerprint, a broken file and files changed
// since the cache was written among them; and shows it reads the files
// as the index saw them (a file changed after the refresh is read as it
// was, so what is read is what the index's fingerprint names), unless
// the records folder is not the index's.
func TestLoadListed(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 300)
	trustAll(t)
	bad := filepath.Join(dir, "records/expenses/2026/EXP-2026-9999.yaml")
	if err := os.WriteFile(bad, []byte("kind: expense\nid: EXP-2026-9999\ndate: 2026-13-01\namount: 1.005\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, dir); err != nil { // the cache
		t.Fatal(err)
	}
	claim := filepath.Join(dir, "records/expenses/2025/EXP-2025-0001.yaml")
	data, err := os.ReadFile(claim)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(claim, append(data, "# changed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := d.Fingerprint()
	listed := load(t, dir, Options{Listed: d})
	same(t, "listed", listed, load(t, dir, Options{}))
	r, err := LoadWith(ctx, dir, Options{Listed: d})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := r.Fingerprint(); !ok || got != fp {
		t.Errorf("listed load's fingerprint %q (%v), the index's %q", got, ok, fp)
	}
	// A file the cache holds as the index saw it, changed after the
	// refresh, is taken from the cache: its stat data are not taken again.
	// (One the cache does not hold so is read as it is now, as a load of
	// its own reads it.)
	other := filepath.Join(dir, "records/expenses/2025/EXP-2025-0002.yaml")
	odata, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, append(odata, "note: later\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = LoadWith(ctx, dir, Options{Listed: d})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Set.Get("EXP-2025-0002").Str("note"); got != "" {
		t.Errorf("a listed load statted a file the index had just statted (note %q)", got)
	}
	if got, _ := r.Fingerprint(); got != fp {
		t.Errorf("listed load's fingerprint %q after a later change, the index's %q", got, fp)
	}
	if got := load(t, dir, Options{}).data["records/expenses/2025/EXP-2025-0002.yaml"]; got == nil || !strings.Contains(fmt.Sprint(got), "later") {
		t.Errorf("a load of its own did not read the change")
	}
	// an index of another records folder is not taken
	d.Policy.Records = "elsewhere"
	r, err = LoadWith(ctx, dir, Options{Listed: d})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Set.Get("EXP-2025-0002").Str("note"); got != "later" {
		t.Errorf("an index of another records folder was taken (note %q)", got)
	}
}

// TestStanzasKeptBetweenPasses: a full pass keeps the ciphertexts'
// stanzas beside the cache; the next pass, with nothing new, takes every
// answer from it (it is not written again) and finds what a pass without
// the cache finds; a damaged file is not taken (the findings stay the
// same) and is written anew; a pass over some records does not shrink it.
func TestStanzasKeptBetweenPasses(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 300)
	trustAll(t)
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	pass := func(o Options) []diag.Diagnostic {
		t.Helper()
		r, err := LoadWith(ctx, dir, o)
		if err != nil {
			t.Fatal(err)
		}
		return r.Validate(now)
	}
	want := pass(Options{NoCache: true})
	file := filepath.Join(dir, ".git", "opsbook", "stanzas")
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a pass without the cache kept the stanzas")
	}
	sameDiags := func(what string, got []diag.Diagnostic) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: findings differ from a pass without the cache", what)
		}
	}
	sameDiags("first pass", pass(Options{}))
	first, err := os.ReadFile(file)
	if err != nil {
		t.Fatal("no stanzas kept:", err)
	}
	seeded := &crypt.StanzaMemo{}
	if !seeded.Seed(first, stanzaKey) || len(first) < 1000 {
		t.Fatalf("the file kept (%d bytes) is not taken", len(first))
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(file, old, old)
	sameDiags("second pass", pass(Options{}))
	if info, _ := os.Stat(file); !info.ModTime().Equal(old.Truncate(time.Second)) && !info.ModTime().Equal(old) {
		t.Error("a pass that read no ciphertext anew wrote the file again")
	}
	// damaged: not taken, written anew
	if err := os.WriteFile(file, first[:len(first)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	sameDiags("damaged file", pass(Options{}))
	if again, _ := os.ReadFile(file); len(again) != len(first) {
		t.Errorf("the damaged file was not written anew (%d bytes, was %d)", len(again), len(first))
	}
	// a pass over some records seeds but does not write
	r, err := Load(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(file)
	r.ValidatePaths(now, []string{"records/customers/CUS-0003.yaml"})
	if _, err := os.Stat(file); err == nil {
		t.Error("a pass over one record wrote the stanzas of it alone")
	}
}
