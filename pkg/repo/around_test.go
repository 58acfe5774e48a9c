package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/rules"
)

// sampleCopy copies the shipped sample up to n files (every record once,
// then copies of its yearly ones), with a .git folder for the index.
func sampleCopy(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: n}); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestAroundEqualsFull: for every record, what show prints (its details,
// references both ways, budget figures and validate's findings in its
// file) is the same from the record's neighbourhood as from the whole
// department: on the shipped sample, on copies of it (shared receipts,
// repeated complaints, many plans of one project, many status reports of
// one author) and on a generated department, as of a day of the sample's
// and, for the copies, months later (cadences and due dates passed).
func TestAroundEqualsFull(t *testing.T) {
	now, later := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	copies := sampleCopy(t, 400)
	depts := []struct {
		name string
		dir  string
		now  time.Time
	}{
		{"sample", sampleCopy(t, 0), now},
		{"copies", copies, now},
		{"copies later", copies, later},
		{"generated", department(t, 300), now},
		{"splits", splitClaims(t), now},
		{"plans", plansDept(t), now},
		{"mistyped", mistyped(t), now},
		{"unreadable", unreadableDept(t), now},
	}
	for _, d := range depts {
		t.Run(d.name, func(t *testing.T) { aroundEqualsFull(t, d.dir, d.now) })
	}
}

func aroundEqualsFull(t *testing.T, dir string, now time.Time) {
	ctx := context.Background()
	whole, err := LoadWith(ctx, dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	all := whole.Validate(now)
	show := func(r *Repo, ds []diag.Diagnostic, id string) string {
		rec := r.Set.Get(id)
		c := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
		var out []byte
		for _, redact := range []bool{false, true} { // show and show --redact
			d := query.Describe(c, rec, FilterPaths(ds, []string{rec.Path}), redact)
			j, _ := json.MarshalIndent(d, "", " ")
			out = append(out, j...)
		}
		return string(out)
	}
	// what the reading commands warn of: the errors of files that made no
	// record
	unreadable := func(r *Repo) string {
		have := map[string]bool{}
		for _, rec := range r.Set.Records {
			have[rec.Path] = true
		}
		var out []string
		for _, d := range diag.Sort(slices.Clone(r.Diags)) {
			if d.Severity == diag.Error && !have[d.Path] && d.Path != ".opsbook.yaml" {
				out = append(out, d.String())
			}
		}
		return strings.Join(out, "\n")
	}
	wantUnreadable := unreadable(whole)
	bad := 0
	for _, rec := range whole.Set.Records {
		if len(whole.Set.All(rec.ID)) != 1 {
			continue // a duplicate id: the full path
		}
		ar, err := LoadAround(ctx, dir, rec.ID)
		if err != nil {
			t.Fatalf("%s: %v", rec.ID, err)
		}
		if got := unreadable(ar); got != wantUnreadable {
			t.Fatalf("%s: the files that are no records, around:\n%s\nfull:\n%s", rec.ID, got, wantUnreadable)
		}
		want := show(whole, all, rec.ID)
		got := show(ar, ar.ValidatePaths(now, []string{rec.Path}), rec.ID) // as show asks
		if got != want {
			bad++
			if bad <= 8 {
				t.Errorf("%s: around and full differ:\n%s", rec.ID, lineDiff(got, want))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d records differ", bad, len(whole.Set.Records))
	}
}

// splitClaims is the sample with claims grouped in every way split-claim
// and receipt-shared group them, each group's claims read from the index
// (LoadAround) as skeletons: a receipt shared by SHA-256 alone under
// other paths (one hash listed in capitals), by an item's receipt, a
// rejected claim in a group, a claimant's day, a path that reads as a
// hash ("sha256:…"), a claim whose clear field is a list, amounts over
// the manager's limit only together and under it together.
func splitClaims(t *testing.T) string {
	t.Helper()
	dir := sampleCopy(t, 0)
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shared, other := "invoice 4471, one receipt\n", "invoice 4472\n"
	h, ho := attach.SumBytes([]byte(shared)), attach.SumBytes([]byte(other))
	for _, a := range []string{"EXP-2026-0901/r.txt", "EXP-2026-0902/copy.txt", "EXP-2026-0902/other.txt", "EXP-2026-0903/q.txt", "EXP-2026-0906/q2.txt", "EXP-2026-0910/again.txt"} {
		text := shared
		if strings.Contains(a, "other") || strings.Contains(a, "q") {
			text = other
		}
		write("attachments/"+a, text)
	}
	claim := func(id, claimant, date, status, amount, rest string) {
		write("records/expenses/2026/"+id+".yaml", fmt.Sprintf("kind: expense\nid: %s\ntitle: claim %s\nstatus: %s\nclaimant: %s\ndate: %s\ncategory: marketing\namount: %s\n%s", id, id, status, claimant, date, amount, rest))
	}
	// one receipt by SHA-256 alone: 0901's receipt, 0902's first item, 0910 (in capitals)
	claim("EXP-2026-0901", "li.wei", "2026-10-01", "approved", "3000.00", "receipt: attachments/EXP-2026-0901/r.txt\nattachments:\n  - path: attachments/EXP-2026-0901/r.txt\n    sha256: \""+h+"\"\n")
	claim("EXP-2026-0902", "sun.li", "2026-10-02", "submitted", "3000.00", "items:\n  - description: a\n    amount: 2000.00\n    receipt: attachments/EXP-2026-0902/copy.txt\n  - description: b\n    amount: 1000.00\n    receipt: attachments/EXP-2026-0902/other.txt\nattachments:\n  - path: attachments/EXP-2026-0902/copy.txt\n    sha256: \""+h+"\"\n  - path: attachments/EXP-2026-0902/other.txt\n    sha256: \""+ho+"\"\n")
	claim("EXP-2026-0910", "wang.fang", "2026-10-03", "paid", "100.00", "receipt: attachments/EXP-2026-0910/again.txt\nattachments:\n  - path: attachments/EXP-2026-0910/again.txt\n    sha256: \""+strings.ToUpper(h)+"\"\n")
	// one path, a rejected claim among them: 0904 and 0905 alone count, under every limit
	q := "receipt: attachments/EXP-2026-0903/q.txt\n"
	claim("EXP-2026-0903", "zhou.jie", "2026-10-04", "rejected", "4900.00", q)
	claim("EXP-2026-0904", "zhou.jie", "2026-10-05", "approved", "2000.00", q)
	claim("EXP-2026-0905", "he.jing", "2026-10-06", "draft", "2000.00", q)
	// an item's receipt that is another claim's receipt: over the limit together
	claim("EXP-2026-0906", "liu.yang", "2026-10-07", "approved", "4000.00", "items:\n  - description: a\n    amount: 1000.00\n  - description: b\n    amount: 3000.00\n    receipt: attachments/EXP-2026-0906/q2.txt\n")
	claim("EXP-2026-0907", "zhao.lei", "2026-10-08", "paid", "4500.00", "receipt: attachments/EXP-2026-0906/q2.txt\n")
	// a claimant's day, no receipt shared
	claim("EXP-2026-0908", "wu.qiang", "2026-10-09", "approved", "2600.00", "")
	claim("EXP-2026-0909", "wu.qiang", "2026-10-09", "submitted", "2600.00", "")
	// a path that reads as the shared receipt's hash, and a claim whose
	// claimant is a list (its index entry does not stand for it), sharing a path
	claim("EXP-2026-0911", "chen.hao", "2026-10-10", "submitted", "900.00", "items:\n  - description: a\n    amount: 400.00\n    receipt: attachments/EXP-2026-0903/q.txt\n  - description: b\n    amount: 500.00\n    receipt: sha256:"+h+"\n")
	claim("EXP-2026-0912", "[li.wei, sun.li]", "2026-10-11", "approved", "4800.00", "receipt: sha256:"+h+"\n")
	return dir
}

// mistyped is the sample with references to ids one edit away from a
// record's (a claim's project, a complaint's customer, a plan's
// project): the "did you mean" names a record outside the neighbourhood;
// and with records classified otherwise than their kind's default naming
// a project and a customer (show --redact of those leaves them out).
func mistyped(t *testing.T) string {
	t.Helper()
	dir := sampleCopy(t, 0)
	replaceLines(t, dir, map[string][2]string{
		"records/expenses/2026/EXP-2026-0019.yaml":   {"project: PRJ-2026-0001", "project: PRJ-2026-0011"},
		"records/complaints/2026/CMP-2026-0007.yaml": {"customer: CUS-0002", "customer: CUS-0012"},
		"records/plans/2026/PLN-2026-0003.yaml":      {"project: PRJ-2026-0002", "project: PRJ-2026-0012"},
		"records/expenses/2026/EXP-2026-0005.yaml":   {"project: PRJ-2026-0001", "project: PRJ-2026-0001\nclassification: confidential"},
		"records/customers/CUS-0002.yaml":            {"classification: confidential", "classification: internal"},
		"records/complaints/2026/CMP-2026-0008.yaml": {"customer: CUS-0002", "customer: CUS-0002\nclassification: confidential"},
	})
	return dir
}

// unreadableDept is the sample with record files that are no records: a
// project many claims and plans name, broken YAML; a complaint of binary
// bytes; an empty claim; a file named after no id. A full read leaves them out and warns of them; a record's
// neighbourhood leaves them out too, and reads them again for the warning.
func unreadableDept(t *testing.T) string {
	t.Helper()
	dir := sampleCopy(t, 0)
	for rel, data := range map[string]string{
		"records/projects/2025/PRJ-2025-0001.yaml":   "kind: project\nid: [PRJ-2025-0001\n",
		"records/complaints/2026/CMP-2026-0003.yaml": "\x00\x01\xff\xfe",
		"records/expenses/2026/EXP-2026-0002.yaml":   "",
		"records/tasks/2026/notes.yaml":              "- a list, not a record\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// plansDept is the sample with plans that the plan rules judge against
// each other: a second and a third active plan of a project, one of them
// of another year, and one whose budget need passes the project's line;
// a need that takes the year's marketing past the budget only while the
// plan a revision supersedes counts; budget items that are not a category and
// an amount (a list, a bare word, a number for a category, a word for an
// amount); a counted revision of next year's that supersedes a plan of
// this year (which then counts no more); two active plans of no project,
// of two years.
func plansDept(t *testing.T) string {
	t.Helper()
	dir := sampleCopy(t, 0)
	edit := func(rel string, changes ...[2]string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, c := range changes {
			if !strings.Contains(text, c[0]) {
				t.Fatalf("%s: no %q", rel, c[0])
			}
			text = strings.Replace(text, c[0], c[1], 1)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("records/plans/2026/PLN-2026-0009.yaml",
		[2]string{"status: approved\n", "status: active\n"},
		[2]string{"project: PRJ-2026-0005\n", "project: PRJ-2026-0001\n"},
		[2]string{"category: office\n", "category: marketing\n"})
	edit("records/plans/2025/PLN-2025-0001.yaml",
		[2]string{"status: completed\n", "status: active\n"},
		[2]string{"project: PRJ-2025-0001\n", "project: PRJ-2026-0001\n"})
	edit("records/plans/2026/PLN-2026-0004.yaml",
		[2]string{"      amount: 180000.00\n", "      amount: 812000.00\n    - category: [a, b]\n      amount: 5000.00\n    - marketing\n    - category: 42\n      amount: abc\n"})
	// two active plans of no project, of two years
	edit("records/plans/2026/PLN-2026-0006.yaml",
		[2]string{"status: changes_requested\n", "status: active\n"},
		[2]string{"project: PRJ-2026-0009\n", ""})
	noProject, err := os.ReadFile(filepath.Join(dir, "records/plans/2026/PLN-2026-0006.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "records/plans/2025/PLN-2025-0002.yaml"),
		[]byte(strings.Replace(string(noProject), "id: PLN-2026-0006\n", "id: PLN-2025-0002\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "records/plans/2026/PLN-2026-0003.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	revision := strings.NewReplacer("id: PLN-2026-0003\n", "id: PLN-2027-0001\n", "status: active\n", "status: approved\n",
		"project: PRJ-2026-0002\n", "project: PRJ-2026-0002\nsupersedes: PLN-2026-0003\n").Replace(string(data))
	if err := os.MkdirAll(filepath.Join(dir, "records/plans/2027"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "records/plans/2027/PLN-2027-0001.yaml"), []byte(revision), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlansDepartment: the plans plansDept writes make the findings
// TestAroundEqualsFull is to find again from plans' skeletons.
func TestPlansDepartment(t *testing.T) {
	r, err := LoadWith(context.Background(), plansDept(t), Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range r.Validate(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)) {
		if strings.HasPrefix(d.Rule, "plan-") {
			got = append(got, d.Record+" "+d.Rule)
		}
	}
	sort.Strings(got)
	want := []string{"PLN-2026-0001 plan-active", "PLN-2026-0001 plan-budget", "PLN-2026-0004 plan-budget", "PLN-2026-0004 plan-budget", "PLN-2026-0004 plan-budget", "PLN-2026-0006 plan-active", "PLN-2026-0009 plan-active", "PLN-2026-0009 plan-budget"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan findings %v, want %v", got, want)
	}
}

// replaceLines replaces, in each file below dir, a whole line (change[0])
// with the text change[1], failing when the file lacks the line.
func replaceLines(t *testing.T, dir string, changes map[string][2]string) {
	t.Helper()
	for rel, change := range changes {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), change[0]+"\n") {
			t.Fatalf("%s: %v, or no %q", rel, err, change[0])
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), change[0]+"\n", change[1]+"\n", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSplitClaimsDepartment: the claims splitClaims writes make the
// findings TestAroundEqualsFull is to find again from skeletons.
func TestSplitClaimsDepartment(t *testing.T) {
	r, err := LoadWith(context.Background(), splitClaims(t), Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	byHash := "claims EXP-2026-0901, EXP-2026-0902, EXP-2026-0910 sharing a receipt with SHA-256 ac91ffed2315… total 6100.00, over the manager's"
	rejected := "claims EXP-2026-0904, EXP-2026-0905, EXP-2026-0911 sharing the receipt attachments/EXP-2026-0903/q.txt: a receipt"
	item := "claims EXP-2026-0906, EXP-2026-0907 sharing the receipt attachments/EXP-2026-0906/q2.txt total 8500.00"
	day := "claims EXP-2026-0908, EXP-2026-0909 by wu.qiang on 2026-10-09 total 5200.00"
	path := "claims EXP-2026-0911, EXP-2026-0912 sharing the receipt sha256:ac91ffed23154bf3a0cd312f2dd2c29c0dd9a02eb67b2ffcf3b6151b35c30f97 total 5700.00"
	want := []string{
		"EXP-2026-0901 split-claim " + byHash, "EXP-2026-0902 split-claim " + byHash,
		"EXP-2026-0904 receipt-shared " + rejected, "EXP-2026-0905 receipt-shared " + rejected,
		"EXP-2026-0906 split-claim " + item, "EXP-2026-0907 split-claim " + item,
		"EXP-2026-0908 split-claim " + day, "EXP-2026-0909 split-claim " + day,
		"EXP-2026-0910 split-claim " + byHash,
		"EXP-2026-0911 receipt-shared " + rejected, "EXP-2026-0911 split-claim " + path,
		"EXP-2026-0912 split-claim " + path,
	}
	var got []string
	for _, d := range r.Validate(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)) {
		if (d.Rule == "split-claim" || d.Rule == "receipt-shared") && strings.HasPrefix(d.Record, "EXP-2026-09") {
			got = append(got, d.Record+" "+d.Rule+" "+d.Message)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}

// TestValidatePathsEqualsFull: the findings ValidatePaths gives for one
// record file (its own checks alone, rules.Context.Only) are those of the
// full Validate in that file, for every record (people and plans
// included) of the sample, copies of it, a generated department, claims
// grouped every way and mistyped references: no record's own checks put
// a finding on another record.
func TestValidatePathsEqualsFull(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	depts := map[string]string{
		"sample":    sampleCopy(t, 0),
		"copies":    sampleCopy(t, 300),
		"generated": department(t, 300),
		"splits":    splitClaims(t),
		"mistyped":  mistyped(t),
	}
	for name, dir := range depts {
		t.Run(name, func(t *testing.T) {
			r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			all := r.Validate(now)
			key := func(ds []diag.Diagnostic) string {
				var b strings.Builder
				for _, d := range ds {
					fmt.Fprintf(&b, "%s:%d:%d %s %s %s | %s\n", d.Path, d.Line, d.Column, d.Severity, d.Rule, d.Message, d.Text)
				}
				return b.String()
			}
			found, bad := 0, 0
			for _, rec := range r.Set.Records {
				want := FilterPaths(all, []string{rec.Path})
				found += len(want)
				if got := key(r.ValidatePaths(now, []string{rec.Path})); got != key(want) {
					if bad++; bad <= 5 {
						t.Errorf("%s:\n%s", rec.Path, lineDiff(got, key(want)))
					}
				}
			}
			if found == 0 {
				t.Errorf("no findings to compare")
			}
		})
	}
}

// lineDiff shows the lines of a not in b (-) and of b not in a (+).
func lineDiff(a, b string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if cb[l] > 0 {
			cb[l]--
			continue
		}
		out = append(out, "- "+l)
	}
	for _, l := range strings.Split(b, "\n") {
		if ca[l] > 0 {
			ca[l]--
			continue
		}
		out = append(out, "+ "+l)
	}
	return strings.Join(out, "\n")
}

// TestHorizonHoldsAtRandomMoments: validate's findings as of a moment N
// (their place, rule and severity) are the findings at any later moment of
// N's day before the horizon collected at N, and they change at some of
// the horizons: on copies of the sample and a generated department, at
// moments chosen at random, just before horizons and at the
// last instant of days.
func TestHorizonHoldsAtRandomMoments(t *testing.T) {
	for name, dir := range map[string]string{"copies": sampleCopy(t, 600), "generated": department(t, 400)} {
		t.Run(name, func(t *testing.T) {
			r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			key := func(ds []diag.Diagnostic) string {
				var b strings.Builder
				for _, d := range ds {
					fmt.Fprintf(&b, "%s:%d:%d %s %s\n", d.Path, d.Line, d.Column, d.Rule, d.Severity)
				}
				return b.String()
			}
			rng := rand.New(rand.NewPCG(3, uint64(len(name))))
			zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("X", -5*3600-1800)}
			changed := 0
			for i := 0; i < 24; i++ {
				// mostly in the weeks the sample's open complaints run
				n := time.Date(2026, 11, 10+rng.IntN(20), rng.IntN(24), rng.IntN(60), 0, 0, zones[rng.IntN(len(zones))])
				if i%4 == 3 {
					n = time.Date(2025+rng.IntN(2), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, zones[rng.IntN(len(zones))])
				}
				h := &rules.Horizon{}
				at, _ := r.ValidateSeen(n, h)
				y, m, d := n.Date()
				end := time.Date(y, m, d+1, 0, 0, 0, 0, n.Location())
				if u := h.At(); !u.IsZero() && u.Before(end) {
					end = u.In(n.Location()) // judged in n's zone: its day
				}
				for _, mm := range []time.Time{end.Add(-time.Nanosecond), n.Add(time.Duration(rng.Int64N(int64(end.Sub(n)) + 1))).Add(-time.Nanosecond)} {
					if mm.Before(n) {
						continue
					}
					if got := key(r.Validate(mm)); got != key(at) {
						t.Fatalf("findings as of %v differ at %v, before the horizon %v:\n%s", n, mm, end, lineDiff(got, key(at)))
					}
				}
				if key(r.Validate(end.Add(time.Second))) != key(at) {
					changed++
				}
			}
			if changed == 0 {
				t.Errorf("no horizon moved a finding")
			}
		})
	}
}

// TestLoadAroundNoRecord: an id no record holds is told from the index
// (NoRecord, with the department's ids in the full read's order) when a
// full read would find nothing either, and left to the full read when a
// file named after the id holds another (a full read finds it by its
// name), or a record file cannot be read.
func TestLoadAroundNoRecord(t *testing.T) {
	ctx := context.Background()
	dir := sampleCopy(t, 300)
	whole, err := LoadWith(ctx, dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rec := range whole.Set.Records {
		ids = append(ids, rec.ID)
	}
	for _, id := range []string{"EXP-2026-016", "EXP-2026-9999", "nobody.here", "", "exp-2026-0016"} {
		_, err := LoadAround(ctx, dir, id)
		var none *NoRecord
		if !errors.As(err, &none) {
			t.Fatalf("%q: %v, want NoRecord", id, err)
		}
		if !reflect.DeepEqual(none.IDs, ids) || none.Root != whole.Root {
			t.Fatalf("%q: %d ids at %s, want the full read's %d at %s", id, len(none.IDs), none.Root, len(ids), whole.Root)
		}
	}
	// a claim's file holding another claim's id: the full read explains
	own := filepath.Join(dir, "records", "expenses", "2026", "EXP-2026-0016.yaml")
	data, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(own, []byte(strings.Replace(string(data), "id: EXP-2026-0016", "id: EXP-2026-9016", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAround(ctx, dir, "EXP-2026-0016"); err != ErrFullPath {
		t.Fatalf("a file at the id's path holding another: %v, want ErrFullPath", err)
	}
	if _, err := LoadAround(ctx, dir, "EXP-2026-9999"); !errors.As(err, new(*NoRecord)) {
		t.Fatalf("another id: %v, want NoRecord", err)
	}
	// a file of that name in another kind's folder: found by its name
	if err := os.WriteFile(filepath.Join(dir, "records", "tasks", "2026", "EXP-2026-9998.yaml"), []byte(strings.Replace(string(data), "id: EXP-2026-0016", "id: TSK-2026-0998", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAround(ctx, dir, "EXP-2026-9998"); err != ErrFullPath {
		t.Fatalf("a file named after the id in another folder: %v, want ErrFullPath", err)
	}
	// a record file that is not a record
	if err := os.WriteFile(filepath.Join(dir, "records", "tasks", "2026", "TSK-2026-0999.yaml"), []byte("kind: [task\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAround(ctx, dir, "EXP-2026-9999"); err != ErrFullPath {
		t.Fatalf("an unreadable file: %v, want ErrFullPath", err)
	}
}

// TestAroundEqualsFullShaken is TestAroundEqualsFull on copies of the
// sample shaken at random where people's, plans', status reports' and
// appraisals' findings read other records: states, projects, revisions,
// budget needs, authors, periods, employees, roles and active flags
// changed, set or removed (30 changes a department, 8 departments).
func TestAroundEqualsFullShaken(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	people := []string{"li.wei", "zhao.lei", "sun.li", "zhang.min", "chen.hao", "he.jing", "wang.fang", "no.one"}
	plans := []string{"PLN-2025-0001", "PLN-2026-0001", "PLN-2026-0002", "PLN-2026-0003", "PLN-2026-0004", "PLN-2026-0009"}
	projects := []string{"PRJ-2025-0001", "PRJ-2026-0001", "PRJ-2026-0002", "PRJ-2026-0003", "PRJ-2026-0005"}
	changes := map[string][][2]any{ // folder: field and its values ("" removes the field)
		"records/plans": {
			{"status", []string{"draft", "approved", "active", "completed", "superseded"}},
			{"project", append([]string{""}, projects...)},
			{"supersedes", append([]string{""}, plans...)},
			{"      amount", []string{"1.00", "150000.00", "900000.00", "abc"}},
			{"    - category", []string{"marketing", "office", "personnel", "[a]"}},
		},
		"records/status-reports": {
			{"status", []string{"draft", "submitted", "acknowledged"}},
			{"author", people},
		},
		"records/appraisals": {
			{"period", []string{"", "2026-H1", "2025-H2"}},
			{"employee", people},
			{"status", []string{"draft", "submitted", "closed"}},
		},
		"records/people": {
			{"active", []string{"true", "false"}},
			{"role", []string{"specialist", "manager", "director", "leadership"}},
		},
	}
	folders := []string{"records/plans", "records/status-reports", "records/appraisals", "records/people"}
	for seed := range 8 {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			dir := sampleCopy(t, 0)
			var did []string
			for range 30 {
				folder := folders[rng.IntN(len(folders))]
				var files []string
				filepath.WalkDir(filepath.Join(dir, folder), func(p string, d os.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						files = append(files, p)
					}
					return nil
				})
				file := files[rng.IntN(len(files))]
				c := changes[folder][rng.IntN(len(changes[folder]))]
				field, values := c[0].(string), c[1].([]string)
				value := values[rng.IntN(len(values))]
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(string(data), "\n")
				at := -1
				for i, l := range lines {
					if strings.HasPrefix(l, field+":") {
						at = i
						break
					}
				}
				switch {
				case at >= 0 && value == "":
					lines = append(lines[:at], lines[at+1:]...)
				case at >= 0:
					lines[at] = field + ": " + value
				case value != "" && !strings.HasPrefix(field, " "):
					lines = append(lines[:4], append([]string{field + ": " + value}, lines[4:]...)...)
				}
				if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
					t.Fatal(err)
				}
				did = append(did, filepath.Base(file)+" "+strings.TrimSpace(field)+"="+value)
			}
			t.Logf("changes: %s", strings.Join(did, "; "))
			aroundEqualsFull(t, dir, now)
		})
	}
}

// TestAroundMisnamedRecord: a record filed under a name other than its id
// is found by the whole department's set under that name too, so a
// reference to the name is not missing there. The neighbourhood finds
// records by id alone: with such a record in the department, show takes
// the full path (ErrFullPath) rather than report the reference missing.
func TestAroundMisnamedRecord(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dir := sampleCopy(t, 0)
	plans := filepath.Join(dir, "records", "plans", "2026")
	if err := os.Rename(filepath.Join(plans, "PLN-2026-0007.yaml"), filepath.Join(plans, "PLN-2026-0077.yaml")); err != nil {
		t.Fatal(err)
	}
	replaceLines(t, dir, map[string][2]string{
		"records/plans/2026/PLN-2026-0008.yaml":    {"project: PRJ-2026-0005", "project: PRJ-2026-0005\nsupersedes: PLN-2026-0077"},
		"records/meetings/2026/MTG-2026-0001.yaml": {"concerns: PLN-2026-0004", "concerns: PLN-2026-0077"},
	})
	ctx := context.Background()
	whole, err := LoadWith(ctx, dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	all := whole.Validate(now)
	for _, id := range []string{"PLN-2026-0008", "MTG-2026-0001"} {
		for _, d := range FilterPaths(all, []string{whole.Set.Get(id).Path}) {
			if d.Rule == "ref-missing" {
				t.Fatalf("%s: the whole department reports %s", id, d.Message)
			}
		}
		ar, err := LoadAround(ctx, dir, id)
		if errors.Is(err, ErrFullPath) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		for _, d := range ar.ValidatePaths(now, []string{ar.Set.Get(id).Path}) {
			if d.Rule == "ref-missing" {
				t.Errorf("%s from its neighbourhood: %s; the whole department finds PLN-2026-0077 by its file's name", id, d.Message)
			}
		}
	}
}
