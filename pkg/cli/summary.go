package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
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
	if s := o.recount(ctx, found, now, start); s != nil {
		return s, nil
	}
	beforePass()
	_, r, err := o.load(ctx)
	if err != nil {
		return nil, err
	}
	h := &rules.Horizon{}
	counts, seen := r.CountFiles(now, h)
	errs, warns := counts.Totals()
	rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now, Horizon: h}
	s := report.NewSummary(rc, errs, warns, now)
	stored := storedSummary{Summary: s, Starts: s.ClockStarts()}
	afterPass()
	read, _ := r.Fingerprint()
	if read != "" && read == found.fp && found.d != nil {
		stored.Base = o.summaryBase(found, r, s, counts, now, h)
	}
	if v, err := json.Marshal(stored); err == nil {
		o.storeMemo(ctx, summaryMemo, found, read, now, start, h, seen, nil, v, unreadableWarning(r))
	}
	return s, nil
}

// summaryBase keeps a full pass's summary as the base of recounts (see
// recount), with the department's index as the pass read it beside the
// memo, when the parts a recount makes again from the index (the budget
// report, budget-overspend) come out as the pass made them from the
// records: else no recount starts from it.
func (o *summaryOpts) summaryBase(found memoFound, r *repo.Repo, s *report.Summary, counts repo.FileCounts, now time.Time, h *rules.Horizon) *summaryBase {
	if n := repo.IndexOverspends(found.d, r.Set.OfKind(record.Budget)); n != counts.Overspend {
		repo.Trace("summary memo: no base: budget-overspend from the index %d, from the records %d", n, counts.Overspend)
		return nil
	}
	fromIndex, _ := json.Marshal(report.BudgetReport(repo.IndexBudgetSet(found.d, r.Set, now.Year()), r.Policy, now.Year()))
	fromRecords, _ := json.Marshal(s.Budget)
	if string(fromIndex) != string(fromRecords) {
		repo.Trace("summary memo: no base: the budget report from the index differs")
		return nil
	}
	if err := repo.SaveBase(summaryBasePath(found.root), found.d); err != nil {
		return nil
	}
	b := &summaryBase{Fingerprint: found.fp, Day: now.Format(time.DateOnly), From: now, Summary: s, Starts: s.ClockStarts(), Counts: counts}
	if at := h.At(); !at.IsZero() {
		b.Until = &at
	}
	return b
}

// summaryBasePath is where the base's index is kept.
func summaryBasePath(root string) string {
	return filepath.Join(cache.Dir(root), "memo-"+summaryMemo+".base")
}

// recountsMade counts the summaries made by a recount, for the tests.
var recountsMade int

// recount makes the summary again from the memo's base when only expense
// claims changed since it (repo.Recount): the base's parts that read no
// claim as they were (retimed to now), the counts of each kind's states
// moved by the claims changed, the budget report made again from the
// index, and validate's counts made again for the claims whose findings
// can move. nil: the full pass is needed.
func (o *summaryOpts) recount(ctx context.Context, found memoFound, now, start time.Time) *report.Summary {
	if found.stale == nil || found.d == nil || found.fp == "" {
		return nil
	}
	var was storedSummary
	if json.Unmarshal(found.stale.Value, &was) != nil || was.Base == nil || was.Base.Summary == nil {
		repo.Trace("summary memo: no base to recount from")
		return nil
	}
	b := was.Base
	switch {
	case now.Format(time.DateOnly) != b.Day || now.Before(b.From) || b.Until != nil && !now.Before(*b.Until):
		repo.Trace("summary memo: the base is of another day or past its horizon")
		return nil
	case !repo.SameFiles(found.root, found.stale.Files):
		repo.Trace("summary memo: an attachment changed")
		return nil
	}
	h := &rules.Horizon{}
	if b.Until != nil {
		(&rules.Context{Now: now, Horizon: h}).Until(*b.Until)
	}
	rc, why := repo.Recount(found.d, summaryBasePath(found.root), b.Fingerprint, b.Counts, now, now.Year(), h)
	if rc == nil {
		repo.Trace("summary memo: no recount: %s", why)
		return nil
	}
	s := b.Summary
	if !s.Retime(now, b.Starts) {
		return nil
	}
	s.Kinds = movedCounts(s.Kinds, rc.Changes)
	s.Budget = report.BudgetReport(rc.Budget, found.d.Policy, now.Year())
	s.Validation.Errors, s.Validation.Warnings = rc.Counts.Totals()
	repo.Trace("summary memo: recounted: %d claims changed, %d judged, %d read", len(rc.Changes), rc.Judged, rc.Read)
	recountsMade++
	o.warnKept(found.stale)
	o.warnInterrupted(found.root)
	seen := append(rc.Seen, seenPaths(found.stale.Files)...)
	// the memo's own value: this summary, on the same base (whose value
	// is decoded again: s is the base's, retimed and changed)
	var base storedSummary
	_ = json.Unmarshal(found.stale.Value, &base)
	if v, err := json.Marshal(storedSummary{Summary: s, Starts: b.Starts, Base: base.Base}); err == nil {
		o.storeMemo(ctx, summaryMemo, found, found.fp, now, start, h, seen, nil, v, found.stale.Warning)
	}
	return s
}

// movedCounts are the counts of each kind's states with the claims
// changed moved: each claim as it was taken out, as it is put in.
func movedCounts(kinds []report.KindCount, changes []repo.ClaimChange) []report.KindCount {
	for i := range kinds {
		if kinds[i].Kind != string(record.Expense) {
			continue
		}
		kc := &kinds[i]
		for _, c := range changes {
			if c.Was != nil {
				kc.Total--
				if st := c.Was.Str("status"); st != "" {
					if kc.States[st]--; kc.States[st] == 0 {
						delete(kc.States, st)
					}
				}
			}
			if c.Now != nil {
				kc.Total++
				if st := c.Now.Str("status"); st != "" {
					kc.States[st]++
				}
			}
		}
	}
	return kinds
}

// seenPaths are the paths of a memo's attachments.
func seenPaths(fs []repo.SeenFile) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Path
	}
	return out
}

// storedSummary is the value of the summary's memo.
type storedSummary struct {
	Summary *report.Summary `json:"summary"`
	Starts  []time.Time     `json:"clock_starts"`
	// Base is the full pass the summary was made from (itself, or the
	// one its recount started from): what the next recount starts from.
	Base *summaryBase `json:"base,omitempty"`
}

// summaryBase is a full pass's summary kept for recounts: the
// department's fingerprint then (its index is kept beside the memo), as
// of when and until when its judgements hold (repo.Memo's Day, From and
// Until), and validate's counts by file.
type summaryBase struct {
	Fingerprint string          `json:"fingerprint"`
	Day         string          `json:"day"`
	From        time.Time       `json:"from"`
	Until       *time.Time      `json:"until"`
	Summary     *report.Summary `json:"summary"`
	Starts      []time.Time     `json:"clock_starts"`
	Counts      repo.FileCounts `json:"counts"`
}
