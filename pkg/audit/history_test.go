package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func moves(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Date.Format("01-02 15:04") + " " + e.Actor.String() + " " + e.Record + " " + e.Move())
		for _, f := range e.Fields {
			before, after := "-", "-"
			if f.Before != nil {
				before = *f.Before
			}
			if f.After != nil {
				after = *f.After
			}
			b.WriteString("; " + f.Field + ": " + before + " → " + after)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestHistory(t *testing.T) {
	tr := honest(t)
	evs, err := tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	// The merge is not a move: the branch's commits are.
	want := `03-02 11:00 li.wei (specialist) EXP-2026-0001 created (draft)
03-02 12:00 li.wei (specialist) EXP-2026-0001 draft → submitted; amount: 980.50 → 1280.50
03-02 13:00 zhang.min (manager) EXP-2026-0001 submitted → approved
03-02 15:00 he.jing (finance) EXP-2026-0001 approved → paid
`
	if got := moves(evs); got != want {
		t.Errorf("history:\n%s\nwant:\n%s", got, want)
	}
	for _, e := range evs {
		if len(e.Commit.String()) != 40 || e.Merge {
			t.Errorf("event %+v", e)
		}
	}

	tr.git("rm", "-q", expensePath("EXP-2026-0001"))
	tr.commit("li.wei", "drop")
	evs, err = tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Move() != "deleted (paid)" || last.Actor.Handle != "li.wei" {
		t.Errorf("last event: %s by %s", last.Move(), last.Actor)
	}

	evs, err = tr.open().History(context.Background(), "li.wei")
	if err != nil {
		t.Fatal(err)
	}
	if got := moves(evs); got != "03-02 10:00 wang.fang (director) li.wei created (no status)\n" {
		t.Errorf("person history: %s", got)
	}
	if _, err := tr.open().History(context.Background(), "EXP-2026-0999"); err == nil {
		t.Error("history of a record that never was")
	}
}

func TestHistoryUnknownActorShowsIdentity(t *testing.T) {
	tr := honest(t)
	tr.edit(expensePath("EXP-2026-0001"), "title: 上海客戶拜訪差旅", "title: 上海客戶拜訪")
	tr.git("add", "-A")
	tr.commitAs("Mallory", "mallory@example.org", "retitle")
	evs, err := tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Actor.String() != "Mallory <mallory@example.org>" || last.Move() != "edited (paid)" || len(last.Fields) != 1 || last.Fields[0].Field != "title" {
		t.Errorf("last event: %s %s %+v", last.Actor, last.Move(), last.Fields)
	}
}

// The index answers a second run and grows with new commits only; a
// corrupt one is rebuilt.
func TestIndexExtendAndRebuild(t *testing.T) {
	tr := honest(t)
	r := tr.open()
	if _, err := r.History(context.Background(), "EXP-2026-0001"); err != nil {
		t.Fatal(err)
	}
	path := r.IndexPath()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no index written: %v", err)
	}
	if n := len(loadIndex(path).nodes); n != 6 {
		t.Fatalf("index holds %d commits, want 6", n)
	}

	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "li.wei", "10.00"))
	tr.commit("li.wei", "new")
	r = tr.open()
	if _, err := r.History(context.Background(), "EXP-2026-0002"); err != nil {
		t.Fatal(err)
	}
	idx := loadIndex(path)
	fi2, _ := os.Stat(path)
	if len(idx.nodes) != 7 || idx.rebuilt || fi2.Size() <= fi.Size() {
		t.Errorf("index after one more commit: %d commits, rebuilt %v, size %d → %d", len(idx.nodes), idx.rebuilt, fi.Size(), fi2.Size())
	}
	if len(r.index().fresh) != 0 {
		t.Errorf("unsaved commits left: %d", len(r.index().fresh))
	}

	for _, corrupt := range []func([]byte) []byte{
		func(b []byte) []byte { b[len(b)-3] ^= 0xff; return b },          // a flipped bit
		func(b []byte) []byte { return b[:len(b)-5] },                    // truncated
		func(b []byte) []byte { return append([]byte("garbage"), b...) }, // not an index
	} {
		b, _ := os.ReadFile(path)
		os.WriteFile(path, corrupt(b), 0o644)
		r := tr.open()
		evs, err := r.History(context.Background(), "EXP-2026-0001")
		if err != nil || len(evs) != 4 {
			t.Fatalf("history from a corrupt index: %d events, %v", len(evs), err)
		}
		if !r.index().rebuilt {
			t.Error("a corrupt index was not noticed")
		}
		if idx := loadIndex(path); idx.rebuilt || len(idx.nodes) != 7 {
			t.Errorf("rebuilt index: %d commits, sound %v", len(idx.nodes), !idx.rebuilt)
		}
	}
}

func TestLog(t *testing.T) {
	tr := honest(t)
	evs, err := tr.open().Log(context.Background(), LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Newest first; the registry's creation is seven person records.
	var got []string
	for _, e := range evs {
		got = append(got, e.Record+" "+e.Move())
	}
	head := strings.Join(got[:4], "|")
	if head != "EXP-2026-0001 approved → paid|EXP-2026-0001 submitted → approved|EXP-2026-0001 draft → submitted|EXP-2026-0001 created (draft)" || len(got) != 11 {
		t.Errorf("log: %q", got)
	}
	evs, err = tr.open().Log(context.Background(), LogOptions{Actor: "zhang.min"})
	if err != nil || len(evs) != 1 || evs[0].Move() != "submitted → approved" {
		t.Errorf("log --actor zhang.min: %v %v", evs, err)
	}
	evs, err = tr.open().Log(context.Background(), LogOptions{Kind: "person", Limit: 2})
	if err != nil || len(evs) != 2 || evs[0].Kind != "person" {
		t.Errorf("log --kind person -n 2: %v %v", evs, err)
	}
}

// Records kept in a folder of a larger git repository: paths in the trees
// carry the folder.
func TestRecordsInASubfolder(t *testing.T) {
	tr := newTestRepo(t)
	tr.write("README.md", "the company's repository\n")
	tr.people(defaultPolicy)
	os.MkdirAll(tr.dir+"/dept", 0o755)
	os.Rename(tr.dir+"/.opsbook.yaml", tr.dir+"/dept/.opsbook.yaml")
	os.Rename(tr.dir+"/records", tr.dir+"/dept/records")
	tr.commit("wang.fang", "people")
	tr.write("dept/"+expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "10.00"))
	tr.commit("li.wei", "new")
	tr.edit("dept/"+expensePath("EXP-2026-0001"), "status: draft", "status: approved")
	self := tr.commit("li.wei", "approve")
	r, err := Open(tr.dir + "/dept")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	evs, err := r.History(context.Background(), "EXP-2026-0001")
	if err != nil || len(evs) != 2 || evs[1].Path != "dept/"+expensePath("EXP-2026-0001") {
		t.Fatalf("history: %v %v", evs, err)
	}
	rep, err := r.Verify(context.Background(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantViolations(t, rep, short(self)+" move-illegal EXP-2026-0001")
}

// A verify of a range indexes only the range; history afterwards indexes
// the rest.
func TestHistoryAfterRangeVerify(t *testing.T) {
	tr := honest(t)
	wantViolations(t, tr.verify("main~1..main"))
	evs, err := tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil || len(evs) != 4 {
		t.Fatalf("history after a range verify: %d events, %v", len(evs), err)
	}
}

func TestCommonPrefix(t *testing.T) {
	a := bytes.Repeat([]byte("0123456789abcdef"), 100)
	for _, at := range []int{0, 1, 255, 256, 257, 511, 512, 1599} {
		b := append([]byte{}, a...)
		b[at] ^= 1
		if got := commonPrefix(a, b); got != at {
			t.Errorf("differing at %d: commonPrefix = %d", at, got)
		}
	}
	if got := commonPrefix(a, a[:700]); got != 700 {
		t.Errorf("a prefix of the other: %d", got)
	}
	if got := commonPrefix(nil, a); got != 0 {
		t.Errorf("empty: %d", got)
	}
}

// TestIndexOnSeveralCores: an index built by several workers, each through
// its own packs, holds exactly what one worker builds, merges included;
// and after git gc (deltas the other way round) too.
func TestIndexOnSeveralCores(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	genRepo(t, dir, 240)
	build := func(workers int) map[plumbing.Hash]*node {
		t.Helper()
		savedMin, savedWorkers := parallelIndex, indexWorkers
		defer func() { parallelIndex, indexWorkers = savedMin, savedWorkers }()
		parallelIndex, indexWorkers = 20, func() int { return workers }
		os.RemoveAll(filepath.Join(dir, ".git", "opsbook"))
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := r.ensureIndexed(context.Background(), mustResolve(t, r, "HEAD")); err != nil {
			t.Fatal(err)
		}
		return r.index().nodes
	}
	for _, gc := range []bool{false, true} {
		if gc {
			gitIn(t, dir, nil, "gc", "-q", "--aggressive")
		}
		one, three := build(1), build(3)
		if len(one) < 240 || len(one) != len(three) {
			t.Fatalf("gc=%v: %d commits indexed by one worker, %d by three", gc, len(one), len(three))
		}
		merges := 0
		for h, nd := range one {
			if len(nd.parents) > 1 {
				merges++
			}
			if !reflect.DeepEqual(nd, three[h]) {
				t.Fatalf("gc=%v: commit %s indexed differently:\none:   %+v\nthree: %+v", gc, h, nd, three[h])
			}
		}
		if merges == 0 {
			t.Fatal("no merge commit in the generated history")
		}
	}
}

// TestRawPackAgrees: every object of the packs, read as bytes with our
// own delta code, is what go-git's storage reads, before and after git gc.
func TestRawPackAgrees(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	genRepo(t, dir, 120)
	for _, gc := range []bool{false, true} {
		if gc {
			gitIn(t, dir, nil, "gc", "-q", "--aggressive")
		}
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range r.packs.raws {
			it, err := p.idx.Entries()
			if err != nil {
				t.Fatal(err)
			}
			for {
				e, err := it.Next()
				if err != nil {
					break
				}
				typ, got, ok, err := r.packs.raw(e.Hash)
				if err != nil || !ok {
					t.Fatalf("gc=%v: %s: ok=%v %v", gc, e.Hash, ok, err)
				}
				o, err := r.store.EncodedObject(plumbing.AnyObject, e.Hash)
				if err != nil {
					t.Fatal(err)
				}
				rd, _ := o.Reader()
				var want bytes.Buffer
				want.ReadFrom(rd)
				rd.Close()
				if typ != o.Type() || !bytes.Equal(got, want.Bytes()) {
					t.Fatalf("gc=%v: %s: %v %d bytes, go-git %v %d bytes", gc, e.Hash, typ, len(got), o.Type(), want.Len())
				}
				n++
			}
		}
		r.Close()
		if n < 300 {
			t.Fatalf("gc=%v: only %d objects compared", gc, n)
		}
	}
	// A damaged delta is refused, not trusted.
	if _, err := patchDelta([]byte("abc"), []byte{3, 5, 0x90, 5}); err == nil {
		t.Error("a delta copying past its base was applied")
	}
	if _, err := patchDelta([]byte("abc"), []byte{2, 1, 1, 'x'}); err == nil {
		t.Error("a delta for another base size was applied")
	}
	if got, err := patchDelta([]byte("hello world"), []byte{11, 8, 0x91, 6, 5, 3, '!', '!', '!'}); err != nil || string(got) != "world!!!" {
		t.Errorf("patchDelta = %q, %v", got, err)
	}
}

// TestIndexProgress: building the index tells its progress, ending with
// every commit done; an index already built tells nothing.
func TestIndexProgress(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	genRepo(t, dir, 60)
	for _, want := range []int{60, -1} {
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		last, calls := [2]int{-1, -1}, 0
		r.IndexProgress = func(done, total int) { last, calls = [2]int{done, total}, calls+1 }
		if _, err := r.History(context.Background(), "EXP-2026-0001"); err != nil {
			t.Fatal(err)
		}
		r.Close()
		switch {
		case want > 0 && (last[0] != last[1] || last[1] < want):
			t.Errorf("last progress %v, want all of at least %d commits", last, want)
		case want < 0 && calls > 0:
			t.Errorf("progress told %d times with the index built", calls)
		}
	}
}

// TestRawPackDamaged: a damaged pack gives errors, never a panic or a
// huge allocation.
func TestRawPackDamaged(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	genRepo(t, dir, 40)
	gitIn(t, dir, nil, "gc", "-q", "--aggressive")
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %v", packs)
	}
	orig, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	for at := 12; at < len(orig); at += len(orig)/97 + 1 {
		bad := append([]byte{}, orig...)
		bad[at] ^= 0xff
		os.Chmod(packs[0], 0o644)
		if err := os.WriteFile(packs[0], bad, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(dir)
		if err != nil {
			continue
		}
		for _, p := range r.packs.raws {
			it, _ := p.idx.Entries()
			for {
				e, err := it.Next()
				if err != nil {
					break
				}
				r.packs.raw(e.Hash) // an error or other bytes; never a panic
			}
		}
		r.Close()
	}
}
