package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/memojson"
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
	wide bool
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
	cmd.Flags().BoolVar(&o.wide, "wide", false, i18n.T(wideHelp))
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
	page, narrowed := s.Page(), false
	if w := o.narrowTerminal(); w > 0 && !o.wide {
		page, narrowed = page.Narrowed(w)
	}
	if err := render.WritePageWidth(o.io.Out, page, o.io.OutTTY, o.colors(), o.io.Width); err != nil {
		return err
	}
	if narrowed {
		fmt.Fprintln(o.io.Err, render.WrapLines(i18n.Sprintf(msgReportNarrow, o.io.Width), o.io.Width))
	}
	return nil
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
		if memojson.Unmarshal(found.memo.Value, &v) == nil && v.Summary != nil && v.Summary.Retime(now, v.Starts) {
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
	r, err := o.openListed(ctx, found)
	if err != nil {
		return nil, err
	}
	// what the pass reads of the history, kept with its answer
	asked := audit.NewLeftAsked(r.Root)
	r.LeftAtClose = asked.Ask
	h := &rules.Horizon{}
	counts, seen := r.CountFiles(now, h)
	errs, warns := counts.Totals()
	// the closure gaps owe no appraisal to a member gone when the project
	// closed, as validate and `report projects` judge them
	rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now, Horizon: h, LeftAtClose: r.LeftAtClose}
	s := report.NewSummary(rc, errs, warns, now)
	if v, err := memojson.Marshal(storedSummary{s, s.ClockStarts()}); err == nil && keptAsMade(s, v) {
		afterPass()
		read, _ := r.Fingerprint()
		m := o.storeMemo(ctx, summaryMemo, found, read, now, start, h, seen, nil, historyRead(asked), v, unreadableWarning(r))
		if m != nil && read == found.fp && found.d != nil {
			o.saveSummaryBase(found, r, s, counts, now, m)
		}
	}
	return s, nil
}

// summaryBaseMemo is the name of the memo a recount starts from: the
// last full pass's summary (see recount).
const summaryBaseMemo = "summary-base"

// saveSummaryBase keeps the full pass's memo m as the base of recounts,
// with the department's index as the pass read it and validate's counts
// by file beside it (repo.SaveBase), when the parts a recount makes again
// from the index (the budget report, budget-overspend) come out as the
// pass made them from the records: else no recount starts from it.
func (o *summaryOpts) saveSummaryBase(found memoFound, r *repo.Repo, s *report.Summary, counts repo.FileCounts, now time.Time, m *repo.Memo) {
	n, bset := repo.IndexBudget(found.d, r.Set.OfKind(record.Budget), now.Year())
	if n != counts.Overspend {
		repo.Trace("summary memo: no base: budget-overspend from the index %d, from the records %d", n, counts.Overspend)
		return
	}
	fromIndex, _ := json.Marshal(report.BudgetReport(bset, r.Policy, now.Year()))
	fromRecords, _ := json.Marshal(s.Budget)
	if string(fromIndex) != string(fromRecords) {
		repo.Trace("summary memo: no base: the budget report from the index differs")
		return
	}
	t := time.Now()
	if repo.SaveBase(summaryBasePath(found.root), found.d, found.fp, counts) == nil && repo.SaveMemo(found.root, summaryBaseMemo, m) == nil {
		repo.Trace("summary memo: the base saved (%d ms)", time.Since(t).Milliseconds())
	}
}

// summaryBasePath is where the base's index is kept.
func summaryBasePath(root string) string {
	return filepath.Join(cache.Dir(root), "memo-"+summaryBaseMemo+".index")
}

// recountsMade counts the summaries made by a recount, for the tests.
var recountsMade int

// recount makes the summary again from the last full pass's (its memo,
// the base) when the records changed since it are neither people nor
// budgets (repo.Recount): the base's parts that read none of the kinds
// changed as they were (retimed to now), the others made again from the
// records of their kinds (report.SummaryParts), the counts of each kind's
// states moved by the records changed, the budget report made again from
// the index, and validate's counts made again for the records whose
// findings can move. The base must hold now but for its fingerprint (the
// same day, within its horizon, the attachments it looked at unchanged).
// nil: the full pass is needed.
func (o *summaryOpts) recount(ctx context.Context, found memoFound, now, start time.Time) *report.Summary {
	if found.d == nil || found.fp == "" {
		return nil
	}
	base, err := repo.LoadMemo(found.root, summaryBaseMemo)
	if err != nil {
		return nil
	}
	var b storedSummary
	switch {
	case !base.Holds(base.Fingerprint, now):
		repo.Trace("summary memo: the base: %s", base.Why(base.Fingerprint, now))
		return nil
	case !repo.SameFiles(found.root, base.Files):
		repo.Trace("summary memo: the base: an attachment changed")
		return nil
	case memojson.Unmarshal(base.Value, &b) != nil || b.Summary == nil:
		return nil
	}
	h := &rules.Horizon{}
	if base.Until != nil {
		(&rules.Context{Now: now, Horizon: h}).Until(*base.Until)
	}
	asked := audit.NewLeftAsked(found.root) // as the full pass's validate (openWith)
	found.d.LeftAtClose = asked.Ask
	rc, why := repo.Recount(found.d, summaryBasePath(found.root), base.Fingerprint, now, now.Year(), h)
	if rc == nil {
		repo.Trace("summary memo: no recount: %s", why)
		return nil
	}
	// The base's counts of the records not judged again and its parts
	// not made again hold what it read of the history then: it must read
	// the same now (a history rewritten, a commit since), but for the
	// projects changed since, judged again.
	hist, ok := historyAgain(found.root, base.History, asked, rc.Changes)
	if !ok {
		repo.Trace("summary memo: no recount: the history the base read changed")
		return nil
	}
	s := b.Summary
	if !s.Retime(now, b.Starts) {
		return nil
	}
	var parts []report.SummaryPart
	var kinds []record.Kind
	for _, p := range report.SummaryParts {
		if slices.ContainsFunc(p.Kinds, func(k record.Kind) bool { return slices.Contains(rc.Kinds, k) }) {
			parts = append(parts, p)
			for _, k := range p.Kinds {
				if !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
		}
	}
	if len(parts) > 0 {
		set, err := found.d.LoadKinds(ctx, kinds)
		if err != nil {
			repo.Trace("summary memo: no recount: %v", err)
			return nil
		}
		c := &rules.Context{Set: set, Policy: found.d.Policy, Root: found.root, Now: now, Horizon: h, LeftAtClose: found.d.LeftAtClose}
		for _, p := range parts {
			p.Make(s, c, now)
		}
	}
	s.Kinds = movedCounts(s.Kinds, rc.Changes)
	if rc.Budget != nil {
		s.Budget = report.BudgetReport(rc.Budget, found.d.Policy, now.Year())
	}
	s.Validation.Errors, s.Validation.Warnings = rc.Errors, rc.Warnings
	repo.Trace("summary memo: recounted: %d files changed, %d judged, %d read, %d parts made again", len(rc.Changes), rc.Judged, rc.Read, len(parts))
	recountsMade++
	o.warnKept(base)
	o.warnInterrupted(found.root)
	if v, err := memojson.Marshal(storedSummary{s, s.ClockStarts()}); err == nil && keptAsMade(s, v) {
		o.storeMemo(ctx, summaryMemo, found, found.fp, now, start, h, seenPaths(rc.Seen, base.Files), nil, hist, v, base.Warning)
	}
	return s
}

// movedCounts are the counts of each kind's states with the records
// changed moved: each as it was taken out, as it is put in.
func movedCounts(kinds []report.KindCount, changes []repo.ClaimChange) []report.KindCount {
	at := map[string]*report.KindCount{}
	for i := range kinds {
		at[kinds[i].Kind] = &kinds[i]
	}
	for _, c := range changes {
		if c.Was != nil {
			if kc := at[string(c.Was.Kind)]; kc != nil {
				kc.Total--
				if st := c.Was.Str("status"); st != "" {
					if kc.States[st]--; kc.States[st] == 0 {
						delete(kc.States, st)
					}
				}
			}
		}
		if c.Now != nil {
			if kc := at[string(c.Now.Kind)]; kc != nil {
				kc.Total++
				if st := c.Now.Str("status"); st != "" {
					kc.States[st]++
				}
			}
		}
	}
	return kinds
}

// seenPaths are the paths of seen and of a memo's attachments, sorted,
// each once.
func seenPaths(seen []string, files []repo.SeenFile) []string {
	out := slices.Clone(seen)
	for _, f := range files {
		out = append(out, f.Path)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// keptAsMade tells whether v, the summary s as its memo keeps it, gives
// the page s gives. The memo keeps amounts to the cent, and the page adds
// some (approved and paid): amounts past the cent (a claim of 123.456, a
// format error the budget counts all the same) added as made and added
// as kept can differ by a cent, and then no memo is kept.
func keptAsMade(s *report.Summary, v []byte) bool {
	var back storedSummary
	if memojson.Unmarshal(v, &back) != nil || back.Summary == nil {
		return false
	}
	a, errA := json.Marshal(s.Page())
	b, errB := json.Marshal(back.Summary.Page())
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// storedSummary is the value of the summary's memo.
type storedSummary struct {
	Summary *report.Summary `json:"summary"`
	Starts  []time.Time     `json:"clock_starts"`
}
