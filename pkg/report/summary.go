package report

import (
	"encoding/json"
	"sort"
	"time"

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
	// since is when the clock started: open_for is the time since then.
	since time.Time
}

// SummaryComplaints is this year's complaint handling in brief.
type SummaryComplaints struct {
	Year          int          `json:"year"`
	Received      int          `json:"received"`
	Open          int          `json:"open"`
	AwaitingClose int          `json:"awaiting_close"`
	Respond       Timing       `json:"respond"`
	Resolve       Timing       `json:"resolve"`
	Satisfaction  *json.Number `json:"satisfaction_average"`
	ReopenPercent string       `json:"reopen_percent"`
	RepeatPercent string       `json:"repeat_percent"`
}

// SummaryPlans counts what needs a manager's attention in plans and
// projects.
type SummaryPlans struct {
	Active        int          `json:"active_plans"`
	OverdueTasks  int          `json:"overdue_tasks"`
	MissingChecks int          `json:"missing_checks"`
	LateProjects  []string     `json:"late_projects"`
	ClosureGaps   []ClosureGap `json:"closure_gaps"`
}

// Summary is the one-screen overview. Its JSON shape (-o json):
//
//	{"as_of": "2026-11-26",
//	 "kinds": [{"kind", "total", "states": {state: count}}],   people: active/inactive
//	 "budget": Budget (this year, as `report budget -o json`),
//	 "complaints_past_sla": [{"id", "title", "severity", "status", "assignee", "clock", "open_for", "limit"}],
//	 "complaints": {"year", "received", "open", "awaiting_close", "respond": Timing, "resolve": Timing,
//	                "satisfaction_average", "reopen_percent", "repeat_percent"},
//	 "appraisal_follow_ups": [BelowStandardItem needing action],
//	 "plans": {"active_plans", "overdue_tasks", "missing_checks", "late_projects": [id], "closure_gaps": [ClosureGap]},
//	 "ops_plan": {"id", "status"} | null,   this year's operations plan
//	 "work": {"open", "overdue", "on_time_percent"|null, "overdue_items": [WorkItem, at most 5]},
//	 "training": {"year", "plan", "courses", "courses_held", "courses_not_held", "attendance_percent",
//	              "average_rating", "without_confidentiality": [handle]},
//	 "validation": {"errors", "warnings"}}
type Summary struct {
	AsOf       string              `json:"as_of"`
	Kinds      []KindCount         `json:"kinds"`
	Budget     *Budget             `json:"budget"`
	PastSLA    []OverdueComplaint  `json:"complaints_past_sla"`
	Complaints SummaryComplaints   `json:"complaints"`
	FollowUps  []BelowStandardItem `json:"appraisal_follow_ups"`
	Plans      SummaryPlans        `json:"plans"`
	Work       SummaryWork         `json:"work"`
	OpsPlan    *SummaryOpsPlan     `json:"ops_plan"`
	Training   SummaryTraining     `json:"training"`
	Validation struct {
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
	} `json:"validation"`
}

// StateOrder lists each kind's states in workflow order, for stable tables.
var StateOrder = map[record.Kind][]string{
	record.Project:      {"proposed", "feasibility", "approved", "planning", "executing", "closing", "closed", "on_hold", "rejected", "cancelled"},
	record.Plan:         {"draft", "in_review", "changes_requested", "reviewed", "approved", "active", "completed", "superseded", "rejected"},
	record.Complaint:    {"received", "acknowledged", "investigating", "resolved", "reopened", "closed"},
	record.Appraisal:    {"draft", "submitted", "reviewed", "acknowledged", "closed"},
	record.Budget:       {"draft", "approved", "closed"},
	record.Expense:      {"draft", "submitted", "reviewed", "returned", "approved", "paid", "rejected"},
	record.Person:       {"active", "inactive"},
	record.Meeting:      {"draft", "published", "closed"},
	record.Task:         {"open", "doing", "done", "cancelled"},
	record.StatusReport: {"draft", "submitted", "acknowledged"},
	record.OpsPlan:      {"draft", "approved", "closed"},
	record.Analysis:     {"draft", "submitted", "decided", "closed"},
}

// Counts counts records per kind and state; people count as active or
// inactive.
func Counts(set *record.Set) []KindCount {
	var out []KindCount
	for _, ki := range record.Kinds {
		kc := KindCount{Kind: string(ki.Kind), States: map[string]int{}}
		for _, r := range set.OfKind(ki.Kind) {
			kc.Total++
			if st := r.Status(); st != "" {
				kc.States[st]++
			}
			if ki.Kind == record.Person {
				if r.Str("active") == "false" {
					kc.States["inactive"]++
				} else {
					kc.States["active"]++
				}
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
				Assignee: r.Str("assignee"), Clock: name, Open: rules.Hours(cl.Elapsed), Limit: rules.Hours(cl.Limit),
				since: c.Now.Add(-cl.Elapsed)})
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

// NewSummary builds the overview as of now, from the records and the
// number of errors and warnings validation finds on them.
func NewSummary(c *rules.Context, errors, warnings int, now time.Time) *Summary {
	s := &Summary{AsOf: now.Format("2006-01-02")}
	s.Kinds = Counts(c.Set)
	s.Budget = BudgetReport(c.Set, c.Policy, now.Year())
	s.Validation.Errors, s.Validation.Warnings = errors, warnings
	for _, p := range SummaryParts {
		p.make(s, c, now)
	}
	return s
}

// A SummaryPart is a part of the summary made from some kinds of records
// alone (the counts of states, the budget and validate's counts apart):
// a summary made again after some records changed makes again the parts
// reading one of them (Make), from the records of the part's kinds.
type SummaryPart struct {
	Name  string
	Kinds []record.Kind
	make  func(s *Summary, c *rules.Context, now time.Time)
}

// Make makes the part of s again from c's records, as of now: c.Set must
// hold every record of the part's kinds.
func (p SummaryPart) Make(s *Summary, c *rules.Context, now time.Time) { p.make(s, c, now) }

// SummaryParts are the summary's parts, in the order NewSummary makes
// them. TestSummaryPartsReadTheirKinds holds each to its kinds.
var SummaryParts = []SummaryPart{
	{Name: "complaints", Kinds: []record.Kind{record.Complaint}, make: func(s *Summary, c *rules.Context, now time.Time) {
		s.PastSLA = OpenPastSLA(c)
		cr := ComplaintsReport(c, YearPeriod(now.Year()))
		s.Complaints = SummaryComplaints{Year: now.Year(), Received: cr.Total, Open: cr.Backlog.Open, AwaitingClose: cr.Backlog.AwaitingClose,
			Respond: cr.All.Respond, Resolve: cr.All.Resolve, Satisfaction: cr.Satisfaction.Average,
			ReopenPercent: cr.Reopen.Percent, RepeatPercent: cr.Repeat.Percent}
	}},
	{Name: "follow-ups", Kinds: []record.Kind{record.Appraisal, record.Person, record.Project}, make: func(s *Summary, c *rules.Context, _ time.Time) {
		s.FollowUps = []BelowStandardItem{}
		for _, b := range AppraisalsReport(c, nil).BelowStandard {
			if b.NeedsAction() {
				s.FollowUps = append(s.FollowUps, b)
			}
		}
	}},
	{Name: "training", Kinds: []record.Kind{record.Training, record.TrainingPlan, record.Person}, make: func(s *Summary, c *rules.Context, now time.Time) {
		s.Training = summaryTraining(c, now.Year())
	}},
	{Name: "plans", Kinds: []record.Kind{record.Plan}, make: func(s *Summary, c *rules.Context, _ time.Time) {
		pl := PlansReport(c, nil)
		s.Plans.Active = 0
		for _, st := range pl.States {
			if st.State == "active" {
				s.Plans.Active = st.Count
			}
		}
		s.Plans.OverdueTasks, s.Plans.MissingChecks = len(pl.OverdueTasks), len(pl.MissingChecks)
	}},
	{Name: "work", Kinds: []record.Kind{record.Task, record.Plan, record.Meeting, record.Person}, make: func(s *Summary, c *rules.Context, _ time.Time) {
		s.Work = summaryWork(c)
	}},
	{Name: "ops plan", Kinds: []record.Kind{record.OpsPlan}, make: func(s *Summary, c *rules.Context, now time.Time) {
		s.OpsPlan = nil
		if op := c.Set.Get(record.FormatID(record.OpsPlan, now.Year(), 0)); op != nil && op.Kind == record.OpsPlan {
			s.OpsPlan = &SummaryOpsPlan{ID: op.ID, Status: op.Status()}
		}
	}},
	{Name: "projects", Kinds: []record.Kind{record.Plan, record.Project, record.Appraisal, record.Person}, make: func(s *Summary, c *rules.Context, _ time.Time) {
		pr := ProjectsReport(c, nil)
		s.Plans.ClosureGaps = pr.ClosureGaps
		s.Plans.LateProjects = []string{}
		for _, p := range pr.Projects {
			if p.Late {
				s.Plans.LateProjects = append(s.Plans.LateProjects, p.ID)
			}
		}
	}},
}

// ClockStarts returns when the running clock of each complaint past its
// SLA started, in the order of PastSLA: what Retime needs to give a
// stored summary's open_for figures as of a later moment.
func (s *Summary) ClockStarts() []time.Time {
	out := make([]time.Time, len(s.PastSLA))
	for i, o := range s.PastSLA {
		out[i] = o.since
	}
	return out
}

// Retime makes a summary computed earlier the same day, from the same
// records, the summary as of now: the only figures that move with time
// alone, as long as no judgement changes (rules.Horizon), are how long
// each complaint past its SLA has been open, from the clock starts
// ClockStarts gave. It reports false when starts do not fit.
func (s *Summary) Retime(now time.Time, starts []time.Time) bool {
	if len(starts) != len(s.PastSLA) {
		return false
	}
	s.AsOf = now.Format("2006-01-02")
	for i := range s.PastSLA {
		s.PastSLA[i].since = starts[i]
		s.PastSLA[i].Open = rules.Hours(now.Sub(starts[i]))
	}
	return true
}
