package workflow

import (
	"sort"

	"github.com/opsbook/opsbook/pkg/config"

	"github.com/opsbook/opsbook/pkg/record"
)

// Guard is a condition a move carries beyond who may make it. CheckMove
// checks it; Move.Note says it in words.
type Guard string

const (
	// GuardInquiry: only records of type inquiry (complaint).
	GuardInquiry Guard = "inquiry"
	// GuardApprovalLimit: the amount is within the actor's role's policy
	// approval limit (leadership has none).
	GuardApprovalLimit Guard = "approval-limit"
	// GuardResume: the target is the state in hold.from.
	GuardResume Guard = "resume"
	// GuardSupersede: only as part of activating the revision whose
	// `supersedes` names this record (Env.Activating).
	GuardSupersede Guard = "supersede"
	// GuardYearOver: a year's record (a budget, the operations or training
	// plan) closes only once its year is over (Env.Now's year is later).
	GuardYearOver Guard = "year-over"
	// GuardEmployeeLeft: an appraisal closed before its employee
	// acknowledged it, once they have left the department (no one else
	// can acknowledge it, and it would wait in reviewed for ever).
	GuardEmployeeLeft Guard = "employee-left"
)

// Move is one line of a move table: from → to, made by the roles listed or
// by the people the Parties fields name, never by the people the Excluded
// fields name.
type Move struct {
	From, To string
	// Verb is the CLI verb that makes the move (`opsbook approve ID`).
	// Within one from-state a verb names one move, except "resume" out of
	// on_hold, whose target is the record's hold.from.
	Verb  string
	Roles []Role
	// Parties are fields naming people who may make the move whatever their
	// role ("claimant", "author", "assignee", "appraiser", "employee").
	Parties []string
	// Excluded are fields naming people who may never make the move, even
	// when their role could: four eyes ("claimant").
	Excluded []string
	Guard    Guard
	Note     string
}

// Creation says who may create a record of a kind.
type Creation struct {
	Roles []Role
	// Anyone: any active person may.
	Anyone bool
	// Party is a field that must name the actor ("claimant", "appraiser").
	Party string
	Note  string
}

// allows reports whether a's role lets them create (the party is checked
// apart).
func (c Creation) allows(a Actor) bool { return c.Anyone || hasRole(c.Roles, a.Role) }

// Table is one kind's workflow.
type Table struct {
	Kind    record.Kind
	States  []string // every state, in the order of the workflow
	Initial string   // the state a record is created in
	Final   []string // immutable states; only a move of the table leaves one
	Moves   []Move
	Create  Creation
}

var (
	managerOrDirector    = []Role{Manager, Director}
	directorOrLeadership = []Role{Director, Leadership}
	approvers            = []Role{Manager, Director, Leadership}
)

// Open project states: those a project can be put on hold from.
var projectHoldable = []string{"proposed", "feasibility", "approved", "planning", "executing", "closing"}

var tables = map[record.Kind]*Table{
	record.Project:   projectTable(),
	record.Plan:      planTable(),
	record.Complaint: complaintTable(),
	record.Appraisal: appraisalTable(),
	record.Budget:    budgetTable(),
	record.Expense:   expenseTable(),
}

func projectTable() *Table {
	t := &Table{
		Kind:    record.Project,
		States:  []string{"proposed", "feasibility", "approved", "rejected", "planning", "executing", "closing", "closed", "on_hold", "cancelled"},
		Initial: "proposed",
		Final:   []string{"closed", "rejected", "cancelled"},
		Create:  Creation{Roles: []Role{Director}},
		Moves: []Move{
			{From: "proposed", To: "feasibility", Verb: "assess", Roles: []Role{Director}},
			{From: "feasibility", To: "approved", Verb: "approve", Roles: []Role{Leadership}},
			{From: "feasibility", To: "rejected", Verb: "reject", Roles: []Role{Leadership}},
			{From: "approved", To: "planning", Verb: "plan", Roles: managerOrDirector},
			{From: "planning", To: "executing", Verb: "start", Roles: managerOrDirector},
			{From: "executing", To: "closing", Verb: "finish", Roles: []Role{Manager}},
			{From: "closing", To: "closed", Verb: "close", Roles: []Role{Director}},
		},
	}
	for _, s := range projectHoldable {
		t.Moves = append(t.Moves, Move{From: s, To: "on_hold", Verb: "hold", Roles: directorOrLeadership,
			Note: "the change records hold.from: " + s})
	}
	for _, s := range projectHoldable {
		t.Moves = append(t.Moves, Move{From: "on_hold", To: s, Verb: "resume", Roles: directorOrLeadership,
			Guard: GuardResume, Note: "only when hold.from is " + s})
	}
	for _, s := range append(projectHoldable, "on_hold") {
		t.Moves = append(t.Moves, Move{From: s, To: "cancelled", Verb: "cancel", Roles: directorOrLeadership})
	}
	return t
}

func planTable() *Table {
	return &Table{
		Kind:    record.Plan,
		States:  []string{"draft", "in_review", "changes_requested", "reviewed", "approved", "active", "completed", "superseded", "rejected"},
		Initial: "draft",
		Final:   []string{"completed", "superseded", "rejected"},
		Create:  Creation{Roles: []Role{Manager}, Party: "author", Note: "the author is the actor"},
		Moves: []Move{
			{From: "draft", To: "in_review", Verb: "submit", Parties: []string{"author"}},
			{From: "in_review", To: "reviewed", Verb: "review", Roles: []Role{Director}},
			{From: "in_review", To: "changes_requested", Verb: "return", Roles: []Role{Director}},
			{From: "changes_requested", To: "draft", Verb: "revise", Parties: []string{"author"}},
			{From: "reviewed", To: "approved", Verb: "approve", Roles: []Role{Leadership}},
			{From: "reviewed", To: "changes_requested", Verb: "return", Roles: []Role{Leadership}},
			{From: "reviewed", To: "rejected", Verb: "reject", Roles: []Role{Leadership}},
			{From: "approved", To: "active", Verb: "activate", Roles: managerOrDirector},
			{From: "active", To: "completed", Verb: "complete", Roles: managerOrDirector},
			{From: "active", To: "superseded", Verb: "supersede", Roles: managerOrDirector, Guard: GuardSupersede,
				Note: "only as part of activating the revision that names it in supersedes (one change moves both)"},
		},
	}
}

func complaintTable() *Table {
	return &Table{
		Kind:    record.Complaint,
		States:  []string{"received", "acknowledged", "investigating", "resolved", "closed", "reopened"},
		Initial: "received",
		Final:   []string{"closed"},
		Create:  Creation{Anyone: true},
		Moves: []Move{
			{From: "received", To: "acknowledged", Verb: "ack", Roles: managerOrDirector, Parties: []string{"assignee"}},
			{From: "acknowledged", To: "investigating", Verb: "investigate", Roles: []Role{Manager}, Parties: []string{"assignee"}},
			{From: "acknowledged", To: "resolved", Verb: "resolve", Roles: []Role{Manager}, Parties: []string{"assignee"},
				Guard: GuardInquiry, Note: "inquiries only; a complaint is investigated first"},
			{From: "investigating", To: "resolved", Verb: "resolve", Roles: []Role{Manager}, Parties: []string{"assignee"}},
			{From: "resolved", To: "closed", Verb: "close", Roles: managerOrDirector},
			{From: "resolved", To: "reopened", Verb: "reopen", Roles: managerOrDirector},
			{From: "closed", To: "reopened", Verb: "reopen", Roles: managerOrDirector},
			{From: "reopened", To: "investigating", Verb: "investigate", Roles: []Role{Manager}, Parties: []string{"assignee"}},
		},
	}
}

func appraisalTable() *Table {
	return &Table{
		Kind:    record.Appraisal,
		States:  []string{"draft", "submitted", "reviewed", "acknowledged", "closed"},
		Initial: "draft",
		Final:   []string{"closed"},
		Create: Creation{Anyone: true, Party: "appraiser",
			Note: "the appraiser is the employee's reports_to or the director, never the employee"},
		Moves: []Move{
			{From: "draft", To: "submitted", Verb: "submit", Parties: []string{"appraiser"}},
			{From: "submitted", To: "reviewed", Verb: "review", Roles: []Role{Director}},
			{From: "reviewed", To: "draft", Verb: "recalibrate", Roles: []Role{Director}},
			{From: "reviewed", To: "acknowledged", Verb: "ack", Parties: []string{"employee"}},
			{From: "reviewed", To: "closed", Verb: "close", Roles: []Role{Director}, Guard: GuardEmployeeLeft, Note: "the employee has left before acknowledging it"},
			{From: "acknowledged", To: "closed", Verb: "close", Roles: managerOrDirector},
		},
	}
}

func budgetTable() *Table {
	return &Table{
		Kind:    record.Budget,
		States:  []string{"draft", "approved", "closed"},
		Initial: "draft",
		Final:   []string{"closed"},
		Create:  Creation{Roles: managerOrDirector},
		Moves: []Move{
			{From: "draft", To: "approved", Verb: "approve", Roles: []Role{Leadership}},
			{From: "approved", To: "closed", Verb: "close", Roles: []Role{Director}, Guard: GuardYearOver, Note: "the year is over"},
		},
	}
}

func expenseTable() *Table {
	return &Table{
		Kind:    record.Expense,
		States:  []string{"draft", "submitted", "approved", "returned", "rejected", "paid"},
		Initial: "draft",
		Final:   []string{"paid", "rejected"},
		Create:  Creation{Anyone: true, Party: "claimant", Note: "the claimant is the actor"},
		Moves: []Move{
			{From: "draft", To: "submitted", Verb: "submit", Parties: []string{"claimant"}},
			{From: "submitted", To: "approved", Verb: "approve", Roles: approvers, Excluded: []string{"claimant"},
				Guard: GuardApprovalLimit, Note: "within the approver's policy approval limit (leadership: any amount)"},
			{From: "submitted", To: "rejected", Verb: "reject", Roles: approvers, Excluded: []string{"claimant"}},
			{From: "submitted", To: "returned", Verb: "return", Roles: approvers, Excluded: []string{"claimant"}},
			{From: "returned", To: "draft", Verb: "revise", Parties: []string{"claimant"}},
			{From: "approved", To: "paid", Verb: "pay", Roles: []Role{Finance}},
		},
	}
}

// For returns the workflow of kind k under the default policy, or nil for
// kinds without one (person, customer). Tables are shared: do not modify
// them.
func For(k record.Kind) *Table { return tables[k] }

// ForPolicy returns the workflow of kind k under policy p (nil: the
// default): with expense_review: director, claims pass the director's
// review between submitted and approved. The policy reaches the move
// tables only through here.
func ForPolicy(k record.Kind, p *config.Policy) *Table {
	if k == record.Expense && p != nil && p.ExpenseReview == "director" {
		return reviewedExpenses
	}
	return tables[k]
}

var reviewedExpenses = reviewedExpenseTable()

// reviewedExpenseTable is the expense workflow with the department head's
// review (§8.2.2): the director (leadership, for the director's own
// claims) reviews a submitted claim; the approvers then approve the
// reviewed claim within their limits. A claim can be returned or rejected
// at either step.
func reviewedExpenseTable() *Table {
	t := expenseTable()
	t.States = []string{"draft", "submitted", "reviewed", "approved", "returned", "rejected", "paid"}
	var moves []Move
	for _, m := range t.Moves {
		switch {
		case m.From == "submitted" && m.To == "approved":
			moves = append(moves, Move{From: "submitted", To: "reviewed", Verb: "review", Roles: directorOrLeadership, Excluded: []string{"claimant"},
				Note: "the department head's review (§8.2.2); leadership reviews the director's own claims"})
			m.From = "reviewed"
			moves = append(moves, m)
		case m.From == "submitted":
			moves = append(moves, m)
			m.From = "reviewed"
			moves = append(moves, m)
		default:
			moves = append(moves, m)
		}
	}
	t.Moves = moves
	return t
}

// CreatedBy says who may create a record of kind k, for every kind.
func CreatedBy(k record.Kind) Creation {
	switch k {
	case record.Person:
		return Creation{Roles: directorOrLeadership, Note: "people are changed only by the director or leadership"}
	case record.Customer:
		return Creation{Anyone: true}
	}
	if t := For(k); t != nil {
		return t.Create
	}
	return Creation{}
}

// IsState reports whether s is one of the table's states.
func (t *Table) IsState(s string) bool { return contains(t.States, s) }

// IsFinal reports whether s is a final state.
func (t *Table) IsFinal(s string) bool { return contains(t.Final, s) }

// IsOpen reports whether s is a state that is not final (on_hold is open).
func (t *Table) IsOpen(s string) bool { return t.IsState(s) && !t.IsFinal(s) }

// Find returns the move from → to, if the table has one.
func (t *Table) Find(from, to string) (Move, bool) {
	for _, m := range t.Moves {
		if m.From == from && m.To == to {
			return m, true
		}
	}
	return Move{}, false
}

// From returns the moves out of a state, in table order.
func (t *Table) From(state string) []Move {
	var out []Move
	for _, m := range t.Moves {
		if m.From == state {
			out = append(out, m)
		}
	}
	return out
}

// open returns the moves out of rec's state that the record's own data
// does not rule out: out of on_hold, only the resume to hold.from (and
// cancel) when hold.from names a state the project can resume to.
func (t *Table) open(rec *record.Record) []Move {
	moves := t.From(rec.Status())
	if rec.Str("type") != "inquiry" {
		// moves only inquiries make are not open to other records
		var kept []Move
		for _, m := range moves {
			if m.Guard != GuardInquiry {
				kept = append(kept, m)
			}
		}
		moves = kept
	}
	from := rec.Str("hold.from")
	if !hasResume(moves, from) {
		return moves
	}
	var out []Move
	for _, m := range moves {
		if m.Guard != GuardResume || m.To == from {
			out = append(out, m)
		}
	}
	return out
}

func hasResume(moves []Move, to string) bool {
	for _, m := range moves {
		if m.Guard == GuardResume && m.To == to {
			return true
		}
	}
	return false
}

// Verbs lists every verb of every table, sorted, for the CLI to offer.
func Verbs() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tables {
		for _, m := range t.Moves {
			if !seen[m.Verb] {
				seen[m.Verb] = true
				out = append(out, m.Verb)
			}
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
