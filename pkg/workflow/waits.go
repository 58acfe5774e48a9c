package workflow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/record"
)

// Wait is the move a record in some state waits for: the next step of its
// workflow, which someone other than whoever brought it there has to make
// (a submitted claim waits for its approval, a reviewed appraisal for the
// employee's acknowledgement). The inbox lists it to whoever may make it.
// Moves a record does not wait for (putting a project on hold, cancelling,
// recalibrating) are not Waits: anyone may make them, nobody is late with
// them.
type Wait struct {
	// Verbs are the moves' verbs, the first one the record's table has
	// out of the state being the one waited for (an expense waits for
	// "review" when the policy has the director review claims, else for
	// "approve").
	Verbs []string
	// On is the field naming the person the record waits on ("owner");
	// when that person may not make the move, or the field is empty, the
	// record waits on everyone who may. Empty: everyone who may.
	On string
	// AfterDate is a date field that must be today or past before the
	// record waits (a meeting's minutes are published after it was held).
	AfterDate string
	// AfterYear: a year's record (a budget, the operations and training
	// plans) waits to be closed only once its year is over.
	AfterYear bool
	// WhenReady: the record waits only when the rules let the move be made
	// now (a meeting is closed once every action is done; until then it is
	// not late). Without it, a move whose needs are unmet still waits, and
	// the inbox says what it needs (a claim over the budget still waits on
	// its approvers, who return or reject it).
	WhenReady bool
}

// waits is, per kind and state, the move a record waits for. Complaints
// and tasks are not here: the inbox follows them by their own clocks (SLA
// and due dates) and lists them to their assignee.
var waits = map[record.Kind]map[string]Wait{
	record.Project: {
		"proposed":    {Verbs: []string{"assess"}},
		"feasibility": {Verbs: []string{"approve"}},
		"approved":    {Verbs: []string{"plan"}, On: "owner"},
		"planning":    {Verbs: []string{"start"}, On: "owner"},
		"closing":     {Verbs: []string{"close"}},
	},
	record.Plan: {
		"in_review": {Verbs: []string{"review"}},
		"reviewed":  {Verbs: []string{"approve"}},
		"approved":  {Verbs: []string{"activate"}, On: "author"},
	},
	record.Appraisal: {
		"submitted":    {Verbs: []string{"review"}},
		"reviewed":     {Verbs: []string{"ack"}, On: "employee"},
		"acknowledged": {Verbs: []string{"close"}, On: "appraiser"},
	},
	record.Budget: {
		"draft":    {Verbs: []string{"approve"}},
		"approved": {Verbs: []string{"close"}, AfterYear: true},
	},
	record.Expense: {
		"submitted": {Verbs: []string{"review", "approve"}},
		"reviewed":  {Verbs: []string{"approve"}},
		"approved":  {Verbs: []string{"pay"}},
	},
	record.Meeting: {
		"draft":     {Verbs: []string{"publish"}, On: "chair", AfterDate: "date"},
		"published": {Verbs: []string{"close"}, On: "chair", WhenReady: true},
	},
	record.StatusReport: {
		"submitted": {Verbs: []string{"ack"}, On: "to"},
	},
	record.OpsPlan: {
		"draft":    {Verbs: []string{"approve"}},
		"approved": {Verbs: []string{"close"}, AfterYear: true},
	},
	record.Analysis: {
		"submitted": {Verbs: []string{"decide"}},
		"decided":   {Verbs: []string{"close"}, On: "author", WhenReady: true},
	},
	record.TrainingPlan: {
		"draft":    {Verbs: []string{"approve"}},
		"approved": {Verbs: []string{"close"}, AfterYear: true},
	},
	record.Training: {
		"planned": {Verbs: []string{"deliver"}, On: "organiser", AfterDate: "date"},
		"held":    {Verbs: []string{"evaluate"}, On: "organiser"},
	},
	record.Violation: {
		"reported":      {Verbs: []string{"investigate"}},
		"investigating": {Verbs: []string{"decide"}},
		"decided":       {Verbs: []string{"close"}},
	},
}

// WaitOf returns what a record in its current state waits for, and false
// when it waits for nothing.
func WaitOf(rec *record.Record) (Wait, bool) {
	w, ok := waits[rec.Kind][rec.Status()]
	return w, ok
}

// Awaiting returns the move rec waits for a to make now, as an allowed
// Option, and false when it waits for nothing from a: no such move, the
// workflow does not let a make it (role, four eyes, approval limit), the
// record names someone else who may (On), or its date or year has not
// come. It asks the same tables and checks as CheckMove; what the move
// would leave behind (a state's needs, the budget) is the rules' to judge,
// and the caller's to ask (Wait.WhenReady says what to do then).
func Awaiting(a Actor, rec *record.Record, env Env) (Option, Wait, bool) {
	w, ok := WaitOf(rec)
	if !ok {
		return Option{}, w, false
	}
	today := ""
	if !env.Now.IsZero() {
		today = env.Now.Format("2006-01-02")
	}
	if w.AfterDate != "" {
		d := rec.Str(w.AfterDate)
		if len(d) < 10 || today == "" || d[:10] > today {
			return Option{}, w, false
		}
	}
	if w.AfterYear {
		y := yearOf(rec)
		if y == 0 || today == "" || strconv.Itoa(y) >= today[:4] {
			return Option{}, w, false
		}
	}
	if !mayMakeAny(a, rec, w.Verbs, env) {
		return Option{}, w, false
	}
	opts := Options(a, rec, env)
	var found *Option
	for _, verb := range w.Verbs {
		for i := range opts {
			if opts[i].Verb == verb {
				found = &opts[i]
				break
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil || !found.Allowed {
		return Option{}, w, false
	}
	if w.On != "" {
		named := rec.Str(w.On)
		if named != "" && named != a.Handle {
			// waits on the person named, when they may make it
			if p, ok := env.People[named]; ok {
				for _, o := range Options(p, rec, env) {
					if o.Verb == found.Verb && o.Allowed {
						return Option{}, w, false
					}
				}
			}
		}
	}
	return *found, w, true
}

// mayMakeAny reports whether a's role or a party field naming a lets
// them make one of the moves verbs names out of rec's state: when not,
// none of Options' answers for them is allowed, and Awaiting says no
// without asking (Options words a refusal for every move it lists, and
// the inbox asks of every record of the department).
func mayMakeAny(a Actor, rec *record.Record, verbs []string, env Env) bool {
	if a.Handle == "" || !a.Active {
		return false
	}
	t := env.table(rec.Kind)
	if t == nil {
		return false
	}
	for _, m := range t.open(rec) {
		if slices.Contains(verbs, m.Verb) && mayMake(a, rec, m) {
			return true
		}
	}
	return false
}

// yearOf is a yearly record's year: its year field, else its id's
// (BUD-2026).
func yearOf(rec *record.Record) int {
	if y, err := strconv.Atoi(strings.TrimSpace(rec.Str("year"))); err == nil {
		return y
	}
	_, y, _ := strings.Cut(rec.ID, "-")
	if len(y) >= 4 {
		if n, err := strconv.Atoi(y[:4]); err == nil {
			return n
		}
	}
	return 0
}
