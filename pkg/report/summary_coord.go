package report

import (
	"fmt"

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
	lines := []string{fmt.Sprintf("Work (tasks, plan tasks, meeting actions): %d open, %d overdue, on time %s.",
		w.Open, w.Overdue, pctWords(w.OnTimePercent))}
	// The screen has room for the most overdue item only; JSON has five,
	// the report all.
	if len(w.OverdueItems) > 0 {
		it := w.OverdueItems[0]
		where := it.Record
		if it.Item != "" {
			where += " " + it.Item
		}
		line := fmt.Sprintf("Most overdue: %s %s, due %s (%d days): %s", where, orDash(it.Person), it.Due, it.DaysOverdue, it.Title)
		if w.Overdue > 1 {
			line += " (all: opsbook report tasks --group-by overdue)"
		}
		lines = append(lines, line)
	}
	return lines
}

// SummaryOpsPlan is this year's operations plan in brief.
type SummaryOpsPlan struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}
