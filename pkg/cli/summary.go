package cli

import (
	"context"
	"encoding/json"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
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
closing needs; and how many errors and warnings the rules find: validate's
count, less what only a reader's key can find and what an interrupted
command left behind (validate and doctor report those).

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
	now, err := o.clock()
	if err != nil {
		return err
	}
	s, err := o.summary(ctx, now)
	if err != nil {
		return err
	}
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

// summaryMemo is the name of the stored summary (repo.Memo).
const summaryMemo = "summary"

// summariesReused counts the summaries given from the memo, for the tests.
var summariesReused int

// summary returns the summary as of now: the stored one when it holds
// (repo.Memo: same records, policy, build and attachments, same day, and
// no judgement of the rules or reports changing in between), or a full
// pass over the department, which stores its answer for the next time.
func (o *summaryOpts) summary(ctx context.Context, now time.Time) (*report.Summary, error) {
	found, err := o.recallMemo(ctx, summaryMemo, now)
	if err != nil {
		return nil, err
	}
	if found.memo != nil {
		var v storedSummary
		if json.Unmarshal(found.memo.Value, &v) == nil && v.Summary != nil && v.Summary.Retime(now, v.Starts) {
			o.warnKept(found.memo)
			o.warnInterrupted(found.root)
			summariesReused++
			repo.Trace("summary memo: reused")
			return v.Summary, nil
		}
	}
	start := time.Now()
	beforePass()
	_, r, err := o.load(ctx)
	if err != nil {
		return nil, err
	}
	h := &rules.Horizon{}
	errs, warns, seen := r.CountSeen(now, h)
	rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now, Horizon: h}
	s := report.NewSummary(rc, errs, warns, now)
	if v, err := json.Marshal(storedSummary{s, s.ClockStarts()}); err == nil {
		afterPass()
		read, _ := r.Fingerprint()
		o.storeMemo(ctx, summaryMemo, found, read, now, start, h, seen, nil, v, unreadableWarning(r))
	}
	return s, nil
}

// storedSummary is the value of the summary's memo.
type storedSummary struct {
	Summary *report.Summary `json:"summary"`
	Starts  []time.Time     `json:"clock_starts"`
}
