package repo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
)

// TestSaveIndexBaseDelta: a base kept while the index file holds nearly
// the department (a refresh that changed, added and removed a few files
// does not save it) is a link to the index file and the entries that
// differ; opened, it holds exactly the refreshed entries, and Rejudge
// takes it. Once the index file holds them, the base is a link alone (a
// delta left from before is removed); a delta that is not the base's
// (another kept later) makes the fingerprint another, and the base is not
// taken.
func TestSaveIndexBaseDelta(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 0)
	time.Sleep(2100 * time.Millisecond)              // the files older than the racy window
	if _, err := OpenIndexed(ctx, dir); err != nil { // the index file saved
		t.Fatal(err)
	}
	task := filepath.Join(dir, "records", "tasks", "2026", "TSK-2026-0001.yaml")
	b, err := os.ReadFile(task)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(task, append(b, "# changed\n"...), 0o644)
	os.WriteFile(filepath.Join(dir, "records", "tasks", "2026", "TSK-2026-0999.yaml"), []byte(strings.Replace(string(b), "TSK-2026-0001", "TSK-2026-0999", 1)), 0o644)
	os.Remove(filepath.Join(dir, "records", "customers", "CUS-0001.yaml"))
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Stats.Stored {
		t.Fatal("the index file was saved for three files: the case needs it not to be")
	}
	fp, ok := d.Fingerprint()
	if !ok {
		t.Fatal("no fingerprint")
	}
	p := filepath.Join(t.TempDir(), "memo-inbox-x.index")
	if err := SaveIndexBase(p, d); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".delta"); err != nil {
		t.Fatalf("no delta kept: %v", err)
	}
	pol := d.Policy
	key := indexKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories)
	// the index file the refresh opened, kept as the base's: not decoded
	// again
	if d.Index.Opened(p, key) == nil {
		t.Fatal("the base's index file is not taken for the one the refresh opened")
	}
	var sameAs func(p string, cur *index.Index)
	same := func(p string) {
		t.Helper()
		for _, cur := range []*index.Index{nil, d.Index} {
			sameAs(p, cur)
		}
	}
	sameAs = func(p string, cur *index.Index) {
		t.Helper()
		x, _, err := openBase(p, key, cur)
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Entries) != len(d.Index.Entries) {
			t.Fatalf("the base holds %d entries, the department %d", len(x.Entries), len(d.Index.Entries))
		}
		for i, e := range x.Entries {
			if w := d.Index.Entries[i]; e.Path != w.Path || e.Hash != w.Hash || e.ID != w.ID || len(x.Get(e.ID)) != len(d.Index.Get(w.ID)) {
				t.Fatalf("entry %d: %s %x, want %s %x", i, e.Path, e.Hash[:4], w.Path, w.Hash[:4])
			}
		}
	}
	same(p)
	if rj, why := Rejudge(d, p, fp, nil); rj == nil {
		t.Fatalf("the base not taken: %s", why)
	} else if len(rj.Changes) != 0 {
		t.Fatalf("%d changes since a base of the department as it is", len(rj.Changes))
	}
	// a delta of another base: not taken
	q := filepath.Join(filepath.Dir(p), "other.index")
	os.WriteFile(task, b, 0o644)
	d2, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveIndexBase(q, d2); err != nil {
		t.Fatal(err)
	}
	delta, _ := os.ReadFile(q + ".delta")
	os.WriteFile(p+".delta", delta, 0o644)
	if rj, _ := Rejudge(d, p, fp, nil); rj != nil {
		t.Fatal("a base with another's delta was taken")
	}
	// the index file saved again (here: made anew): a link alone, the
	// delta left from before removed
	os.Remove(filepath.Join(dir, ".git", "opsbook", "index"))
	d3, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !d3.Stats.Stored {
		t.Fatal("the index file was not made anew")
	}
	d = d3
	if err := SaveIndexBase(p, d); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".delta"); !os.IsNotExist(err) {
		t.Fatalf("a delta left beside a base the index file holds: %v", err)
	}
	same(p)
}

// TestRejudgeTriesLinesMoved: the claims of a changed claim's budget line
// whose moves the kept answer tried are tried again when the change can
// move the line's sums (its status), not when it changed what the line
// does not read (an item's description).
func TestRejudgeTriesLinesMoved(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 400)
	d0, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := d0.Fingerprint()
	p := filepath.Join(t.TempDir(), "memo-inbox-x.index")
	if err := SaveIndexBase(p, d0); err != nil {
		t.Fatal(err)
	}
	// a submitted claim with an item, and the others of its line
	var claim *index.Entry
	for _, e := range d0.Index.Kind(record.Expense) {
		if e.Str("status") == "submitted" && !e.Odd && !e.Sealed && len(e.Files) > 0 {
			claim = e
			break
		}
	}
	if claim == nil {
		t.Fatal("no submitted claim")
	}
	var tried []string
	var other *index.Entry
	for _, e := range d0.Index.Kind(record.Expense) {
		if lineOf(e) == lineOf(claim) && e != claim {
			tried = append(tried, e.ID)
			if other == nil && !e.Odd {
				other = e
			}
		}
	}
	if other == nil {
		t.Fatal("no other claim of the line")
	}
	file := filepath.Join(dir, filepath.FromSlash(claim.Path))
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rejudge := func(text string) *Rejudged {
		t.Helper()
		os.WriteFile(file, []byte(text), 0o644)
		d, err := OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := d.Fingerprint(); got == "" {
			t.Fatal("no fingerprint")
		}
		rj, why := Rejudge(d, p, fp, tried)
		if rj == nil {
			t.Fatalf("not rejudged: %s", why)
		}
		return rj
	}
	described := strings.Replace(string(data), "  - description: ", "  - description: 改 ", 1)
	if described == string(data) {
		t.Fatalf("%s has no item", claim.Path)
	}
	if rj := rejudge(described); rj.Judged(other.Path) {
		t.Errorf("an item's description changed: %s of its line tried again", other.ID)
	}
	if rj := rejudge(strings.Replace(string(data), "status: submitted", "status: approved", 1)); !rj.Judged(other.Path) {
		t.Errorf("the status changed: %s of its line not tried again", other.ID)
	}
}

// TestBaseRebased: a base whose index file is no longer the department's
// (the index file saved again since) is kept, once opened, as a link to
// the index file the command's refresh opened and the entries that
// differ: the same entries, the same fingerprint, and the next opening
// takes them from the refresh's index rather than decoding the base's.
func TestBaseRebased(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 0)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := d.Fingerprint()
	cacheDir := filepath.Join(dir, ".git", "opsbook")
	p := filepath.Join(cacheDir, "memo-summary-base.index")
	if err := SaveIndexBase(p, d); err != nil {
		t.Fatal(err)
	}
	want := d.Index.Entries
	// a file changed, and the index file made anew (as a refresh saving
	// it does): the base's link is to the old one
	task := filepath.Join(dir, "records", "tasks", "2026", "TSK-2026-0001.yaml")
	b, _ := os.ReadFile(task)
	os.WriteFile(task, append(b, "# changed\n"...), 0o644)
	os.Remove(filepath.Join(cacheDir, "index"))
	d2, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	d2, err = OpenIndexed(ctx, dir) // opened from the index file
	if err != nil {
		t.Fatal(err)
	}
	pol := d2.Policy
	key := indexKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories)
	if d2.Index.Opened(p, key) != nil {
		t.Fatal("the base is already the index file's: the case needs it not to be")
	}
	d2.Fingerprint()
	// a base not the answer's (another fingerprint): refused, and not
	// kept again
	if _, _, _, why := sinceBase(d2, p, "another"); why == "" {
		t.Fatal("a base of another fingerprint taken")
	}
	if d2.Index.Opened(p, key) != nil {
		t.Fatal("a base of another answer was kept again")
	}
	check := func(what string) {
		t.Helper()
		x, _, _, why := sinceBase(d2, p, fp)
		if why != "" {
			t.Fatalf("%s: %s", what, why)
		}
		if len(x.Entries) != len(want) {
			t.Fatalf("%s: %d entries, want %d", what, len(x.Entries), len(want))
		}
		for i, e := range x.Entries {
			if e.Path != want[i].Path || e.Hash != want[i].Hash {
				t.Fatalf("%s: entry %d is %s %x, want %s %x", what, i, e.Path, e.Hash[:4], want[i].Path, want[i].Hash[:4])
			}
		}
		if got := fingerprint(d.FingerprintHead(), len(x.Entries), func(i int) (string, cache.Hash) {
			return x.Entries[i].Path, x.Entries[i].Hash
		}); got != fp {
			t.Fatalf("%s: the base's fingerprint moved", what)
		}
	}
	check("opened")
	if d2.Index.Opened(p, key) == nil {
		t.Fatal("the base was not kept as a link to the index file the refresh opened")
	}
	if _, err := os.Stat(p + ".delta"); err != nil {
		t.Fatalf("no delta beside the rebased base: %v", err)
	}
	check("opened again")
}
