package change

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// sampleDept copies the shipped sample up to n files (0: as it is), with
// a .git folder for the index.
func sampleDept(t testing.TB, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: n}); err != nil {
		t.Fatal(err)
	}
	gitInit(t, dir)
	return dir
}

// unreadableDept is the sample with record files that are no records (a
// project many claims name, broken YAML; binary bytes; an empty claim; a
// list): out of the set near and whole alike.
func unreadableDept(t *testing.T) string {
	t.Helper()
	dir := sampleDept(t, 0)
	for rel, data := range map[string]string{
		"records/projects/2026/PRJ-2026-0001.yaml":   "kind: project\nid: [PRJ-2026-0001\n",
		"records/complaints/2026/CMP-2026-0003.yaml": "\x00\x01\xff",
		"records/expenses/2026/EXP-2026-0002.yaml":   "",
		"records/tasks/2026/notes.yaml":              "- a list\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// generatedDept is a generated department of n records with a .git folder.
func generatedDept(t *testing.T, n int, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Records: n, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	gitInit(t, dir)
	return dir
}

// gitInit makes dir a git repository with its files committed.
func gitInit(t testing.TB, dir string) {
	t.Helper()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "import"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=W", "GIT_AUTHOR_EMAIL=w@example.com", "GIT_COMMITTER_NAME=W", "GIT_COMMITTER_EMAIL=w@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// judge is a session as Open makes it, without git or the lock: whole
// (every record loaded) or near (through the index).
func judge(t *testing.T, dir string, near bool, actor *record.Record, at time.Time) *Session {
	t.Helper()
	ctx := context.Background()
	g, err := gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Now: at, ctx: ctx, Git: g}
	if near {
		r, n, err := openNear(ctx, dir)
		if err != nil || r == nil {
			t.Fatalf("the index cannot stand in for %s: %v", dir, err)
		}
		s.Repo, s.near = r, n
	} else {
		r, err := repo.LoadWith(ctx, dir, repo.Options{NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		s.Repo = r
	}
	s.Person = s.Repo.Set.Get(actor.ID)
	s.Actor = workflow.ActorOf(s.Person)
	s.env = workflow.Env{Policy: s.Repo.Policy, People: workflow.NewPeople(s.Repo.Set.OfKind(record.Person)), Now: at, Records: s.Repo.Set}
	if near {
		s.env.Records = lazyRecords{s}
	}
	return s
}

// verdict is what a check said, in full: the refusal, its rule and every
// diagnostic.
func verdict(err error) string {
	if err == nil {
		return "accepted"
	}
	var b strings.Builder
	b.WriteString(err.Error())
	var ref *Refused
	if errors.As(err, &ref) {
		fmt.Fprintf(&b, "\nrule %s invalid %v", ref.Rule, ref.Invalid)
		for _, d := range ref.Diagnostics {
			fmt.Fprintf(&b, "\n%s:%d:%d %s %s %s %s", d.Path, d.Line, d.Column, d.Severity, d.Rule, d.Record, d.Message)
		}
	}
	var wr *workflow.Refusal
	if errors.As(err, &wr) {
		fmt.Fprintf(&b, "\nworkflow %s", wr.Rule)
	}
	return b.String()
}

// change is a change made of files: each path's new content (nil: removed).
type fileChange struct {
	what  string
	paths []string
	data  [][]byte
}

// edits are the change's edits in session s: each Before is s's own.
func (c fileChange) edits(s *Session) []Edit {
	var out []Edit
	for i, p := range c.paths {
		var before *record.Record
		if s.near != nil {
			if e := s.near.x.At(p); e != nil {
				before = s.getEntry(e)
			}
		} else {
			for _, r := range s.Repo.Set.Records {
				if r.Path == p {
					before = r
				}
			}
		}
		out = append(out, Edit{Path: p, Before: before, Data: c.data[i]})
	}
	return out
}

// changer makes random changes to a department: moves to any state,
// clear and text fields set, references pointed elsewhere or nowhere,
// amounts that overspend, claims split over one day, new records copied
// from others, and batches of these.
type changer struct {
	t     *testing.T
	rnd   *rand.Rand
	whole *repo.Repo
	dir   string
	recs  []*record.Record
	ids   map[record.Kind][]string
}

func newChanger(t *testing.T, dir string, whole *repo.Repo, seed int64) *changer {
	c := &changer{t: t, rnd: rand.New(rand.NewSource(seed)), whole: whole, dir: dir, ids: map[record.Kind][]string{}}
	for _, r := range whole.Set.Records {
		c.recs = append(c.recs, r)
		c.ids[r.Kind] = append(c.ids[r.Kind], r.ID)
	}
	return c
}

func (c *changer) pick(l []string) string { return l[c.rnd.Intn(len(l))] }

// someID is an id of kind k: one that exists, or now and then one that
// does not (a near miss of one that does, or an id of another kind).
func (c *changer) someID(k record.Kind) string {
	ids := c.ids[k]
	switch n := c.rnd.Intn(10); {
	case n == 0 || len(ids) == 0:
		return record.FormatID(k, 2026, 9000+c.rnd.Intn(9))
	case n == 1:
		id := c.pick(ids)
		return id[:len(id)-1] + string(rune('0'+c.rnd.Intn(10)))
	case n == 2:
		return c.pick(c.ids[record.Kind(c.pick([]string{"project", "complaint", "expense", "person"}))])
	}
	return c.pick(ids)
}

func (c *changer) edit(rec *record.Record, src []byte, sets map[string]string) []byte {
	ed, err := record.NewEditor(src)
	if err != nil {
		c.t.Fatal(err)
	}
	keys := make([]string, 0, len(sets))
	for k := range sets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := sets[k]
		if v == "\x00unset" {
			_ = ed.Unset(k)
			continue
		}
		n, err := record.ScalarNode(v)
		if err != nil {
			continue
		}
		_ = ed.Set(k, n, false)
	}
	out, err := ed.Bytes()
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// one is a random change of one record (or a new one).
func (c *changer) one(used map[string]bool) (string, string, []byte) {
	for {
		rec := c.recs[c.rnd.Intn(len(c.recs))]
		if used[rec.Path] {
			continue
		}
		src, err := record.ReadFile(c.dir, rec.Path)
		if err != nil {
			c.t.Fatal(err)
		}
		sets := map[string]string{}
		what := ""
		switch c.rnd.Intn(10) {
		case 0, 1: // a move
			t := workflow.ForPolicy(rec.Kind, c.whole.Policy)
			if t == nil {
				continue
			}
			sets["status"] = c.pick(t.States)
			what = "status=" + sets["status"]
		case 2: // a claim's money
			if rec.Kind != record.Expense {
				continue
			}
			sets["amount"] = c.pick([]string{"1.00", "480.00", "5200.00", "49000.00", "999999.00", rec.Str("amount")})
			if c.rnd.Intn(2) == 0 {
				sets["status"] = c.pick([]string{"approved", "paid", "submitted"})
			}
			if c.rnd.Intn(3) == 0 {
				sets["receipt"] = "\x00unset"
			}
			if c.rnd.Intn(3) == 0 {
				sets["items"] = "\x00unset"
			}
			what = "money"
		case 3: // a claim moved to another's day, category or project
			if rec.Kind != record.Expense {
				continue
			}
			other := c.whole.Set.Get(c.pick(c.ids[record.Expense]))
			sets["date"] = other.Str("date")
			sets["claimant"] = c.pick([]string{other.Str("claimant"), rec.Str("claimant")})
			sets["category"] = c.pick(append([]string{"nonsense"}, c.whole.Policy.ExpenseCategories...))
			if c.rnd.Intn(2) == 0 {
				sets["project"] = c.someID(record.Project)
			}
			what = "claim group"
		case 4, 5: // a reference pointed elsewhere
			var refs []rules.Ref
			for _, ref := range rules.Refs {
				if ref.Kind == rec.Kind && !strings.Contains(ref.Path, "*") {
					refs = append(refs, ref)
				}
			}
			if len(refs) == 0 {
				continue
			}
			ref := refs[c.rnd.Intn(len(refs))]
			k := ref.Target
			if k == rules.Any {
				k = record.Project
			}
			sets[ref.Path] = c.someID(k)
			what = "ref " + ref.Path
		case 6: // text
			sets["title"] = fmt.Sprintf("changed %d", c.rnd.Intn(1000))
			what = "text"
		case 7: // a date or time moved
			for _, f := range []string{"date", "received_at", "due"} {
				if rec.Has(f) {
					if f == "received_at" {
						sets[f] = c.pick([]string{"2026-01-01T09:00:00+08:00", "2027-05-01T09:00:00+08:00"})
					} else {
						sets[f] = c.pick([]string{"2025-02-03", "2026-06-30", "2027-01-05"})
					}
				}
			}
			if len(sets) == 0 {
				continue
			}
			what = "dates"
		case 9: // a plan's state, project, revision or budget needs
			if rec.Kind != record.Plan {
				continue
			}
			if c.rnd.Intn(2) == 0 {
				sets["status"] = c.pick([]string{"approved", "active", "completed", "draft"})
			}
			if c.rnd.Intn(2) == 0 {
				sets["project"] = c.pick([]string{"PRJ-2026-0001", "PRJ-2026-0003", c.someID(record.Project)})
			}
			if c.rnd.Intn(3) == 0 {
				sets["supersedes"] = c.someID(record.Plan)
			}
			if c.rnd.Intn(2) == 0 {
				sets["resources.budget.0.category"] = c.pick([]string{"marketing", "office", "personnel"})
				sets["resources.budget.0.amount"] = c.pick([]string{"1.00", "150000.00", "900000.00"})
			}
			what = "plan"
		case 8: // a new record copied from this one
			if record.Info(rec.Kind).YearOnly || rec.Kind == record.Person {
				continue
			}
			year := record.IDYear(rec.ID)
			var y int
			fmt.Sscan(year, &y)
			var taken []string
			for _, id := range c.ids[rec.Kind] {
				taken = append(taken, id)
			}
			id := NextID(c.dir, c.whole.Policy.Records, taken, rec.Kind, y)
			if c.rnd.Intn(4) == 0 {
				// an id within two edits of a missing one someone names
				id = record.FormatID(rec.Kind, y, 9000+c.rnd.Intn(9))
			}
			p := RecordPath(c.whole.Policy.Records, rec.Kind, id)
			if used[p] || c.whole.Set.Get(id) != nil {
				continue
			}
			sets["id"] = id
			if rec.Kind == record.Expense && c.rnd.Intn(2) == 0 {
				sets["amount"] = "30000.00"
			}
			used[p] = true
			return "new " + id, p, c.edit(rec, src, sets)
		}
		used[rec.Path] = true
		return rec.ID + " " + what, rec.Path, c.edit(rec, src, sets)
	}
}

// next is a change of one to four records.
func (c *changer) next() fileChange {
	n := 1
	if c.rnd.Intn(3) == 0 {
		n = 2 + c.rnd.Intn(3)
	}
	used := map[string]bool{}
	var fc fileChange
	var whats []string
	for i := 0; i < n; i++ {
		what, p, data := c.one(used)
		whats = append(whats, what)
		fc.paths = append(fc.paths, p)
		fc.data = append(fc.data, data)
	}
	fc.what = strings.Join(whats, "; ")
	return fc
}

// director is the department's active director: the actor of the checks
// (who may make most moves, so that the rules are reached).
func director(t testing.TB, r *repo.Repo) *record.Record {
	for _, p := range r.Set.OfKind(record.Person) {
		if p.Str("role") == "director" && p.Str("active") != "false" {
			return p
		}
	}
	t.Fatal("no director")
	return nil
}

// TestNearEqualsWhole: a change judged on its neighbourhood gets the
// verdict the whole department gives it, with the same refusal and the
// same diagnostics, for random changes (moves to any state, amounts that
// overspend, claims split over a day, references pointed at missing
// records or records of another kind, dates moved, plans' states,
// projects, revisions and budget needs, new records, batches)
// on the sample, on copies of it and on a generated department.
func TestNearEqualsWhole(t *testing.T) {
	depts := []struct {
		name string
		dir  string
		n    int
	}{
		{"sample", sampleDept(t, 0), 250},
		{"copies", sampleDept(t, 400), 250},
		{"generated", generatedDept(t, 400, 5), 250},
		{"unreadable", unreadableDept(t), 150},
	}
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	codes := map[string]int{}
	defer func() { t.Logf("rules refusing near-judged changes: %v", codes) }()
	for i, d := range depts {
		t.Run(d.name, func(t *testing.T) {
			whole, err := repo.LoadWith(context.Background(), d.dir, repo.Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			actor := director(t, whole)
			w := judge(t, d.dir, false, actor, at)
			c := newChanger(t, d.dir, whole, int64(i+1))
			nearN, refused, renumbers := 0, 0, 0
			for k := 0; k < d.n; k++ {
				fc := c.next()
				msg := Message{Kind: record.Expense, ID: "X", Action: "test", Mechanical: c.rnd.Intn(4) != 0}
				all := c.rnd.Intn(3) == 0
				if all {
					msg.Many = []Line{{ID: "X"}}
				}
				n := judge(t, d.dir, true, actor, at)
				wEdits, nEdits := fc.edits(w), fc.edits(n)
				if c.rnd.Intn(12) == 0 {
					// a renumber: every record naming the id rewritten
					rec := c.recs[c.rnd.Intn(len(c.recs))]
					if rec.Kind == record.Person || record.Info(rec.Kind).YearOnly {
						continue
					}
					var y int
					fmt.Sscan(record.IDYear(rec.ID), &y)
					newID := NextID(d.dir, whole.Policy.Records, c.ids[rec.Kind], rec.Kind, y)
					fc.what = "renumber " + rec.ID + " " + newID
					we, werr := RenumberEdits(w, rec.ID, newID)
					ne, nerr := RenumberEdits(n, rec.ID, newID)
					if fmt.Sprint(werr) != fmt.Sprint(nerr) || len(we) != len(ne) {
						t.Fatalf("%s: whole %d edits %v, near %d edits %v", fc.what, len(we), werr, len(ne), nerr)
					}
					for i := range we {
						if we[i].Path != ne[i].Path || string(we[i].Data) != string(ne[i].Data) {
							t.Fatalf("%s: edit %d differs: %s / %s", fc.what, i, we[i].Path, ne[i].Path)
						}
					}
					wEdits, nEdits = we, ne
					msg.Mechanical = true
					renumbers++
				}
				want := verdict(w.check(wEdits, msg, all))
				got := verdict(n.check(nEdits, msg, all))
				if n.near != nil {
					nearN++
					var ref *Refused
					if err := n.check(nEdits, msg, all); errors.As(err, &ref) {
						for _, d := range ref.Diagnostics {
							codes[d.Rule]++
						}
					}
				}
				if want != "accepted" {
					refused++
				}
				if got != want {
					t.Errorf("%s (judged near: %v):\nwhole: %s\nnear:  %s", fc.what, n.near != nil, want, got)
				}
			}
			t.Logf("%d changes (%d renumbers), %d judged near, %d refused", d.n, renumbers, nearN, refused)
			if nearN < d.n/3 {
				t.Errorf("only %d of %d changes were judged near", nearN, d.n)
			}
		})
	}
}

// TestEachRuleBothWays: for each rule a write can be refused by, a change
// it refuses and a like change it lets through, each judged near and
// whole on the sample with the same verdict. (TestNearEqualsWhole meets
// many more at random.)
func TestEachRuleBothWays(t *testing.T) {
	dir := sampleDept(t, 0)
	at := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	type edit struct {
		id   string
		sets map[string]string
	}
	cases := []struct {
		rule      string
		actor     string
		refused   []edit
		accepted  []edit
		wholeOnly bool // a change the neighbourhood cannot stand in for
		workflow  bool // the workflow asked too (else only the rules)
	}{
		// an approval that takes the 2026 travel line over its budget
		// (80,000.00: 2735.40, 1860.00, … are spent)
		{"budget-overspend", "wang.fang",
			[]edit{{"EXP-2026-0029", map[string]string{"status": "approved", "amount": "79000.00", "items": "\x00unset"}}},
			[]edit{{"EXP-2026-0029", map[string]string{"status": "approved"}}}, false, false},
		// the error lands on another claim: the latest of the line, which
		// crosses it once an earlier one is dearer
		{"budget-overspend", "wang.fang",
			[]edit{{"EXP-2026-0001", map[string]string{"amount": "79000.00"}}},
			[]edit{{"EXP-2026-0001", map[string]string{"title": "flights"}}}, false, false},
		// a manager approving over their limit (5,000.00), and under it
		{"approval-limit", "zhang.min",
			[]edit{{"EXP-2026-0023", map[string]string{"status": "approved"}}},
			[]edit{{"EXP-2026-0025", map[string]string{"status": "approved"}}}, false, true},
		{"items-sum", "wang.fang",
			[]edit{{"EXP-2026-0001", map[string]string{"amount": "1861.00"}}},
			[]edit{{"EXP-2026-0001", map[string]string{"title": "taxi"}}}, false, false},
		{"receipt-required", "li.wei",
			[]edit{{"EXP-2026-0027", map[string]string{"status": "submitted", "amount": "2100.00", "receipt": "\x00unset", "items": "\x00unset"}}},
			[]edit{{"EXP-2026-0027", map[string]string{"status": "submitted", "amount": "480.00", "receipt": "\x00unset", "items": "\x00unset"}}}, false, false},
		{"ref-missing", "wang.fang",
			[]edit{{"EXP-2026-0030", map[string]string{"project": "PRJ-2026-0099"}}},
			[]edit{{"EXP-2026-0030", map[string]string{"project": "PRJ-2026-0001"}}}, false, false},
		{"ref-missing", "wang.fang", // a customer that is not there
			[]edit{{"CMP-2026-0001", map[string]string{"customer": "CUS-0099"}}},
			[]edit{{"CMP-2026-0001", map[string]string{"customer": "CUS-0002"}}}, false, false},
		{"ref-role", "wang.fang",
			[]edit{{"PRJ-2026-0010", map[string]string{"owner": "li.wei"}}},
			[]edit{{"PRJ-2026-0010", map[string]string{"owner": "zhang.min"}}}, false, false},
		{"complaint-time", "wang.fang",
			[]edit{{"CMP-2026-0001", map[string]string{"received_at": "2027-01-01T09:00:00+08:00"}}},
			[]edit{{"CMP-2026-0001", map[string]string{"title": "again"}}}, false, false},
		{"training-expense", "wang.fang", // the claim a training names, moved out of training
			[]edit{{"EXP-2026-0003", map[string]string{"category": "travel"}}},
			[]edit{{"EXP-2026-0003", map[string]string{"title": "course fee"}}}, false, false},
		{"task-assignee", "wang.fang", // a task given to its own assigner
			[]edit{{"TSK-2026-0002", map[string]string{"assignee": "wang.fang"}}},
			[]edit{{"TSK-2026-0002", map[string]string{"assignee": "zhang.min"}}}, false, false},
		{"expense-date", "wang.fang", // a claim dated ahead
			[]edit{{"EXP-2026-0030", map[string]string{"date": "2026-12-05"}}},
			[]edit{{"EXP-2026-0030", map[string]string{"date": "2026-11-26"}}}, false, false},
		{"date-order", "wang.fang", // a funded project planned to end before it starts
			[]edit{{"PRJ-2026-0003", map[string]string{"planned.end": "2026-07-31"}}},
			[]edit{{"PRJ-2026-0003", map[string]string{"planned.end": "2027-01-31"}}}, false, false},
		{"report-to", "wang.fang", // liu.yang reports to wang.fang, not zhang.min
			[]edit{{"RPT-2026-0002", map[string]string{"to": "zhang.min"}}},
			[]edit{{"RPT-2026-0002", map[string]string{"to": "wang.fang", "title": "report"}}}, false, false},
		{"appraisal-project", "wang.fang", // zhang.min is on neither PRJ-2026-0001's team nor its owner
			[]edit{{"APR-2026-0007", map[string]string{"project": "PRJ-2026-0001"}}},
			[]edit{{"APR-2026-0007", map[string]string{"project": "PRJ-2026-0003"}}}, false, false},
		{"appraisal-self", "wang.fang",
			[]edit{{"APR-2025-0002", map[string]string{"appraiser": "zhao.lei"}}},
			[]edit{{"APR-2025-0002", map[string]string{"appraiser": "zhang.min", "title": "appraisal"}}}, false, false},
		{"state-needs", "wang.fang", // a closed complaint without its satisfaction
			[]edit{{"CMP-2026-0002", map[string]string{"satisfaction": "\x00unset"}}},
			[]edit{{"CMP-2026-0002", map[string]string{"title": "closed"}}}, false, false},
		{"training-course", "wang.fang", // a course its plan does not have
			[]edit{{"TRN-2026-0001", map[string]string{"course": "NONE-9"}}},
			[]edit{{"TRN-2026-0001", map[string]string{"title": "conference"}}}, false, false},
		{"plan-active", "wang.fang",
			[]edit{{"PLN-2026-0002", map[string]string{"status": "active"}}},
			[]edit{{"PLN-2026-0002", map[string]string{"title": "plan"}}}, false, false},
		// a plan moved to a project whose marketing line (120,000.00)
		// PLN-2026-0001's needs use up: the error lands on both
		{"plan-budget", "wang.fang",
			[]edit{{"PLN-2026-0009", map[string]string{"project": "PRJ-2026-0001", "resources.budget.0.category": "marketing"}}},
			[]edit{{"PLN-2026-0009", map[string]string{"project": "PRJ-2026-0001"}}}, false, false},
		// the same plan superseding the active plan whose needs use up
		// the line: that plan counts no more
		{"plan-budget", "wang.fang",
			[]edit{{"PLN-2026-0009", map[string]string{"project": "PRJ-2026-0001", "resources.budget.0.category": "marketing", "resources.budget.0.amount": "500.00"}}},
			[]edit{{"PLN-2026-0009", map[string]string{"project": "PRJ-2026-0001", "resources.budget.0.category": "marketing", "resources.budget.0.amount": "500.00", "supersedes": "PLN-2026-0001"}}}, false, false},
		// a project executes only with an active plan (or a completed or
		// superseded one): a plan of its moved back to draft, judged with
		// the project's other plans read as skeletons (their states)
		{"state-needs", "wang.fang",
			[]edit{{"PLN-2026-0001", map[string]string{"status": "draft"}}},
			[]edit{{"PLN-2026-0004", map[string]string{"status": "draft"}}}, false, false},
		// an active member of a closed project without its appraisal (as
		// one who had left when it closed and came back): owed one unless
		// the closing move named them in closure.left
		{"state-needs", "wang.fang",
			[]edit{{"PRJ-2025-0001", map[string]string{"team.2": "zhou.jie"}}},
			[]edit{{"PRJ-2025-0001", map[string]string{"team.2": "zhou.jie", "closure.left.0": "zhou.jie"}}}, false, false},
		{"people-director", "wang.fang",
			[]edit{{"chen.hao", map[string]string{"role": "director"}}},
			[]edit{{"chen.hao", map[string]string{"name": "Chen Hao"}}}, true, false},
		{"budget-year", "wang.fang",
			[]edit{{"BUD-2026", map[string]string{"year": "2025"}}},
			[]edit{{"BUD-2026", map[string]string{"title": "budget"}}}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			whole, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			actor := whole.Set.Get(tc.actor)
			for _, way := range []struct {
				edits  []edit
				refuse bool
			}{{tc.refused, true}, {tc.accepted, false}} {
				var fc fileChange
				for _, e := range way.edits {
					rec := whole.Set.Get(e.id)
					if rec == nil {
						t.Fatalf("no %s in the sample", e.id)
					}
					src, err := record.ReadFile(dir, rec.Path)
					if err != nil {
						t.Fatal(err)
					}
					c := &changer{t: t}
					fc.paths = append(fc.paths, rec.Path)
					fc.data = append(fc.data, c.edit(rec, src, e.sets))
				}
				msg := Message{Action: "test", Many: make([]Line, len(way.edits)), Mechanical: !tc.workflow}
				w := judge(t, dir, false, actor, at)
				n := judge(t, dir, true, actor, at)
				want := verdict(w.check(fc.edits(w), msg, true))
				got := verdict(n.check(fc.edits(n), msg, true))
				if got != want {
					t.Errorf("near and whole differ:\nwhole: %s\nnear:  %s", want, got)
				}
				if judgedNear := n.near != nil; judgedNear == tc.wholeOnly {
					t.Errorf("judged near: %v, want %v", judgedNear, !tc.wholeOnly)
				}
				names := strings.Contains(want, " "+tc.rule+" ") || strings.Contains(want, "["+tc.rule+"]")
				if way.refuse && !names {
					t.Errorf("not refused by %s:\n%s", tc.rule, want)
				}
				if !way.refuse && want != "accepted" {
					t.Errorf("refused:\n%s", want)
				}
			}
		})
	}
}

// TestNearFileChangedBehindIt: a record file changed after the session read
// the index (by a tool that ignores the lock) is not judged on what the
// index said of it: the change is judged on the whole department.
func TestNearFileChangedBehindIt(t *testing.T) {
	dir := sampleDept(t, 0)
	at := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	whole, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	n := judge(t, dir, true, whole.Set.Get("wang.fang"), at)
	// the training naming EXP-2026-0003 now names nothing
	tr := whole.Set.OfKind(record.Training)
	var named *record.Record
	for _, r := range tr {
		if r.Str("expense") == "EXP-2026-0003" {
			named = r
		}
	}
	if named == nil {
		t.Fatal("no training names EXP-2026-0003 in the sample")
	}
	p := filepath.Join(dir, filepath.FromSlash(named.Path))
	data, _ := os.ReadFile(p)
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), "EXP-2026-0003", "EXP-2026-0001", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := whole.Set.Get("EXP-2026-0003")
	src, _ := record.ReadFile(dir, rec.Path)
	c := &changer{t: t}
	fc := fileChange{paths: []string{rec.Path}, data: [][]byte{c.edit(rec, src, map[string]string{"category": "travel"})}}
	msg := Message{Action: "test", Mechanical: true}
	got := verdict(n.check(fc.edits(n), msg, false))
	if n.near != nil {
		t.Errorf("judged near on a stale index")
	}
	w := judge(t, dir, false, whole.Set.Get("wang.fang"), at)
	if want := verdict(w.check(fc.edits(w), msg, false)); got != want {
		t.Errorf("near %s\nwhole %s", got, want)
	}
}

// TestOpenNearOrWhole: a session reads the index unless told not to
// (--no-cache), or unless the index cannot stand in for the files (a
// record filed under another name). A file that is no record is left
// out, near as whole.
func TestOpenNearOrWhole(t *testing.T) {
	dir := repoWith(t, dept)
	t.Setenv("GIT_AUTHOR_EMAIL", "wang@example.com")
	t.Setenv("HOME", dir)
	for _, tc := range []struct {
		name     string
		noIndex  bool
		broken   bool
		misfiled bool
		near     bool
	}{{"index", false, false, false, true}, {"--no-cache", true, false, false, false}, {"a broken file", false, true, false, true}, {"a misfiled record", false, true, true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.broken {
				os.WriteFile(filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-0009.yaml"), []byte("kind: [\n"), 0o644)
			}
			if tc.misfiled {
				os.WriteFile(filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-0011.yaml"), []byte(strings.ReplaceAll(dept["records/expenses/2026/EXP-2026-0007.yaml"], "0007", "0012")), 0o644)
			}
			s, err := OpenWith(context.Background(), dir, Options{Now: now, NoIndex: tc.noIndex})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Near() != tc.near {
				t.Fatalf("near = %v, want %v", s.Near(), tc.near)
			}
			// near, only the people and the budgets are read up front
			if loaded := s.Repo.Set.Get("EXP-2026-0007") != nil; loaded == tc.near {
				t.Errorf("the claim read up front: %v", loaded)
			}
			rec, err := s.Find("EXP-2026-0007")
			if err != nil || rec.Str("amount") != "90.00" {
				t.Fatalf("Find: %v %v", rec, err)
			}
		})
	}
}

// TestNearPlans: changes of plans whose errors land on plans the change
// does not touch, judged near with the verdict the whole department
// gives: a plan of another year made active for a project with an active
// plan (plan-active lands on that one), a plan superseding one of another
// year (whose year's budget sums change their message), a plan leaving
// the counted ones, a plan of a line one plan of which a revision of
// another year supersedes. The department: the sample with two more plans
// counting against PRJ-2026-0001's marketing line, which PLN-2026-0001's
// needs use up (so the line is over, and its message names all three),
// and a fourth superseded by a revision of next year's.
func TestNearPlans(t *testing.T) {
	dir := sampleDept(t, 0)
	for _, id := range []string{"PLN-2026-0003", "PLN-2026-0009"} {
		rel := "records/plans/2026/" + id + ".yaml"
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := record.Parse(rel, src)
		c := &changer{t: t}
		data := c.edit(rec, src, map[string]string{"status": "approved", "project": "PRJ-2026-0001",
			"resources.budget.0.category": "marketing", "resources.budget.0.amount": "500.00"})
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// a revision of next year's superseding PLN-2026-0005 (reviewed, made
	// approved with the line's category and project): it counts no more
	for rel, sets := range map[string]map[string]string{
		"records/plans/2026/PLN-2026-0005.yaml": {"status": "approved", "project": "PRJ-2026-0001", "resources.budget.0.amount": "700.00"},
		"records/plans/2026/PLN-2026-0007.yaml": {"status": "completed", "project": "PRJ-2026-0003"},
		"records/plans/2027/PLN-2027-0001.yaml": {"id": "PLN-2027-0001", "status": "approved", "supersedes": "PLN-2026-0005"},
	} {
		from := rel
		if strings.Contains(rel, "2027") {
			from = "records/plans/2026/PLN-2026-0004.yaml"
		}
		src, err := os.ReadFile(filepath.Join(dir, from))
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := record.Parse(from, src)
		c := &changer{t: t}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), c.edit(rec, src, sets), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	whole, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	actor := director(t, whole)
	for _, tc := range []struct {
		id      string
		sets    map[string]string
		refused string // the rule refusing it, or "" for accepted
	}{
		{"PLN-2025-0001", map[string]string{"supersedes": "PLN-2026-0003"}, "plan-budget"},
		{"PLN-2025-0001", map[string]string{"status": "active", "project": "PRJ-2026-0001"}, "plan-active"},
		{"PLN-2025-0001", map[string]string{"title": "plan"}, ""},
		{"PLN-2026-0003", map[string]string{"status": "draft"}, "plan-budget"},
		{"PLN-2026-0003", map[string]string{"title": "plan"}, ""},
		// an executing project keeps its active plan: judged with its
		// plans read as skeletons
		{"PLN-2026-0007", map[string]string{"status": "draft"}, ""},
		// the line's sum changes (PLN-2026-0005 not among it)
		{"PLN-2026-0009", map[string]string{"resources.budget.0.amount": "400.00"}, "plan-budget"},
	} {
		rec := whole.Set.Get(tc.id)
		src, err := record.ReadFile(dir, rec.Path)
		if err != nil {
			t.Fatal(err)
		}
		c := &changer{t: t}
		fc := fileChange{what: tc.id, paths: []string{rec.Path}, data: [][]byte{c.edit(rec, src, tc.sets)}}
		msg := Message{Action: "test", Many: []Line{{ID: tc.id}}, Mechanical: true}
		w, n := judge(t, dir, false, actor, at), judge(t, dir, true, actor, at)
		want := verdict(w.check(fc.edits(w), msg, true))
		got := verdict(n.check(fc.edits(n), msg, true))
		if got != want {
			t.Errorf("%s %v: near and whole differ:\nwhole: %s\nnear:  %s", tc.id, tc.sets, want, got)
		}
		if n.near == nil {
			t.Errorf("%s %v: judged whole", tc.id, tc.sets)
		}
		if tc.refused == "" && want != "accepted" || tc.refused != "" && !strings.Contains(want, " "+tc.refused+" ") {
			t.Errorf("%s %v: want refused by %q, got\n%s", tc.id, tc.sets, tc.refused, want)
		}
	}
}

// TestNearBudgetedProject: a change of a project a budget's line and
// claims name (PRJ-2026-0001 and PRJ-2026-0003 in the sample's BUD-2026)
// is judged near when the project stays where it was, under its id,
// since a budget or a claim reads of its project only that it is there;
// a change that takes the id away from them (the file removed) is judged
// on the whole department, where their ref-missing refuses it. Each
// verdict, accepted or refused and with which findings, is the whole
// department's.
func TestNearBudgetedProject(t *testing.T) {
	dir := sampleDept(t, 0)
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	whole, err := repo.LoadWith(context.Background(), dir, repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	budget := string(mustRead(t, filepath.Join(dir, "records/budgets/BUD-2026.yaml")))
	for _, id := range []string{"PRJ-2026-0001", "PRJ-2026-0003"} {
		if !strings.Contains(budget, "project: "+id) {
			t.Fatalf("the sample's budget no longer names %s", id)
		}
	}
	const p1, p3 = "records/projects/2026/PRJ-2026-0001.yaml", "records/projects/2026/PRJ-2026-0003.yaml"
	edit := func(path, old, new string) []byte {
		data := string(mustRead(t, filepath.Join(dir, path)))
		if !strings.Contains(data, old) {
			t.Fatalf("%s does not hold %q", path, old)
		}
		return []byte(strings.Replace(data, old, new, 1))
	}
	for _, tc := range []struct {
		name    string
		path    string
		data    []byte
		near    bool
		refused string // the rule; "" when accepted, "*" any
	}{
		{"held", p3, edit(p3, "status: executing", "status: on_hold\nhold:\n  from: executing\n  reason: 等待預算"), true, ""},
		{"cancelled", p3, edit(p3, "status: executing", "status: cancelled"), true, ""},
		{"retitled", p3, edit(p3, "title: 華東區秋季新品推廣", "title: 華東區冬季新品推廣"), true, ""},
		{"owned by a specialist", p3, edit(p3, "owner: zhang.min", "owner: li.wei"), true, "ref-role"},
		{"closed", p1, edit(p1, "status: closing", "status: closed"), true, "*"},
		{"replanned", p1, edit(p1, "  end: 2026-10-31\nactual", "  end: 2026-12-31\nactual"), true, ""},
		{"a stranger in the team", p1, edit(p1, "team: [zhou.jie, sun.li]", "team: [zhou.jie, nobody.here]"), true, "ref-missing"},
		{"removed", p3, nil, false, "ref-missing"},
		{"removed, claims naming it", p1, nil, false, "ref-missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := fileChange{what: tc.name, paths: []string{tc.path}, data: [][]byte{tc.data}}
			msg := Message{Kind: record.Project, ID: "X", Action: "test", Mechanical: true}
			w := judge(t, dir, false, director(t, whole), at)
			n := judge(t, dir, true, director(t, whole), at)
			nearErr := n.checkAs(fc.edits(n), msg, false, judging{nearOnly: true})
			if judgedNear := !errors.Is(nearErr, errWhole); judgedNear != tc.near {
				t.Fatalf("judged near: %v, want %v (%v)", judgedNear, tc.near, nearErr)
			}
			err := w.check(fc.edits(w), msg, false)
			want := verdict(err)
			n = judge(t, dir, true, director(t, whole), at)
			if got := verdict(n.check(fc.edits(n), msg, false)); got != want {
				t.Fatalf("whole: %s\nnear:  %s", want, got)
			}
			var ref *Refused
			switch {
			case tc.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.refused == "*" && err == nil:
				t.Fatal("accepted")
			case tc.refused != "" && tc.refused != "*" && (!errors.As(err, &ref) || ref.Rule != tc.refused):
				t.Fatalf("want refused by %s, got %v", tc.refused, err)
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
