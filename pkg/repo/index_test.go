package repo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
)

func indexPath(dir string) string { return filepath.Join(dir, ".git", "opsbook", "index") }

// fullIndex is what the index must say, from a full read of the files
// without any cache.
func fullIndex(t *testing.T, dir string) *index.Index {
	t.Helper()
	r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*record.Record{}
	for _, rec := range r.Set.Records {
		byPath[rec.Path] = rec
	}
	var entries []*index.Entry
	for _, f := range listFiles(t, dir) {
		data, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		entries = append(entries, index.EntryOf(f, cache.Stat{}, false, sha256.Sum256(data), byPath[f]))
	}
	return index.New(entries)
}

func refreshed(t *testing.T, dir string) (*index.Index, IndexStats) {
	t.Helper()
	pol, _, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	x, st, err := Index(context.Background(), dir, pol)
	if err != nil {
		t.Fatal(err)
	}
	return x, st
}

// sameIndex compares every answer of the index with a full read: the
// entries (ids, kinds, clear fields, references out), the look-up by id and
// the references in.
func sameIndex(t *testing.T, what string, got, want *index.Index) {
	t.Helper()
	if len(got.Entries) != len(want.Entries) {
		t.Fatalf("%s: %d entries, a full read %d", what, len(got.Entries), len(want.Entries))
	}
	ids := map[string]bool{}
	for i, g := range got.Entries {
		w := want.Entries[i]
		if g.Path != w.Path || g.Kind != w.Kind || g.ID != w.ID || g.Odd != w.Odd || g.Sealed != w.Sealed || !reflect.DeepEqual(g.Fields(), w.Fields()) || !reflect.DeepEqual(g.Refs, w.Refs) || !reflect.DeepEqual(g.Files, w.Files) {
			t.Fatalf("%s: entry %s\n got %+v\nwant %+v", what, g.Path, g, w)
		}
		if w.Kind != "" && g.Hash != w.Hash {
			t.Fatalf("%s: %s: hash differs", what, g.Path)
		}
		ids[w.ID] = true
		for _, r := range w.Refs {
			ids[r.ID] = true
		}
	}
	paths := func(es []*index.Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Path)
		}
		return out
	}
	ins := func(l []index.In) []string {
		var out []string
		for _, in := range l {
			out = append(out, in.From.Path+" "+in.Field)
		}
		return out
	}
	named := func(x *index.Index) map[string][]string {
		out := map[string][]string{}
		x.Named(func(id string, in []index.In) {
			if _, twice := out[id]; twice {
				t.Fatalf("%s: Named gives %s twice", what, id)
			}
			out[id] = ins(in)
		})
		return out
	}
	if g, w := named(got), named(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: Named differs from a full read's:\n got %v\nwant %v", what, g, w)
	}
	namedIDs := map[string]bool{}
	got.NamedIDs(func(id string) {
		if namedIDs[id] {
			t.Fatalf("%s: NamedIDs gives %s twice", what, id)
		}
		namedIDs[id] = true
	})
	if w := named(want); len(namedIDs) != len(w) {
		t.Fatalf("%s: NamedIDs gives %d ids, a full read names %d", what, len(namedIDs), len(w))
	}
	for id := range named(want) {
		if !namedIDs[id] {
			t.Fatalf("%s: NamedIDs leaves out %s", what, id)
		}
	}
	for id := range ids {
		if g, w := paths(got.Get(id)), paths(want.Get(id)); !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: Get(%s) = %v, a full read %v", what, id, g, w)
		}
		if g, w := ins(got.RefsIn(id)), ins(want.RefsIn(id)); !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: RefsIn(%s) = %v, a full read %v", what, id, g, w)
		}
	}
}

func TestIndexEqualsFullRead(t *testing.T) {
	dir := department(t, 400)
	x, st := refreshed(t, dir)
	if st.Rebuilt == "" || !st.Saved || st.Parsed != st.Files {
		t.Errorf("first refresh: %+v", st)
	}
	sameIndex(t, "first", x, fullIndex(t, dir))
	trustAll(t)
	refreshed(t, dir) // now made trusted
	x, st = refreshed(t, dir)
	if st.Reused != st.Files || st.Saved {
		t.Errorf("unchanged department: %+v", st)
	}
	sameIndex(t, "warm", x, fullIndex(t, dir))
}

// TestIndexBehindItsBack edits, adds and removes files in random ways the
// index cannot see coming (same size and modification time, touch -d,
// broken YAML, a record moved to another id) and compares every answer
// with a full read after each round.
func TestIndexBehindItsBack(t *testing.T) {
	dir := department(t, 300)
	trustAll(t)
	refreshed(t, dir)
	refreshed(t, dir)
	rnd := rand.New(rand.NewPCG(3, 17))
	files := listFiles(t, dir)
	for round := 0; round < 12; round++ {
		for k := 0; k < 1+rnd.IntN(6); k++ {
			rel := files[rnd.IntN(len(files))]
			p := filepath.Join(dir, filepath.FromSlash(rel))
			data, err := os.ReadFile(p)
			if err != nil {
				continue // removed in an earlier round
			}
			info, _ := os.Stat(p)
			switch rnd.IntN(6) {
			case 0: // same size, same mtime: a status rewritten in place
				s := string(data)
				for _, pair := range [][2]string{{"status: approved", "status: rejected"}, {"status: paid", "status: dray"}, {"status: draft", "status: paid."}} {
					s = strings.Replace(s, pair[0], pair[1], 1)
				}
				s = strings.Replace(s, "amount: 1", "amount: 9", 1)
				os.WriteFile(p, []byte(s), 0o644)
				os.Chtimes(p, info.ModTime(), info.ModTime())
			case 1: // touch -d into the past, content changed
				os.WriteFile(p, append(data, "# touched\nnote_x: 1\n"...), 0o644)
				old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
				os.Chtimes(p, old, old)
			case 2: // broken
				os.WriteFile(p, []byte("kind: [\n"), 0o644)
			case 3: // removed
				os.Remove(p)
			case 4: // a new record: a copy under a new id
				if nrel := copyAsNew(dir, rel, data, 2026, 9000+round*10+k); nrel != "" {
					files = append(files, nrel)
				}
			case 5: // a reference changed to another id of the same shape
				s := strings.Replace(string(data), "project: PRJ-2026-00", "project: PRJ-2026-01", 1)
				os.WriteFile(p, []byte(s), 0o644)
			}
		}
		x, _ := refreshed(t, dir)
		sameIndex(t, fmt.Sprintf("round %d", round), x, fullIndex(t, dir))
	}
}

// TestIndexDamaged: a truncated, garbled, foreign or half-written index is
// rebuilt from the files, never trusted.
func TestIndexDamaged(t *testing.T) {
	dir := department(t, 200)
	trustAll(t)
	refreshed(t, dir)
	good, err := os.ReadFile(indexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := fullIndex(t, dir)
	for name, data := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"empty":     {},
		"garbled":   garble(good, len(good)/3),
		"foreign":   append([]byte("OPSBOOK-INDEX\n"+strings.Repeat("k", 32)), good[14+32:]...),
		"other":     []byte("not an index at all\n"),
	} {
		if err := os.WriteFile(indexPath(dir), data, 0o644); err != nil {
			t.Fatal(err)
		}
		x, st := refreshed(t, dir)
		if st.Rebuilt == "" || st.Reused != 0 {
			t.Errorf("%s: index used: %+v", name, st)
		}
		sameIndex(t, name, x, want)
	}
	// A leftover temporary file from a killed writer changes nothing, and
	// is removed by a later save once it is old.
	tmp := filepath.Join(dir, ".git", "opsbook", ".index.tmp-123")
	os.WriteFile(tmp, good[:100], 0o644)
	x, _ := refreshed(t, dir)
	sameIndex(t, "leftover temp", x, want)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(tmp, old, old)
	os.WriteFile(indexPath(dir), []byte("damaged"), 0o644) // so that the next refresh saves
	x, _ = refreshed(t, dir)
	sameIndex(t, "after a save", x, want)
	if _, err := os.Lstat(tmp); err == nil {
		t.Error("an old temporary file is left")
	}
}

// TestIndexConcurrent: two refreshes at once, each with other files
// changed, leave an index that still agrees with the files.
func TestIndexConcurrent(t *testing.T) {
	dir := department(t, 300)
	trustAll(t)
	refreshed(t, dir)
	files := listFiles(t, dir)
	done := make(chan bool)
	for w := 0; w < 2; w++ {
		go func(w int) {
			pol, _, _ := config.Load(dir)
			for i := 0; i < 5; i++ {
				p := filepath.Join(dir, filepath.FromSlash(files[w*50+i]))
				data, _ := os.ReadFile(p)
				os.WriteFile(p, append(data, fmt.Sprintf("# %d\n", i)...), 0o644)
				Index(context.Background(), dir, pol)
			}
			done <- true
		}(w)
	}
	<-done
	<-done
	x, _ := refreshed(t, dir)
	sameIndex(t, "after concurrent refreshes", x, fullIndex(t, dir))
}

// TestIndexKindsRefreshesItsFolders: a refresh of one kind's folders makes
// their entries what a full read says, keeps the other folders' entries as
// they were (stale ones included), and the next whole refresh mends those.
func TestIndexKindsRefreshesItsFolders(t *testing.T) {
	dir := department(t, 300)
	pol, _, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	refreshed(t, dir)
	edit := func(folder string) string {
		files, _ := filepath.Glob(filepath.Join(dir, "records", folder, "*", "*.yaml"))
		if len(files) == 0 {
			t.Fatalf("no %s", folder)
		}
		data, _ := os.ReadFile(files[0])
		s := strings.Replace(string(data), "\nstatus: ", "\nstatus: x", 1)
		if err := os.WriteFile(files[0], []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, files[0])
		return filepath.ToSlash(rel)
	}
	exp, cmp := edit("expenses"), edit("complaints")
	before, err := index.Open(indexPath(dir), index.NewKey(cache.NewKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories)))
	if err != nil {
		t.Fatal(err)
	}
	x, st, err := IndexKinds(context.Background(), dir, pol, record.Expense)
	if err != nil || st.Parsed != 1 {
		t.Fatalf("kind refresh: %+v %v", st, err)
	}
	full := fullIndex(t, dir)
	if g, w := x.At(exp), full.At(exp); g == nil || g.Str("status") != w.Str("status") || g.Hash != w.Hash {
		t.Errorf("the expense changed is not refreshed: %+v", g)
	}
	old := before.At(cmp)
	if g := x.At(cmp); g == nil || g.Hash != old.Hash || g.Str("status") != old.Str("status") {
		t.Errorf("a complaint outside the folders refreshed changed: %+v", g)
	}
	if len(x.Entries) != len(full.Entries) {
		t.Errorf("%d entries after a kind refresh, %d files", len(x.Entries), len(full.Entries))
	}
	whole, _ := refreshed(t, dir)
	sameIndex(t, "after a kind refresh", whole, full)
}

// TestIndexSavedWhenWorthIt: a refresh that found a few files changed (a
// write's) answers from them without rewriting the index, and reads them
// again next time; one that found many rewrites it.
func TestIndexSavedWhenWorthIt(t *testing.T) {
	dir := department(t, 300)
	trustAll(t)
	refreshed(t, dir)
	refreshed(t, dir)
	files := listFiles(t, dir)
	change := func(n int) {
		for _, rel := range files[:n] {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			data, _ := os.ReadFile(p)
			if err := os.WriteFile(p, append(data, "# changed\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	change(3)
	for round := 0; round < 2; round++ {
		x, st := refreshed(t, dir)
		if st.Saved || st.Parsed != 3 {
			t.Errorf("round %d after 3 changed files: %+v", round, st)
		}
		sameIndex(t, "3 changed files", x, fullIndex(t, dir))
	}
	change(saveAtLeast + 1)
	x, st := refreshed(t, dir)
	if !st.Saved {
		t.Errorf("after %d changed files: %+v", saveAtLeast+1, st)
	}
	sameIndex(t, "many changed files", x, fullIndex(t, dir))
	if _, st = refreshed(t, dir); st.Parsed != 0 {
		t.Errorf("after a save: %+v", st)
	}
}

// TestIndexStatsOfTheirFiles: the stat data taken while the walk goes on
// are each file's own, also when the walk's order is not the sorted one
// (a folder holding both "2026" and "2026-extra.yaml": the walk lists the
// folder's files first, the sorted listing the file), each meets its own
// stored entry (an unchanged file is not read again), and the refresh
// answers as a full read.
func TestIndexStatsOfTheirFiles(t *testing.T) {
	dir := department(t, 300)
	files := listFiles(t, dir)
	var src string
	for _, f := range files {
		if strings.HasPrefix(f, "records/expenses/2026/") {
			src = f
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(src)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"2026-extra.yaml", "2026.yaml", "2025-0.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, "records", "expenses", name), append(data, "# "+name+"\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trustAll(t)
	for round := 0; round < 3; round++ {
		x, st := refreshed(t, dir)
		if round == 2 && st.Reused != st.Files {
			// each file's stat data met its own stored entry
			t.Errorf("unchanged files read again: %+v", st)
		}
		sameIndex(t, fmt.Sprintf("round %d", round), x, fullIndex(t, dir))
		for _, e := range x.Entries {
			info, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(e.Path)))
			if err != nil {
				t.Fatal(err)
			}
			if e.Stat != cache.StatOf(info) {
				t.Fatalf("round %d: %s has the stat data %+v, its file %+v", round, e.Path, e.Stat, cache.StatOf(info))
			}
		}
	}
}

// TestIndexKindFromFolder: a record filed in another kind's folder (a claim
// moved among the complaints, an appraisal renamed over a claim) is, in the
// index as in a full read, of its folder's kind.
func TestIndexKindFromFolder(t *testing.T) {
	dir := department(t, 300)
	refreshed(t, dir)
	files := listFiles(t, dir)
	folder := func(f string) string { return filepath.Base(filepath.Dir(filepath.Dir(f))) }
	var exp, apr, cmp string
	for _, f := range files {
		switch folder(f) {
		case "expenses":
			if exp == "" {
				exp = f
			}
		case "appraisals":
			if apr == "" {
				apr = f
			}
		case "complaints":
			if cmp == "" {
				cmp = f
			}
		}
	}
	if exp == "" || apr == "" || cmp == "" {
		t.Fatal("the department lacks a claim, an appraisal or a complaint")
	}
	// an appraisal renamed over a claim
	if err := os.Rename(filepath.Join(dir, apr), filepath.Join(dir, exp)); err != nil {
		t.Fatal(err)
	}
	// a claim moved among the complaints, under its own name
	other := ""
	for _, f := range files {
		if folder(f) == "expenses" && f != exp {
			other = f
			break
		}
	}
	moved := filepath.Join(filepath.Dir(cmp), filepath.Base(other))
	if err := os.Rename(filepath.Join(dir, other), filepath.Join(dir, moved)); err != nil {
		t.Fatal(err)
	}
	x, _ := refreshed(t, dir)
	sameIndex(t, "misfiled records", x, fullIndex(t, dir))
}

// copyAsNew writes data, the record file rel of a yearly kind, as a new
// record of that kind numbered n in year, and returns its path; "" for a
// record of a kind that is not numbered by year.
func copyAsNew(dir, rel string, data []byte, year, n int) string {
	id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
	kind, _ := record.KindOfID(id)
	if !record.Info(kind).Yearly {
		return ""
	}
	nid := record.FormatID(kind, year, n)
	nrel := filepath.ToSlash(filepath.Join("records", record.RelPath(kind, nid)))
	np := filepath.Join(dir, filepath.FromSlash(nrel))
	os.MkdirAll(filepath.Dir(np), 0o755)
	os.WriteFile(np, []byte(strings.Replace(string(data), "id: "+id, "id: "+nid, 1)), 0o644)
	return nrel
}
