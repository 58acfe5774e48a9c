package cli

import (
	"context"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/report"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

type summaryOpts struct {
	*global
	html string
}

// summaryLong is the longer help of summary, keyed in the help catalog.
const summaryLong = `Summary shows, on one screen: how many records of each kind are in each
state; how much of this year's budget each category has used; this year's
complaints (median and p90 first response and resolution, SLA breaches,
satisfaction) and the open ones past their SLA; below-standard appraisals
whose improvement needs someone to act; overdue tasks and missing progress
checks of active plans, late projects and projects closing without what
closing needs; and how many errors and warnings validate finds.

Each part has a report with the detail: opsbook report --help.

Output (-o): text, json, yaml. --html FILE also writes the summary as a
self-contained page with charts ("-" for standard output); without -o
nothing else is printed.`

func newSummaryCmd(g *global) *cobra.Command {
	o := &summaryOpts{global: g}
	cmd := &cobra.Command{
		Use:   "summary",
		Short: i18n.T("One screen over the whole department: start here"),
		Long:  i18n.T(summaryLong),
		Example: `  opsbook summary
  opsbook summary -o json
  opsbook summary --html summary.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSummary(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.html, "html", "", i18n.T("also write a self-contained HTML page to `FILE` (- for standard output)"))
	return cmd
}

func runSummary(ctx context.Context, o *summaryOpts) error {
	format, err := o.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	now, r, err := o.load(ctx)
	if err != nil {
		return err
	}
	rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
	s := report.NewSummary(rc, r.Validate(now), now)
	if o.html != "" {
		if err := o.writeHTMLTo(o.html, s.Page(), now, "summary"); err != nil {
			return err
		}
		if o.output == "" {
			return nil
		}
	}
	switch format {
	case render.JSON:
		return render.WriteJSON(o.io.Out, s)
	case render.YAML:
		return render.WriteYAML(o.io.Out, s)
	}
	return render.WritePageWidth(o.io.Out, s.Page(), o.io.OutTTY, o.colors(), o.io.Width)
}
