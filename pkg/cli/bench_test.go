package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
)

// The benchmarks of one record's commands run on copies of the shipped
// sample (OPSBOOK_BENCH_N records, default 2,000, in a git repository);
// OPSBOOK_BENCH_DIR names an existing department instead (e.g. 100,000
// records from `opsbook-gen -from . -n 100000 -commits 2000`). Writes are
// left in the work tree (--no-commit) and undone after each run.

func benchDept(b *testing.B) string {
	b.Helper()
	if d := os.Getenv("OPSBOOK_BENCH_DIR"); d != "" {
		return d
	}
	n := 2000
	if s := os.Getenv("OPSBOOK_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := filepath.Join(b.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: n, Commits: 2}); err != nil {
		b.Fatal(err)
	}
	// a file changed within the last seconds cannot vouch for its content
	// by its stat data, and no answer that looked at it is kept
	// (repo.Memo): the department is used as one a while old
	time.Sleep(2100 * time.Millisecond)
	return dir
}

func benchRun(b *testing.B, dir string, args ...string) {
	b.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	args = append(args, "-C", dir, "--now", "2026-11-21T10:00:00+08:00")
	if code := Run(context.Background(), args, io); code != ExitOK && code != ExitFindings {
		b.Fatalf("opsbook %v: exit %d: %s", args, code, errb.String())
	}
}

// draftOf finds a draft claim of who.
func draftOf(b *testing.B, dir, who string) (id, path string) {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "records", "expenses", "*", "*.yaml"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		s := string(data)
		if strings.Contains(s, "\nstatus: draft\n") && strings.Contains(s, "\nclaimant: "+who+"\n") {
			return strings.TrimSuffix(filepath.Base(f), ".yaml"), f
		}
	}
	b.Skip("no draft claim of " + who)
	return "", ""
}

func BenchmarkShow(b *testing.B) {
	dir := benchDept(b)
	benchRun(b, dir, "show", "EXP-2026-0016")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "show", "EXP-2026-0016")
	}
}

// BenchmarkSummary gives the stored summary (the first run stores it).
func BenchmarkSummary(b *testing.B) {
	dir := benchDept(b)
	benchRun(b, dir, "summary")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "summary")
	}
}

func BenchmarkNew(b *testing.B) {
	dir := benchDept(b)
	b.Setenv("GIT_AUTHOR_EMAIL", "li.wei@example.com")
	b.Setenv("GIT_AUTHOR_NAME", "Li Wei")
	before, _ := filepath.Glob(filepath.Join(dir, "records", "expenses", "2026", "*.yaml"))
	had := map[string]bool{}
	for _, f := range before {
		had[f] = true
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "new", "expense", "--no-commit", "--set", "title=taxi", "--set", "category=travel", "--set", "amount=86.00")
		b.StopTimer()
		after, _ := filepath.Glob(filepath.Join(dir, "records", "expenses", "2026", "*.yaml"))
		for _, f := range after {
			if !had[f] {
				os.Remove(f)
			}
		}
		b.StartTimer()
	}
}

// benchWrite runs a write on a draft claim of zhao.lei (the sample's
// EXP-2026-0028, under the receipt threshold, so it may be submitted) and
// puts the file back.
func benchWrite(b *testing.B, args func(id string) []string) {
	dir := benchDept(b)
	b.Setenv("GIT_AUTHOR_EMAIL", "zhao.lei@example.com")
	b.Setenv("GIT_AUTHOR_NAME", "Zhao Lei")
	id, path := draftOf(b, dir, "zhao.lei")
	orig, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, args(id)...)
		b.StopTimer()
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkSet(b *testing.B) {
	benchWrite(b, func(id string) []string { return []string{"set", id, "note=bench", "--no-commit"} })
}

func BenchmarkMove(b *testing.B) {
	benchWrite(b, func(id string) []string { return []string{"submit", id, "--no-commit"} })
}

// BenchmarkList lists on indexed fields: from the index, the titles
// included.
func BenchmarkList(b *testing.B) {
	dir := benchDept(b)
	benchRun(b, dir, "list", "expense", "--where", "amount > 1000")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "list", "expense", "--where", "amount > 1000")
	}
}

// BenchmarkListDerived lists on a derived field: the kind's records are
// read through the cache.
func BenchmarkListDerived(b *testing.B) {
	dir := benchDept(b)
	benchRun(b, dir, "list", "expense", "--where", "receipt_status = missing")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "list", "expense", "--where", "receipt_status = missing")
	}
}

// BenchmarkSummaryFull is summary's full pass (--no-cache): what the
// first summary after any change costs, beside BenchmarkSummary's stored
// answer.
func BenchmarkSummaryFull(b *testing.B) {
	dir := benchDept(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "summary", "--no-cache")
	}
}

// BenchmarkSummaryAfterAClaim is the summary after a claim changed: each
// run changes the claim (a comment line of its own) and makes the summary
// again from the last full pass's base (recount), as the first summary
// after a claim is filed, approved or paid.
func BenchmarkSummaryAfterAClaim(b *testing.B) {
	benchSummaryAfter(b, "records/expenses/2026/EXP-2026-0016.yaml")
}

// BenchmarkSummaryAfterAComplaint is the summary after a complaint
// changed (recounted: the complaints part made again from the
// complaints, the findings of its customer's complaints of its category
// made again).
func BenchmarkSummaryAfterAComplaint(b *testing.B) {
	benchSummaryAfter(b, "records/complaints/2026/CMP-2026-0014.yaml")
}

// BenchmarkSummaryAfterAPlan is the summary after a plan changed (the
// plans, work and projects parts made again, the plans of its year
// judged again).
func BenchmarkSummaryAfterAPlan(b *testing.B) {
	benchSummaryAfter(b, "records/plans/2026/PLN-2026-0003.yaml")
}

// benchSummaryAfter: each run changes the record at rel (a comment line of
// its own) and makes the summary again, which must be a recount.
func benchSummaryAfter(b *testing.B, rel string) {
	benchAfter(b, rel, &recountsMade, "summary")
}

// BenchmarkSummaryAfterAClaimSubmitted is the summary after a draft claim
// was submitted and taken back, by turns: its state changed, which its
// budget line, its split-claim group and its project read (where a
// comment line reaches only the records reading it in full).
func BenchmarkSummaryAfterAClaimSubmitted(b *testing.B) {
	benchAfterEdit(b, "records/expenses/2026/EXP-2026-0027.yaml", submitted, &recountsMade, "summary")
}

// BenchmarkInboxAfterAClaimSubmitted is the director's inbox after a
// draft claim was submitted and taken back, by turns.
func BenchmarkInboxAfterAClaimSubmitted(b *testing.B) {
	b.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	b.Setenv("GIT_COMMITTER_EMAIL", "wang.fang@example.com")
	benchAfterEdit(b, "records/expenses/2026/EXP-2026-0027.yaml", submitted, &inboxesAgain, "inbox")
}

// submitted is a draft claim submitted on even runs, as it was on odd
// ones.
func submitted(b *testing.B, was []byte, i int) []byte {
	if i%2 == 1 {
		return was
	}
	now := bytes.Replace(was, []byte("\nstatus: draft\n"), []byte("\nstatus: submitted\n"), 1)
	if bytes.Equal(now, was) {
		b.Fatal("no draft claim")
	}
	return now
}

// commentLine is the record with a comment line of run i's own.
func commentLine(_ *testing.B, was []byte, i int) []byte {
	return append(append([]byte(nil), was...), "# run "+strconv.Itoa(i)+"\n"...)
}

// benchAfter: each run changes the record at rel (a comment line of its
// own) and runs args, which must count one in *made each time.
func benchAfter(b *testing.B, rel string, made *int, args ...string) {
	benchAfterEdit(b, rel, commentLine, made, args...)
}

// benchAfterEdit is benchAfter changing the record by edit.
func benchAfterEdit(b *testing.B, rel string, edit func(b *testing.B, was []byte, i int) []byte, made *int, args ...string) {
	dir := benchDept(b)
	p := filepath.Join(dir, filepath.FromSlash(rel))
	was, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(p, was, 0o644)
	benchRun(b, dir, args...)
	before := *made
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := os.WriteFile(p, edit(b, was, i), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		benchRun(b, dir, args...)
	}
	b.StopTimer()
	if *made-before != b.N {
		b.Errorf("%d of %d answers made from the change", *made-before, b.N)
	}
}

// BenchmarkInboxAfterAClaim is the director's inbox after a claim
// changed: made again from the last one (inboxAgain) for the claim, its
// project, and the claims of its budget line waiting on the director.
func BenchmarkInboxAfterAClaim(b *testing.B) {
	b.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	b.Setenv("GIT_COMMITTER_EMAIL", "wang.fang@example.com")
	benchAfter(b, "records/expenses/2026/EXP-2026-0020.yaml", &inboxesAgain, "inbox")
}

// BenchmarkInboxAfterAComplaint is a specialist's inbox after a
// complaint changed, made again from the last one.
func BenchmarkInboxAfterAComplaint(b *testing.B) {
	b.Setenv("GIT_AUTHOR_EMAIL", "li.wei@example.com")
	b.Setenv("GIT_COMMITTER_EMAIL", "li.wei@example.com")
	benchAfter(b, "records/complaints/2026/CMP-2026-0014.yaml", &inboxesAgain, "inbox")
}

// BenchmarkInbox is the director's inbox given again while nothing it
// depends on changed (the first run keeps it).
func BenchmarkInbox(b *testing.B) {
	dir := benchDept(b)
	b.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	b.Setenv("GIT_COMMITTER_EMAIL", "wang.fang@example.com")
	benchRun(b, dir, "inbox")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "inbox")
	}
}

// BenchmarkInboxFull is the director's inbox made from the whole
// department (--no-cache): every move waiting on them tried against the
// rules, what the first inbox after a person, a budget or the policy
// changed costs (or a change that judges a tenth of the department again).
func BenchmarkInboxFull(b *testing.B) {
	dir := benchDept(b)
	b.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	b.Setenv("GIT_COMMITTER_EMAIL", "wang.fang@example.com")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, "inbox", "--no-cache")
	}
}
