package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/internal/randedit"
)

// TestSummaryRecountEqualsFull: after claims change (amounts, states,
// days, claims copied and removed) and records of other kinds (states,
// references, dates, copies, removals: randedit), the summary made again
// from its base (recount) prints exactly what a full pass (--no-cache)
// prints, as JSON and as the page, and the recount is what made it.
func TestSummaryRecountEqualsFull(t *testing.T) {
	depts := indexedDepts(t)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	for name, dir := range depts {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(name)), 5))
			claims := unnamedClaims(t, dir)
			others, err := randedit.Records(dir)
			if err != nil {
				t.Fatal(err)
			}
			others = slices.DeleteFunc(others, func(rel string) bool { return strings.Contains(rel, "/expenses/") })
			zone := time.FixedZone("CST", 8*3600)
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, zone)
			summaryAt(dir, now) // the base
			recountSteps(t, rng, dir, now, 24, func(step int) []string {
				var did []string
				for range 1 + rng.IntN(2) {
					did = append(did, changeAClaim(t, rng, dir, &claims))
				}
				if step%3 == 1 {
					did = append(did, visitACustomer(t, rng, dir))
				}
				if step%3 == 2 {
					did = append(did, moveAlone(t, rng, dir))
				}
				for range rng.IntN(3) {
					what, err := randedit.Any(rng, dir, &others)
					if err != nil {
						t.Fatal(err)
					}
					did = append(did, what)
				}
				return did
			})
		})
	}
}

// visitACustomer notes a visit on one of dir's customers, where it is
// (by someone the department has, or by no one it has), and says which.
func visitACustomer(t *testing.T, rng *rand.Rand, dir string) string {
	t.Helper()
	p, b := pickFile(t, rng, dir, "customers")
	by := []string{"li.wei", "sun.li", "nobody.here"}[rng.IntN(3)]
	visit := "  - date: 2026-11-2" + fmt.Sprint(rng.IntN(6)) + "\n    by: " + by + "\n    note: 回訪\n"
	text := string(b)
	if strings.Contains(text, "\nvisits:\n") {
		text = strings.Replace(text, "\nvisits:\n", "\nvisits:\n"+visit, 1)
	} else {
		text += "visits:\n" + visit
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Base(p) + ": visited by " + by
}

// pickFile picks one record file of dir's folders at random (flat or in
// year folders) and returns its path and content.
func pickFile(t *testing.T, rng *rand.Rand, dir string, folders ...string) (string, []byte) {
	t.Helper()
	var ps []string
	for _, f := range folders {
		for _, pattern := range []string{"*.yaml", filepath.Join("*", "*.yaml")} {
			more, _ := filepath.Glob(filepath.Join(dir, "records", f, pattern))
			ps = append(ps, more...)
		}
	}
	if len(ps) == 0 {
		t.Fatalf("no records in %v", folders)
	}
	p := ps[rng.IntN(len(ps))]
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

// moveAlone moves a violation or an analysis of dir to another state (or
// gives a customer a status of its own, which the summary counts among
// the customers' states all the same), where it is, and says which.
func moveAlone(t *testing.T, rng *rand.Rand, dir string) string {
	t.Helper()
	p, b := pickFile(t, rng, dir, "violations", "analyses", "customers")
	states := []string{"vip"}
	switch {
	case strings.Contains(p, "violations"):
		states = []string{"reported", "investigating", "decided", "closed", "dismissed"}
	case strings.Contains(p, "analyses"):
		states = []string{"draft", "submitted", "decided", "closed"}
	}
	st := states[rng.IntN(len(states))]
	text := string(b)
	if re := regexp.MustCompile(`(?m)^status: .*$`); re.MatchString(text) {
		text = re.ReplaceAllString(text, "status: "+st)
	} else {
		text += "status: " + st + "\n"
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Base(p) + ": status " + st
}

// unnamedClaims are the paths of the claims of dir that no other record
// names (a change of a named claim is judged on the whole department).
func unnamedClaims(t *testing.T, dir string) []string {
	t.Helper()
	var others strings.Builder
	var claims []string
	filepath.WalkDir(filepath.Join(dir, "records"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		if strings.Contains(p, string(filepath.Separator)+"expenses"+string(filepath.Separator)) {
			claims = append(claims, p)
		} else if b, err := os.ReadFile(p); err == nil {
			others.Write(b)
		}
		return nil
	})
	all := others.String()
	return slices.DeleteFunc(claims, func(p string) bool {
		return strings.Contains(all, strings.TrimSuffix(filepath.Base(p), ".yaml"))
	})
}

// changeAClaim changes, copies or removes one of claims and says what.
func changeAClaim(t *testing.T, rng *rand.Rand, dir string, claims *[]string) string {
	t.Helper()
	p := (*claims)[rng.IntN(len(*claims))]
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	set := func(field, value string) {
		re := regexp.MustCompile(`(?m)^` + field + `: .*$`)
		text = re.ReplaceAllString(text, field+": "+value)
	}
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	var what string
	switch rng.IntN(6) {
	case 0, 1:
		what = "amount " + pick("80.00", "4800.00", "12000.00", "900000.00")
		set("amount", what[7:])
	case 2:
		what = "status " + pick("draft", "submitted", "approved", "paid")
		set("status", what[7:])
	case 3:
		what = "date " + pick("2026-10-01", "2026-11-20", "2025-06-30")
		set("date", what[5:])
	case 4:
		id := fmt.Sprintf("EXP-%s-8%03d", filepath.Base(filepath.Dir(p)), rng.IntN(1000))
		np := filepath.Join(filepath.Dir(p), id+".yaml")
		if _, err := os.Stat(np); err == nil {
			return "nothing"
		}
		text = regexp.MustCompile(`(?m)^id: .*$`).ReplaceAllString(text, "id: "+id)
		if err := os.WriteFile(np, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		*claims = append(*claims, np)
		return "copied to " + id
	default:
		if len(*claims) < 5 {
			return "nothing"
		}
		os.Remove(p)
		*claims = slices.DeleteFunc(*claims, func(q string) bool { return q == p })
		return "removed " + filepath.Base(p)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Base(p) + ": " + what
}

// TestSummaryRecountIDHeldTwice: a claim judged again because it is
// grouped with a claim changed (the same claimant and day) holds an id
// another file holds too, unchanged since the base: its id-duplicate is
// found again as the full pass finds it (the other holder read with it),
// whether the other holder is a claim or a record of another kind.
func TestSummaryRecountIDHeldTwice(t *testing.T) {
	for _, other := range []string{"EXP-2026-0001", "PRJ-2026-0001"} {
		t.Run(other, func(t *testing.T) {
			dir := indexedDepts(t)["sample"]
			b, err := os.ReadFile(filepath.Join(dir, "records/expenses/2026/EXP-2026-0004.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			// a copy of EXP-2026-0004 (its claimant, its day) holding other's id
			twin := regexp.MustCompile(`(?m)^id: .*$`).ReplaceAllString(string(b), "id: "+other)
			if err := os.WriteFile(filepath.Join(dir, "records/expenses/2025", other+".yaml"), []byte(twin), 0o644); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2100 * time.Millisecond) // the files older than the racy window
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
			recountAfter(t, dir, now, func() {
				changed := regexp.MustCompile(`(?m)^title: .*$`).ReplaceAllString(string(b), "title: changed")
				if err := os.WriteFile(filepath.Join(dir, "records/expenses/2026/EXP-2026-0004.yaml"), []byte(changed), 0o644); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// recountAfter takes the summary's base (a full pass) at now, makes
// change, and checks that the summary made again from the base is the
// full pass's, and was made so.
func recountAfter(t *testing.T, dir string, now time.Time, change func()) {
	t.Helper()
	summaryAt(dir, now) // the base
	made := recountsMade
	change()
	got := summaryAt(dir, now, "-o", "json")
	if want := summaryAt(dir, now, "-o", "json", "--no-cache"); got != want {
		t.Fatalf("recounted and full summaries differ:\n%s", lineDiff(got, want))
	}
	if recountsMade == made {
		t.Errorf("not recounted: the test tests nothing")
	}
}

// TestSummaryRecountEncryptingPolicy: a department whose policy asks to
// encrypt claim fields (refused: a claim's fields are what the workflow,
// the sums and the budget read, so the policy has no encrypt entry for
// claims and the one written is a policy error; the claims stay in clear) and one of whose claims holds a ciphertext pushed
// past opsbook (ciphertext-unexpected): after claims change, the summary
// made again from its base prints what a full pass prints, and the
// recount made it.
func TestSummaryRecountEncryptingPolicy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: sampleDir(), Records: 400}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
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
	// a complaint's contact ciphertext, pasted as a claim's title
	cmp, err := os.ReadFile(filepath.Join(dir, "records/complaints/2026/CMP-2026-0018.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ct := regexp.MustCompile(`(?s)contact: \|\n(  -----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----\n)`).FindSubmatch(cmp)
	if ct == nil {
		t.Fatal("no ciphertext in CMP-2026-0018")
	}
	sealed := filepath.Join(dir, "records/expenses/2026/EXP-2026-0003.yaml")
	c, err := os.ReadFile(sealed)
	if err != nil {
		t.Fatal(err)
	}
	c = regexp.MustCompile(`(?m)^title: .*\n`).ReplaceAll(c, []byte("title: |\n"+string(ct[1])))
	if err := os.WriteFile(sealed, c, 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	zone := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, zone)
	first := summaryAt(dir, now)
	for _, want := range []string{"the policy .opsbook.yaml has errors", "Validation: "} {
		if !strings.Contains(first, want) {
			t.Fatalf("summary lacks %q:\n%s", want, first)
		}
	}
	if got, want := summaryAt(dir, now, "-o", "json"), summaryAt(dir, now, "-o", "json", "--no-cache"); got != want {
		t.Fatalf("summaries differ before any change:\n%s", lineDiff(got, want))
	}
	rng := rand.New(rand.NewPCG(11, 5))
	claims := slices.DeleteFunc(unnamedClaims(t, dir), func(p string) bool { return p == sealed })
	recountSteps(t, rng, dir, now, 16, func(int) []string {
		var did []string
		for range 1 + rng.IntN(2) {
			did = append(did, changeAClaim(t, rng, dir, &claims))
		}
		return did
	})
}

// recountSteps makes steps changes (change says what each did), a few
// minutes apart from now, and after each compares the summary, as JSON
// and every fourth step as the page, with a full pass (--no-cache); three
// in four of them at least must have been recounts.
func recountSteps(t *testing.T, rng *rand.Rand, dir string, now time.Time, steps int, change func(step int) []string) {
	t.Helper()
	made := recountsMade
	for step := range steps {
		did := change(step)
		now = now.Add(time.Duration(rng.IntN(600)) * time.Second)
		args := []string{"-o", "json"}
		if step%4 == 3 {
			args = nil
		}
		got := summaryAt(dir, now, args...)
		want := summaryAt(dir, now, append(args, "--no-cache")...)
		if got != want {
			t.Fatalf("step %d (%s): recounted and full summaries differ:\n%s", step, strings.Join(did, "; "), lineDiff(got, want))
		}
	}
	if n := recountsMade - made; n < steps*3/4 {
		t.Errorf("%d of %d summaries recounted: the test tests too little", n, steps)
	}
}

// A recountCase is a department's records set up (before) and then
// changed (after) so that a record whose findings read another's is
// judged again while that other is not: the recount must still give a
// full pass's summary.
type recountCase struct {
	name          string
	before, after map[string]func(string) string // by path below the department
}

// setLine sets a top-level field of a record's text (added when missing).
func setLine(field, value string) func(string) string {
	return func(text string) string {
		re := regexp.MustCompile(`(?m)^` + field + `: .*$`)
		if re.MatchString(text) {
			return re.ReplaceAllLiteralString(text, field+": "+value)
		}
		return text + field + ": " + value + "\n"
	}
}

// both applies two edits one after the other.
func both(f, g func(string) string) func(string) string {
	return func(text string) string { return g(f(text)) }
}

var recountCases = []recountCase{
	{
		// complaint-repeat reads a complaint's customer field as written:
		// CMP-2026-0015 repeats CMP-2026-0003 (the same customer id, no
		// record's, and category, within the window), and is judged
		// again when CMP-2026-0014 names it
		name: "repeat of a customer no record holds",
		before: map[string]func(string) string{
			"records/complaints/2026/CMP-2026-0015.yaml": setLine("customer", "CUS-9999"),
			"records/complaints/2026/CMP-2026-0003.yaml": both(setLine("customer", "CUS-9999"), setLine("received_at", "2026-11-10T09:05:00+08:00")),
		},
		after: map[string]func(string) string{
			"records/complaints/2026/CMP-2026-0014.yaml": setLine("related", "[CMP-2026-0015]"),
		},
	},
}

// TestSummaryRecountReadsAround: after each case's change, the summary
// made again from the base prints what a full pass prints, and the
// recount made it.
func TestSummaryRecountReadsAround(t *testing.T) {
	for _, rc := range recountCases {
		t.Run(rc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dept")
			if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: sampleDir()}); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			edit := func(edits map[string]func(string) string) {
				for rel, f := range edits {
					p := filepath.Join(dir, filepath.FromSlash(rel))
					b, err := os.ReadFile(p)
					if err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(f(string(b))), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			edit(rc.before)
			time.Sleep(2100 * time.Millisecond) // the files older than the racy window
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
			recountAfter(t, dir, now, func() { edit(rc.after) })
		})
	}
}

// TestSummaryRecountMemberBack: a project closed (without closure.left)
// while a member of its team had left, who is back now: validate owes
// them no closing appraisal (the registry of the commit that closed it
// says they had left), and so does the summary, from a full pass (its
// closure gaps, as `report projects`) and made again from its base after
// a plan of the project changed (the recount judges the project again).
func TestSummaryRecountMemberBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: sampleDir()}); err != nil {
		t.Fatal(err)
	}
	rewrite := func(rel, old, new string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s holds no %q", rel, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// PRJ-2025-0001 closed with wu.qiang, who had left, in its team
	rewrite("records/projects/2025/PRJ-2025-0001.yaml", "team: [li.wei, zhao.lei]", "team: [li.wei, zhao.lei, wu.qiang]")
	for _, a := range [][]string{{"init", "-q", "-b", "main"}, {"config", "user.name", "Director"}, {"config", "user.email", "wang.fang@example.com"},
		{"config", "commit.gpgsign", "false"}, {"add", "-A"}, {"commit", "-q", "-m", "department"}} {
		gitIn(t, dir, a...)
	}
	rewrite("records/people/wu.qiang.yaml", "active: false", "active: true")
	gitIn(t, dir, "commit", "-qam", "wu.qiang is back")
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	full := summaryAt(dir, now, "-o", "json") // the base
	if regexp.MustCompile(`"unappraised": \[[^\]]*wu\.qiang`).MatchString(full) {
		t.Errorf("the summary owes wu.qiang a closing appraisal of PRJ-2025-0001:\n%s", full)
	}
	made := recountsMade
	rewrite("records/plans/2025/PLN-2025-0001.yaml", "status: completed", "status: completed\n# read again")
	got := summaryAt(dir, now, "-o", "json")
	if want := summaryAt(dir, now, "-o", "json", "--no-cache"); got != want {
		t.Fatalf("recounted and full summaries differ:\n%s", lineDiff(got, want))
	}
	if recountsMade == made {
		t.Errorf("not recounted: the test tests nothing")
	}
}
