package workflow

import (
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Mode says how a field changes.
type Mode string

const (
	// Edit: the roles and parties of the right change the field in the
	// states it lists; in every other state the field is sealed.
	Edit Mode = "edit"
	// Stamp: opsbook writes the field as part of a move into one of the
	// states listed, with the value Value says; it changes at no other
	// time, by nobody.
	Stamp Mode = "stamp"
	// Append: a list whose old items never change; the roles and parties
	// of the right add items in the states listed, each with `by` naming
	// the person who adds it.
	Append Mode = "append"
)

// StampValue says what a stamped field holds after the move that stamps it.
type StampValue string

const (
	StampNow     StampValue = "now"     // the instant of the move
	StampToday   StampValue = "today"   // the date of the move
	StampFrom    StampValue = "from"    // the state the move leaves
	StampCleared StampValue = "cleared" // removed by the move
	StampAny     StampValue = "any"     // what the move writes (the move's note)
	StampTotal   StampValue = "total"   // an appraisal's Σ weight × score / 100
	StampRating  StampValue = "rating"  // the rating the total earns under the policy
	StampLeft    StampValue = "left"    // the project's team members who have left (not active)
)

// Right is one line of a kind's edit rights.
type Right struct {
	// Field is a dotted path; "*" stands for any list index
	// ("tasks.*.status"). The right with the longest path that leads to a
	// changed value decides it; Other is every field no right names.
	Field string
	Mode  Mode
	// States: where an Edit or Append right holds; for a Stamp, the
	// states whose entering moves write it. A state not listed seals the
	// field (Edit, Append).
	States []string
	Roles  []Role
	// Parties are fields naming people who hold the right whatever their
	// role; in a list item's right, "*" is the item's index
	// ("tasks.*.assignee": the task's assignee).
	Parties []string
	// Excluded are fields naming people who never hold the right, whatever
	// their role or party (the person a violation concerns).
	Excluded []string
	Value    StampValue // Stamp only
	// AtCreate: the right is checked when the record is created, too
	// (nobody creates a complaint assigned to someone unless they may
	// assign it).
	AtCreate bool
	// Rule is the refusal's rule code when it is not the usual one
	// (edit-right): assign-role, budget-amendment keep their codes.
	Rule string
	Note string
}

// Other is the Field of the right that covers every field no other right
// names.
const Other = "*"

// Rights is one kind's edit rights: which fields may change in which
// state, by whom, which opsbook alone stamps and which lists only grow.
// A change of status is a move (the move table decides it); kind and id
// never change (a renumbering is its own command).
type Rights struct {
	Kind   record.Kind
	Rights []Right
	// Hints say, per state, how to change a field sealed there ("return
	// it to change it").
	Hints map[string]string
}

var rights = map[record.Kind]*Rights{
	record.Expense:   expenseRights(),
	record.Project:   projectRights(),
	record.Plan:      planRights(),
	record.Appraisal: appraisalRights(),
	record.Complaint: complaintRights(),
	record.Budget:    budgetRights(),
	record.Customer:  customerRights(),
}

// RightsFor returns the edit rights of kind k (nil for people, whom only a
// director or leadership change, and for unknown kinds). Shared: do not
// modify.
func RightsFor(k record.Kind) *Rights { return rights[k] }

var (
	anyOpen = []string(nil) // every state that is not final
	noState = []string{}    // sealed in every state
)

func expenseRights() *Rights {
	editable := []string{"draft", "returned"}
	return &Rights{
		Kind: record.Expense,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: editable, Parties: []string{"claimant"}},
			{Field: "claimant", Mode: Edit, States: noState, Note: "a claim belongs to whoever made it"},
			{Field: "note", Mode: Edit, States: []string{"draft", "returned", "approved"}, Parties: []string{"claimant"}, Roles: []Role{Finance},
				Note: "once approved, the claimant and finance add to the note"},
		},
		Hints: map[string]string{
			"submitted": "an approver returns it to change it",
			"reviewed":  "an approver returns it to change it",
			"approved":  "a new claim corrects it",
		},
	}
}

func projectRights() *Rights {
	early := []string{"proposed", "feasibility"}
	owners := []string{"owner"}
	return &Rights{
		Kind: record.Project,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: early, Roles: []Role{Director}, Parties: owners},
			{Field: Other, Mode: Edit, States: []string{"approved", "planning", "executing", "closing", "on_hold"}, Roles: []Role{Director}},
			{Field: "objective", Mode: Edit, States: early, Roles: []Role{Director}, Parties: owners},
			{Field: "feasibility", Mode: Edit, States: early, Roles: []Role{Director}, Parties: owners},
			{Field: "sponsor", Mode: Edit, States: early, Roles: []Role{Director}, Parties: owners},
			{Field: "planned", Mode: Edit, States: early, Roles: []Role{Director}, Parties: owners},
			{Field: "owner", Mode: Edit, States: anyOpen, Roles: []Role{Director}},
			{Field: "team", Mode: Edit, States: []string{"proposed", "feasibility", "approved", "planning"}, Roles: []Role{Director}, Parties: owners,
				Note: "from executing on the director alone, so a project cannot shed the people it owes appraisals"},
			{Field: "team", Mode: Edit, States: []string{"executing", "closing", "on_hold"}, Roles: []Role{Director}},
			{Field: "closure", Mode: Edit, States: []string{"executing", "closing"}, Roles: []Role{Director}, Parties: owners},
			{Field: "attachments", Mode: Edit, States: []string{"proposed", "feasibility", "executing", "closing"}, Roles: []Role{Director}, Parties: owners,
				Note: "the feasibility report early, the closure report at the end (sealed files stay as they were)"},
			{Field: "attachments", Mode: Edit, States: []string{"approved", "planning", "on_hold"}, Roles: []Role{Director}},
			{Field: "actual.start", Mode: Stamp, States: []string{"executing"}, Value: StampToday},
			{Field: "actual.end", Mode: Stamp, States: []string{"closed", "cancelled"}, Value: StampToday},
			{Field: "closure.left", Mode: Stamp, States: []string{"closed"}, Value: StampLeft,
				Note: "the team members who had left when it closed: they are owed no closing appraisal, even if they come back"},
			{Field: "hold.from", Mode: Stamp, States: []string{"on_hold"}, Value: StampFrom, Rule: RuleHoldFrom,
				Note: "the state it resumes to"},
			{Field: "hold.from", Mode: Stamp, States: projectHoldable, Value: StampCleared, Rule: RuleHoldFrom},
			{Field: "hold.reason", Mode: Stamp, States: []string{"on_hold"}, Value: StampAny},
			{Field: "hold.reason", Mode: Stamp, States: projectHoldable, Value: StampCleared},
			{Field: "hold.reason", Mode: Edit, States: []string{"on_hold"}, Roles: directorOrLeadership},
		},
		Hints: map[string]string{
			"approved": "a change of scope is a new proposal",
		},
	}
}

func planRights() *Rights {
	editable := []string{"draft", "changes_requested"}
	running := []string{"approved", "active"}
	return &Rights{
		Kind: record.Plan,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: editable, Parties: []string{"author"}},
			{Field: "author", Mode: Edit, States: noState, Note: "a plan belongs to its author; another manager writes a new revision"},
			{Field: "tasks.*.status", Mode: Edit, States: running, Roles: []Role{Director}, Parties: []string{"tasks.*.assignee", "author"}},
			{Field: "tasks.*.done", Mode: Edit, States: running, Roles: []Role{Director}, Parties: []string{"tasks.*.assignee", "author"}},
			{Field: "checks", Mode: Append, States: running, Roles: managerOrDirector},
			{Field: "measurements", Mode: Append, States: running, Roles: managerOrDirector, Parties: []string{"author"}},
			{Field: "activated_on", Mode: Stamp, States: []string{"active"}, Value: StampToday, Note: "the progress-check interval runs from it"},
		},
		Hints: map[string]string{
			"in_review": "the director returns it (changes_requested) to change it",
			"reviewed":  "leadership returns it (changes_requested) to change it",
			"approved":  "a new revision (supersedes) changes it",
			"active":    "a new revision (supersedes) changes it",
		},
	}
}

func appraisalRights() *Rights {
	return &Rights{
		Kind: record.Appraisal,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Parties: []string{"appraiser"}},
			{Field: "appraiser", Mode: Edit, States: []string{"draft"}, Roles: []Role{Director}, Parties: []string{"appraiser"},
				Note: "the director may hand a draft to another appraiser"},
			{Field: "total", Mode: Stamp, States: []string{"submitted"}, Value: StampTotal, Note: "Σ weight × score / 100"},
			{Field: "total", Mode: Stamp, States: []string{"draft"}, Value: StampCleared},
			{Field: "rating", Mode: Stamp, States: []string{"submitted"}, Value: StampRating, Note: "from the total under the policy thresholds"},
			{Field: "rating", Mode: Stamp, States: []string{"draft"}, Value: StampCleared},
			{Field: "improvement", Mode: Edit, States: []string{"draft", "submitted", "reviewed", "acknowledged"}, Roles: []Role{Director}, Parties: []string{"appraiser"}},
			{Field: "outcome", Mode: Edit, States: []string{"reviewed", "acknowledged"}, Roles: []Role{Director}},
			{Field: "comments", Mode: Append, States: []string{"submitted", "reviewed", "acknowledged"}, Roles: []Role{Director}, Parties: []string{"employee", "appraiser"}},
		},
		Hints: map[string]string{
			"submitted": "the director reviews it, then may recalibrate it back to draft",
			"reviewed":  "the director recalibrates it back to draft to change it",
		},
	}
}

func complaintRights() *Rights {
	handlers := []string{"assignee"}
	return &Rights{
		Kind: record.Complaint,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: anyOpen, Roles: managerOrDirector, Parties: handlers},
			{Field: "channel", Mode: Edit, States: noState},
			{Field: "customer", Mode: Edit, States: noState},
			{Field: "received_at", Mode: Edit, States: noState, Note: "the SLA clocks start from it"},
			{Field: "type", Mode: Edit, States: anyOpen, Roles: managerOrDirector, Note: "an inquiry skips the investigation"},
			{Field: "severity", Mode: Edit, States: anyOpen, Roles: managerOrDirector, Note: "it sets the SLA clocks; history shows who changed it"},
			{Field: "category", Mode: Edit, States: anyOpen, Roles: managerOrDirector},
			{Field: "satisfaction", Mode: Edit, States: anyOpen, Roles: managerOrDirector,
				Note: "the customer's rating, recorded by a manager, not by the person rated"},
			{Field: "assignee", Mode: Edit, States: anyOpen, Roles: managerOrDirector, AtCreate: true, Rule: RuleAssignRole,
				Note: "to a specialist, a manager or the director (ref-role): leadership and finance are outside the department"},
			{Field: "acknowledged_at", Mode: Stamp, States: []string{"acknowledged"}, Value: StampNow},
			{Field: "resolution.resolved_at", Mode: Stamp, States: []string{"resolved"}, Value: StampNow},
			{Field: "reopened_at", Mode: Stamp, States: []string{"reopened"}, Value: StampNow, Note: "the resolution clock runs again from it"},
			{Field: "updates", Mode: Append, States: anyOpen, Roles: managerOrDirector, Parties: handlers},
		},
	}
}

func budgetRights() *Rights {
	return &Rights{
		Kind: record.Budget,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Roles: managerOrDirector},
			{Field: "year", Mode: Edit, States: noState},
			{Field: "amendments", Mode: Edit, States: []string{"draft", "approved"}, Roles: []Role{Leadership}, Rule: RuleBudgetAmendment},
		},
		Hints: map[string]string{
			"approved": "leadership changes an approved budget by adding an amendment",
		},
	}
}

func customerRights() *Rights {
	return &Rights{
		Kind: record.Customer,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: anyOpen, Roles: Roles},
			{Field: "visits", Mode: Append, States: anyOpen, Roles: Roles},
		},
	}
}

// RightRow is one right in words, for `opsbook rights` and the README.
type RightRow struct {
	Field   string   `json:"field"`
	Mode    string   `json:"mode"` // edit, stamp, append, sealed
	States  []string `json:"states"`
	Who     string   `json:"who"`
	Roles   []string `json:"roles"`
	Parties []string `json:"parties"`
	Never   []string `json:"never"`
	Value   string   `json:"value,omitempty"` // a stamp's value
	Rule    string   `json:"rule"`            // the rule code of a refusal
	Note    string   `json:"note,omitempty"`
}

// MoveRow is one move in words.
type MoveRow struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Verb    string   `json:"verb"`
	Who     string   `json:"who"`
	Roles   []string `json:"roles"`
	Parties []string `json:"parties"`
	Never   []string `json:"never"`
	Note    string   `json:"note,omitempty"`
}

// RightsView is a kind's rights and moves under a policy.
type RightsView struct {
	Kind   record.Kind       `json:"kind"`
	States []string          `json:"states"`
	Final  []string          `json:"final"`
	Fields []RightRow        `json:"fields"`
	Moves  []MoveRow         `json:"moves"`
	Hints  map[string]string `json:"hints"`
}

// Describe returns kind k's rights and moves under policy p (nil: the
// default) in words, as `opsbook rights` prints them. People have one row:
// the director or leadership change them.
func Describe(k record.Kind, p *config.Policy) RightsView {
	v := RightsView{Kind: k, States: []string{}, Final: []string{}, Fields: []RightRow{}, Moves: []MoveRow{}, Hints: map[string]string{}}
	t := ForPolicy(k, p)
	var open []string
	if t != nil {
		v.States, v.Final = t.States, t.Final
		for _, s := range t.States {
			if !t.IsFinal(s) {
				open = append(open, s)
			}
		}
		for _, m := range t.Moves {
			v.Moves = append(v.Moves, MoveRow{From: m.From, To: m.To, Verb: m.Verb, Who: whoWords(m.Roles, m.Parties),
				Roles: roleNames(m.Roles), Parties: nonNil(m.Parties), Never: nonNil(m.Excluded), Note: m.Note})
		}
	} else {
		open = []string{"(any)"}
	}
	if k == record.Person {
		v.Fields = append(v.Fields, RightRow{Field: Other, Mode: string(Edit), States: open, Who: whoWords(directorOrLeadership, nil),
			Roles: roleNames(directorOrLeadership), Parties: []string{}, Rule: RulePeoplePolicy,
			Note: "nobody changes their own role or active, and only leadership makes someone leadership or changes a member of it (four eyes)"})
		return v
	}
	rs := RightsFor(k)
	if rs == nil {
		return v
	}
	for s, h := range rs.Hints {
		if t == nil || t.IsState(s) {
			v.Hints[s] = h
		}
	}
	for _, r := range rs.Rights {
		row := RightRow{Field: r.Field, Mode: string(r.Mode), States: r.States, Who: whoWords(r.Roles, r.Parties),
			Roles: roleNames(r.Roles), Parties: nonNil(r.Parties), Never: nonNil(r.Excluded), Value: string(r.Value), Rule: r.Rule, Note: r.Note}
		if len(r.Excluded) > 0 {
			var never []string
			for _, f := range r.Excluded {
				never = append(never, "the "+partyName(f))
			}
			row.Who += ", never " + english(joinOr(never))
		}
		if row.States == nil {
			row.States = open
		}
		switch r.Mode {
		case Stamp:
			row.Who = "opsbook, by the move"
			if row.Rule == "" {
				row.Rule = RuleStamp
			}
		case Edit:
			if len(r.States) == 0 && r.States != nil {
				row.Mode, row.Who, row.Rule = "sealed", "nobody", RuleSealedField
			}
		}
		if row.Rule == "" {
			row.Rule = RuleEditRight
		}
		row.States = nonNil(row.States)
		v.Fields = append(v.Fields, row)
	}
	return v
}

// whoWords names roles and party fields: "the claimant, a manager or a
// director".
func whoWords(roles []Role, parties []string) string {
	var out []any
	for _, f := range parties {
		out = append(out, "the "+partyName(f))
	}
	if len(roles) == len(Roles) {
		return english(joinOr(append(out, "any active person")))
	}
	return english(joinOr(append(out, rolePhrases(roles)...)))
}

// english is a message argument's English text. `opsbook rights` (and its
// JSON) describes rights in English.
func english(v any) string {
	en, _ := i18n.Texts(v)
	return en
}

func roleNames(roles []Role) []string {
	out := []string{}
	for _, r := range roles {
		out = append(out, string(r))
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
