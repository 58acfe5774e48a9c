package report

import (
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/rules"
)

// SummaryWork is the work report in brief: open and overdue items across
// tasks, plan tasks and meeting actions, and the on-time rate.
type SummaryWork struct {
	Open          int        `json:"open"`
	Overdue       int        `json:"overdue"`
	OnTimePercent *string    `json:"on_time_percent"`
	OverdueItems  []WorkItem `json:"overdue_items"` // the most overdue, at most summaryListMax
}

func summaryWork(c *rules.Context) SummaryWork {
	t := TasksReport(c, nil)
	w := SummaryWork{Open: t.Total.Open, Overdue: t.Total.Overdue, OnTimePercent: t.Total.OnTimePercent, OverdueItems: t.Overdue}
	if len(w.OverdueItems) > summaryListMax {
		w.OverdueItems = w.OverdueItems[:summaryListMax]
	}
	return w
}

// workLines are the work in brief, under plans and projects.
func (s *Summary) workLines() []string {
	w := s.Work
	// The items themselves are in -o json (the five most overdue) and in
	// `report tasks --group-by overdue`: the screen has no room for them.
	lines := []string{i18n.Sprintf("Work (tasks, plan tasks, meeting actions): %d open, %d overdue, on time %s.",
		w.Open, w.Overdue, pctWords(w.OnTimePercent))}
	return lines
}

// SummaryOpsPlan is this year's operations plan in brief.
type SummaryOpsPlan struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}
