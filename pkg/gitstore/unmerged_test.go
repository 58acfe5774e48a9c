package gitstore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// TestFirstUnmerged: the scan of the index's raw entries finds the first
// unresolved conflict exactly where decoding the whole index does, in
// index versions 2, 3 (extended flags: an intent-to-add entry) and 4
// (prefix-compressed names), with and without conflicts, over names of
// every length around the padding's boundaries; a cut index is not read.
func TestFirstUnmerged(t *testing.T) {
	isolate(t)
	files := map[string]string{"z.txt": "z\n"}
	for i := 1; i <= 40; i++ {
		files[fmt.Sprintf("d%d/%s.txt", i%3, strings.Repeat("n", i))] = fmt.Sprint(i, "\n")
	}
	for _, conflict := range []bool{false, true} {
		for _, version := range []string{"2", "3", "4"} {
			t.Run(fmt.Sprintf("v%s conflict %v", version, conflict), func(t *testing.T) {
				dir := newRepo(t, files)
				if conflict {
					gitCmd(t, dir, "switch", "-q", "-c", "side")
					writeFiles(t, dir, map[string]string{"d1/nnnn.txt": "side\n", "z.txt": "side\n"})
					gitCmd(t, dir, "commit", "-q", "-am", "side")
					gitCmd(t, dir, "switch", "-q", "main")
					writeFiles(t, dir, map[string]string{"d1/nnnn.txt": "main\n", "z.txt": "main\n"})
					gitCmd(t, dir, "commit", "-q", "-am", "main")
					if _, err := gitRun(dir, nil, "merge", "-q", "side"); err == nil {
						t.Fatal("merge did not conflict")
					}
				}
				if version != "2" {
					writeFiles(t, dir, map[string]string{"new.txt": "n\n"})
					gitCmd(t, dir, "add", "-N", "new.txt")
					gitCmd(t, dir, "update-index", "--skip-worktree", "d0/nnn.txt")
				}
				gitCmd(t, dir, "update-index", "--index-version", version)
				data, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
				if err != nil {
					t.Fatal(err)
				}
				if got := int(data[7]); fmt.Sprint(got) != version {
					t.Fatalf("index version %d, want %s", got, version)
				}
				idx := &index.Index{}
				if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
					t.Fatal(err)
				}
				want := ""
				for _, e := range idx.Entries {
					if e.Stage != 0 {
						want = e.Name
						break
					}
				}
				if (want != "") != conflict {
					t.Fatalf("decoded: first unmerged %q", want)
				}
				name, found, ok := firstUnmerged(data)
				if !ok || found != conflict || name != want {
					t.Errorf("firstUnmerged = %q, %v, %v; want %q", name, found, ok, want)
				}
				// every entry as Dirty reads it, as go-git decodes it
				var raw []*index.Entry
				if !walkIndex(data, func(e rawEntry) bool { raw = append(raw, e.entry()); return true }) {
					t.Fatal("walkIndex did not read the index")
				}
				if len(raw) != len(idx.Entries) {
					t.Fatalf("%d entries walked, %d decoded", len(raw), len(idx.Entries))
				}
				flagged := 0
				for i, e := range idx.Entries {
					r := raw[i]
					if r.Name != e.Name || r.Stage != e.Stage || r.Mode != e.Mode || r.Hash != e.Hash || r.Size != e.Size || r.IntentToAdd != e.IntentToAdd || r.SkipWorktree != e.SkipWorktree {
						t.Errorf("entry %d: walked %+v, decoded %+v", i, *r, *e)
					}
					if e.IntentToAdd || e.SkipWorktree {
						flagged++
					}
				}
				if version != "2" && flagged != 2 {
					t.Errorf("%d entries with extended flags, want 2", flagged)
				}
				es, err := open(t, dir).indexEntriesOf(filepath.Join(dir, ".git", "index"), map[string]bool{"z.txt": true, "new.txt": true})
				if err != nil || len(es) == 0 || es[len(es)-1].Name != "z.txt" {
					t.Errorf("indexEntriesOf = %v, %v", es, err)
				}
				// cut short: not read (the full decode says why)
				if _, _, ok := firstUnmerged(data[:len(data)/2]); ok && !conflict {
					t.Errorf("a cut index was read")
				}
			})
		}
	}
}

// FuzzWalkIndex: whatever the bytes, walking them never panics, and what
// it reads as an index go-git decodes to the same entries.
func FuzzWalkIndex(f *testing.F) {
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00"))
	f.Add([]byte("DIRC\x00\x00\x00\x04\x00\x00\x00\x01" + strings.Repeat("\x00", 60) + "\x30\x03\x00abc\x00"))
	f.Add([]byte("DIRC\x00\x00\x00\x03\x00\x00\x00\x01" + strings.Repeat("\x00", 60) + "\x40\x03\x20\x00abc\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var walked []*index.Entry
		if !walkIndex(data, func(e rawEntry) bool { walked = append(walked, e.entry()); return true }) {
			return
		}
		firstUnmerged(data)
		idx := &index.Index{}
		if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
			return // checksum, extensions: the full decode refuses more
		}
		if len(walked) != len(idx.Entries) {
			t.Fatalf("%d entries walked, %d decoded", len(walked), len(idx.Entries))
		}
		for i, e := range idx.Entries {
			if w := walked[i]; w.Name != e.Name || w.Stage != e.Stage || w.Hash != e.Hash {
				t.Fatalf("entry %d: walked %+v, decoded %+v", i, *w, *e)
			}
		}
	})
}
