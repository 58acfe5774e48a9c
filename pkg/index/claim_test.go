package index_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// splitView is what split-claim reads of a claim: its state, amount,
// claimant and day, and the groups its attachments put it in (a named
// path; the SHA-256 listed for a named path, in lower case).
func splitView(rec *record.Record) string {
	amount, ok := rec.Money("amount")
	sums := map[string]string{}
	for _, l := range rules.Listed(rec) {
		sums[l.Path] = strings.ToLower(l.SHA256)
	}
	var keys []string
	for _, n := range rules.NamedAttachments(rec) {
		keys = append(keys, "path "+n.Path)
		if h := sums[n.Path]; len(h) == 64 {
			keys = append(keys, "hash "+h)
		}
	}
	sort.Strings(keys)
	return fmt.Sprintf("%q %v %v %q %q %q", rec.Status(), amount, ok, rec.Str("claimant"), rec.Str("date"), keys)
}

// TestClaimSkeleton: a claim's skeleton (ClaimSkeleton) is to split-claim
// what the claim is, for every claim of the sample and for claims naming
// their receipts in every way; a claim naming a path that reads as a hash
// is Odd (read in full).
func TestClaimSkeleton(t *testing.T) {
	h := strings.Repeat("ab", 32)
	claim := func(status, amount, rest string) []byte {
		return []byte("kind: expense\nid: EXP-2026-0999\ntitle: t\nstatus: " + status + "\nclaimant: li.wei\ndate: 2026-10-01\ncategory: other\namount: " + amount + "\n" + rest)
	}
	item := func(i int, receipt string) string {
		return fmt.Sprintf("  - description: i%d\n    amount: 1\n    receipt: %s\n", i, receipt)
	}
	var twelve strings.Builder
	twelve.WriteString("items:\n")
	for i := 0; i < 12; i++ {
		twelve.WriteString(item(i, fmt.Sprintf("attachments/x/%d.txt", i%5)))
	}
	twelve.WriteString("attachments:\n  - path: attachments/x/3.txt\n    sha256: \"" + h + "\"\n")
	claims := map[string][]byte{
		"receipt and items, one path twice, listed in capitals": claim("submitted", "12.50", "receipt: attachments/x/r.txt\nitems:\n"+item(0, "attachments/x/r.txt")+item(1, "attachments/x/s.txt")+
			"attachments:\n  - path: attachments/x/r.txt\n    sha256: \""+strings.ToUpper(h)+"\"\n"),
		"listed twice with two hashes":                claim("approved", "12.50", "receipt: attachments/x/r.txt\nattachments:\n  - path: attachments/x/r.txt\n    sha256: \""+h+"\"\n  - path: attachments/x/r.txt\n    sha256: \""+strings.Repeat("cd", 32)+"\"\n"),
		"a hash too short, an entry named by nothing": claim("paid", "12.50", "receipt: attachments/x/r.txt\nattachments:\n  - path: attachments/x/r.txt\n    sha256: \"abc\"\n  - path: attachments/x/t.txt\n    sha256: \""+h+"\"\n"),
		"a receipt that is a number":                  claim("draft", "12.50", "receipt: 12345\n"),
		"twelve items":                                claim("submitted", "12", twelve.String()),
		"rejected, an amount in quotes":               claim("rejected", "\"12.50\"", "receipt: attachments/x/r.txt\n"),
		"no receipt":                                  claim("submitted", "12.50", ""),
	}
	files, _, err := record.Walk(filepath.Join("..", ".."), "records/expenses")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		claims[f] = data
	}
	var entries []*index.Entry
	recs := map[string]*record.Record{}
	for name, data := range claims {
		p := "records/expenses/2026/" + strings.ReplaceAll(name, " ", "_") + ".yaml"
		rec, _ := record.ParseLean(p, data)
		if rec == nil {
			t.Fatalf("%s: not a record", name)
		}
		e := index.EntryOf(p, cache.Stat{}, false, sha256.Sum256(data), rec)
		if e.Odd {
			t.Errorf("%s: Odd", name)
		}
		entries, recs[p] = append(entries, e), rec
	}
	if len(files) < 10 {
		t.Fatalf("%d claims in the sample", len(files))
	}
	// and as an index file keeps them
	for _, e := range reopen(t, entries).Entries {
		got, want := splitView(e.ClaimSkeleton()), splitView(recs[e.Path])
		if got != want {
			t.Errorf("%s: skeleton\n %s\nclaim\n %s", e.Path, got, want)
		}
	}

	for _, rest := range []string{"receipt: sha256:" + h + "\n", "items:\n" + item(0, "attachments/x/r.txt") + item(1, "sha256:"+h)} {
		rec, _ := record.ParseLean("records/expenses/2026/EXP-2026-0999.yaml", claim("submitted", "12.50", rest))
		if e := index.EntryOf(rec.Path, cache.Stat{}, false, cache.Hash{}, rec); !e.Odd {
			t.Errorf("a path reading as a hash (%q): not Odd", rest)
		}
	}
}

// TestRefSkeleton: a record's RefSkeleton holds the references the record
// makes at the same places (rules.Expand finds them), its title and its
// classification, for every record of the sample and of copies of it
// (references deep in lists: a budget's lines, a meeting's actions), as
// an index file keeps its entry.
func TestRefSkeleton(t *testing.T) {
	copyDir := filepath.Join(t.TempDir(), "copy")
	if _, err := gen.Replicate(context.Background(), copyDir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: 300}); err != nil {
		t.Fatal(err)
	}
	deep := 0
	for _, dir := range []string{filepath.Join("..", ".."), copyDir} {
		files, _, err := record.Walk(dir, "records")
		if err != nil {
			t.Fatal(err)
		}
		var entries []*index.Entry
		recs := map[string]*record.Record{}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
			if err != nil {
				t.Fatal(err)
			}
			rec, _ := record.ParseLean(f, data)
			if rec == nil {
				continue
			}
			entries, recs[f] = append(entries, index.EntryOf(f, cache.Stat{}, false, sha256.Sum256(data), rec)), rec
		}
		for _, e := range reopen(t, entries).Entries {
			rec, skel := recs[e.Path], e.RefSkeleton()
			if e.Odd {
				continue
			}
			for _, ref := range rules.Refs {
				if ref.Kind != rec.Kind {
					continue
				}
				got, want := rules.Expand(skel.Data, ref.Path), rules.Expand(rec.Data, ref.Path)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %s: %v, want %v", e.Path, ref.Path, got, want)
				}
				for p := range want {
					if strings.Count(p, ".") > 1 {
						deep++
					}
				}
			}
			if skel.Title() != rec.Title() || skel.Str("classification") != rec.Str("classification") {
				t.Errorf("%s: title %q, classification %q; want %q, %q", e.Path, skel.Title(), skel.Str("classification"), rec.Title(), rec.Str("classification"))
			}
		}
	}
	if deep == 0 {
		t.Error("no reference deep in a list")
	}
}
