package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/report"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

type reportOpts struct {
	*global
	name    string
	year    string
	period  string
	groupBy string
	html    string
	redact  bool
	wide    bool
}

// laidOut is a report that can be drawn: a page for people, a table for CSV.
type laidOut interface {
	Page(report.View) *render.Page
	Table(report.View) *render.Table
}

// reportLong is the longer help of report, keyed in the help catalog.
const reportLong = `Report computes one of the department's reports from the records in the
work tree. Amounts are exact; every count can be traced to the files.

  budget      budget, amendments, approved, paid, pending (submitted),
              remaining and % used per category, per project and per month,
              with an over-budget flag (one year: --year, default this year)
  complaints  volume by category, channel, severity and type; first response
              and resolution times (median and p90, nearest rank) against the
              SLA; breaches; satisfaction; reopen and repeat rates; the open
              backlog by age (complaints received in --year or --period,
              default this year)
  appraisals  per period: rating distribution and average score per
              indicator; below-standard people and where their improvement
              stands (default: every period)
  projects    pipeline by state, late projects, projects closing or closed
              without a summary, lessons or team appraisals
  plans       plans by state, overdue tasks of active plans, KPIs against
              target, active plans missing a progress check
  training    the year's training plan against the trainings held: per
              course, hours per person and per topic, attendance rate,
              average rating, what training cost against the plan and the
              budget; warnings for courses past their month and not held
              and for active staff without the year's confidentiality
              course (one year: --year, default this year)
  tasks       per person: work assigned, open, overdue, done, on time and
              late, across tasks, the tasks of active and completed plans and
              the action items of published meetings (items due in --year or
              --period; default all)
  customers   per customer: revisits done, the last, the next due under
              revisit_days and whether it is overdue, satisfaction from
              revisits, complaints, open ones and repeats

--period takes 2026, 2026-H1, 2026-Q3 or 2026-03. Projects and plans are
selected by the year of their id. --group-by keeps one table of the report
(text, markdown, HTML) and picks the table CSV writes:
  budget      category (default), project, month
  complaints  category (default), channel, severity, type, month
  appraisals  period (default), indicator
  projects    project (default), state, owner
  plans       plan (default), state, kpi, task, check
  training    course (default), person, topic, session
  tasks       person (default), overdue
  customers   customer

Output (-o): text (aligned tables with bars on a terminal, tab-separated when
piped), json and yaml (the whole report; shapes in the README), csv (one
table), markdown. --html FILE also writes a self-contained page with charts
("-" writes it to standard output); without -o nothing else is printed.
--redact leaves out confidential records (marked classification:
confidential, or confidential by their kind's default in the policy:
appraisals, violations, customers, budgets), for output that leaves the
department, and says how many; reports never print customer contact details.`

func newReportCmd(g *global) *cobra.Command {
	o := &reportOpts{global: g}
	cmd := &cobra.Command{
		Use:   "report {budget|complaints|appraisals|projects|plans|training|tasks|customers} [flags]",
		Short: i18n.T("Reports on budgets, complaints, appraisals, projects, plans, training and work"),
		Long:  i18n.T(reportLong),
		Example: `  opsbook report budget
  opsbook report budget --year 2025 --group-by month -o csv
  opsbook report complaints --period 2026-Q3
  opsbook report complaints --group-by severity -o markdown
  opsbook report appraisals --year 2026 --html appraisals.html
  opsbook report plans --group-by kpi -o json
  opsbook report training --year 2026 --group-by person`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr("report needs one of: budget, complaints, appraisals, projects, plans, training, tasks, customers (see `opsbook report --help`)")
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.year, "year", "", i18n.T("report on `YEAR` (YYYY)"))
	pf.StringVar(&o.period, "period", "", i18n.T("report on `PERIOD`: YYYY, YYYY-H1|H2, YYYY-Q1..Q4 or YYYY-MM"))
	pf.StringVar(&o.groupBy, "group-by", "", i18n.T("keep one table, `NAME` (see above); also the table -o csv writes"))
	pf.StringVar(&o.html, "html", "", i18n.T("also write a self-contained HTML page with charts to `FILE` (- for standard output)"))
	pf.BoolVar(&o.redact, "redact", false, i18n.T("leave out confidential records"))
	pf.BoolVar(&o.wide, "wide", false, i18n.T(wideHelp))

	for _, sub := range []struct{ name, short string }{
		{"budget", i18n.T("Budget against claims per category, project and month")},
		{"complaints", i18n.T("Complaint volume, SLA times, satisfaction, reopen and repeat rates, backlog")},
		{"appraisals", i18n.T("Ratings and indicators per period; below-standard people and their improvement")},
		{"projects", i18n.T("Project pipeline, late projects, closure gaps")},
		{"plans", i18n.T("Plans by state, overdue tasks, KPIs against target, missing checks")},
		{"training", i18n.T("Training plan against delivery, hours per person and topic, attendance, ratings, cost")},
		{"tasks", i18n.T("Open, overdue and on-time work by person: tasks, plan tasks and meeting actions")},
		{"customers", i18n.T("Revisits done and due, satisfaction from revisits, complaints per customer")},
	} {
		name := sub.name
		cmd.AddCommand(&cobra.Command{
			Use:   name,
			Short: sub.short,
			Long: i18n.Sprintf("%s.\n\nFlags and output formats: see `opsbook report --help`; --group-by takes %s.", sub.short,
				strings.Join(report.GroupBys[name], i18n.T(", "))) + "\n" + exitHelp(),
			Example: "  opsbook report " + name + "\n  opsbook report " + name + " -o json",
			Args:    cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				o.name = name
				return runReport(cmd.Context(), o)
			},
		})
	}
	return cmd
}

// selection resolves --year and --period; nil means none was given.
func (o *reportOpts) selection() (*report.Period, error) {
	if o.year != "" && o.period != "" {
		return nil, usageErr("--year and --period cannot be used together")
	}
	if o.year != "" {
		if len(o.year) != 4 {
			return nil, usageErr("--year %q is not a year (YYYY)", o.year)
		}
		p, err := report.ParsePeriod(o.year)
		if err != nil {
			return nil, usageErr("--year %q is not a year (YYYY)", o.year)
		}
		return &p, nil
	}
	if o.period != "" {
		p, err := report.ParsePeriod(o.period)
		if err != nil {
			return nil, usageErr("--period: %v", err)
		}
		return &p, nil
	}
	return nil, nil
}

func runReport(ctx context.Context, o *reportOpts) error {
	format, err := o.format(render.Text, render.JSON, render.YAML, render.CSV, render.Markdown)
	if err != nil {
		return err
	}
	sel, err := o.selection()
	if err != nil {
		return err
	}
	if o.groupBy != "" && !contains(report.GroupBys[o.name], o.groupBy) {
		return usageErr("report %s cannot --group-by %q (it takes: %s)", o.name, o.groupBy, i18n.Commas(report.GroupBys[o.name]))
	}
	if o.name == "budget" && sel != nil && len(sel.Label) != 4 {
		return usageErr("report budget works per year: use --year %s (and --group-by month for months)", sel.Label[:4])
	}
	if o.name == "training" && sel != nil && len(sel.Label) != 4 {
		return usageErr("report training works per year: use --year %s", sel.Label[:4])
	}
	var now time.Time
	var r *repo.Repo
	if o.name == "budget" {
		// The budget report reads the year's budget, the expenses and the
		// projects they name, nothing else.
		now, r, err = o.loadKinds(ctx, record.Budget, record.Expense, record.Project)
	} else {
		now, r, err = o.load(ctx)
	}
	if err != nil {
		return err
	}
	set := r.Set
	if o.redact {
		set = report.Redact(set, r.Policy)
		if o.name == "budget" {
			year := now.Year()
			if sel != nil {
				year = sel.Year()
			}
			id := record.FormatID(record.Budget, year, 0)
			if r.Set.Get(id) != nil && set.Get(id) == nil {
				return refused(i18n.Errorf("%s is confidential: report budget --redact has no budget to show (claims against nothing would mislead); the policy's classification.budget decides", id))
			}
		}
		if n := len(r.Set.Records) - len(set.Records); n > 0 {
			fmt.Fprintln(o.io.Err, i18n.Plural(n, "redacted: %d confidential record left out of every figure", "redacted: %d confidential records left out of every figure", n))
		}
	}
	rc := &rules.Context{Set: set, Policy: r.Policy, Root: r.Root, Now: now, LeftAtClose: r.LeftAtClose}

	var rep laidOut
	switch o.name {
	case "budget":
		year := now.Year()
		if sel != nil {
			year = sel.Year()
		}
		rep = report.BudgetReport(set, r.Policy, year)
	case "complaints":
		p := report.YearPeriod(now.Year())
		if sel != nil {
			p = *sel
		}
		rep = report.ComplaintsReport(rc, p)
	case "appraisals":
		rep = report.AppraisalsReport(rc, sel)
	case "projects":
		rep = report.ProjectsReport(rc, sel)
	case "plans":
		rep = report.PlansReport(rc, sel)
	case "training":
		year := now.Year()
		if sel != nil {
			year = sel.Year()
		}
		rep = report.TrainingReport(rc, year)
	case "tasks":
		rep = report.TasksReport(rc, sel)
	case "customers":
		rep = report.CustomersReport(rc)
	default:
		return usageErr("unknown report %q", o.name)
	}

	view := report.View{GroupBy: o.groupBy}
	if o.html != "" {
		if err := o.writeHTML(rep.Page(view), now); err != nil {
			return err
		}
		if o.output == "" {
			return nil
		}
	}
	out := o.io.Out
	switch format {
	case render.JSON:
		return render.WriteJSON(out, rep)
	case render.YAML:
		return render.WriteYAML(out, rep)
	case render.CSV:
		view.Plain = true
		return render.WriteCSV(out, rep.Table(view))
	case render.Markdown:
		return render.WritePageMarkdown(out, rep.Page(view))
	}
	page, narrowed := rep.Page(view), false
	if w := o.narrowTerminal(); w > 0 && !o.wide {
		page, narrowed = page.Narrowed(w)
	}
	if err := render.WritePageWidth(out, page, o.io.OutTTY, o.colors(), o.io.Width); err != nil {
		return err
	}
	if narrowed {
		fmt.Fprintln(o.io.Err, render.WrapLines(i18n.Sprintf(msgReportNarrow, o.io.Width), o.io.Width))
	}
	return nil
}

// writeHTML writes the page to --html FILE (atomically) or, for "-", to
// standard output.
func (g *global) writeHTMLTo(file string, p *render.Page, now time.Time, what string) error {
	footer := i18n.Sprintf("opsbook %s, as of %s; figures from the records in the work tree.", what, now.Format("2006-01-02 15:04 -07:00"))
	if file == "-" {
		if g.output != "" && g.output != "text" {
			return usageErr("--html - writes the page to standard output; it cannot go with -o %s (give --html a file name)", g.output)
		}
		return render.WriteHTML(g.io.Out, p, footer)
	}
	if err := render.WriteHTMLFile(file, p, footer); err != nil {
		return &ExitError{ExitUsage, err}
	}
	fmt.Fprintln(g.io.Err, i18n.Sprintf("wrote %s", file))
	return nil
}

func (o *reportOpts) writeHTML(p *render.Page, now time.Time) error {
	what := "report " + o.name
	if o.redact {
		what += " --redact" // the footer names the command, in any language
	}
	return o.writeHTMLTo(o.html, p, now, what)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
