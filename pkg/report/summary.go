package report

import (
	"sort"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// KindCount is how many records of a kind there are, per state.
type KindCount struct {
	Kind   string         `json:"kind"`
	Total  int            `json:"total"`
	States map[string]int `json:"states"`
}

// OverdueComplaint is an open complaint past an SLA clock.
type OverdueComplaint struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
	Assignee string `json:"assignee"`
	Clock    string `json:"clock"` // "respond" or "resolve"
	Open     string `json:"open_for"`
	Limit    string `json:"limit"`
}

// Summary is the one-screen overview.
type Summary struct {
	AsOf       string             `json:"as_of"`
	Kinds      []KindCount        `json:"kinds"`
	Budget     *Budget            `json:"budget"`
	PastSLA    []OverdueComplaint `json:"complaints_past_sla"`
	Validation struct {
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
	} `json:"validation"`
}

// StateOrder lists each kind's states in workflow order, for stable tables.
var StateOrder = map[record.Kind][]string{
	record.Project:   {"proposed", "feasibility", "approved", "planning", "executing", "closing", "closed", "on_hold", "rejected", "cancelled"},
	record.Plan:      {"draft", "in_review", "changes_requested", "reviewed", "approved", "active", "completed", "superseded"},
	record.Complaint: {"received", "acknowledged", "investigating", "resolved", "reopened", "closed"},
	record.Appraisal: {"draft", "submitted", "reviewed", "acknowledged", "closed"},
	record.Budget:    {"draft", "approved", "closed"},
	record.Expense:   {"draft", "submitted", "returned", "approved", "paid", "rejected"},
}

// Counts counts records per kind and state.
func Counts(set *record.Set) []KindCount {
	var out []KindCount
	for _, ki := range record.Kinds {
		kc := KindCount{Kind: string(ki.Kind), States: map[string]int{}}
		for _, r := range set.OfKind(ki.Kind) {
			kc.Total++
			if st := r.Status(); st != "" {
				kc.States[st]++
			}
		}
		out = append(out, kc)
	}
	return out
}

// OpenPastSLA lists open complaints whose response or resolution clock has
// run past its SLA, most urgent first.
func OpenPastSLA(c *rules.Context) []OverdueComplaint {
	var out []OverdueComplaint
	for _, r := range c.Set.OfKind(record.Complaint) {
		if r.Status() == "closed" || r.Status() == "resolved" {
			continue
		}
		respond, resolve, ok := c.Clocks(r)
		if !ok {
			continue
		}
		add := func(name string, cl rules.Clock) {
			out = append(out, OverdueComplaint{ID: r.ID, Title: r.Title(), Severity: r.Str("severity"), Status: r.Status(),
				Assignee: r.Str("assignee"), Clock: name, Open: rules.Hours(cl.Elapsed), Limit: rules.Hours(cl.Limit)})
		}
		switch {
		case respond.Running && respond.Breach:
			add("respond", respond)
		case resolve.Running && resolve.Breach:
			add("resolve", resolve)
		}
	}
	sev := map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3}
	sort.SliceStable(out, func(i, j int) bool {
		if sev[out[i].Severity] != sev[out[j].Severity] {
			return sev[out[i].Severity] < sev[out[j].Severity]
		}
		return out[i].ID < out[j].ID
	})
	if out == nil {
		out = []OverdueComplaint{}
	}
	return out
}

// NewSummary builds the overview as of now, from the records and their
// validation findings.
func NewSummary(c *rules.Context, ds []diag.Diagnostic, now time.Time) *Summary {
	s := &Summary{AsOf: now.Format("2006-01-02")}
	s.Kinds = Counts(c.Set)
	s.Budget = BudgetReport(c.Set, c.Policy, now.Year())
	s.PastSLA = OpenPastSLA(c)
	s.Validation.Errors, s.Validation.Warnings = diag.Count(ds)
	return s
}
