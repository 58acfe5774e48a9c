package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/cli"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// TestValidates: a generated department passes `opsbook validate` (exit 0)
// and has no errors at all, for a few sizes and seeds.
func TestValidates(t *testing.T) {
	for _, tc := range []struct {
		n    int
		seed uint64
	}{{MinRecords, 1}, {400, 2}, {2500, 3}} {
		dir := t.TempDir()
		st, err := Generate(context.Background(), dir, Options{Records: tc.n, Seed: tc.seed})
		if err != nil {
			t.Fatal(err)
		}
		if st.Records != tc.n {
			t.Errorf("n=%d: wrote %d records", tc.n, st.Records)
		}
		for _, k := range Generated {
			if st.Kinds[k] == 0 {
				t.Errorf("n=%d: no %s", tc.n, k)
			}
		}
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), []string{"--lang", "en", "validate", "-C", dir, "--now", DefaultUntil.Format("2006-01-02T15:04:05Z07:00")},
			&cli.Streams{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
		if code != 0 {
			t.Errorf("n=%d seed=%d: validate exit %d\n%s%s", tc.n, tc.seed, code, firstLines(out.String(), 30), errOut.String())
		}
		r, err := repo.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		ds := r.Validate(DefaultUntil)
		if e, _ := diag.Count(ds); e > 0 {
			t.Errorf("n=%d: %d errors", tc.n, e)
		}
		if len(r.Set.Records) != tc.n {
			t.Errorf("n=%d: loaded %d records", tc.n, len(r.Set.Records))
		}
	}
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n") + "\n"
}

// TestDeterministic: the same seed writes the same bytes; another seed
// does not.
func TestDeterministic(t *testing.T) {
	sum := func(seed uint64) [32]byte {
		dir := t.TempDir()
		if _, err := Generate(context.Background(), dir, Options{Records: 300, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			data, err := os.ReadFile(p)
			h.Write([]byte(rel + "\x00"))
			h.Write(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var s [32]byte
		copy(s[:], h.Sum(nil))
		return s
	}
	if a, b := sum(7), sum(7); a != b {
		t.Error("seed 7 gave two different departments")
	}
	if a, b := sum(7), sum(8); a == b {
		t.Error("seeds 7 and 8 gave the same department")
	}
}

// TestHistoryMoves replays the history in memory, each commit judged by the
// workflow rules as verify will judge it: every creation and move is made by
// someone allowed to.
func TestHistoryMoves(t *testing.T) {
	g, err := newGen(Options{Records: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.build(); err != nil {
		t.Fatal(err)
	}
	var people []*record.Record
	emails := map[string]string{}
	for _, r := range g.persons {
		rec, ds := record.Parse(r.path(), r.doc.render(0, ""))
		if rec == nil || len(ds) > 0 {
			t.Fatalf("person %s: %v", r.id, ds)
		}
		rec.Kind = record.Person
		people = append(people, rec)
	}
	for _, p := range g.people {
		for _, e := range p.emails {
			emails[e] = p.handle
		}
	}
	reg := workflow.NewPeople(people)
	env := workflow.Env{People: reg}
	steps := g.plan(1500)
	if len(steps) != 1499 {
		t.Errorf("plan has %d steps, want 1499", len(steps))
	}
	parse := func(r *rec, stage int) *record.Record {
		rec, ds := record.Parse(r.path(), r.doc.render(stage, r.states[stage]))
		if rec == nil || len(ds) > 0 {
			t.Fatalf("%s stage %d: %v", r.id, stage, ds)
		}
		return rec
	}
	moves := map[string]int{}
	for _, s := range steps {
		e := s.r.events[s.stage]
		handle := emails[e.actor.emails[0]]
		a, ok := reg[handle]
		if !ok {
			t.Fatalf("%s: author %s is not registered", s.r.id, e.actor.emails[0])
		}
		ch := workflow.Change{After: parse(s.r, s.stage)}
		if s.stage > 0 {
			ch.Before = parse(s.r, s.stage-1)
		}
		if rs := workflow.CheckChanges(a, []workflow.Change{ch}, env); len(rs) > 0 {
			t.Errorf("%s %s by %s: %v", s.r.id, e.verb, a, rs[0])
		}
		moves[string(s.r.kind)+" "+e.verb]++
	}
	for _, want := range []string{"expense create", "expense submit", "expense approve", "expense pay", "complaint create", "complaint ack", "complaint resolve", "complaint close"} {
		if moves[want] == 0 {
			t.Errorf("no %q in the history (%v)", want, moves)
		}
	}
}

// TestGitHistory makes the repository: the commit count asked for, a clean
// work tree, and authors that are registered people.
func TestGitHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	ledger := filepath.Join(t.TempDir(), "x.ledger")
	st, err := Generate(context.Background(), dir, Options{Records: 500, Seed: 3, Commits: 120, Ledger: ledger})
	if err != nil {
		t.Fatal(err)
	}
	if st.Commits != 120 {
		t.Errorf("stats say %d commits", st.Commits)
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	if n := strings.Count(git("log", "--format=%H"), "\n"); n != 120 {
		t.Errorf("git log has %d commits, want 120", n)
	}
	if s := git("status", "--porcelain"); s != "" {
		t.Errorf("work tree not clean:\n%s", firstLines(s, 10))
	}
	authors := git("log", "--format=%ae")
	for _, a := range strings.Fields(authors) {
		if !strings.HasSuffix(a, "@example.com") {
			t.Errorf("author %s", a)
		}
	}
	j, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(j, []byte("~ yearly from")) || bytes.Count(j, []byte("EXP-")) < st.Kinds[record.Expense] {
		t.Errorf("ledger journal lacks the budget or the expenses")
	}
	if ledgerBin, err := exec.LookPath("ledger"); err == nil {
		out, err := exec.Command(ledgerBin, "-f", ledger, "bal", "--budget").CombinedOutput()
		if err != nil {
			t.Errorf("ledger bal --budget: %v\n%s", err, out)
		}
	}
}

// TestReplicate copies the shipped sample up to 400 files: every copy is
// in its place under its new id, the original references still resolve,
// the journal holds the budgets and exactly the counted expenses, and the
// history of comment edits verifies clean.
func TestReplicate(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	ledger := filepath.Join(t.TempDir(), "copy.ledger")
	st, err := Replicate(context.Background(), dir, ReplicateOptions{From: filepath.Join("..", ".."), Records: 400, Commits: 30, Ledger: ledger})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 400 || st.Commits != 30 || st.Attachments == 0 {
		t.Fatalf("stats %+v", st)
	}
	r, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Set.Records) != 400 {
		t.Fatalf("%d records loaded", len(r.Set.Records))
	}
	counted := 0
	for _, d := range r.Validate(DefaultUntil) {
		switch d.Rule {
		case "file-location", "id-duplicate", "ref-missing", "yaml-syntax", "schema", "unknown-field":
			t.Errorf("copy broken: %s", d)
		}
	}
	for _, e := range r.Set.OfKind(record.Expense) {
		if st := e.Status(); st == "approved" || st == "paid" {
			counted++
		}
	}
	j, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Count(j, []byte("\n    Assets:Bank\n")); got != counted || !bytes.Contains(j, []byte("~ yearly from 2026/01/01 to 2027/01/01")) {
		t.Errorf("journal: %d expense transactions for %d counted claims, or no 2026 budget", got, counted)
	}
	if ledgerBin, err := exec.LookPath("ledger"); err == nil {
		if out, err := exec.Command(ledgerBin, "-f", ledger, "bal", "--budget").CombinedOutput(); err != nil {
			t.Errorf("ledger bal --budget: %v\n%s", err, out)
		}
	}
	var out, errOut bytes.Buffer
	base, _ := exec.Command("git", "-C", dir, "rev-list", "--max-parents=0", "HEAD").Output()
	code := cli.Run(context.Background(), []string{"--lang", "en", "-C", dir, "verify", strings.TrimSpace(string(base)) + "..HEAD"},
		&cli.Streams{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
	if code != 0 || !strings.Contains(out.String()+errOut.String(), "verified 29 commits") || !strings.Contains(out.String()+errOut.String(), "no violations") {
		t.Errorf("verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if _, err := Replicate(context.Background(), dir, ReplicateOptions{From: filepath.Join("..", ".."), Records: 10}); err == nil {
		t.Error("replicated into a folder that is not empty")
	}
}
