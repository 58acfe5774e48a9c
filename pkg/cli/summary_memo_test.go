package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/repo"
)

// summaryAt runs summary in dir as of now.
func summaryAt(dir string, now time.Time, args ...string) string {
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), Width: 160,
		Getenv: testEnv(map[string]string{"OPSBOOK_NOW": now.Format(time.RFC3339Nano)})}
	code := Run(context.Background(), append([]string{"-C", dir, "summary"}, args...), io)
	return fmt.Sprintf("exit %d\n%s\n--- stderr\n%s", code, out.String(), errb.String())
}

// TestSummaryMemoEqualsFull: at random moments (within a stored summary's
// horizon, just before it, at it, past it, on later days and earlier than
// it was made) and after files change behind its back (records,
// attachments, the policy), summary prints exactly what a full pass
// (--no-cache) prints at that moment, and the stored summary is reused.
func TestSummaryMemoEqualsFull(t *testing.T) {
	depts := indexedDepts(t)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	reused, horizons := summariesReused, 0
	for name, dir := range depts {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(name)), 17))
			zone := time.FixedZone("CST", 8*3600)
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, zone)
			for step := 0; step < 40; step++ {
				args := []string{"-o", "json"}
				if step%5 == 4 {
					args = nil // the text page
				}
				before := summariesReused
				got := summaryAt(dir, now, args...)
				want := summaryAt(dir, now, append(args, "--no-cache")...)
				if got != want {
					t.Fatalf("step %d, %s: stored and full summaries differ:\n%s", step, now.Format(time.RFC3339Nano), lineDiff(got, want))
				}
				// (none stored: damaged, or an attachment changed within
				// the racy window)
				m, err := repo.LoadMemo(dir, summaryMemo)
				if err != nil && summariesReused > before {
					t.Fatalf("step %d: reused a memo that cannot be read: %v", step, err)
				}
				if err == nil && summariesReused > before && !m.Holds(m.Fingerprint, now) {
					t.Fatalf("step %d: a memo reused outside its window", step)
				}
				end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
				if err == nil && m.Until != nil && m.Until.Before(end) {
					end = *m.Until
					horizons++
				}
				switch k := rng.IntN(10); {
				case k < 8:
					now = nextMoment(rng, now, end)
				case k == 8 && rng.IntN(4) == 0: // the stored answer damaged
					damageMemo(t, dir, rng)
				case k == 8:
					changeBehind(t, dir, rng, 0)
				case k == 9 && rng.IntN(3) == 0:
					changePolicy(t, dir, rng)
				case k == 9:
					touchAttachment(t, dir, rng)
				}
			}
		})
	}
	if summariesReused-reused < 10 || horizons == 0 {
		t.Errorf("%d summaries reused, %d horizons within the day", summariesReused-reused, horizons)
	}
}

// nextMoment moves now for a test of a stored answer whose window ends at
// end: within the window, to its last instant, to its end, just past it,
// to a later day or to before the answer was made.
func nextMoment(rng *rand.Rand, now, end time.Time) time.Time {
	switch k := rng.IntN(8); {
	case k < 4 && end.After(now): // within the window
		return now.Add(time.Duration(rng.Int64N(int64(end.Sub(now)))))
	case k < 4:
		return now.Add(time.Duration(rng.IntN(7200)) * time.Second)
	case k == 4: // its last instant
		return end.Add(-time.Nanosecond)
	case k == 5 && rng.IntN(2) == 0: // its end
		return end
	case k == 5: // just past it
		return end.Add(time.Duration(1 + rng.Int64N(int64(time.Minute))))
	case k == 6 && rng.IntN(2) == 0: // a later day
		return now.Add(time.Duration(1+rng.IntN(40)) * 24 * time.Hour)
	default: // earlier than it was made
		return now.Add(-time.Duration(1+rng.IntN(3600)) * time.Second)
	}
}

// touchAttachment changes an attachment behind opsbook's back: a byte of
// its content with its size and modification time kept, or the file
// removed.
func touchAttachment(t *testing.T, dir string, rng *rand.Rand) {
	t.Helper()
	var files []string
	filepath.WalkDir(filepath.Join(dir, "attachments"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no attachments")
	}
	p := files[rng.IntN(len(files))]
	if rng.IntN(3) == 0 {
		os.Remove(p)
		return
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	if len(data) > 0 {
		data[0] ^= 1
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, info.ModTime(), info.ModTime())
}

// changePolicy sets the hours between updates to a customer (the
// complaint-update rule) to another value in the policy file, or adds it.
func changePolicy(t *testing.T, dir string, rng *rand.Rand) {
	t.Helper()
	p := filepath.Join(dir, ".opsbook.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("update_interval_hours: %d", 1+rng.IntN(96))
	var out []string
	found := false
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "update_interval_hours:") {
			l, found = line, true
		}
		out = append(out, l)
	}
	if !found {
		out = append(out, line)
	}
	if err := os.WriteFile(p, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// damageMemo cuts the stored summary short, flips a byte of it, or
// changes a figure in it keeping the file's form: it must never be shown.
func damageMemo(t *testing.T, dir string, rng *rand.Rand) {
	t.Helper()
	damageFile(t, filepath.Join(dir, ".git", "opsbook", "memo-"+summaryMemo), rng, `"errors":`, `"errors":1`)
}

// damageFile cuts the file at p short, flips a byte of it, or replaces the
// first from in it with to; nothing when there is no file.
func damageFile(t *testing.T, p string, rng *rand.Rand, from, to string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil || len(data) < 10 {
		return
	}
	switch rng.IntN(3) {
	case 0:
		data = data[:rng.IntN(len(data))]
	case 1:
		data[rng.IntN(len(data))] ^= 0x20
	default:
		data = bytes.Replace(data, []byte(from), []byte(to), 1)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A record changed after the stored summary's fingerprint was taken and
// before the full pass read the department: the summary made is of the
// changed files, and is not kept under the fingerprint of before. Once
// the change is undone, summary is what a full pass prints, not the
// answer of the changed department.
func TestSummaryMemoChangeBeforeThePass(t *testing.T) {
	dir := indexedDepts(t)["copies"]
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	claim := filepath.Join(dir, "records/expenses/2025/EXP-2025-0001.yaml")
	data, err := os.ReadFile(claim)
	if err != nil {
		t.Fatal(err)
	}
	summaryAt(dir, now, "-o", "json") // the index and a memo
	// a change the memo has not seen, so the next summary makes one
	noted := append(append([]byte(nil), data...), "# noted\n"...)
	if err := os.WriteFile(claim, noted, 0o644); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(noted), "status: paid", "status: rejected", 1)
	if changed == string(noted) {
		t.Fatal("the claim is not paid: the test changes nothing")
	}
	beforePass = func() {
		if err := os.WriteFile(claim, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer func() { beforePass = func() {} }()
	during := summaryAt(dir, now, "-o", "json")
	beforePass = func() {}
	if want := summaryAt(dir, now, "-o", "json", "--no-cache"); during != want {
		t.Fatalf("the summary made over the changed claim is not the full pass's:\n%s", lineDiff(during, want))
	}
	if err := os.WriteFile(claim, noted, 0o644); err != nil {
		t.Fatal(err)
	}
	got := summaryAt(dir, now, "-o", "json")
	if want := summaryAt(dir, now, "-o", "json", "--no-cache"); got != want {
		t.Fatalf("after the change was undone, summary gave the changed department's answer:\n%s", lineDiff(got, want))
	}
}

// The inbox judges moves on the index the memo was looked for with only
// when it holds the files the pass read: not after a record changed in
// between.
func TestInboxIndexOfRead(t *testing.T) {
	dir := indexedDepts(t)["copies"]
	ctx := context.Background()
	found := func() memoFound {
		t.Helper()
		d, err := repo.OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		fp, ok := d.Fingerprint()
		if !ok {
			t.Fatal("no fingerprint")
		}
		return memoFound{fp: fp, root: d.Root, d: d}
	}
	load := func() *repo.Repo {
		t.Helper()
		r, err := repo.Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	f := found()
	if x := indexOfRead(f, load()); x == nil || x != f.d.Index {
		t.Fatal("the index of the files read was not taken")
	}
	if x := indexOfRead(memoFound{fp: f.fp}, load()); x != nil {
		t.Error("an index taken where the memo was found on the monitor's word (none refreshed)")
	}
	claim := filepath.Join(dir, "records/expenses/2025/EXP-2025-0001.yaml")
	data, err := os.ReadFile(claim)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(claim, append(data, "# changed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if x := indexOfRead(f, load()); x != nil {
		t.Error("the index of before a change was taken for the records read after it")
	}
}

// With record files that are no records in the department, show answers
// from the record's neighbourhood as the full read does, its warning of
// those files included.
func TestShowWithUnreadableFiles(t *testing.T) {
	dir := indexedDepts(t)["sample"]
	for rel, data := range map[string]string{
		"records/projects/2025/PRJ-2025-0001.yaml":   "kind: project\nid: [PRJ-2025-0001\n",
		"records/complaints/2026/CMP-2026-0003.yaml": "\x00\x01\xff",
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"EXP-2025-0001", "PLN-2025-0001", "CMP-2026-0004", "li.wei"} {
		for _, args := range [][]string{{"show", id}, {"show", id, "-o", "json"}} {
			got := runAt(dir, false, args...)
			want := runAt(dir, false, append(args, "--no-cache")...)
			if got != want {
				t.Errorf("%v: the neighbourhood's answer differs from the full read's:\n%s", args, lineDiff(got, want))
			}
			if !strings.Contains(got, "PRJ-2025-0001.yaml") {
				t.Errorf("%v: no warning of the file that is no record:\n%s", args, got)
			}
		}
	}
}

// A department with a file that is no record keeps its summary and its
// inboxes too: given again, with the same warning of that file, and the
// same as a full pass; mending the file makes a new answer.
func TestMemoWithUnreadableFiles(t *testing.T) {
	dir := indexedDepts(t)["copies"]
	broken := filepath.Join(dir, "records/projects/2025/PRJ-2025-0001.yaml")
	if err := os.WriteFile(broken, []byte("kind: project\nid: [PRJ-2025-0001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	first := summaryAt(dir, now)
	if !strings.Contains(first, "PRJ-2025-0001.yaml") {
		t.Fatalf("no warning of the broken file:\n%s", first)
	}
	before := summariesReused
	again := summaryAt(dir, now)
	if summariesReused != before+1 {
		t.Fatalf("the summary was not kept with a file that is no record in the department")
	}
	if want := summaryAt(dir, now, "--no-cache"); again != want || first != want {
		t.Fatalf("kept summary and full pass differ:\n%s", lineDiff(again, want))
	}
	// mended: a new answer, without the warning
	if err := os.WriteFile(broken, []byte("kind: project\nid: PRJ-2025-0001\ntitle: mended\nstatus: proposed\nowner: wang.fang\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mended := summaryAt(dir, now)
	if strings.Contains(mended, "PRJ-2025-0001.yaml") || mended != summaryAt(dir, now, "--no-cache") {
		t.Fatalf("after the file was mended:\n%s", mended)
	}
}

// A file in the records folder that is no record (notes.txt: a warning
// of the full pass, no index entry) is in no answer kept without it: made
// after the summary was kept, or removed after it was kept with it, the
// summary and the inbox are the full pass's; and an answer made with it
// there is kept (the fingerprint names it).
func TestMemoWithStrayFile(t *testing.T) {
	dir := indexedDepts(t)["sample"]
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	strayFileRounds(t, dir)
}

// strayFileRounds makes and removes a file that is no record in dir's
// records folder, twice, and compares summary and inbox with full passes.
func strayFileRounds(t *testing.T, dir string) {
	t.Helper()
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	stray := filepath.Join(dir, "records/expenses/2026/notes.txt")
	for _, args := range [][]string{{"summary", "-o", "json"}, {"inbox", "--as", "wang.fang", "-o", "json"}} {
		run := func(extra ...string) string {
			var out, errb bytes.Buffer
			io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), Width: 160,
				Getenv: testEnv(map[string]string{"OPSBOOK_NOW": now.Format(time.RFC3339Nano)})}
			code := Run(context.Background(), append(append([]string{"-C", dir}, args...), extra...), io)
			return fmt.Sprintf("exit %d\n%s\n--- stderr\n%s", code, out.String(), errb.String())
		}
		for step, write := range []bool{true, false, true, false} {
			run() // kept
			if write {
				if err := os.WriteFile(stray, []byte("a note\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Remove(stray); err != nil {
				t.Fatal(err)
			}
			if got, want := run(), run("--no-cache"); got != want {
				t.Fatalf("%v, step %d (stray file there: %v): kept answer and full pass differ:\n%s", args, step, write, lineDiff(got, want))
			}
			// and the answer made with it there is kept, with its warning
			before := summariesReused
			if again, want := run(), run("--no-cache"); again != want {
				t.Fatalf("%v, step %d (stray file there: %v): kept answer and full pass differ:\n%s", args, step, write, lineDiff(again, want))
			}
			if args[0] == "summary" && summariesReused != before+1 {
				t.Fatalf("step %d (stray file there: %v): the summary was not kept", step, write)
			}
		}
	}
}

// TestMemoAmountsPastTheCent: claims of 123.456 (a format error, counted
// in the budget all the same), one approved and one paid: the page's used
// column adds the two as made (246.912, 246.91), where a kept answer's
// amounts are written to the cent (123.46 + 123.46): such an answer is
// not kept, and the page is the full pass's.
func TestMemoAmountsPastTheCent(t *testing.T) {
	dir := indexedDepts(t)["sample"]
	for _, c := range []struct{ id, status string }{{"EXP-2026-0001", "approved"}, {"EXP-2026-0005", "paid"}} {
		p := filepath.Join(dir, "records/expenses/2026", c.id+".yaml")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := regexp.MustCompile(`(?m)^amount: .*$`).ReplaceAllString(string(b), "amount: 123.456")
		text = regexp.MustCompile(`(?m)^status: .*$`).ReplaceAllString(text, "status: "+c.status)
		text = regexp.MustCompile(`(?m)^category: .*$`).ReplaceAllString(text, "category: travel")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	summaryAt(dir, now, "-o", "json")
	if got, want := summaryAt(dir, now), summaryAt(dir, now, "--no-cache"); got != want {
		t.Fatalf("kept and full summaries differ:\n%s", lineDiff(got, want))
	}
}
