package repo

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
)

// department generates a small department with a .git folder, so that the
// cache is used.
func department(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Records: n, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var judged = gen.DefaultUntil

type outcome struct {
	diags []diag.Diagnostic
	data  map[string]record.Map
}

func load(t *testing.T, dir string, o Options) outcome {
	t.Helper()
	r, err := LoadWith(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	out := outcome{diags: r.Validate(judged), data: map[string]record.Map{}}
	for _, rec := range r.Set.Records {
		out.data[rec.Path] = rec.Data
	}
	return out
}

func cachePath(dir string) string { return filepath.Join(dir, ".git", "opsbook", "cache") }

func same(t *testing.T, what string, got, want outcome) {
	t.Helper()
	if !reflect.DeepEqual(got.diags, want.diags) {
		t.Errorf("%s: diagnostics differ:\n got %d %v\nwant %d %v", what, len(got.diags), first(got.diags), len(want.diags), first(want.diags))
	}
	if !reflect.DeepEqual(got.data, want.data) {
		t.Errorf("%s: record values differ", what)
	}
}

func first(ds []diag.Diagnostic) []diag.Diagnostic {
	if len(ds) > 3 {
		return ds[:3]
	}
	return ds
}

// trustAll makes the next loads see every file as older than the racy
// window, as a later run would.
func trustAll(t testing.TB) {
	clock = func() time.Time { return time.Now().Add(time.Hour) }
	t.Cleanup(func() { clock = time.Now })
}

func TestCacheWarmEqualsCold(t *testing.T) {
	dir := department(t, 400)
	// One broken file, so that cached diagnostics are exercised too.
	bad := filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-9999.yaml")
	os.WriteFile(bad, []byte("kind: expense\nid: EXP-2026-9999\ntitle: x\nstatus: draft\nclaimant: nobody\ndate: 2026-13-01\ncategory: snacks\namount: 1.005\nextra: 1\n"), 0o644)
	cold := load(t, dir, Options{NoCache: true})
	if _, err := os.Stat(cachePath(dir)); err == nil {
		t.Fatal("--no-cache wrote a cache")
	}
	if len(cold.diags) == 0 {
		t.Fatal("the broken file has no diagnostics")
	}
	trustAll(t)
	same(t, "first run (builds the cache)", load(t, dir, Options{}), cold)
	info, err := os.Stat(cachePath(dir))
	if err != nil {
		t.Fatal("no cache written:", err)
	}
	same(t, "warm run", load(t, dir, Options{}), cold)
	if info2, _ := os.Stat(cachePath(dir)); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("a run with nothing changed rewrote the cache")
	}
	// Positions of cached records come from their text.
	r, _ := LoadWith(context.Background(), dir, Options{})
	rec := r.Set.Get("EXP-2026-9999")
	if rec == nil || rec.Root != nil {
		t.Fatal("cached record missing or with a tree")
	}
	if l, c := rec.Pos("date"); l != 6 || c != 7 {
		t.Errorf("Pos(date) = %d:%d, want 6:7", l, c)
	}
	// a record the fast reader read is restored as read by it (its
	// positions follow the text's shape, no value made again)
	fast := 0
	for _, rec := range r.Set.Records {
		if rec.Fast() {
			fast++
		}
	}
	if fast == 0 {
		t.Error("no cached record is restored as read by the fast reader")
	}
}

func TestCacheDamaged(t *testing.T) {
	dir := department(t, 200)
	trustAll(t)
	want := load(t, dir, Options{})
	data, err := os.ReadFile(cachePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for name, damaged := range map[string][]byte{
		"truncated":  data[:len(data)/2],
		"garbled":    garble(data, len(data)*2/3),
		"header":     garble(data, 3),
		"empty":      {},
		"length":     append(append([]byte{}, data...), 0),
		"foreign":    []byte("not a cache at all"),
		"count only": data[:60],
	} {
		if err := os.WriteFile(cachePath(dir), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		c := cache.Open(cachePath(dir), cache.Key{})
		if c.Len() != 0 {
			t.Errorf("%s: a damaged cache was read (%d entries)", name, c.Len())
		}
		same(t, name, load(t, dir, Options{}), want)
		// The run rebuilt it.
		if again, _ := os.ReadFile(cachePath(dir)); len(again) != len(data) {
			t.Errorf("%s: cache not rebuilt (%d bytes, want %d)", name, len(again), len(data))
		}
	}
}

func garble(b []byte, at int) []byte {
	out := append([]byte{}, b...)
	out[at] ^= 0x5a
	return out
}

// TestCacheSeesChanges: a change the stat data shows, a change only the
// content shows (racy: same size and time), a removed file, and a policy
// change each take effect.
func TestCacheSeesChanges(t *testing.T) {
	dir := department(t, 300)
	trustAll(t)
	load(t, dir, Options{})
	rel := "records/expenses/2026/EXP-2026-0001.yaml"
	p := filepath.Join(dir, filepath.FromSlash(rel))
	orig, _ := os.ReadFile(p)
	info, _ := os.Stat(p)

	// Same size, same modification time: the change time tells.
	changed := strings.Replace(string(orig), "status: ", "status:_", 1)
	if changed == string(orig) || len(changed) != len(orig) {
		t.Fatal("test edit failed")
	}
	os.WriteFile(p, []byte(changed), 0o644)
	os.Chtimes(p, info.ModTime(), info.ModTime())
	got := load(t, dir, Options{})
	if got.data[rel] != nil {
		t.Fatalf("edited file still read from the cache: %v", got.data[rel])
	}
	same(t, "after an edit", got, load(t, dir, Options{NoCache: true}))

	// A racy entry: stat data equal to the file's, but taken too close to
	// its change to vouch for it. Its content is hashed again.
	os.WriteFile(p, orig, 0o644)
	want := load(t, dir, Options{NoCache: true})
	key := keyOf(t, dir)
	c := cache.Open(cachePath(dir), key)
	var entries []*cache.Entry
	for _, f := range listFiles(t, dir) {
		if e := c.Get(f); e != nil {
			entries = append(entries, e)
		}
	}
	fi, _ := os.Lstat(p)
	for _, e := range entries {
		if e.Path == rel {
			e.Stat = cache.StatOf(fi)
			e.Trusted = false
			e.Hash[0] ^= 1                     // content differs from what the entry saw
			e.Data = record.MapOf("kind", "x") // and so do its values
		}
	}
	if err := cache.Save(cachePath(dir), key, entries); err != nil {
		t.Fatal(err)
	}
	same(t, "racy entry", load(t, dir, Options{}), want)

	// A removed file.
	os.Remove(p)
	got = load(t, dir, Options{})
	if _, ok := got.data[rel]; ok {
		t.Error("removed file still loaded")
	}
	same(t, "after a removal", got, load(t, dir, Options{NoCache: true}))

	// Policy categories: the schemas change, so every entry is stale.
	os.WriteFile(filepath.Join(dir, ".opsbook.yaml"), []byte("categories:\n  expense: [travel, office]\n"), 0o644)
	got = load(t, dir, Options{})
	same(t, "after a policy change", got, load(t, dir, Options{NoCache: true}))
	enum := false
	for _, d := range got.diags {
		enum = enum || d.Rule == "enum"
	}
	if !enum {
		t.Error("new categories not applied: no enum errors")
	}
}

func keyOf(t *testing.T, dir string) cache.Key {
	r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	return cache.NewKey(r.Policy.Records, r.Policy.ExpenseCategories, r.Policy.ComplaintCategories)
}

func listFiles(t testing.TB, dir string) []string {
	files, _, err := record.Walk(dir, "records")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestNoGitNoCache: without a git directory nothing is written.
func TestNoGitNoCache(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Records: 100, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	load(t, dir, Options{})
	if entries, _ := filepath.Glob(filepath.Join(dir, ".git*")); len(entries) > 0 {
		t.Errorf("wrote %v", entries)
	}
}

// TestPartialLoad: a load of some kinds reads only their records, and a
// cache it rewrites keeps the other kinds' entries, so a full load after
// it still equals one without the cache.
func TestPartialLoad(t *testing.T) {
	dir := department(t, 300)
	trustAll(t)
	load(t, dir, Options{}) // writes the cache
	total := cache.Open(cachePath(dir), keyOf(t, dir)).Len()
	// Enough changed expenses for the partial load to rewrite the cache.
	files, _, err := record.Walk(dir, "records")
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, f := range files {
		if strings.HasPrefix(f, "records/expenses/") && changed < 80 {
			p := filepath.Join(dir, f)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, append(data, "# checked\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			changed++
		}
	}
	if changed < 80 {
		t.Fatalf("only %d expenses", changed)
	}
	want := load(t, dir, Options{NoCache: true})
	for _, o := range []Options{
		{NoCache: true, Kinds: []record.Kind{record.Expense}, RecordsOnly: true},
		{Kinds: []record.Kind{record.Expense}, RecordsOnly: true}, // rewrites the cache
		{Kinds: []record.Kind{record.Expense}, RecordsOnly: true}, // from the cache
	} {
		r, err := LoadWith(context.Background(), dir, o)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for p := range want.data {
			if strings.HasPrefix(p, "records/expenses/") {
				n++
			}
		}
		if len(r.Set.Records) != n {
			t.Fatalf("%+v: %d records, want the %d expenses", o, len(r.Set.Records), n)
		}
		for _, rec := range r.Set.Records {
			if rec.Kind != record.Expense || !reflect.DeepEqual(rec.Data, want.data[rec.Path]) {
				t.Fatalf("%+v: %s differs or is no expense", o, rec.Path)
			}
		}
		if c := cache.Open(cachePath(dir), keyOf(t, dir)); c.Len() != total {
			t.Fatalf("%+v: the cache holds %d entries, want %d", o, c.Len(), total)
		}
	}
	same(t, "full load after partial ones", load(t, dir, Options{}), want)
}
