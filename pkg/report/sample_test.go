package report

import (
	"context"
	"github.com/opsbook/opsbook/pkg/diag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// The shipped sample department, reconciled against the report: the
// expected figures are summed here straight from the text of the YAML files
// (top-level "key: value" lines, amounts through shopspring/decimal),
// without the record package, so a mistake in reading records does not hide
// itself.

const sampleRoot = "../.."

var topLevel = regexp.MustCompile(`(?m)^([a-z_]+):[ \t]*"?([^"#\n]*?)"?[ \t]*(?:#.*)?$`)

// fields reads the top-level scalar fields of a record file.
func fields(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range topLevel.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = m[2]
	}
	return out
}

func files(t *testing.T, pattern string) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(sampleRoot, pattern))
	if err != nil || len(fs) == 0 {
		t.Fatalf("no sample files match %s (%v)", pattern, err)
	}
	return fs
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return d
}

// budgetFromText sums a budget file's lines and amendments per category.
func budgetFromText(t *testing.T, year string) (map[string]decimal.Decimal, string) {
	path := filepath.Join(sampleRoot, "records/budgets/BUD-"+year+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return map[string]decimal.Decimal{}, ""
	}
	out := map[string]decimal.Decimal{}
	section, cat := "", ""
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case l == "lines:" || l == "amendments:":
			section = l
		case !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "-") && l != "":
			section = ""
		case section != "":
			item := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "-"))
			if v, ok := strings.CutPrefix(item, "category:"); ok {
				cat = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(item, "amount:"); ok {
				out[cat] = out[cat].Add(dec(t, strings.Trim(strings.TrimSpace(v), `"`)))
			}
		}
	}
	return out, fields(t, path)["status"]
}

func TestSampleBudgetReconciles(t *testing.T) {
	r, err := repo.Load(context.Background(), sampleRoot)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ year, cat, status string }
	sums := map[key]decimal.Decimal{}
	months := map[[2]string]decimal.Decimal{} // month, status
	cats := map[string]map[string]bool{}
	for _, f := range files(t, "records/expenses/*/*.yaml") {
		fl := fields(t, f)
		y := fl["date"][:4]
		if cats[y] == nil {
			cats[y] = map[string]bool{}
		}
		cats[y][fl["category"]] = true
		k := key{y, fl["category"], fl["status"]}
		sums[k] = sums[k].Add(dec(t, fl["amount"]))
		mk := [2]string{fl["date"][:7], fl["status"]}
		months[mk] = months[mk].Add(dec(t, fl["amount"]))
	}
	for _, year := range []string{"2025", "2026"} {
		y, _ := strconv.Atoi(year)
		b := BudgetReport(r.Set, r.Policy, y)
		budget, status := budgetFromText(t, year)
		counts := status == "approved" || status == "closed"
		for c := range budget {
			cats[year][c] = true
		}
		var want, got []string
		for c := range cats[year] {
			want = append(want, c)
		}
		for _, l := range b.Categories {
			got = append(got, l.Category)
		}
		sort.Strings(want)
		sort.Strings(got)
		eq(t, year+" categories", strings.Join(got, ","), strings.Join(want, ","))

		totals := map[string]decimal.Decimal{}
		for _, l := range b.Categories {
			wb := decimal.Zero
			if counts {
				wb = budget[l.Category]
			}
			approved, paid, pending := sums[key{year, l.Category, "approved"}], sums[key{year, l.Category, "paid"}], sums[key{year, l.Category, "submitted"}]
			for _, c := range []struct {
				what      string
				got, want decimal.Decimal
			}{
				{"budget", dec(t, l.Budget.String()), wb},
				{"approved", dec(t, l.Approved.String()), approved},
				{"paid", dec(t, l.Paid.String()), paid},
				{"pending", dec(t, l.Pending.String()), pending},
				{"remaining", dec(t, l.Remaining.String()), wb.Sub(approved).Sub(paid)},
			} {
				if !c.got.Equal(c.want) {
					t.Errorf("%s %s %s = %s, summed from the files %s", year, l.Category, c.what, c.got, c.want)
				}
				totals[c.what] = totals[c.what].Add(c.want)
			}
			eq(t, year+" "+l.Category+" over", l.Over, approved.Add(paid).GreaterThan(wb))
		}
		eq(t, year+" total budget", b.Total.Budget.String(), totals["budget"].StringFixed(2))
		eq(t, year+" total approved", b.Total.Approved.String(), totals["approved"].StringFixed(2))
		eq(t, year+" total paid", b.Total.Paid.String(), totals["paid"].StringFixed(2))
		eq(t, year+" total pending", b.Total.Pending.String(), totals["pending"].StringFixed(2))
		eq(t, year+" total remaining", b.Total.Remaining.String(), totals["remaining"].StringFixed(2))

		for _, m := range b.Months {
			eq(t, m.Month+" approved", m.Approved.String(), months[[2]string{m.Month, "approved"}].StringFixed(2))
			eq(t, m.Month+" paid", m.Paid.String(), months[[2]string{m.Month, "paid"}].StringFixed(2))
			eq(t, m.Month+" pending", m.Pending.String(), months[[2]string{m.Month, "submitted"}].StringFixed(2))
		}
	}
}

func TestSampleCountsReconcile(t *testing.T) {
	r, err := repo.Load(context.Background(), sampleRoot)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := time.Parse(time.RFC3339, "2026-11-26T15:00:00+08:00")
	c := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}

	// Complaints: every 2026 file, and every dimension adds up to it.
	want, open, scored := 0, 0, 0
	for _, f := range files(t, "records/complaints/*/*.yaml") {
		fl := fields(t, f)
		if strings.HasPrefix(fl["received_at"], "2026-") {
			want++
			switch fl["status"] {
			case "received", "acknowledged", "investigating", "reopened":
				open++
			}
			if s := fl["satisfaction"]; s != "" && s != "unreachable" {
				scored++
			}
		}
	}
	cr := ComplaintsReport(c, YearPeriod(2026))
	eq(t, "complaints", cr.Total, want)
	eq(t, "open backlog", cr.Backlog.Open, open)
	eq(t, "scored", cr.Satisfaction.Scored, scored)
	for _, dim := range []string{"type", "severity", "category", "channel", "month"} {
		n := 0
		for _, g := range cr.Group(dim) {
			n += g.Count
		}
		eq(t, "complaints by "+dim, n, want)
	}
	n := 0
	for _, b := range cr.Backlog.Buckets {
		n += b.Count
	}
	eq(t, "backlog buckets", n, open)

	// Appraisals: every file in some period group, draft or not.
	ar := AppraisalsReport(c, nil)
	n = 0
	for _, g := range ar.Groups {
		n += g.Appraisals + g.Drafts
		rated := 0
		for _, rc := range g.Ratings {
			rated += rc.Count
		}
		eq(t, g.Label()+" ratings", rated, g.Appraisals)
	}
	eq(t, "appraisals", n, len(files(t, "records/appraisals/*/*.yaml")))

	// Projects and plans: the pipeline adds up to the files.
	sum := func(sc []StateCount) int {
		n := 0
		for _, s := range sc {
			n += s.Count
		}
		return n
	}
	eq(t, "projects", sum(ProjectsReport(c, nil).Pipeline), len(files(t, "records/projects/*/*.yaml")))
	pl := PlansReport(c, nil)
	eq(t, "plans", sum(pl.States), len(files(t, "records/plans/*/*.yaml")))

	// Overdue tasks and missing checks agree with validate's warnings.
	var overdue, missing, work int
	for _, d := range r.Validate(now) {
		switch d.Rule {
		case "task-overdue", "action-overdue":
			work++
		}
		switch {
		case d.Rule == "task-overdue" && strings.HasPrefix(d.Path, "records/plans/"):
			overdue++
		case d.Rule == "check-missing":
			missing++
		}
	}
	eq(t, "overdue tasks = task-overdue warnings", len(pl.OverdueTasks), overdue)
	eq(t, "missing checks = check-missing warnings", len(pl.MissingChecks), missing)
	// The work report's overdue items are validate's overdue tasks and actions.
	eq(t, "overdue work = task-overdue and action-overdue warnings", len(TasksReport(c, nil).Overdue), work)
}

func TestSampleSummaryFitsOneScreen(t *testing.T) {
	r, err := repo.Load(context.Background(), sampleRoot)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := time.Parse(time.RFC3339, "2026-11-26T15:00:00+08:00")
	c := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
	errs, warns := diag.Count(r.Validate(now))
	s := NewSummary(c, errs, warns, now)
	for _, tty := range []bool{false, true} {
		var b strings.Builder
		if err := render.WritePage(&b, s.Page(), tty, render.Colors{Enabled: tty}); err != nil {
			t.Fatal(err)
		}
		// One screen: a row per kind (eleven with the coordination kinds)
		// and the sections below fit a 55-line terminal.
		if n := strings.Count(b.String(), "\n"); n > 55 {
			t.Errorf("summary (tty %v) is %d lines, over one screen (55):\n%s", tty, n, b.String())
		}
	}
	eq(t, "complaints received", s.Complaints.Received, 19)
	eq(t, "active plans", s.Plans.Active, 3)
	eq(t, "follow-ups (APR-2025-0004 was followed up)", len(s.FollowUps), 0)
}
