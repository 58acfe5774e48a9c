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
// (prefix-compressed names, some dropping 128 bytes or more of the name
// before, a count that takes git's varint two bytes), with and without
// conflicts, over names of every length around the padding's boundaries;
// a cut index is not read.
func TestFirstUnmerged(t *testing.T) {
	isolate(t)
	files := map[string]string{"z.txt": "z\n"}
	for i := 1; i <= 40; i++ {
		files[fmt.Sprintf("d%d/%s.txt", i%3, strings.Repeat("n", i))] = fmt.Sprint(i, "\n")
	}
	// names dropping 129 and 128 bytes of the one before: 0x80 0x01 and
	// 0x80 0x00 in git's varint, 128 and 0 in encoding/binary's
	files["e/"+strings.Repeat("a", 200)] = "a\n"
	files["e/"+strings.Repeat("a", 71)+"b"] = "b\n"
	files["f/"+strings.Repeat("c", 200)] = "c\n"
	files["f/"+strings.Repeat("c", 72)+"d"] = "d\n"
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
				if !conflict {
					if d, err := open(t, dir).Dirty([]string{"z.txt", "f/" + strings.Repeat("c", 72) + "d"}); err != nil || len(d) != 0 {
						t.Errorf("Dirty of clean files = %q, %v", d, err)
					}
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

// TestGitVarint: git's varint (varint.c) as index version 4 writes it:
// the known spellings, and every value read back as written.
func TestGitVarint(t *testing.T) {
	for v, want := range map[uint64]string{0: "00", 127: "7f", 128: "8000", 129: "8001", 255: "807f", 16511: "ff7f", 16512: "808000"} {
		got := fmt.Sprintf("%x", appendGitVarint(nil, v))
		if got != want {
			t.Errorf("appendGitVarint(%d) = %s, want %s", v, got, want)
		}
	}
	for _, v := range []uint64{0, 1, 127, 128, 200, 16383, 16384, 16511, 16512, 1 << 20, 1<<63 + 5, ^uint64(0)} {
		b := appendGitVarint(nil, v)
		got, w := gitVarint(append(b, 0xff))
		if got != v || w != len(b) {
			t.Errorf("gitVarint(%x) = %d, %d; want %d, %d", b, got, w, v, len(b))
		}
		if _, w := gitVarint(b[:len(b)-1]); w != 0 {
			t.Errorf("gitVarint read %x cut short", b)
		}
	}
	if _, w := gitVarint([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}); w != 0 {
		t.Error("gitVarint read a value past 64 bits")
	}
}

// TestSplitIndexNotWalked: a split index's own file holds only the
// entries changed since its shared index was written, so a walk of it
// does not say what is staged: Dirty and the state check refuse, naming
// the split index and the command that undoes it (a walk said every file
// had uncommitted changes), and a sparse index likewise.
func TestSplitIndexNotWalked(t *testing.T) {
	isolate(t)
	dir := newRepo(t, map[string]string{"records/a.yaml": "a\n", "records/b.yaml": "b\n", "other/c.txt": "c\n"})
	gitCmd(t, dir, "update-index", "--split-index")
	if !strings.Contains(gitCmd(t, dir, "ls-files", "--debug"), "a.yaml") {
		t.Fatal("git lost the entries")
	}
	data, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	if walkIndex(data, func(rawEntry) bool { return true }) {
		t.Error("a split index was walked")
	}
	r := open(t, dir)
	d, err := r.Dirty([]string{"records/a.yaml"})
	if err == nil || !strings.Contains(err.Error(), "split index") || !strings.Contains(err.Error(), "--no-split-index") {
		t.Errorf("Dirty on a split index = %q, %v", d, err)
	}
	if err := r.CheckState(); err == nil || !strings.Contains(err.Error(), "split index") {
		t.Errorf("CheckState on a split index: %v", err)
	}
	gitCmd(t, dir, "update-index", "--no-split-index")
	if d, err := r.Dirty([]string{"records/a.yaml"}); err != nil || len(d) != 0 {
		t.Errorf("Dirty after --no-split-index = %q, %v", d, err)
	}

	gitCmd(t, dir, "sparse-checkout", "set", "--cone", "--sparse-index", "records")
	gitCmd(t, dir, "config", "index.sparse", "true")
	if ls := gitCmd(t, dir, "ls-files", "--sparse"); !strings.Contains(ls, "other/\n") {
		t.Fatalf("no sparse folder entry:\n%s", ls)
	}
	data, err = os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	if walkIndex(data, func(rawEntry) bool { return true }) {
		t.Error("a sparse index was walked")
	}
	if _, err := r.readIndex(filepath.Join(dir, ".git", "index")); err == nil || !strings.Contains(err.Error(), "sparse index") {
		t.Errorf("reading a sparse index: %v", err)
	}
}
