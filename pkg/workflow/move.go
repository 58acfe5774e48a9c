package workflow

import (
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// Env is what a decision needs beyond the actor and the record. The zero
// Env is usable: the default policy, an empty people registry, no
// activation.
type Env struct {
	// Policy gives the approval limits; nil means config.Default().
	Policy *config.Policy
	// People is the registry, for whom an employee reports to (appraisals).
	People People
	// Activating is the plan revision (as it is after the change) whose
	// activation this move is part of. Superseding a plan is allowed only
	// when Activating is active and its `supersedes` names the plan.
	// CheckChanges finds it among a commit's changes by itself.
	Activating *record.Record
	// Now is the time of the change (the commit's, in verify), against
	// which stamped instants and dates are checked; zero skips that check.
	Now time.Time
	// Records finds the other records a move waits on (order across
	// kinds), as they are with the change made; nil skips those checks.
	Records Records
	// Founding: the change founds the department (the root commit, judged
	// by the registry it creates itself), so People holds no one from
	// before it: the director may create its leadership.
	Founding bool
}

// Records finds records by id and by kind; *record.Set is one.
type Records interface {
	Get(id string) *record.Record
	OfKind(k record.Kind) []*record.Record
}

// ProjectPlans is Records that also lists the plans naming a project
// (their project field), in OfKind's order: a caller asking of every
// project (the inbox trying each one's moves) builds it once instead of
// a pass over every plan per project.
type ProjectPlans interface {
	Records
	PlansOf(project string) []*record.Record
}

// NewProjectPlans returns recs with its plans looked up by project (see
// ProjectPlans); recs must not change while it is used.
func NewProjectPlans(recs Records) ProjectPlans {
	by := map[string][]*record.Record{}
	for _, p := range recs.OfKind(record.Plan) {
		id := p.Str("project")
		by[id] = append(by[id], p)
	}
	return projectPlans{recs, by}
}

type projectPlans struct {
	Records
	by map[string][]*record.Record
}

func (p projectPlans) PlansOf(project string) []*record.Record { return p.by[project] }

// plansOf lists the plans of project in recs, in OfKind's order.
func plansOf(recs Records, project string) []*record.Record {
	if pp, ok := recs.(ProjectPlans); ok {
		return pp.PlansOf(project)
	}
	var out []*record.Record
	for _, p := range recs.OfKind(record.Plan) {
		if p.Str("project") == project {
			out = append(out, p)
		}
	}
	return out
}

var defaultPolicy = sync.OnceValue(config.Default)

func (e Env) policy() *config.Policy {
	if e.Policy != nil {
		return e.Policy
	}
	return defaultPolicy()
}

// limit is the approval limit of a role; ok is false for leadership, who
// may approve any amount, and for roles that approve nothing.
func (e Env) limit(r Role) (money.Amount, bool) {
	if r != Manager && r != Director {
		return money.Zero, false
	}
	if l, ok := e.policy().ApprovalLimits[string(r)]; ok {
		return l, true
	}
	return defaultPolicy().ApprovalLimits[string(r)], true
}

// CheckMove decides whether a may move the record from its current state
// (before, as it is now) to state to. It returns nil or a *Refusal.
//
// Party and four-eyes checks read the fields of before (the claimant, the
// assignee, ...), and the approval limit reads before's amount: the CLI
// calls CheckMove before it writes; the audit calls it (through
// CheckChanges) with the record as it was before the commit, and CheckEdit
// separately refuses changing those fields on the way.
//
// A move to on_hold must write hold.from = the state left; CheckMove cannot
// see that, CheckEdit (and so CheckChanges) does.
func CheckMove(a Actor, before *record.Record, to string, env Env) error {
	if before == nil {
		return &Refusal{Rule: RuleMoveIllegal, Field: "status", Message: "no record to move"}
	}
	if r := checkActor(a, before, before.ID); r != nil {
		return r
	}
	return asError(checkMove(a, before, to, env))
}

// table is the workflow of kind k under the environment's policy.
func (e Env) table(k record.Kind) *Table { return ForPolicy(k, e.Policy) }

func checkMove(a Actor, rec *record.Record, to string, env Env) *Refusal {
	t := env.table(rec.Kind)
	if t == nil {
		return noWorkflow(rec)
	}
	m, r := t.lookup(rec, to)
	if r != nil {
		return r
	}
	return allowed(a, rec, m, env)
}

func noWorkflow(rec *record.Record) *Refusal {
	if rec.Kind == "" {
		return refuse(rec, RuleMoveIllegal, "kind", "%s has no kind, so no workflow", rec.ID)
	}
	return refuse(rec, RuleMoveIllegal, "status", "%s is %s, and %s records have no workflow", rec.ID, article(rec.Kind), kindWord(rec.Kind))
}

// lookup finds the move out of rec's state to to, or says why there is none.
func (t *Table) lookup(rec *record.Record, to string) (Move, *Refusal) {
	from := rec.Status()
	states := stateWords(t.States)
	switch {
	case from == "":
		return Move{}, refuse(rec, RuleMoveIllegal, "status", "%s has no status: %s starts in %s (states: %s)", describe(rec), article(t.Kind), stateWord(t.Initial), states)
	case !t.IsState(from):
		return Move{}, refuse(rec, RuleMoveIllegal, "status", "%s is in %q, which is not a state of %s (states: %s)", describe(rec), from, article(t.Kind), states)
	case !t.IsState(to):
		return Move{}, refuse(rec, RuleMoveIllegal, "status", "%q is not a state of %s (states: %s)", to, article(t.Kind), states)
	case from == to:
		return Move{}, refuse(rec, RuleMoveIllegal, "status", "%s is already %s", describe(rec), stateWord(from))
	}
	if m, ok := t.Find(from, to); ok {
		return m, nil
	}
	moves := t.open(rec)
	if len(moves) == 0 && t.IsFinal(from) {
		return Move{}, finalState(rec)
	}
	return Move{}, refuse(rec, RuleMoveIllegal, "status", "no move from %s to %s for %s; from %s: %s", stateWord(from), stateWord(to), article(t.Kind), stateWord(from), targets(moves))
}

func finalState(rec *record.Record) *Refusal {
	return refuse(rec, RuleFinalState, "status", "%s is %s, a final state: it cannot change", describe(rec), stateWord(rec.Status()))
}

func targets(moves []Move) any {
	if len(moves) == 0 {
		return i18n.P("none")
	}
	var out []any
	for _, m := range moves {
		out = append(out, stateWord(m.To))
	}
	return i18n.Join(i18n.P(", "), out...)
}

// allowed decides a move the table has: first the conditions on the record
// itself, then who the actor is, then the limits.
func allowed(a Actor, rec *record.Record, m Move, env Env) *Refusal {
	switch m.Guard {
	case GuardInquiry:
		if r := inquiryOnly(rec, m); r != nil {
			return r
		}
	case GuardResume:
		if r := checkResume(rec, m); r != nil {
			return r
		}
	case GuardYearOver:
		if r := checkYearOver(rec, m, env); r != nil {
			return r
		}
	case GuardEmployeeLeft:
		if r := checkEmployeeLeft(rec, m, env); r != nil {
			return r
		}
	}
	if !mayMake(a, rec, m) {
		return refuse(rec, RuleMoveRole, "status", "%s may not %s %s: only %s may", a.words(), phrase(m.Verb), rec.ID, who(rec, m.Roles, m.Parties))
	}
	for _, f := range m.Excluded {
		if rec.Str(f) == a.Handle {
			return refuse(rec, RuleFourEyes, "status", "%s may not %s %s: it is their own %s (four eyes)", a.Handle, phrase(m.Verb), rec.ID, ownNoun(f))
		}
	}
	switch m.Guard {
	case GuardApprovalLimit:
		if r := checkLimit(a, rec, m, env); r != nil {
			return r
		}
	case GuardSupersede:
		return checkSupersede(rec, env)
	}
	return checkOrder(a, rec, m, env)
}

func checkResume(rec *record.Record, m Move) *Refusal {
	from := rec.Str("hold.from")
	switch {
	case from == "":
		return refuse(rec, RuleHoldFrom, "hold.from", "%s is on hold without hold.from, so the state it resumes to is unknown", describe(rec))
	case from != m.To:
		return refuse(rec, RuleHoldFrom, "status", "%s was put on hold from %s: it resumes to %s, not %s", describe(rec), stateWord(from), stateWord(from), stateWord(m.To))
	}
	return nil
}

// checkEmployeeLeft refuses closing a reviewed appraisal while its
// employee is still active: they acknowledge it first (ack). Once they
// have left, nobody else can, and the director closes it as it stands.
// An employee the people records do not hold can acknowledge nothing
// either (the appraisal's ref-missing says so).
func checkEmployeeLeft(rec *record.Record, m Move, env Env) *Refusal {
	emp := rec.Str("employee")
	if p, known := env.People[emp]; !known || !p.Active {
		return nil
	}
	return refuse(rec, RuleEmployeeActive, "status", "%s moves from %s to %s only once its employee %s has left the department: until then %s acknowledges it (opsbook ack %s)",
		describe(rec), stateWord(m.From), stateWord(m.To), emp, emp, rec.ID)
}

// checkYearOver refuses closing a year's record (a budget, the operations
// or the training plan) before its year is over: closed is final, and the
// amendments and initiatives the year may still need could no longer be
// added. Without a time (env.Now zero) it is not judged.
func checkYearOver(rec *record.Record, m Move, env Env) *Refusal {
	y := yearOf(rec)
	if env.Now.IsZero() || y == 0 || y < env.Now.Year() {
		return nil
	}
	return refuse(rec, RuleYearOpen, "status", "%s moves to %s only once its year %d is over (from %d-01-01): %s is final, and the year may still change it",
		describe(rec), stateWord(m.To), y, y+1, stateWord(m.To))
}

func checkLimit(a Actor, rec *record.Record, m Move, env Env) *Refusal {
	amount, ok := rec.Money("amount")
	if !ok {
		return refuse(rec, RuleApprovalLimit, "amount", "%s may not %s %s: its amount is missing or not a plain decimal, so no limit can be checked", a.words(), phrase(m.Verb), rec.ID)
	}
	limit, limited := env.limit(a.Role)
	if !limited || !amount.GreaterThan(limit) {
		return nil
	}
	var can []any
	if a.Role == Manager {
		if dl, _ := env.limit(Director); !amount.GreaterThan(dl) {
			can = append(can, rolePhrase(Director))
		}
	}
	can = append(can, rolePhrase(Leadership))
	return refuse(rec, RuleApprovalLimit, "amount", "%s may not %s %s: %s is over the %s limit of %s; %s must approve it",
		a.words(), phrase(m.Verb), rec.ID, amount.Grouped(), roleWord(a.Role), limit.Grouped(), joinOr(can))
}

func checkSupersede(rec *record.Record, env Env) *Refusal {
	act := env.Activating
	switch {
	case act == nil:
		return refuse(rec, RuleSupersede, "status", "%s may be superseded only as part of activating the revision that names it in supersedes (one change moves both): activate that revision instead", rec.ID)
	case act.Kind != record.Plan || act.Str("supersedes") != rec.ID:
		return refuse(rec, RuleSupersede, "status", "%s does not supersede %s (its supersedes is %s): only the revision that names a plan supersedes it", act.ID, rec.ID, orNoneWord(act.Str("supersedes")))
	case act.Status() != "active":
		return refuse(rec, RuleSupersede, "status", "%s is not being activated (it is %s): %s is superseded only when its revision becomes active", act.ID, stateWord(act.Status()), rec.ID)
	}
	return nil
}

// mayMake reports whether a's role or a named part in the record lets them
// make m.
func mayMake(a Actor, rec *record.Record, m Move) bool {
	if hasRole(m.Roles, a.Role) {
		return true
	}
	for _, f := range m.Parties {
		if rec.Str(f) == a.Handle { // a.Handle is never empty here: checkActor ran
			return true
		}
	}
	return false
}

// who lists the people a move is open to: "the assignee (li.wei), a manager
// or a director".
func who(rec *record.Record, roles []Role, parties []string) any {
	var out []any
	for _, f := range parties {
		var h any = rec.Str(f)
		if h == "" {
			h = i18n.P("none is set")
		}
		out = append(out, i18n.P("the %s (%s)", partyWord(f), h))
	}
	for _, r := range roles {
		out = append(out, rolePhrase(r))
	}
	return joinOr(out)
}

// phrase turns a CLI verb into words for a sentence.
func phrase(verb string) any {
	switch verb {
	case "ack":
		return i18n.P("acknowledge")
	case "hold":
		return i18n.P("put on hold")
	case "plan":
		return i18n.P("start planning")
	case "assess":
		return i18n.P("start the feasibility study of")
	case "finish":
		return i18n.P("start closing")
	case "activate":
		return i18n.P("activate")
	case "approve":
		return i18n.P("approve")
	case "cancel":
		return i18n.P("cancel")
	case "close":
		return i18n.P("close")
	case "complete":
		return i18n.P("complete")
	case "decide":
		return i18n.P("decide")
	case "deliver":
		return i18n.P("deliver")
	case "dismiss":
		return i18n.P("dismiss")
	case "evaluate":
		return i18n.P("evaluate")
	case "investigate":
		return i18n.P("investigate")
	case "pay":
		return i18n.P("pay")
	case "publish":
		return i18n.P("publish")
	case "recalibrate":
		return i18n.P("recalibrate")
	case "reject":
		return i18n.P("reject")
	case "reopen":
		return i18n.P("reopen")
	case "resolve":
		return i18n.P("resolve")
	case "resume":
		return i18n.P("resume")
	case "return":
		return i18n.P("return")
	case "review":
		return i18n.P("review")
	case "revise":
		return i18n.P("revise")
	case "start":
		return i18n.P("start")
	case "submit":
		return i18n.P("submit")
	case "supersede":
		return i18n.P("supersede")
	}
	return verb
}

func ownNoun(field string) any {
	switch field {
	case "claimant":
		return i18n.P("claim")
	case "person":
		return i18n.P("case")
	case "reporter":
		return i18n.P("report")
	}
	return i18n.P("record")
}

// Option is one move out of a record's current state and whether the actor
// may make it now.
type Option struct {
	Move
	Allowed bool
	Reason  string // why not, when not Allowed, in English (for -o json)
	// ReasonText is Reason in the reader's language.
	ReasonText string
	Rule       string // the refusal's rule code, when not Allowed
}

// Options lists the moves out of rec's current state, in table order, each
// with whether a may make it and, if not, why. Out of on_hold only the
// resume to hold.from is listed (all of them when hold.from is unusable).
// A final state with no move out yields none; kinds without a workflow
// yield nil.
func Options(a Actor, rec *record.Record, env Env) []Option {
	t := env.table(rec.Kind)
	if t == nil {
		return nil
	}
	var out []Option
	for _, m := range t.open(rec) {
		r := checkActor(a, rec, rec.ID)
		if r == nil {
			r = allowed(a, rec, m, env)
		}
		o := Option{Move: m, Allowed: r == nil}
		if r != nil {
			o.Reason, o.ReasonText, o.Rule = r.Message, r.Text, r.Rule
		}
		out = append(out, o)
	}
	return out
}

// inquiryOnly refuses a move only inquiries make (acknowledged → resolved)
// to any other record, saying why.
func inquiryOnly(rec *record.Record, m Move) *Refusal {
	if t := rec.Str("type"); t != "inquiry" {
		return refuse(rec, RuleMoveIllegal, "status", "no move from %s to %s for %s of type %s: only inquiries are resolved straight from %s; a complaint is investigated first",
			stateWord(m.From), stateWord(m.To), rec.ID, orNoneWord(t), stateWord(m.From))
	}
	return nil
}

// MoveByVerb finds the move a CLI verb makes from rec's current state
// ("approve" on a submitted expense: submitted → approved; "resume" on an
// on-hold project: back to hold.from). It says only which move is meant;
// CheckMove decides whether the actor may make it. The policy of env picks
// the table.
func MoveByVerb(rec *record.Record, verb string, env Env) (Move, error) {
	t := env.table(rec.Kind)
	if t == nil {
		return Move{}, noWorkflow(rec)
	}
	from := rec.Status()
	if !t.IsState(from) {
		_, r := t.lookup(rec, t.Initial)
		return Move{}, r
	}
	moves := t.open(rec)
	for _, m := range moves {
		if m.Verb == verb {
			if m.Guard == GuardResume {
				if r := checkResume(rec, m); r != nil {
					return Move{}, r
				}
			}
			return m, nil
		}
	}
	if len(moves) == 0 && t.IsFinal(from) {
		return Move{}, finalState(rec)
	}
	for _, m := range t.From(from) {
		if m.Verb != verb || m.Guard != GuardInquiry {
			continue
		}
		// resolve on an acknowledged complaint: say why, not just "no move"
		if r := inquiryOnly(rec, m); r != nil {
			return Move{}, r
		}
	}
	var can []any
	for _, m := range moves {
		can = append(can, i18n.P("%s (%s)", m.Verb, stateWord(m.To)))
	}
	return Move{}, refuse(rec, RuleMoveIllegal, "status", "no %s move from %s for %s; from %s: %s", verb, stateWord(from), article(t.Kind), stateWord(from), i18n.Join(i18n.P(", "), can...))
}
