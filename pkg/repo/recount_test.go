package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/internal/randedit"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/report"
	"github.com/opsbook/opsbook/pkg/rules"
)

// TestRecountEqualsFull: validate's counts by file made again from a base
// after claims changed (Recount) are those of a full pass over the
// department as it is, and so is the budget report made from the index,
// round after round of changes piling up since the base: amounts across
// approval limits and budgets, states, claimants and days that make and
// break split claims, receipts shared and no longer, categories, projects,
// claims made, copied and removed. A change of another kind of record is
// refused.
func TestRecountEqualsFull(t *testing.T) {
	defer func(was bool) { byPath = was }(byPath)
	byPath = true
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	splits := splitClaims(t)
	for i, dept := range []struct {
		name string
		dir  string
		// first are changes made in the first round
		first map[string][2]string
	}{
		{"copies", sampleCopy(t, 400), nil},
		// claims leaving their groups: a claimant's day (0908 and 0909
		// over a limit together), a shared receipt (0906's item and
		// 0907): the claims left behind lose their warnings
		{"splits", splits, map[string][2]string{
			"records/expenses/2026/EXP-2026-0908.yaml": {"date: 2026-10-09", "date: 2026-12-01"},
			"records/expenses/2026/EXP-2026-0907.yaml": {"receipt: attachments/EXP-2026-0906/q2.txt", "# no receipt"},
		}},
		{"generated", department(t, 300), nil},
		// a claim joining the day of the claim holding a ciphertext
		// (EXP-2026-0003, zhao.lei's, 2026-02-26): its group is read
		{"encrypting policy", encryptingDept(t), map[string][2]string{
			"records/expenses/2026/EXP-2026-0014.yaml": {"date: 2026-08-06", "date: 2026-02-26"},
		}},
	} {
		t.Run(dept.name, func(t *testing.T) { recountRounds(t, dept.dir, now, uint64(i+1), dept.first) })
	}
}

func recountRounds(t *testing.T, dir string, now time.Time, seed uint64, first map[string][2]string) {
	ctx := context.Background()
	full := func() (FileCounts, *report.Budget) {
		t.Helper()
		r, err := LoadWith(ctx, dir, Options{NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := r.CountFiles(now, nil)
		return c, report.BudgetReport(r.Set, r.Policy, now.Year())
	}
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	fp, ok := d.Fingerprint()
	if !ok {
		t.Fatal("no fingerprint")
	}
	base, baseBudget := full()
	basePath := filepath.Join(t.TempDir(), "base")
	if err := SaveBase(basePath, d, fp, base); err != nil {
		t.Fatal(err)
	}
	// claims whose entries stand for them, and records of every kind but
	// people and budgets (a change of those is judged whole: tried at the
	// end)
	var claims, customers []string
	for _, k := range []record.Kind{record.Customer, record.Violation, record.Analysis} {
		for _, e := range d.Index.Kind(k) {
			if !e.Odd {
				customers = append(customers, e.Path)
			}
		}
	}
	for _, e := range d.Index.Kind(record.Expense) {
		if !e.Odd && !e.Sealed {
			claims = append(claims, e.Path)
		}
	}
	// (an entry that does not stand for its record: judged whole)
	all, err := randedit.Records(dir)
	if err != nil {
		t.Fatal(err)
	}
	others := slices.DeleteFunc(all, func(rel string) bool {
		es := d.Index.Get(strings.TrimSuffix(path.Base(rel), ".yaml"))
		return len(es) != 1 || es[0].Odd || es[0].Kind == record.Expense && es[0].Sealed
	})
	rng := rand.New(rand.NewPCG(seed, 7))
	recounted, moved := 0, 0
	const rounds = 60
	for round := range rounds {
		var did []string
		if round == 0 && first != nil {
			replaceLines(t, dir, first)
			did = append(did, "leaving their groups")
		} else {
			n := 1 + rng.IntN(3)
			alone := rng.IntN(4) == 0 // no claim: records of other kinds alone
			if alone || len(customers) > 0 && rng.IntN(8) == 0 {
				n = 0 // customers alone
			}
			for range n {
				did = append(did, changeClaim(t, rng, dir, &claims))
			}
			if len(customers) > 0 && (n == 0 || rng.IntN(3) == 0) {
				did = append(did, changeCustomer(t, rng, dir, customers))
			}
			for range rng.IntN(4) + map[bool]int{true: 1}[alone] {
				what, err := randedit.Any(rng, dir, &others)
				if err != nil {
					t.Fatal(err)
				}
				did = append(did, what)
			}
			gone := func(rel string) bool {
				_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
				return err != nil
			}
			claims, customers, others = slices.DeleteFunc(claims, gone), slices.DeleteFunc(customers, gone), slices.DeleteFunc(others, gone)
		}
		d, err := OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := d.Fingerprint(); !ok {
			t.Fatal("no fingerprint")
		}
		rc, why := Recount(d, basePath, fp, now, now.Year(), &rules.Horizon{})
		want, budget := full()
		if rc == nil {
			t.Logf("round %d (%s): not recounted: %s", round, strings.Join(did, "; "), why)
			continue
		}
		recounted++
		if !equalCounts(rc.paths, want) {
			t.Errorf("round %d (%s): recounted %s\nfull %s", round, strings.Join(did, "; "), countsText(rc.paths), countsText(want))
		}
		if e, w := want.Totals(); rc.Errors != e || rc.Warnings != w {
			t.Errorf("round %d: recounted %d errors, %d warnings; full %d, %d", round, rc.Errors, rc.Warnings, e, w)
		}
		e1 := rc.Errors
		e2, _ := base.Totals()
		if e1 != e2 {
			moved++
		}
		// no claim and no project changed: the base's report stands
		got, _ := json.Marshal(baseBudget)
		if rc.Budget != nil {
			got, _ = json.Marshal(report.BudgetReport(rc.Budget, d.Policy, now.Year()))
		}
		exp, _ := json.Marshal(budget)
		if string(got) != string(exp) {
			t.Errorf("round %d (%s): budget from the index\n%s\nfrom the records\n%s", round, strings.Join(did, "; "), got, exp)
		}
	}
	if recounted < rounds*3/4 || moved == 0 {
		t.Errorf("%d of %d rounds recounted, %d moved the errors: the test tests too little", recounted, rounds, moved)
	}
	// a person, a budget, the policy: the whole department
	refused := func(rel, want string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, "# changed\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(p, b, 0o644)
		d, err := OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		d.Fingerprint()
		if rc, why := Recount(d, basePath, fp, now, now.Year(), &rules.Horizon{}); rc != nil || !strings.Contains(why, want) {
			t.Errorf("%s changed, and the records were recounted (%q)", rel, why)
		}
	}
	refused(d.Index.Kind(record.Person)[0].Path, "a person, a budget")
	refused(d.Index.Kind(record.Budget)[0].Path, "a person, a budget")
	refused(".opsbook.yaml", "policy")
	// a base of another department
	if rc, why := Recount(d, basePath, "0000", now, now.Year(), &rules.Horizon{}); rc != nil || !strings.Contains(why, "not the memo's") {
		t.Errorf("another base taken: %q", why)
	}
}

// encryptingDept is the sample copied up to 400 records under a policy
// that asks to encrypt claim fields (a policy error: a claim's fields are
// what the workflow, the sums and the budget read, so its claims stay in
// clear), with one claim holding a ciphertext pushed past opsbook (a
// complaint's contact as its title: ciphertext-unexpected).
func encryptingDept(t *testing.T) string {
	t.Helper()
	dir := sampleCopy(t, 400)
	pol := filepath.Join(dir, ".opsbook.yaml")
	b, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "encrypt:\n", "encrypt:\n  expense:\n    fields: [title, items.0.description]\n    readers: [director, claimant]\n", 1)
	if text == string(b) {
		t.Fatal("no encrypt section in the sample's policy")
	}
	if err := os.WriteFile(pol, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmp, err := os.ReadFile(filepath.Join(dir, "records/complaints/2026/CMP-2026-0018.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ct := regexp.MustCompile(`(?s)contact: \|\n(  -----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----\n)`).FindSubmatch(cmp)
	if ct == nil {
		t.Fatal("no ciphertext in CMP-2026-0018")
	}
	p := filepath.Join(dir, "records/expenses/2026/EXP-2026-0003.yaml")
	c, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	c = regexp.MustCompile(`(?m)^title: .*\n`).ReplaceAll(c, []byte("title: |\n"+string(ct[1])))
	if err := os.WriteFile(p, c, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, d := range r.Validate(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)) {
		if d.Rule == "policy" && strings.Contains(d.Message, `"expense"`) || d.Rule == "ciphertext-unexpected" && d.Record == "EXP-2026-0003" {
			found = append(found, d.Rule)
		}
	}
	if slices.Sort(found); strings.Join(found, " ") != "ciphertext-unexpected policy" {
		t.Fatalf("the department is not the one meant: %v", found)
	}
	return dir
}

func equalCounts(a, b FileCounts) bool {
	if a.Overspend != b.Overspend || len(a.Paths) != len(b.Paths) {
		return false
	}
	for p, n := range a.Paths {
		if b.Paths[p] != n {
			return false
		}
	}
	return true
}

func countsText(c FileCounts) string {
	var ps []string
	for p, n := range c.Paths {
		ps = append(ps, fmt.Sprintf("%s=%v", filepath.Base(p), n))
	}
	slices.Sort(ps)
	return fmt.Sprintf("overspend %d, %s", c.Overspend, strings.Join(ps, " "))
}

// claimEdits are the fields changeClaim sets and the values it picks
// from (amounts and states twice as often): across approval limits and
// budgets, claimants and days that make and break split claims, shared
// receipts, a missing project and category.
var claimEdits = []struct {
	field  string
	values []string
}{
	{"amount", []string{"50.00", "999.00", "1999.00", "4999.00", "9999.99", "20000.00", "300000.00"}},
	{"amount", []string{"50.00", "999.00", "1999.00", "4999.00", "9999.99", "20000.00", "300000.00"}},
	{"status", []string{"draft", "submitted", "approved", "paid", "rejected", "returned"}},
	{"status", []string{"draft", "submitted", "approved", "paid", "rejected", "returned"}},
	{"claimant", []string{"li.wei", "zhang.min", "zhao.lei", "chen.hao", "nobody.here"}},
	{"date", []string{"2026-09-14", "2026-10-01", "2026-11-20", "2025-12-31"}},
	{"category", []string{"marketing", "travel", "office", "training", "bogus"}},
	{"project", []string{"PRJ-2026-0001", "PRJ-2026-0003", "PRJ-2099-0001"}},
	{"receipt", []string{"attachments/EXP-2026-0016/invoice-1.txt", "attachments/EXP-2026-0001/receipt.txt", "attachments/nowhere.txt"}},
}

// changeClaim changes one claim of claims (paths) at random, or makes or
// removes one, and says what it did.
func changeClaim(t *testing.T, rng *rand.Rand, dir string, claims *[]string) string {
	t.Helper()
	rel, p, text := pickRecord(t, rng, dir, *claims)
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	set := func(field, value string) { text = setTop(text, field, value) }
	var what string
	switch n := rng.IntN(11); {
	case n < len(claimEdits):
		e := claimEdits[n]
		v := pick(e.values...)
		set(e.field, v)
		what = e.field + " " + v
	case n == 9:
		// a copy under a new id, in the same folder
		id := fmt.Sprintf("EXP-%s-9%03d", filepath.Base(filepath.Dir(rel)), rng.IntN(1000))
		nrel := filepath.ToSlash(filepath.Join(filepath.Dir(rel), id+".yaml"))
		if slices.Contains(*claims, nrel) {
			return "nothing"
		}
		text = regexp.MustCompile(`(?m)^id: .*$`).ReplaceAllString(text, "id: "+id)
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(nrel)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		*claims = append(*claims, nrel)
		return "copied " + rel + " to " + id
	default:
		if len(*claims) < 10 {
			return "nothing"
		}
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		i := slices.Index(*claims, rel)
		*claims = slices.Delete(*claims, i, i+1)
		return "removed " + rel
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return rel + ": " + what
}

// changeCustomer changes one customer of customers (paths) where it is,
// at random, and says what it did: a visit noted (by someone or by no one
// the department has), its segment (one the schema refuses too), its
// name, the date it became a customer.
func changeCustomer(t *testing.T, rng *rand.Rand, dir string, customers []string) string {
	t.Helper()
	rel, p, text := pickRecord(t, rng, dir, customers)
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	set := func(field, value string) { text = setTop(text, field, value) }
	var what string
	states := map[string][]string{
		"violations": {"reported", "investigating", "decided", "closed", "dismissed", "bogus"},
		"analyses":   {"draft", "submitted", "decided", "closed", "bogus"},
		"customers":  {"vip"}, // no field of a customer's: the summary counts it all the same
	}
	folder := strings.Split(rel, "/")[1]
	if folder != "customers" || rng.IntN(5) == 0 {
		if folder != "customers" && rng.IntN(3) == 0 {
			set("title", "改名")
			what = "retitled"
		} else {
			v := pick(states[folder]...)
			set("status", v)
			what = "status " + v
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return rel + ": " + what
	}
	switch rng.IntN(4) {
	case 0:
		visit := fmt.Sprintf("  - date: %s\n    by: %s\n    note: 回訪\n", pick("2025-01-10", "2026-06-01", "2026-11-20", "2027-03-01"), pick("li.wei", "sun.li", "nobody.here"))
		if re := regexp.MustCompile(`(?m)^visits:\n`); re.MatchString(text) {
			text = re.ReplaceAllString(text, "visits:\n"+visit)
		} else {
			text += "visits:\n" + visit
		}
		what = "a visit"
	case 1:
		v := pick("wholesale", "retail", "key", "vip-bogus")
		set("segment", v)
		what = "segment " + v
	case 2:
		set("name", "改名公司")
		what = "renamed"
	default:
		v := pick("2020-01-01", "2026-11-01", "not-a-date")
		set("since", v)
		what = "since " + v
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return rel + ": " + what
}

// pickRecord picks one of rels (paths below dir) at random and returns
// it, its file and its text.
func pickRecord(t *testing.T, rng *rand.Rand, dir string, rels []string) (rel, p, text string) {
	t.Helper()
	rel = rels[rng.IntN(len(rels))]
	p = filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return rel, p, string(b)
}

// setTop sets a top-level field of a record's text (added at the end
// when it has none).
func setTop(text, field, value string) string {
	re := regexp.MustCompile(`(?m)^` + field + `: .*$`)
	if re.MatchString(text) {
		return re.ReplaceAllString(text, field+": "+value)
	}
	return text + field + ": " + value + "\n"
}

// TestRecountBaseOfAnotherIndex: a base saved as a link to the index file
// (which held the entries refreshed) is taken; one whose index file was
// replaced between the refresh and the link (another command saved its
// own) is not, whatever its counts say.
func TestRecountBaseOfAnotherIndex(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dir := sampleCopy(t, 0)
	d, fp, counts, base := savedBase(t, dir, now)
	if !d.Stats.Stored {
		t.Fatal("a first refresh does not say the index file holds its entries")
	}
	a, _ := os.Stat(base)
	b, _ := os.Stat(filepath.Join(dir, ".git", "opsbook", "index"))
	if !os.SameFile(a, b) {
		t.Error("the base is a copy, not a link to the index file")
	}
	if rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{}); rc == nil {
		t.Fatalf("the base not taken: %s", why)
	}
	// another command saves the index of a changed department before the
	// base is linked
	replaceLines(t, dir, map[string][2]string{"records/expenses/2026/EXP-2026-0016.yaml": {"amount: 1280.50", "amount: 1280.51"}})
	os.Remove(filepath.Join(dir, ".git", "opsbook", "index"))
	if _, _, err := Index(ctx, dir, d.Policy); err != nil { // saved anew
		t.Fatal(err)
	}
	if err := SaveBase(base, d, fp, counts); err != nil {
		t.Fatal(err)
	}
	d2, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	d2.Fingerprint()
	if rc, why := Recount(d2, base, fp, now, now.Year(), &rules.Horizon{}); rc != nil || !strings.Contains(why, "not the memo's department") {
		t.Errorf("a base linked to another index taken (%q)", why)
	}
}

// TestRecountTakesSoManyChanges: more files changed since the base than a
// recount takes are the full pass's.
func TestRecountTakesSoManyChanges(t *testing.T) {
	defer func(was int) { maxRecount = was }(maxRecount)
	maxRecount = 2
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dir := sampleCopy(t, 0)
	_, fp, _, base := savedBase(t, dir, now)
	for i, id := range []string{"EXP-2026-0016", "EXP-2026-0017", "EXP-2026-0018"} {
		p := filepath.Join(dir, "records", "expenses", "2026", id+".yaml")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, "# changed\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		d.Fingerprint()
		rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{})
		if (rc != nil) != (i < 2) {
			t.Errorf("%d files changed: recounted %v (%s)", i+1, rc != nil, why)
		}
	}
}

// TestRecountJudgesNotTooMany: a change whose records to judge again are
// more than one in maxJudged of the department is the full pass (a
// plan's change judges the plans of its year); a claim's alone is
// recounted.
func TestRecountJudgesNotTooMany(t *testing.T) {
	defer func(was, min int) { maxJudged, minJudged = was, min }(maxJudged, minJudged)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dir := sampleCopy(t, 0)
	_, fp, _, base := savedBase(t, dir, now)
	d0, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	plans := len(d0.Index.Kind(record.Plan))
	// fewer than the plans of a year, more than a claim reads
	maxJudged, minJudged = len(d0.Index.Entries)/(plans/2), 20
	replaceLines(t, dir, map[string][2]string{"records/plans/2026/PLN-2026-0003.yaml": {"status: active", "status: completed"}})
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Fingerprint()
	if rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{}); rc != nil || !strings.Contains(why, "the full pass costs less") {
		t.Errorf("a plan's change judging its year's plans recounted (%q)", why)
	}
	replaceLines(t, dir, map[string][2]string{"records/plans/2026/PLN-2026-0003.yaml": {"status: completed", "status: active"}})
	replaceLines(t, dir, map[string][2]string{"records/expenses/2026/EXP-2026-0016.yaml": {"amount: 1280.50", "amount: 1281.50"}})
	d, err = OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Fingerprint()
	if rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{}); rc == nil {
		t.Errorf("a claim's change not recounted (%q)", why)
	}
}

// savedBase saves the base of the department at dir as a full pass as of
// now would: its refreshed index, fingerprint, counts and base path.
func savedBase(t *testing.T, dir string, now time.Time) (*Indexed, string, FileCounts, string) {
	t.Helper()
	ctx := context.Background()
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := d.Fingerprint()
	r, err := LoadWith(ctx, dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	counts, _ := r.CountFiles(now, nil)
	base := filepath.Join(t.TempDir(), "base")
	if err := SaveBase(base, d, fp, counts); err != nil {
		t.Fatal(err)
	}
	return d, fp, counts, base
}

// TestRecountLeavesTheBaseClosed: a person changed since the base is seen
// from the counts file alone, without opening the base's
// index (here cut short: opening it would be an error of its own).
func TestRecountLeavesTheBaseClosed(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dir := sampleCopy(t, 0)
	d, fp, _, base := savedBase(t, dir, now)
	if err := os.Truncate(base, 100); err != nil {
		t.Fatal(err)
	}
	replaceLines(t, dir, map[string][2]string{"records/people/li.wei.yaml": {"active: true", "active: true # still"}})
	d, err := OpenIndexed(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Fingerprint()
	if rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{}); rc != nil || why != "a person, a budget or a file that is no record changed since the base" {
		t.Errorf("recounted %v: %q", rc != nil, why)
	}
}

// TestRecountEachStateOfEach: every status report, appraisal, plan and
// meeting of the sample moved to each state of its kind (and to none),
// alone: the counts made again from the base are a full pass's, file by
// file. What their change moves reaches records the random rounds seldom
// touch: an author's other reports (the cadence warning on the latest
// submitted), the people (whether anyone submitted a report or has an
// appraisal of a period), the plans of a year (plan-budget over the
// counted ones) and of a project (plan-active), every meeting.
func TestRecountEachStateOfEach(t *testing.T) {
	defer func(was bool) { byPath = was }(byPath)
	byPath = true
	for _, now := range []time.Time{time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), time.Date(2027, 2, 10, 10, 0, 0, 0, time.UTC)} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) { recountEachState(t, now, sampleCopy(t, 0)) })
	}
	// one submitted report and one appraisal of a period left: whether
	// anyone submitted, or has an appraisal of a period, moves with them
	dir := sampleCopy(t, 0)
	for _, pattern := range []string{"records/status-reports/*/RPT-2026-000[234].yaml", "records/appraisals/*/APR-202[56]-000[2-9].yaml"} {
		ps, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
		for _, p := range ps {
			os.Remove(p)
		}
	}
	t.Run("few", func(t *testing.T) { recountEachState(t, time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), dir) })
}

func recountEachState(t *testing.T, now time.Time, dir string) {
	ctx := context.Background()
	_, fp, _, base := savedBase(t, dir, now)
	states := map[record.Kind][]string{
		record.StatusReport: {"draft", "submitted", "acknowledged"},
		record.Appraisal:    {"draft", "submitted", "reviewed", "acknowledged", "closed"},
		record.Plan:         {"draft", "approved", "active", "completed", "superseded"},
		record.Meeting:      {"draft", "published", "closed"},
	}
	d0, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for k, sts := range states {
		for _, e := range d0.Index.Kind(k) {
			p := filepath.Join(dir, filepath.FromSlash(e.Path))
			was, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range append(sts, "") {
				text := regexp.MustCompile(`(?m)^status: .*\n`).ReplaceAllString(string(was), "")
				if st != "" {
					text += "status: " + st + "\n"
				}
				if text == string(was) {
					continue
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				d, err := OpenIndexed(ctx, dir)
				if err != nil {
					t.Fatal(err)
				}
				d.Fingerprint()
				rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{})
				if rc == nil {
					t.Fatalf("%s %s: not recounted: %s", e.ID, st, why)
				}
				r, err := LoadWith(ctx, dir, Options{NoCache: true})
				if err != nil {
					t.Fatal(err)
				}
				want, _ := r.CountFiles(now, nil)
				if !equalCounts(rc.paths, want) {
					t.Errorf("%s moved to %q: recounted %s\nfull %s", e.ID, st, countsText(rc.paths), countsText(want))
				}
				tried++
			}
			if err := os.WriteFile(p, was, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if tried < 30 {
		t.Errorf("%d changes tried: the test tests too little", tried)
	}
}

// TestLoadKindsKeepsTheCache: reading some kinds as the index lists them
// decodes their cache entries alone, and does not write the cache (which
// would then lose the other kinds' entries), however many of their files
// it had to parse again; what it reads is what a full read holds.
func TestLoadKindsKeepsTheCache(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 2000)
	if _, err := LoadWith(ctx, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	cachePath := filepath.Join(dir, ".git", "opsbook", "cache")
	before, err := os.ReadFile(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := filepath.Glob(filepath.Join(dir, "records", "complaints", "*", "*.yaml"))
	if len(ps) < 100 {
		t.Fatalf("%d complaints: too few to make a load save the cache", len(ps))
	}
	for _, p := range ps {
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, append(b, "# read again\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	set, err := d.LoadKinds(ctx, []record.Kind{record.Complaint, record.Customer})
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(cachePath)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the cache was written by a load of some kinds (%v)", err)
	}
	full, err := LoadWith(ctx, dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range full.Set.Records {
		if r.Kind == record.Complaint || r.Kind == record.Customer {
			want = append(want, r.Path+" "+r.Title()+" "+r.Status())
		}
	}
	var got []string
	for _, r := range set.Records {
		got = append(got, r.Path+" "+r.Title()+" "+r.Status())
	}
	if !slices.Equal(got, want) {
		t.Errorf("LoadKinds read %d records, a full read %d of those kinds", len(got), len(want))
	}
}

// A readAcross case is a department made from the sample (before), then
// changed (after), where the change moves the findings of a record that
// neither it names nor names it (witness): only what judgedAgain reads
// across the records (a counted plan's year and the year of the plan it
// supersedes, the active plans of a project or of none, an author's
// reports, the people when an appraisal of a period comes or goes) judges
// the witness again.
type readAcross struct {
	name   string
	before map[string][]string // path: pairs of text replaced and replacement
	copies map[string][]string // new path: the path copied, then pairs as above
	after  map[string][]string
	// removed before the base, and by the change
	goneBefore, goneAfter []string
	witness               string // the path whose counts move
	// reads: the witness is judged again for another reason (a meeting
	// or a task naming it changed), and its counts stay; what they read of the
	// records not judged again (what aroundSet gathers) must be read
	reads bool
}

var readAcrossCases = []readAcross{
	{
		// PLN-2026-0003 raised to 700,000 of marketing: 2026's counted
		// plans need more than the budget has, and plan-budget sits on
		// each (PLN-2026-0001 among them) until PLN-2026-0003 goes back
		// to draft. PLN-2026-0003 names its project alone, not
		// PLN-2026-0001's.
		name: "the plans of its year",
		before: map[string][]string{
			"records/plans/2026/PLN-2026-0003.yaml": {"      amount: 30000.00\n", "      amount: 700000.00\n"},
		},
		after: map[string][]string{
			"records/plans/2026/PLN-2026-0003.yaml": {"status: active\n", "status: draft\n"},
		},
		witness: "records/plans/2026/PLN-2026-0001.yaml",
	},
	{
		// PLN-2027-0001 supersedes PLN-2026-0003: once approved, it
		// replaces it among 2026's counted plans, and the 2026 plans
		// that needed more marketing together than the budget has
		// (PLN-2026-0001 among them) no longer do. PLN-2027-0001 names
		// PLN-2026-0003 alone, and is of another year.
		name: "the year of the plan superseded",
		before: map[string][]string{
			"records/plans/2026/PLN-2026-0003.yaml": {"      amount: 30000.00\n", "      amount: 700000.00\n"},
		},
		copies: map[string][]string{
			"records/plans/2027/PLN-2027-0001.yaml": {"records/plans/2026/PLN-2026-0003.yaml",
				"id: PLN-2026-0003\n", "id: PLN-2027-0001\n", "status: active\n", "status: draft\n",
				"project: PRJ-2026-0002\n", "project: PRJ-2026-0002\nsupersedes: PLN-2026-0003\n",
				"      amount: 30000.00\n", "      amount: 1000.00\n"},
		},
		after: map[string][]string{
			"records/plans/2027/PLN-2027-0001.yaml": {"status: draft\n", "status: approved\n"},
		},
		witness: "records/plans/2026/PLN-2026-0001.yaml",
	},
	{
		// PLN-2025-0001 and PLN-2026-0001 both active for PRJ-2026-0001:
		// plan-active sits on the later, PLN-2026-0001, and leaves it
		// when PLN-2025-0001 completes (another year's plan, naming the
		// project alone)
		name: "the active plans of a project",
		before: map[string][]string{
			"records/plans/2025/PLN-2025-0001.yaml": {"status: completed\n", "status: active\n", "project: PRJ-2025-0001\n", "project: PRJ-2026-0001\n"},
		},
		after: map[string][]string{
			"records/plans/2025/PLN-2025-0001.yaml": {"status: active\n", "status: completed\n"},
		},
		witness: "records/plans/2026/PLN-2026-0001.yaml",
	},
	{
		// PLN-2025-0002 and PLN-2026-0006 both active, of no project:
		// plan-active sits on PLN-2026-0006 until PLN-2025-0002 goes
		// back to draft
		name: "the active plans of no project",
		before: map[string][]string{
			"records/plans/2026/PLN-2026-0006.yaml": {"status: changes_requested\n", "status: active\n", "project: PRJ-2026-0009\n", ""},
		},
		copies: map[string][]string{
			"records/plans/2025/PLN-2025-0002.yaml": {"records/plans/2026/PLN-2026-0006.yaml",
				"id: PLN-2026-0006\n", "id: PLN-2025-0002\n", "status: changes_requested\n", "status: active\n", "project: PRJ-2026-0009\n", ""},
		},
		after: map[string][]string{
			"records/plans/2025/PLN-2025-0002.yaml": {"status: active\n", "status: draft\n"},
		},
		witness: "records/plans/2026/PLN-2026-0006.yaml",
	},
	{
		// zhang.min's RPT-2026-0005, submitted on 11-25, is the latest of
		// theirs; sent back to draft, RPT-2026-0001 of 11-16 is, ten days
		// old on the 26th: the cadence warning sits on it
		name: "an author's other reports",
		copies: map[string][]string{
			"records/status-reports/2026/RPT-2026-0005.yaml": {"records/status-reports/2026/RPT-2026-0001.yaml",
				"id: RPT-2026-0001\n", "id: RPT-2026-0005\n", "period: 2026-W46\n", "period: 2026-W47\n",
				"submitted_at: 2026-11-16T18:20:00+08:00\n", "submitted_at: 2026-11-25T18:20:00+08:00\n",
				"status: acknowledged\n", "status: submitted\n", "acknowledged_at: 2026-11-17T09:05:00+08:00\n", ""},
		},
		after: map[string][]string{
			"records/status-reports/2026/RPT-2026-0005.yaml": {"status: submitted\n", "status: draft\n",
				"submitted_at: 2026-11-25T18:20:00+08:00\n", ""},
		},
		witness: "records/status-reports/2026/RPT-2026-0001.yaml",
	},
	{
		// APR-2026-0003 (li.wei's, of 2026-H1) is the one appraisal of a
		// period left: while it is there, the department records periodic
		// appraisals, and the staff without one of 2026-H1 (sun.li among
		// them) are warned (appraisal-missing); removed, nobody is.
		// APR-2026-0003 names li.wei alone.
		name: "whether any appraisal has a period",
		goneBefore: []string{"records/appraisals/2025/APR-2025-0001.yaml", "records/appraisals/2025/APR-2025-0002.yaml",
			"records/appraisals/2025/APR-2025-0003.yaml", "records/appraisals/2025/APR-2025-0004.yaml",
			"records/appraisals/2025/APR-2025-0005.yaml", "records/appraisals/2025/APR-2025-0006.yaml",
			"records/appraisals/2026/APR-2026-0004.yaml", "records/appraisals/2026/APR-2026-0005.yaml",
			"records/appraisals/2026/APR-2026-0006.yaml", "records/appraisals/2026/APR-2026-0007.yaml",
			"records/appraisals/2026/APR-2026-0008.yaml", "records/appraisals/2026/APR-2026-0009.yaml"},
		goneAfter: []string{"records/appraisals/2026/APR-2026-0003.yaml"},
		witness:   "records/people/sun.li.yaml",
	},
	{
		// RPT-2026-0001, judged again for the task naming it, reads its
		// author's other reports: the newer RPT-2026-0005 (not judged
		// again) keeps the cadence warning off it
		name: "read: an author's other reports",
		before: map[string][]string{
			"records/tasks/2026/TSK-2026-0001.yaml": {"concerns: CMP-2026-0017\n", "concerns: RPT-2026-0001\n", "assigned_by: zhang.min\n", "assigned_by: li.wei\n"},
		},
		copies: map[string][]string{
			"records/status-reports/2026/RPT-2026-0005.yaml": {"records/status-reports/2026/RPT-2026-0001.yaml",
				"id: RPT-2026-0001\n", "id: RPT-2026-0005\n", "period: 2026-W46\n", "period: 2026-W47\n",
				"submitted_at: 2026-11-16T18:20:00+08:00\n", "submitted_at: 2026-11-25T18:20:00+08:00\n",
				"status: acknowledged\n", "status: submitted\n", "acknowledged_at: 2026-11-17T09:05:00+08:00\n", ""},
		},
		after:   map[string][]string{"records/tasks/2026/TSK-2026-0001.yaml": {"title: 回覆新品配料諮詢並整理常見問題\n", "title: 回覆諮詢\n"}},
		witness: "records/status-reports/2026/RPT-2026-0001.yaml",
		reads:   true,
	},
	{
		// PLN-2026-0003, judged again for the meeting naming it, reads
		// the active plans of its project, PLN-2025-0001 among them
		// (another year's, not judged again): its plan-active stays. (The
		// meeting's project, people and plans are judged again: none of
		// them is PLN-2025-0001's, nor names it.)
		name: "read: the active plans of a project",
		before: map[string][]string{
			"records/plans/2025/PLN-2025-0001.yaml":    {"status: completed\n", "status: active\n", "project: PRJ-2025-0001\n", "project: PRJ-2026-0002\n"},
			"records/meetings/2026/MTG-2026-0002.yaml": {"concerns: PLN-2026-0001\n", "concerns: PLN-2026-0003\n"},
		},
		after:   map[string][]string{"records/meetings/2026/MTG-2026-0002.yaml": {"title: 華南會員項目結項會\n", "title: 結項會\n"}},
		witness: "records/plans/2026/PLN-2026-0003.yaml",
		reads:   true,
	},
	{
		// PLN-2026-0006, of no project, judged again for the meeting
		// naming it, reads the active plans of no project (PLN-2025-0002)
		name: "read: the active plans of no project",
		before: map[string][]string{
			"records/plans/2026/PLN-2026-0006.yaml":    {"status: changes_requested\n", "status: active\n", "project: PRJ-2026-0009\n", ""},
			"records/meetings/2026/MTG-2026-0002.yaml": {"concerns: PLN-2026-0001\n", "concerns: PLN-2026-0006\n"},
		},
		copies: map[string][]string{
			"records/plans/2025/PLN-2025-0002.yaml": {"records/plans/2026/PLN-2026-0006.yaml",
				"id: PLN-2026-0006\n", "id: PLN-2025-0002\n", "status: changes_requested\n", "status: active\n", "project: PRJ-2026-0009\n", "",
				"handle: sun.li\n", "handle: li.wei\n"}, // not one of the meeting's people
		},
		after:   map[string][]string{"records/meetings/2026/MTG-2026-0002.yaml": {"title: 華南會員項目結項會\n", "title: 結項會\n"}},
		witness: "records/plans/2026/PLN-2026-0006.yaml",
		reads:   true,
	},
	{
		// PLN-2026-0001, judged again for the meeting naming it, reads
		// 2026's counted plans and the approved PLN-2027-0001 superseding
		// PLN-2026-0003 (neither judged again): without it, 2026's plans
		// would need more marketing than the budget has
		name: "read: the revision of a plan of its year",
		before: map[string][]string{
			"records/plans/2026/PLN-2026-0003.yaml": {"      amount: 30000.00\n", "      amount: 700000.00\n"},
		},
		copies: map[string][]string{
			"records/plans/2027/PLN-2027-0001.yaml": {"records/plans/2026/PLN-2026-0003.yaml",
				"id: PLN-2026-0003\n", "id: PLN-2027-0001\n", "status: active\n", "status: approved\n",
				"project: PRJ-2026-0002\n", "project: PRJ-2026-0002\nsupersedes: PLN-2026-0003\n",
				"      amount: 30000.00\n", "      amount: 1000.00\n"},
		},
		after:   map[string][]string{"records/meetings/2026/MTG-2026-0002.yaml": {"title: 華南會員項目結項會\n", "title: 結項會\n"}},
		witness: "records/plans/2026/PLN-2026-0001.yaml",
		reads:   true,
	},
}

// TestRecountReadsAcross: after each readAcross case's change, the counts
// made again from the base are a full pass's, file by file, and the
// witness's counts moved (the case is one where judging it again
// matters).
func TestRecountReadsAcross(t *testing.T) {
	defer func(was bool) { byPath = was }(byPath)
	byPath = true
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	ctx := context.Background()
	for _, rc := range readAcrossCases {
		t.Run(rc.name, func(t *testing.T) {
			dir := sampleCopy(t, 0)
			edit := func(rel, from string, pairs []string) {
				t.Helper()
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(from)))
				if err != nil {
					t.Fatal(err)
				}
				text := string(b)
				for i := 0; i < len(pairs); i += 2 {
					if !strings.Contains(text, pairs[i]) {
						t.Fatalf("%s: no %q", from, pairs[i])
					}
					text = strings.Replace(text, pairs[i], pairs[i+1], 1)
				}
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for rel, c := range rc.copies {
				edit(rel, c[0], c[1:])
			}
			for rel, pairs := range rc.before {
				edit(rel, rel, pairs)
			}
			remove := func(rels []string) {
				t.Helper()
				for _, rel := range rels {
					if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
						t.Fatal(err)
					}
				}
			}
			remove(rc.goneBefore)
			_, fp, base, basePath := savedBase(t, dir, now)
			for rel, pairs := range rc.after {
				edit(rel, rel, pairs)
			}
			remove(rc.goneAfter)
			d, err := OpenIndexed(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			d.Fingerprint()
			r, err := LoadWith(ctx, dir, Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := r.CountFiles(now, nil)
			if !rc.reads && base.Paths[rc.witness] == want.Paths[rc.witness] {
				t.Fatalf("%s: %v before and after: the case tests nothing\nbefore %s\nafter %s", rc.witness, want.Paths[rc.witness], countsText(base), countsText(want))
			}
			got, why := Recount(d, basePath, fp, now, now.Year(), &rules.Horizon{})
			if got == nil {
				t.Fatalf("not recounted: %s", why)
			}
			if rc.reads && judgedAgain(d.Index, got.Changes)[rc.witness] == nil {
				t.Fatalf("%s not judged again: the case tests nothing", rc.witness)
			}
			if !equalCounts(got.paths, want) {
				t.Errorf("recounted %s\nfull %s", countsText(got.paths), countsText(want))
			}
		})
	}
}

// TestRecountFieldsNoSkeletonHolds: a change to what no skeleton of a
// record holds (an item's description, a comment line) judges again the
// record and those reading it in full (naming it, named by it), not the
// records reading it as a skeleton (a claim's split-claim group, its
// budget line), and does not weigh the budget lines again; a change to a
// clear field its group reads does both. Both come out as a full pass's.
func TestRecountFieldsNoSkeletonHolds(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dir := sampleCopy(t, 1000) // copies share receipts: claims in groups
	_, fp, _, base := savedBase(t, dir, now)
	d0, err := OpenIndexed(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// the claim grouped with the most others, and with an item
	var claim *index.Entry
	most := 0
	for _, e := range d0.Index.Kind(record.Expense) {
		var g groupKeys
		g.add(e)
		if n := len(grouped(d0.Index.Kind(record.Expense), &g)); n > most && e.Str("status") == "submitted" {
			claim, most = e, n
		}
	}
	if claim == nil || most < 3 {
		t.Fatalf("no claim grouped with others (%d)", most)
	}
	recount := func() *Recounted {
		t.Helper()
		d, err := OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		d.Fingerprint()
		rc, why := Recount(d, base, fp, now, now.Year(), &rules.Horizon{})
		if rc == nil {
			t.Fatalf("no recount: %s", why)
		}
		full, err := LoadWith(ctx, dir, Options{NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := full.CountFiles(now, nil)
		errs, warns := c.Totals()
		if rc.Errors != errs || rc.Warnings != warns {
			t.Fatalf("recounted %d errors, %d warnings; a full pass %d, %d", rc.Errors, rc.Warnings, errs, warns)
		}
		return rc
	}
	p := filepath.Join(dir, filepath.FromSlash(claim.Path))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "  - description: ", "  - description: 改 ", 1)
	if text == string(data) {
		t.Fatalf("%s has no item", claim.Path)
	}
	os.WriteFile(p, []byte(text+"# checked\n"), 0o644)
	note := recount()
	os.WriteFile(p, []byte(strings.Replace(string(data), "status: submitted", "status: approved", 1)), 0o644)
	status := recount()
	if status.Judged < most || status.Budget == nil {
		t.Errorf("the status changed: %d judged again (the group holds %d), lines weighed: %v", status.Judged, most, status.Budget != nil)
	}
	// the claim, the records naming it, and those it names that read it
	// in full (not a project or a person: they read it as a skeleton)
	want := map[string]bool{claim.Path: true}
	for _, in := range d0.Index.RefsIn(claim.ID) {
		want[in.From.Path] = true
	}
	for _, r := range claim.Refs {
		for _, e := range d0.Index.Get(r.ID) {
			if !namedOnly[e.Kind] {
				want[e.Path] = true
			}
		}
	}
	if note.Judged != len(want) || note.Budget != nil {
		t.Errorf("a description changed: %d judged again, want %d (%d for the status, the group of %d among them), lines weighed: %v",
			note.Judged, len(want), status.Judged, most, note.Budget != nil)
	}
}
