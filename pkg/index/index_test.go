package index_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
)

var key = index.Key{1, 2, 3}

// entriesOf makes the entries of every record file of a department the
// eager way (index.EntryOf on each parsed record), with made-up stat
// data.
func entriesOf(t testing.TB, dir string) []*index.Entry {
	t.Helper()
	files, _, err := record.Walk(dir, "records")
	if err != nil {
		t.Fatal(err)
	}
	var out []*index.Entry
	for i, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := record.ParseLean(f, data)
		st := cache.Stat{Size: int64(len(data)), Mtime: int64(i) * 1e9, Ctime: -int64(i), Ino: uint64(i) << 40}
		out = append(out, index.EntryOf(f, st, i%3 != 0, sha256.Sum256(data), rec))
	}
	return out
}

// departments are the shipped sample and a copy of it with shared
// receipts, repeated customers and many plans of a project.
func departments(t *testing.T) map[string][]*index.Entry {
	copyDir := filepath.Join(t.TempDir(), "copy")
	if _, err := gen.Replicate(context.Background(), copyDir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: 400}); err != nil {
		t.Fatal(err)
	}
	return map[string][]*index.Entry{
		"sample": entriesOf(t, filepath.Join("..", "..")),
		"copy":   entriesOf(t, copyDir),
	}
}

func reopen(t *testing.T, entries []*index.Entry) *index.Index {
	t.Helper()
	path := filepath.Join(t.TempDir(), "index")
	if err := index.Save(path, key, index.Mark{}, entries); err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(path, key)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// sameEntry compares everything an entry tells.
func sameEntry(t *testing.T, what string, g, w *index.Entry) {
	t.Helper()
	if g.Path != w.Path || g.Stat != w.Stat || g.Trusted != w.Trusted || g.Hash != w.Hash || g.Kind != w.Kind || g.ID != w.ID ||
		g.Odd != w.Odd || g.Sealed != w.Sealed || !reflect.DeepEqual(g.Refs, w.Refs) || !reflect.DeepEqual(g.Files, w.Files) || !reflect.DeepEqual(g.Needs, w.Needs) ||
		!reflect.DeepEqual(g.Fields(), w.Fields()) {
		t.Fatalf("%s: entry %s\n got %+v %v\nwant %+v %v", what, w.Path, g, g.Fields(), w, w.Fields())
	}
	for _, f := range append(index.Clear, "nothing", "id") {
		if g.Str(f) != w.Str(f) {
			t.Fatalf("%s: %s: Str(%s) = %q, want %q", what, w.Path, f, g.Str(f), w.Str(f))
		}
	}
	if gs, ws := g.Skeleton(), w.Skeleton(); !reflect.DeepEqual(gs.Data, ws.Data) {
		t.Fatalf("%s: %s: skeleton %v, want %v", what, w.Path, gs.Data, ws.Data)
	}
}

// lookups renders every look-up of an index (by id, references in,
// Named, NamedIDs) for every id held or named, as text.
func lookups(x *index.Index) string {
	ids := map[string]bool{}
	for _, e := range x.Entries {
		ids[e.ID] = true
		for _, r := range e.Refs {
			ids[r.ID] = true
		}
	}
	ids["NO-SUCH-ID"], ids[""] = true, true
	var sorted []string
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	ins := func(l []index.In) string {
		var out []string
		for _, in := range l {
			out = append(out, in.From.Path+" "+in.Field+" "+fmt.Sprint(in.From == x.At(in.From.Path)))
		}
		return strings.Join(out, ", ")
	}
	var b strings.Builder
	for _, id := range sorted {
		fmt.Fprintf(&b, "get %q:", id)
		for _, e := range x.Get(id) {
			fmt.Fprintf(&b, " %s %v", e.Path, e == x.At(e.Path))
		}
		fmt.Fprintf(&b, "\nin %q: %s\n", id, ins(x.RefsIn(id)))
	}
	// the entries of each kind, and the claims of each budget line, by
	// path (each checked against a pass over the entries)
	kinds, lines := map[record.Kind][]string{}, map[index.Line][]string{}
	for _, e := range x.Entries {
		kinds[e.Kind] = append(kinds[e.Kind], e.Path)
		if e.Kind == record.Expense {
			lines[index.LineOf(e)] = append(lines[index.LineOf(e)], e.Path)
		}
	}
	paths := func(es []*index.Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Path)
		}
		return out
	}
	for k, want := range kinds {
		if got := paths(x.Kind(k)); !reflect.DeepEqual(got, want) {
			fmt.Fprintf(&b, "kind %q: %v, want %v\n", k, got, want)
		}
	}
	for l, want := range lines {
		if got := paths(x.Claims(l)); !reflect.DeepEqual(got, want) {
			fmt.Fprintf(&b, "line %v: %v, want %v\n", l, got, want)
		}
	}
	fmt.Fprintf(&b, "%d kinds, %d lines\n", len(kinds), len(lines))
	var named []string
	x.Named(func(id string, in []index.In) { named = append(named, id+": "+ins(in)) })
	sort.Strings(named)
	b.WriteString(strings.Join(named, "\n"))
	var namedIDs []string
	x.NamedIDs(func(id string) { namedIDs = append(namedIDs, id) })
	sort.Strings(namedIDs)
	b.WriteString("\nids named: " + strings.Join(namedIDs, " "))
	return b.String()
}

// TestOpenedEqualsMade: every entry of an opened index (whose clear
// fields stay encoded, whose strings share the file's bytes) equals the
// entry made from its record, and its stored look-ups answer as the
// look-ups New builds, for every id.
func TestOpenedEqualsMade(t *testing.T) {
	for name, entries := range departments(t) {
		openedEqualsMade(t, name, entries)
		restore := index.SetMapAtLeast(0) // mapped, as a large index is
		openedEqualsMade(t, name+", large", entries)
		restore()
		// decoded in chunks and checked in parts on all cores, as a large
		// index is (also across the last, short chunk)
		restore = index.SetChunks(7, 5)
		openedEqualsMade(t, name+", in chunks", entries)
		restore()
	}
}

func openedEqualsMade(t *testing.T, name string, entries []*index.Entry) {
	x := reopen(t, entries)
	if len(x.Entries) != len(entries) {
		t.Fatalf("%s: %d entries, want %d", name, len(x.Entries), len(entries))
	}
	for i, e := range entries {
		sameEntry(t, name, x.Entries[i], e)
	}
	if g, w := lookups(x), lookups(index.New(entries)); g != w {
		t.Errorf("%s: stored look-ups differ from built ones:\n%s", name, firstDiff(g, w))
	}
}

// TestUpdateEqualsNew: an opened index updated with entries changed
// (other references, another id, unreadable), removed and added answers
// its look-ups exactly as an index built over the new entries.
func TestUpdateEqualsNew(t *testing.T) {
	for name, entries := range departments(t) {
		rnd := rand.New(rand.NewPCG(5, uint64(len(entries))))
		for round := 0; round < 8; round++ {
			x := reopen(t, entries)
			var now []*index.Entry
			for _, e := range x.Entries {
				switch rnd.IntN(12) {
				case 0: // removed
				case 1: // refs changed: pointed at another record's id
					c := *e
					c.Refs = append([]index.Ref(nil), e.Refs...)
					if len(c.Refs) > 0 {
						c.Refs[0].ID = entries[rnd.IntN(len(entries))].ID
					} else {
						c.Refs = []index.Ref{{Field: "project", ID: "PRJ-2026-0001"}}
					}
					now = append(now, &c)
				case 2: // another id (one that exists: a duplicate)
					c := *e
					c.ID = entries[rnd.IntN(len(entries))].ID
					now = append(now, &c)
				case 3: // unreadable
					now = append(now, &index.Entry{Path: e.Path})
				case 4: // same id and references, new stat data
					c := *e
					c.Stat.Mtime++
					now = append(now, &c)
				default:
					now = append(now, e)
				}
				if rnd.IntN(20) == 0 { // a new file after it
					c := *e
					c.Path = e.Path + "-new.yaml"
					c.ID = fmt.Sprintf("NEW-%d", rnd.IntN(5))
					now = append(now, &c)
				}
			}
			y := x.Update(append([]*index.Entry(nil), now...))
			if g, w := lookups(y), lookups(index.New(now)); g != w {
				t.Fatalf("%s round %d: updated look-ups differ from built ones:\n%s", name, round, firstDiff(g, w))
			}
		}
	}
}

func firstDiff(g, w string) string {
	gl, wl := strings.Split(g, "\n"), strings.Split(w, "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			return fmt.Sprintf(" got %s\nwant %s", gl[i], wl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(gl), len(wl))
}

// TestDamagedTables: an index whose look-up tables do not match its
// entries (a position swapped, out of range, dropped or given twice) is
// unusable even with a good CRC: the caller rebuilds it. So is one cut
// short or grown (mapped, as a large index is).
func TestDamagedTables(t *testing.T) {
	defer index.SetMapAtLeast(0)()
	for _, chunks := range []int{4096, 7} {
		// one chunk, checked in one part; many, checked in parts
		restore := index.SetChunks(chunks, chunks/2)
		damagedTables(t, chunks)
		restore()
	}
}

func damagedTables(t *testing.T, chunks int) {
	entries := departments(t)["sample"]
	path := filepath.Join(t.TempDir(), "index")
	if err := index.Save(path, key, index.Mark{}, entries); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	nrefs, nids, nfiles := 0, 0, 0
	for _, e := range entries {
		nrefs += len(e.Refs)
		nfiles += len(e.Files)
		if e.ID != "" {
			nids++
		}
	}
	// the file ends with the id table, the references table, the chunks
	// table and its length, and the CRC
	tableLen := int(binary.BigEndian.Uint32(good[len(good)-8:]))
	tableAt := len(good) - 8 - tableLen
	refsAt := tableAt - 8*nrefs
	idsAt := refsAt - len(binary.AppendUvarint(nil, uint64(nrefs))) - 4*nids
	if binary.LittleEndian.Uint32(good[idsAt:]) >= uint32(len(entries)) {
		t.Fatalf("layout: the id table is not where expected")
	}
	resum := func(b []byte) []byte {
		b = b[:len(b)-4]
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	}
	damages := map[string]func(b []byte){
		"id positions swapped": func(b []byte) {
			a, c := b[idsAt:idsAt+4], b[idsAt+40:idsAt+44]
			x := binary.LittleEndian.Uint32(a)
			binary.LittleEndian.PutUint32(a, binary.LittleEndian.Uint32(c))
			binary.LittleEndian.PutUint32(c, x)
		},
		"id position out of range": func(b []byte) { binary.LittleEndian.PutUint32(b[idsAt+8:], uint32(len(entries))) },
		"id given twice":           func(b []byte) { copy(b[idsAt+8:idsAt+12], b[idsAt+4:idsAt+8]) },
		"reference place out of range": func(b []byte) {
			binary.LittleEndian.PutUint32(b[refsAt+8*5+4:], 99)
		},
		"reference given twice": func(b []byte) { copy(b[refsAt+8*7:refsAt+8*8], b[refsAt+8*6:refsAt+8*7]) },
		"reference table short": func(b []byte) { b[refsAt-1]-- },
		"a chunk more said":     func(b []byte) { b[tableAt]++ },
		"a chunk moved":         func(b []byte) { b[tableAt+1]++ },
		"paths out of order across chunks": func(b []byte) {
			if chunks >= len(entries) {
				b[len(b)-5]++ // one chunk: damage the table's length instead
				return
			}
			// the second chunk's first path made to sort before the
			// first chunk's last: each chunk alone is in order
			table := b[tableAt:]
			_, w := binary.Uvarint(table) // the count
			for range 3 {                 // the first chunk's offset, references, files
				_, k := binary.Uvarint(table[w:])
				w += k
			}
			off, _ := binary.Uvarint(table[w:])
			at := len("OPSBOOK-INDEX\n") + 32 + int(off)
			_, k := binary.Uvarint(b[at:])
			b[at+k] = '!'
		},
		"entries end moved":   func(b []byte) { b[len(b)-9]-- },
		"chunks table longer": func(b []byte) { b[len(b)-5]++ },
		"paths out of order": func(b []byte) {
			at := len("OPSBOOK-INDEX\n") + 32
			for _, n := range []int{len(entries), nrefs, nfiles} {
				at += len(binary.AppendUvarint(nil, uint64(n)))
			}
			b[at+1] = '~' // the first path's first letter, after every other
		},
	}
	for name, damage := range damages {
		b := append([]byte(nil), good...)
		damage(b)
		if err := os.WriteFile(path, resum(b), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := index.Open(path, key); !errors.Is(err, index.ErrUnusable) {
			t.Errorf("%s: opened (%v)", name, err)
		}
	}
	for name, b := range map[string][]byte{"cut short": good[:len(good)-9], "grown": append(append([]byte(nil), good...), 0)} {
		os.WriteFile(path, b, 0o644)
		if _, err := index.Open(path, key); !errors.Is(err, index.ErrUnusable) {
			t.Errorf("%s: opened (%v)", name, err)
		}
	}
	os.WriteFile(path, resum(append([]byte(nil), good...)), 0o644)
	x, err := index.Open(path, key)
	if err != nil {
		t.Fatalf("the undamaged index: %v", err)
	}
	for i, e := range entries {
		sameEntry(t, "undamaged", x.Entries[i], e)
	}
}

// TestForgedCounts: an index whose counts ask for more entries or
// references than the rest of the file can hold is unusable before any
// is made, whatever its CRC says (a forged count must not make opening
// ask for gigabytes).
func TestForgedCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	for name, counts := range map[string][3]uint64{
		"entries":               {1 << 40, 0, 0},
		"references":            {0, 1 << 40, 0},
		"entries a little over": {1 << 20, 0, 0},
	} {
		b := append([]byte("OPSBOOK-INDEX\n"), key[:]...)
		for _, c := range counts {
			b = binary.AppendUvarint(b, c)
		}
		b = append(b, make([]byte, 1<<20)...) // a megabyte: room for 24,000 entries at most
		grew, err := openForged(t, path, b)
		if !errors.Is(err, index.ErrUnusable) {
			t.Errorf("%s: opened (%v)", name, err)
		}
		if grew > 16<<20 {
			t.Errorf("%s: opening allocated %d MB", name, grew>>20)
		}
	}
}

// TestKindInRuns: the entries of a kind in several runs of the sorted
// entries (a kind whose folders are apart, a misfiled record) are all
// given, by path; a caller appending to the answer of a kind in one run
// (a slice of the entries) changes no entry.
func TestKindInRuns(t *testing.T) {
	mk := func(p string, k record.Kind) *index.Entry { return &index.Entry{Path: p, Kind: k, ID: p} }
	x := index.New([]*index.Entry{
		mk("a/1", record.Expense), mk("a/2", record.Expense), mk("b/1", record.Person),
		mk("c/1", record.Expense), mk("d/1", record.Complaint), mk("e/1", record.Complaint),
	})
	got := func(k record.Kind) string {
		var out []string
		for _, e := range x.Kind(k) {
			out = append(out, e.Path)
		}
		return strings.Join(out, " ")
	}
	if g := got(record.Expense); g != "a/1 a/2 c/1" {
		t.Errorf("expenses: %s", g)
	}
	if g := got(record.Complaint); g != "d/1 e/1" {
		t.Errorf("complaints: %s", g)
	}
	_ = append(x.Kind(record.Person), mk("z/9", record.Person))
	if x.Entries[3].Path != "c/1" || got(record.Expense) != "a/1 a/2 c/1" {
		t.Errorf("an append to an answer changed the entries: %s", x.Entries[3].Path)
	}
}

// TestForgedCountsWithChunks: counts each of which the file could hold,
// with a chunks table that agrees with them (the right number of chunks,
// offsets rising inside the file), over bytes that are no entries: refused
// before the entries, references and files are made (they asked for 16
// times the file's size), and a file of no entries said to hold files is
// refused too (it was opened: no chunk read its bytes).
func TestForgedCountsWithChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	const size = 4 << 20
	for name, counts := range map[string][3]uint64{
		"files of no entries":           {0, 0, size},
		"references of no entries":      {0, size / 2, 0},
		"entries, references and files": {size / 64, size / 4, size / 2},
		"references of a few entries":   {4096 * 3, size / 2, 0},
	} {
		b := append([]byte("OPSBOOK-INDEX\n"), key[:]...)
		b = append(b, 0, 0) // the mark: no token, listed 0
		for _, c := range counts {
			b = binary.AppendUvarint(b, c)
		}
		start := len(b) - len("OPSBOOK-INDEX\n") - len(key)
		b = append(b, make([]byte, size)...)
		b = append(b, 0, 0) // no ids, no references in the tables
		table := len(b)
		n := int(counts[0])
		chunks := (n + 4095) / 4096
		b = binary.AppendUvarint(b, uint64(chunks))
		for c := range chunks {
			b = binary.AppendUvarint(b, uint64(start+c))
			b = binary.AppendUvarint(b, 0)
			b = binary.AppendUvarint(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(start+size))
		b = binary.BigEndian.AppendUint32(b, uint32(len(b)-table))
		grew, err := openForged(t, path, b)
		if !errors.Is(err, index.ErrUnusable) {
			t.Errorf("%s: opened (%v)", name, err)
		}
		if grew > 2*size {
			t.Errorf("%s: opening a file of %d MB allocated %d MB", name, size>>20, grew>>20)
		}
	}
}

// openForged writes b, with its CRC, as the index at path and opens it:
// the bytes opening allocated, and its error.
func openForged(t *testing.T, path string, b []byte) (uint64, error) {
	t.Helper()
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := index.Open(path, key)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

// TestForgedNeeds: a plan's needs counted past what its chunk holds make
// the index unusable, whatever its CRC says, before they are made.
func TestForgedNeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	plan := &index.Entry{Path: "records/plans/2026/PLN-2026-0001.yaml", Kind: record.Plan, ID: "PLN-2026-0001",
		Needs: []index.Need{{Category: "NEEDCAT", Amount: "1.00"}}}
	if err := index.Save(path, key, index.Mark{}, []*index.Entry{plan}); err != nil {
		t.Fatal(err)
	}
	if x, err := index.Open(path, key); err != nil || !reflect.DeepEqual(x.Entries[0].Needs, plan.Needs) {
		t.Fatalf("the plan's needs opened as %v (%v)", x, err)
	}
	good, _ := os.ReadFile(path)
	at := strings.Index(string(good), "\x07NEEDCAT")
	if at < 1 || good[at-1] != 1 {
		t.Fatal("layout: the needs are not where expected")
	}
	for _, count := range []uint64{2, 0x7f, 1 << 32} {
		b := append([]byte(nil), good[:at-1]...)
		b = binary.AppendUvarint(b, count)
		b = append(b, good[at:len(good)-4]...)
		grew, err := openForged(t, path, b)
		if !errors.Is(err, index.ErrUnusable) {
			t.Errorf("%d needs said: opened (%v)", count, err)
		}
		if grew > 1<<20 {
			t.Errorf("%d needs said: opening allocated %d KB", count, grew>>10)
		}
	}
}

// TestForgedNamePlace: a reference whose field or id is a place past the
// names makes the index unusable, whatever its CRC says.
func TestForgedNamePlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	e := &index.Entry{Path: "records/tasks/2026/TSK-2026-0001.yaml", Kind: record.Task, ID: "TSK-2026-0001",
		Refs: []index.Ref{{Field: "assignee", ID: "li.wei"}}}
	if err := index.Save(path, key, index.Mark{}, []*index.Entry{e}); err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(path, key)
	if err != nil || !reflect.DeepEqual(x.Entries[0].Refs, e.Refs) {
		t.Fatalf("the reference opened as %v (%v)", x, err)
	}
	good, _ := os.ReadFile(path)
	// the names are "assignee", "li.wei": the entry's reference is the
	// places 0 and 1, after its count (1), before its files' count (0)
	at := strings.Index(string(good), "\x01\x00\x01\x00")
	if at < 0 {
		t.Fatal("layout: the reference is not where expected")
	}
	for _, b := range []int{at + 1, at + 2} {
		forged := append([]byte(nil), good[:len(good)-4]...)
		forged[b] = 2 // a third name, which there is not
		if _, err := openForged(t, path, forged); !errors.Is(err, index.ErrUnusable) {
			t.Errorf("a place past the names at byte %d: opened (%v)", b, err)
		}
	}
}

// TestOpenedSameFile: an index opened from a file gives its entries as
// decoded, with the file's look-ups, for another name of that file or a
// copy of it, even after a refresh (Update) changed its own entries; not
// for a file of other bytes (another department, the same size with
// another checksum), another key, or an index not opened from a file.
func TestOpenedSameFile(t *testing.T) {
	entries := departments(t)["copy"]
	dir := t.TempDir()
	path := filepath.Join(dir, "index")
	if err := index.Save(path, key, index.Mark{Token: "t", Listed: 7}, entries); err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(path, key)
	if err != nil {
		t.Fatal(err)
	}
	link, cp := filepath.Join(dir, "link"), filepath.Join(dir, "copy")
	if err := os.Link(path, link); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	os.WriteFile(cp, data, 0o600)
	// refreshed: one entry gone, one changed
	now := append([]*index.Entry(nil), x.Entries[1:]...)
	c := *now[0]
	c.ID = "CHANGED-1"
	now[0] = &c
	y := x.Update(now)
	for _, p := range []string{path, link, cp} {
		for _, of := range []*index.Index{x, y} {
			o := of.Opened(p, key)
			if o == nil {
				t.Fatalf("%s: not the file opened", p)
			}
			if len(o.Entries) != len(x.Entries) || o.Mark != x.Mark {
				t.Fatalf("%s: %d entries marked %v, want %d marked %v", p, len(o.Entries), o.Mark, len(x.Entries), x.Mark)
			}
			for i, e := range o.Entries {
				if e != x.Entries[i] {
					t.Fatalf("%s: entry %d decoded again", p, i)
				}
			}
			if g, w := lookups(o), lookups(x); g != w {
				t.Fatalf("%s: look-ups differ from the file's:\n%s", p, firstDiff(g, w))
			}
		}
	}
	// the same size, another checksum
	other := append([]byte(nil), data...)
	other[len(other)-1] ^= 1
	os.WriteFile(cp, other, 0o600)
	if x.Opened(cp, key) != nil {
		t.Fatal("a file of other bytes taken for the one opened")
	}
	// another department's index
	if err := index.Save(cp, key, index.Mark{}, entries[:len(entries)/2]); err != nil {
		t.Fatal(err)
	}
	if x.Opened(cp, key) != nil || y.Opened(cp, key) != nil {
		t.Fatal("another index file taken for the one opened")
	}
	if x.Opened(filepath.Join(dir, "none"), key) != nil {
		t.Fatal("a missing file taken for the one opened")
	}
	if x.Opened(path, index.Key{9}) != nil {
		t.Fatal("the file taken under another key")
	}
	if index.New(entries).Opened(path, key) != nil {
		t.Fatal("an index made by New has no file")
	}
}

// TestForgedNamesOrder: the names a reference's places point at must be
// by text, as they are written (valid orders the references table by
// their places): a file whose names are swapped, the references' places
// swapped with them so each still reads as before, is unusable.
func TestForgedNamesOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	e := &index.Entry{Path: "records/tasks/2026/TSK-2026-0001.yaml", Kind: record.Task, ID: "TSK-2026-0001",
		Refs: []index.Ref{{Field: "assignee", ID: "li.wei"}}}
	if err := index.Save(path, key, index.Mark{}, []*index.Entry{e}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	names, ref := strings.Index(string(good), "\x08assignee\x06li.wei"), strings.Index(string(good), "\x01\x00\x01\x00")
	if names < 0 || ref < 0 {
		t.Fatal("layout: the names or the reference are not where expected")
	}
	forged := append([]byte(nil), good[:len(good)-4]...)
	copy(forged[names:], "\x06li.wei\x08assignee")
	copy(forged[ref:], "\x01\x01\x00\x00")
	if _, err := openForged(t, path, forged); !errors.Is(err, index.ErrUnusable) {
		t.Errorf("names out of order: opened (%v)", err)
	}
}

// TestPatchEqualsUpdate: an opened index patched (entries removed, given
// other references, another id, unreadable, new stat data) answers its
// look-ups, and holds the entries, exactly as Update of the same entries
// and an index built over them; a patch it cannot make (a path added, out
// of order) is refused.
func TestPatchEqualsUpdate(t *testing.T) {
	for name, entries := range departments(t) {
		rnd := rand.New(rand.NewPCG(7, uint64(len(entries))))
		for round := 0; round < 8; round++ {
			x := reopen(t, entries)
			var now []*index.Entry
			var changes []index.Change
			for i, e := range x.Entries {
				c := *e
				switch rnd.IntN(12) {
				case 0: // removed
					changes = append(changes, index.Change{At: i})
					continue
				case 1:
					c.Refs = []index.Ref{{Field: "project", ID: entries[rnd.IntN(len(entries))].ID}}
				case 2:
					c.ID = entries[rnd.IntN(len(entries))].ID
				case 3:
					c = index.Entry{Path: e.Path}
				case 4:
					c.Stat.Mtime++
				default:
					now = append(now, e)
					continue
				}
				now = append(now, &c)
				changes = append(changes, index.Change{At: i, Entry: &c})
			}
			y := x.Patch(changes)
			if y == nil {
				t.Fatalf("%s round %d: patch refused", name, round)
			}
			if len(y.Entries) != len(now) {
				t.Fatalf("%s round %d: %d entries, want %d", name, round, len(y.Entries), len(now))
			}
			for i := range now {
				if y.Entries[i] != now[i] {
					t.Fatalf("%s round %d: entry %d is %s, want %s", name, round, i, y.Entries[i].Path, now[i].Path)
				}
			}
			if g, w := lookups(y), lookups(x.Update(append([]*index.Entry(nil), now...))); g != w {
				t.Fatalf("%s round %d: patched look-ups differ from updated ones:\n%s", name, round, firstDiff(g, w))
			}
			if g, w := lookups(y), lookups(index.New(now)); g != w {
				t.Fatalf("%s round %d: patched look-ups differ from built ones:\n%s", name, round, firstDiff(g, w))
			}
		}
		x := reopen(t, entries)
		added := *x.Entries[0]
		added.Path += "-new.yaml"
		for what, changes := range map[string][]index.Change{
			"a path added":  {{At: 0, Entry: &added}},
			"out of order":  {{At: 2}, {At: 1}},
			"a place twice": {{At: 1}, {At: 1}},
			"past the end":  {{At: len(x.Entries)}},
		} {
			if x.Patch(changes) != nil {
				t.Errorf("%s: a patch with %s was made", name, what)
			}
		}
		if index.New(entries).Patch(nil) != nil {
			t.Errorf("%s: an index not opened from a file was patched", name)
		}
	}
}
