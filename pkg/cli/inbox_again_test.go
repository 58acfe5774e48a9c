package cli

import (
	"context"
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

// TestInboxAgainEqualsFull: after records of every kind change (claims'
// amounts, states, days, copies and removals; customers visited;
// randedit's states, references, dates, copies and removals), the inbox
// of each person made again from their last one (inboxAgain) prints
// exactly what a full pass (--no-cache) prints, as JSON and as the page,
// and most were made again so.
func TestInboxAgainEqualsFull(t *testing.T) {
	dirs, directors := gitDepts(t)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			t.Setenv("GIT_AUTHOR_EMAIL", directors[name])
			people := peopleOf(t, dir)
			rng := rand.New(rand.NewPCG(uint64(len(name)), 29))
			claims := unnamedClaims(t, dir)
			others, err := randedit.Records(dir)
			if err != nil {
				t.Fatal(err)
			}
			others = slices.DeleteFunc(others, func(rel string) bool { return strings.Contains(rel, "/expenses/") })
			zone := time.FixedZone("CST", 8*3600)
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, zone)
			// each person's inbox kept: the bases
			for _, p := range people {
				inboxAt(dir, now, "-o", "json", "--for", p)
			}
			inboxAt(dir, now, "-o", "json")
			made, asked := inboxesAgain, 0
			const steps = 45
			for step := range steps {
				var did []string
				switch step % 3 {
				case 0:
					did = append(did, changeAClaim(t, rng, dir, &claims))
				case 1:
					did = append(did, visitACustomer(t, rng, dir))
				}
				for range 1 + rng.IntN(2) {
					what, err := randedit.Any(rng, dir, &others)
					if err != nil {
						t.Fatal(err)
					}
					did = append(did, what)
				}
				now = now.Add(time.Duration(rng.IntN(300)) * time.Second)
				for k := 0; k < 3; k++ {
					args := []string{"-o", "json"}
					if k == 2 {
						args = nil // the page
					}
					if j := rng.IntN(len(people) + 1); j < len(people) {
						args = append(args, "--for", people[j])
					}
					got := inboxAt(dir, now, args...)
					want := inboxAt(dir, now, append(args, "--no-cache")...)
					asked++
					if got != want {
						t.Fatalf("step %d (%s), %v: inbox made again and full inbox differ:\n%s", step, strings.Join(did, "; "), args, lineDiff(got, want))
					}
				}
			}
			t.Logf("%d of %d inboxes made again", inboxesAgain-made, asked)
			if inboxesAgain-made < asked/2 {
				t.Errorf("%d of %d inboxes made again: the test tests too little", inboxesAgain-made, asked)
			}
		})
	}
}

// sampleGit is a copy of the sample department in a git repository, with
// everything committed as its director.
func sampleGit(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: sampleDir()}); err != nil {
		t.Fatal(err)
	}
	for _, a := range [][]string{
		{"init", "-q", "-b", "main"}, {"config", "user.name", "Director"}, {"config", "user.email", "wang.fang@example.com"},
		{"config", "commit.gpgsign", "false"}, {"add", "-A"}, {"commit", "-q", "-m", "department"},
	} {
		gitIn(t, dir, a...)
	}
	return dir
}

// TestInboxAgainReadsAround: the inbox made again after a change reads,
// besides the records changed and those reading them, what the items of
// others read that the change moved:
//   - a claim whose amount drops moves the budget line's overspend to
//     another person's claim, which is neither changed nor in their last
//     inbox (budget-overspend sits on the claim crossing the line);
//   - a project renamed judges again the claims naming it, of which the
//     one crossing its budget line carries budget-overspend;
//   - a report given to another author makes the report due of the
//     author it named before be judged again, from their latest report;
//   - a draft report listed as a draft is named by its author's report
//     due once one is due again, and is no longer listed as a draft;
//   - a complaint naming an author's older status report (in a reference
//     of another kind) makes their report due be judged again, from their
//     latest report, which nothing changed names.
//
// Each case's full inbox is checked to show what the case is about.
func TestInboxAgainReadsAround(t *testing.T) {
	cases := []struct {
		name, who, shows string
		before, after    map[string]func(string) string
	}{{
		name: "overspend moves", who: "li.wei", shows: "budget-overspend",
		before: map[string]func(string) string{
			"records/expenses/2026/EXP-2026-0901.yaml": func(string) string {
				return "kind: expense\nid: EXP-2026-0901\ntitle: 年初差旅\nstatus: paid\nclaimant: sun.li\ndate: 2026-01-05\ncategory: travel\namount: 90000.00\n"
			},
		},
		after: map[string]func(string) string{
			"records/expenses/2026/EXP-2026-0901.yaml": func(s string) string { return strings.Replace(s, "90000.00", "79000.00", 1) },
		},
	}, {
		// the claims naming a project changed are judged again, and the
		// one crossing its line still carries budget-overspend
		name: "project renamed", who: "li.wei", shows: "budget-overspend",
		before: map[string]func(string) string{
			"records/expenses/2026/EXP-2026-0902.yaml": func(string) string {
				return "kind: expense\nid: EXP-2026-0902\ntitle: 年初投放\nstatus: paid\nclaimant: sun.li\ndate: 2026-01-05\ncategory: marketing\nproject: PRJ-2026-0003\namount: 93000.00\n"
			},
		},
		after: map[string]func(string) string{
			"records/projects/2026/PRJ-2026-0003.yaml": func(s string) string {
				return regexp.MustCompile(`(?m)^title: .*$`).ReplaceAllString(s, "title: 改名的專案")
			},
		},
	}, {
		// the author a report named before: their report due is made
		// again from their latest report, which nothing changed names
		name: "author changed", who: "zhang.min", shows: `"status-report"`,
		before: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0901.yaml": func(string) string {
				return "kind: status-report\nid: RPT-2026-0901\ntitle: 華東推廣組週報（第 48 週）\nstatus: submitted\nauthor: zhang.min\nto: wang.fang\nperiod: 2026-W48\n" +
					"progress: 經銷商簽約 21/25\nsubmitted_at: 2026-11-25T18:00:00+08:00\nsnapshot:\n  people: 3\n"
			},
		},
		after: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0001.yaml": func(s string) string {
				return strings.Replace(s, "author: zhang.min", "author: liu.yang", 1)
			},
		},
	}, {
		// a draft report is listed as a draft while no report is due; once
		// one is, the report due names it, and the draft's own item goes,
		// though nothing changed names the draft
		name: "draft named", who: "wang.fang", shows: `"status-report"`,
		before: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0902.yaml": func(string) string {
				return "kind: status-report\nid: RPT-2026-0902\ntitle: 運營部月報（12 月）\nstatus: draft\nauthor: wang.fang\nto: huang.jianguo\nperiod: 2026-12\n"
			},
			"records/status-reports/2026/RPT-2026-0903.yaml": func(string) string {
				return "kind: status-report\nid: RPT-2026-0903\ntitle: 運營部月報（11 月）\nstatus: submitted\nauthor: wang.fang\nto: huang.jianguo\nperiod: 2026-11\n" +
					"progress: 各組按計劃推進\nsubmitted_at: 2026-11-20T18:00:00+08:00\nsnapshot:\n  people: 12\n"
			},
		},
		after: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0903.yaml": func(s string) string {
				return strings.Replace(s, "submitted_at: 2026-11-20T18:00:00+08:00", "submitted_at: 2026-11-01T18:00:00+08:00", 1)
			},
		},
	}, {
		name: "latest report", who: "zhang.min", shows: `"status-report"`,
		before: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0901.yaml": func(string) string {
				return "kind: status-report\nid: RPT-2026-0901\ntitle: 華東推廣組週報（第 48 週）\nstatus: submitted\nauthor: zhang.min\nto: wang.fang\nperiod: 2026-W48\n" +
					"progress: 經銷商簽約 21/25\nsubmitted_at: 2026-11-25T18:00:00+08:00\nsnapshot:\n  people: 3\n"
			},
		},
		after: map[string]func(string) string{
			"records/complaints/2026/CMP-2026-0001.yaml": func(s string) string { return s + "related: [RPT-2026-0001]\n" },
		},
	}, {
		// a report given to another author: the one it was of is due
		// from their other reports, which nothing changed names
		name: "report's author changed", who: "wang.fang", shows: `"person": "liu.yang"`,
		before: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0902.yaml": func(string) string {
				return "kind: status-report\nid: RPT-2026-0902\ntitle: 華南推廣組週報（第 45 週）\nstatus: acknowledged\nauthor: liu.yang\nto: wang.fang\nperiod: 2026-W45\n" +
					"progress: 會員項目進行中\nsubmitted_at: 2026-11-09T18:00:00+08:00\nsnapshot:\n  people: 2\n"
			},
		},
		after: map[string]func(string) string{
			"records/status-reports/2026/RPT-2026-0002.yaml": func(s string) string {
				return strings.Replace(s, "author: liu.yang", "author: zhang.min", 1)
			},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := sampleGit(t)
			t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
			edit := func(m map[string]func(string) string) {
				for rel, f := range m {
					p := filepath.Join(dir, filepath.FromSlash(rel))
					b, _ := os.ReadFile(p)
					if err := os.WriteFile(p, []byte(f(string(b))), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			edit(c.before)
			time.Sleep(2100 * time.Millisecond) // the files older than the racy window
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
			args := []string{"-o", "json", "--for", c.who}
			inboxAt(dir, now, args...) // the base
			edit(c.after)
			made := inboxesAgain
			got := inboxAt(dir, now, args...)
			want := inboxAt(dir, now, append(args, "--no-cache")...)
			if inboxesAgain == made {
				t.Fatalf("the inbox was not made again")
			}
			if got != want {
				t.Fatalf("inbox made again and full inbox differ:\n%s", lineDiff(got, want))
			}
			if !strings.Contains(want, c.shows) {
				t.Fatalf("the case shows no %s:\n%s", c.shows, want)
			}
		})
	}
}
