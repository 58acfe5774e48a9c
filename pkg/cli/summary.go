package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/report"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

func newSummaryCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "summary",
		Short: "One screen over the whole department: start here",
		Long: `Summary shows, on one screen, how many records of each kind are in each
state, how much of this year's budget each category has used, which open
complaints are past their SLA, and whether the records validate.`,
		Example: `  opsbook summary
  opsbook summary -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSummary(cmd.Context(), g)
		},
	}
}

func runSummary(ctx context.Context, g *global) error {
	format, err := g.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	now, err := g.clock()
	if err != nil {
		return err
	}
	r, err := g.open(ctx)
	if err != nil {
		return err
	}
	rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
	s := report.NewSummary(rc, r.Validate(now), now)
	switch format {
	case render.JSON:
		return render.WriteJSON(g.io.Out, s)
	case render.YAML:
		return render.WriteYAML(g.io.Out, s)
	}
	return writeSummary(g.io.Out, g, s)
}

func writeSummary(w io.Writer, g *global, s *report.Summary) error {
	c := g.colors()
	tty := g.io.OutTTY
	fmt.Fprintf(w, "%s\n\n", c.Bold("opsbook summary as of "+s.AsOf))

	t := &render.Table{Headers: []string{"KIND", "TOTAL", "BY STATE"}, Right: map[int]bool{1: true}}
	for _, k := range s.Kinds {
		var parts []string
		for _, st := range report.StateOrder[record.Kind(k.Kind)] {
			if n := k.States[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", st, n))
			}
		}
		t.Add(k.Kind, strconv.Itoa(k.Total), strings.Join(parts, ", "))
	}
	if err := render.WriteTable(w, t, tty); err != nil {
		return err
	}

	b := s.Budget
	title := fmt.Sprintf("\nBudget %d (%s", b.Year, b.Currency)
	if b.BudgetID != "" {
		title += ", " + b.BudgetID + " " + b.BudgetStatus
	} else {
		title += ", no budget"
	}
	fmt.Fprintln(w, c.Bold(title+")"))
	bt := &render.Table{Headers: []string{"CATEGORY", "BUDGET", "USED", "PENDING", "REMAINING", "USED %"}, Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}}
	if tty {
		bt.Headers = append(bt.Headers, "")
	}
	for _, l := range append(b.Categories, b.Total) {
		used := l.Approved.Add(l.Paid)
		row := []string{l.Category, l.Budget.Grouped(), used.Grouped(), l.Pending.Grouped(), l.Remaining.Grouped(), l.PercentUsed}
		if l.Over {
			row[4] = c.Red(row[4])
		}
		if tty {
			row = append(row, render.Bar(money.PercentFloat(used, l.Budget), 20))
		}
		bt.Add(row...)
	}
	if err := render.WriteTable(w, bt, tty); err != nil {
		return err
	}

	fmt.Fprintln(w, c.Bold(fmt.Sprintf("\nOpen complaints past SLA: %d", len(s.PastSLA))))
	if len(s.PastSLA) > 0 {
		ct := &render.Table{Headers: []string{"ID", "SEVERITY", "STATUS", "ASSIGNEE", "CLOCK", "OPEN FOR", "LIMIT", "TITLE"}}
		for _, o := range s.PastSLA {
			ct.Add(o.ID, o.Severity, o.Status, o.Assignee, o.Clock, o.Open, o.Limit, render.Truncate(o.Title, 40))
		}
		if err := render.WriteTable(w, ct, tty); err != nil {
			return err
		}
	}
	v := fmt.Sprintf("\nValidation: %d errors, %d warnings", s.Validation.Errors, s.Validation.Warnings)
	if s.Validation.Errors > 0 {
		v = c.Red(v) + " (run `opsbook validate`)"
	}
	_, err := fmt.Fprintln(w, v)
	return err
}
