package workflow

import (
	"sort"
	"strconv"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// CheckCreate decides whether a may create rec: in its kind's initial state
// (appearing in any later state is a move nobody may make), by a role the
// kind allows, and as the party the kind names (an expense's claimant, an
// appraisal's appraiser). An appraisal's appraiser must also be the
// employee's reports_to (from env.People) or a director, and never the
// employee. People records are created only by a director or leadership.
func CheckCreate(a Actor, rec *record.Record, env Env) error {
	if r := checkActor(a, rec, rec.ID); r != nil {
		return r
	}
	return asError(first(checkCreate(a, rec, env)))
}

func checkCreate(a Actor, rec *record.Record, env Env) []*Refusal {
	var out []*Refusal
	if t := env.table(rec.Kind); t != nil && rec.Status() != t.Initial {
		out = append(out, refuse(rec, RuleCreateState, "status", "%s must be created in %s, not %s: appearing in a later state is a move nobody may make",
			describe(rec), stateWord(t.Initial), stateWord(rec.Status())))
	}
	c := CreatedBy(rec.Kind)
	plural := record.Info(rec.Kind).Plural
	switch {
	case rec.Kind == record.Person:
		if !c.allows(a) {
			out = append(out, peoplePolicy(a, rec, i18n.P("create person %s", rec.ID)))
		} else if r := leadershipGuard(a, nil, rec, "role", env); r != nil {
			out = append(out, r)
		}
	case rec.Kind == "":
		// Not a record at all: the schema says so.
	case !c.allows(a):
		out = append(out, refuse(rec, RuleCreateRole, "", "%s may not create %s: %s are created by %s",
			a.words(), rec.ID, i18n.Word{Group: "kind", Key: string(rec.Kind), Say: plural}, joinOr(rolePhrases(c.Roles))))
	case c.Party != "" && rec.Str(c.Party) != a.Handle:
		out = append(out, refuse(rec, RuleCreateRole, c.Party, "%s may not create %s: its %s is %s, and %s is created by its %s",
			a.words(), rec.ID, partyWord(c.Party), orNoneWord(rec.Str(c.Party)), article(rec.Kind), partyWord(c.Party)))
	}
	if rec.Kind == record.Appraisal {
		if r := checkAppraiser(a, rec, env); r != nil {
			out = append(out, r)
		}
	}
	out = append(out, checkCreateRights(a, rec, env)...)
	if r := checkAssignee(nil, rec, env); r != nil {
		out = append(out, r)
	}
	if r := checkEmployee(nil, rec, env); r != nil {
		out = append(out, r)
	}
	if r := checkAttendees(nil, rec, env); r != nil {
		out = append(out, r)
	}
	return out
}

// checkAttendees refuses inviting to a training a person who is no longer
// active: they cannot attend, and the session's attendance would count
// them as invited and absent. Only the attendees a change adds are
// judged: one invited before they left stays as they were.
func checkAttendees(before, after *record.Record, env Env) *Refusal {
	if after.Kind != record.Training {
		return nil
	}
	had := map[string]bool{}
	if before != nil {
		for i := range before.List("attendees") {
			had[before.Str("attendees."+strconv.Itoa(i)+".person")] = true
		}
	}
	for i := range after.List("attendees") {
		h := after.Str("attendees." + strconv.Itoa(i) + ".person")
		if h == "" || had[h] {
			continue
		}
		if p, ok := env.People[h]; ok && !p.Active {
			return refuse(after, RuleAttendeeInactive, "attendees."+strconv.Itoa(i)+".person", "%s may not invite %s, who is not active (no longer in the department): they cannot attend, and would count as absent", describe(after), h)
		}
	}
	return nil
}

// checkEmployee refuses an appraisal of a person who is no longer active
// (created so, or its employee changed to one): they could never
// acknowledge it, so it could never close. An appraisal whose employee
// left afterwards is left as it is.
func checkEmployee(before, after *record.Record, env Env) *Refusal {
	if after.Kind != record.Appraisal {
		return nil
	}
	h := after.Str("employee")
	if h == "" || before != nil && before.Str("employee") == h {
		return nil
	}
	if p, ok := env.People[h]; ok && !p.Active {
		return refuse(after, RuleEmployeeInactive, "employee", "%s may not appraise %s, who is not active (no longer in the department): the employee acknowledges an appraisal before it closes", describe(after), h)
	}
	return nil
}

// checkAssignee refuses handing a complaint or a task to a person who is
// no longer active: nobody could act on it (an inactive person may change
// nothing), and its clocks and due date would run unseen. Only a change
// of the assignee is judged: a record whose assignee left afterwards stays
// as it is until someone reassigns it (the director's inbox lists such
// complaints).
func checkAssignee(before, after *record.Record, env Env) *Refusal {
	if after.Kind != record.Complaint && after.Kind != record.Task {
		return nil
	}
	h := after.Str("assignee")
	if h == "" || before != nil && before.Str("assignee") == h {
		return nil
	}
	if p, ok := env.People[h]; ok && !p.Active {
		return refuse(after, RuleAssigneeInactive, "assignee", "%s may not go to %s, who is not active (no longer in the department): it goes to someone who can act on it", describe(after), h)
	}
	return nil
}

func rolePhrases(roles []Role) []any {
	out := make([]any, len(roles))
	for i, r := range roles {
		out[i] = rolePhrase(r)
	}
	return out
}

// checkAppraiser checks who appraises whom: never oneself (four eyes), and
// only one's manager (reports_to) or a director.
func checkAppraiser(a Actor, rec *record.Record, env Env) *Refusal {
	emp, apr := rec.Str("employee"), rec.Str("appraiser")
	if emp == "" || apr == "" {
		return nil // required fields: the schema reports them
	}
	if emp == apr {
		return refuse(rec, RuleFourEyes, "appraiser", "%s: the appraiser and the employee are both %s: nobody appraises themselves (four eyes)", rec.ID, emp)
	}
	appraiser, known := env.People[apr]
	if apr == a.Handle {
		appraiser, known = a, true
	}
	if known && appraiser.Role == Director {
		return nil
	}
	e, ok := env.People[emp]
	switch {
	case !ok:
		return refuse(rec, RuleAppraiser, "employee", "%s: employee %s is not in the people registry, so whether %s is their manager cannot be told", rec.ID, emp, apr)
	case e.ReportsTo != apr:
		return refuse(rec, RuleAppraiser, "appraiser", "%s: %s may not appraise %s, who reports to %s: the appraiser is the employee's manager (reports_to) or a director",
			rec.ID, apr, emp, orNoneWord(e.ReportsTo))
	}
	return nil
}

// CheckEdit decides the changes from before to after other than the state
// move itself (CheckMove judges that): a record in a final state does not
// change unless it moves out by a move of its table; a kind never changes;
// people change only by a director or leadership; a complaint's assignee is
// set only by a manager or a director; an expense's claimant never changes,
// and its amount and items are frozen from approved on; a budget's lines are
// frozen from approved on and its amendments change only by leadership; an
// appraisal's appraiser is never its employee and is their manager or a
// director; a project entering on_hold records hold.from, which then only a
// director or leadership may change.
//
// Changes are judged on values, not text: reformatting 1280.50 as 1280.5
// or editing a comment changes nothing. With before nil it is CheckCreate,
// with after nil CheckDelete.
func CheckEdit(a Actor, before, after *record.Record, env Env) error {
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		return CheckCreate(a, after, env)
	case after == nil:
		return CheckDelete(a, before)
	}
	if r := checkActor(a, after, after.ID); r != nil {
		return r
	}
	return asError(first(checkEdit(a, before, after, env)))
}

func checkEdit(a Actor, before, after *record.Record, env Env) []*Refusal {
	if before.Kind != after.Kind {
		return []*Refusal{refuse(after, RuleSealedField, "kind", "%s changed kind from %s to %s: a record's kind never changes", after.ID, orNoneWord(string(before.Kind)), orNoneWord(string(after.Kind)))}
	}
	if r := identityChanged(before, after); r != nil {
		return []*Refusal{r}
	}
	changed := changedFields(before, after)
	if len(changed) == 0 {
		return nil
	}
	if before.Kind == record.Person {
		if !hasRole(directorOrLeadership, a.Role) {
			return []*Refusal{peoplePolicy(a, after, i18n.P("change person %s", after.ID))}
		}
		// Granting oneself powers is four eyes broken, even for those who
		// may change people.
		var out []*Refusal
		if after.ID == a.Handle {
			for _, f := range []string{"role", "active"} {
				if !sameField(before, after, f) {
					out = append(out, refuse(after, RuleFourEyes, f, "%s may not change their own %s (was %s, now %s): another director or leadership changes it (four eyes)",
						a.words(), f, orNoneWord(before.Str(f)), orNoneWord(after.Str(f))))
				}
			}
		}
		if r := leadershipGuard(a, before, after, changed[0], env); r != nil && len(out) == 0 {
			out = append(out, r)
		}
		return out
	}
	t := env.table(before.Kind)
	if t == nil {
		return checkRights(a, before, after, env) // customers
	}
	moved := before.Status() != after.Status()
	if !moved && t.IsFinal(before.Status()) {
		r := refuse(after, RuleFinalState, changed[0], "%s is %s, a final state: it cannot change (changed: %s)", describe(before), stateWord(before.Status()), i18n.Commas(changed))
		return []*Refusal{r}
	}
	out := checkRights(a, before, after, env)
	if r := checkAssignee(before, after, env); r != nil {
		out = append(out, r)
	}
	if r := checkEmployee(before, after, env); r != nil {
		out = append(out, r)
	}
	if r := checkAttendees(before, after, env); r != nil {
		out = append(out, r)
	}
	if before.Kind == record.Appraisal && (before.Str("appraiser") != after.Str("appraiser") || before.Str("employee") != after.Str("employee")) {
		if r := checkAppraiser(a, after, env); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// leadershipGuard refuses a change by anyone but leadership to a person who
// is leadership before or after it (field is where the change shows; the
// role when it is the role that changes). Leadership alone decides the
// director's own claims: a director who could make someone leadership,
// or rewrite a leadership member's emails or keys, would choose who
// approves her. nil when a is leadership or nobody is leadership; and
// while the registry before the change (env.People) has no active
// leadership, or the change founds the department, the director adds the
// first (a new department has only its director).
func leadershipGuard(a Actor, before, after *record.Record, field string, env Env) *Refusal {
	if a.Role == Leadership || env.Founding || !env.People.hasActive(Leadership) {
		return nil
	}
	was := before != nil && before.Str("role") == string(Leadership)
	now := after.Str("role") == string(Leadership)
	if !was && !now {
		return nil
	}
	if before == nil || !sameField(before, after, "role") {
		field = "role"
	}
	return refuse(after, RuleFourEyes, field, "%s may not change person %s, who is or becomes leadership: leadership decides the director's own claims, so only leadership changes its members (four eyes)", a.words(), after.ID)
}

func (p People) hasActive(role Role) bool {
	for _, a := range p {
		if a.Role == role && a.Active {
			return true
		}
	}
	return false
}

// CheckDelete refuses every deletion: records are never deleted; a record's
// life ends in a final state, and a person is made inactive. (A renumbered
// record is a rename, which the caller pairs into one Change.)
func CheckDelete(a Actor, before *record.Record) error {
	return deleteRefusal(a, before)
}

func deleteRefusal(a Actor, before *record.Record) *Refusal {
	return refuse(before, RuleRecordDeleted, "", "%s may not delete %s: records are never deleted (a record ends in a final state; a person is made inactive)", a.words(), describe(before))
}

// CheckPolicyChange decides whether a may change .opsbook.yaml under
// the policy as it was (pol): a director or leadership may, or leadership
// alone when it says policy_changes: leadership.
func CheckPolicyChange(a Actor, pol *config.Policy) error {
	what := i18n.P("the policy (%s)", config.FileName)
	if r := checkActor(a, nil, what); r != nil {
		r.Path = config.FileName
		return r
	}
	if pol != nil && pol.PolicyChanges == "leadership" {
		if a.Role != Leadership {
			r := refuse(nil, RulePeoplePolicy, "", "%s may not change %s: under policy_changes: leadership only leadership may (a director proposes the change on a branch, leadership commits it)", a.words(), what)
			r.Path = config.FileName
			return r
		}
		return nil
	}
	if !hasRole(directorOrLeadership, a.Role) {
		r := refuse(nil, RulePeoplePolicy, "", "%s may not change %s: only a director or leadership may", a.words(), what)
		r.Path = config.FileName
		return r
	}
	return nil
}

func peoplePolicy(a Actor, rec *record.Record, what i18n.Phrase) *Refusal {
	return refuse(rec, RulePeoplePolicy, "", "%s may not %s: people are changed only by a director or leadership", a.words(), what)
}

// Change is one record's change in a commit (or a command): Before is nil
// for a created record, After nil for a deleted one.
type Change struct {
	Before, After *record.Record
}

// CheckChange judges one change the way verify does: the actor, then
// creation, deletion, or the state move (from Before's state to After's,
// judged on Before) together with the edits. It returns every refusal, or
// nil. A plan superseded in the change needs env.Activating; CheckChanges
// finds it in the commit.
func CheckChange(a Actor, ch Change, env Env) []*Refusal {
	rec := ch.After
	if rec == nil {
		rec = ch.Before
	}
	switch {
	case rec == nil:
		return nil
	case ch.After == nil:
		return []*Refusal{deleteRefusal(a, ch.Before)}
	}
	if r := checkActor(a, rec, rec.ID); r != nil {
		return []*Refusal{r}
	}
	if ch.Before == nil {
		return checkCreate(a, ch.After, env)
	}
	var out []*Refusal
	if ch.Before.Kind == ch.After.Kind && ch.Before.Status() != ch.After.Status() {
		if r := checkMove(a, ch.Before, ch.After.Status(), env); r != nil {
			r.Path = ch.After.Path
			out = append(out, r)
		}
	}
	return append(out, checkEdit(a, ch.Before, ch.After, env)...)
}

// CheckChanges judges all the changes one actor made together (a commit),
// in order. A plan moving from active to superseded is allowed when, in
// the same changes, the plan whose supersedes names it becomes active.
// Claims approved together are also judged together: parts of one split
// expense must be within the approver's limit as a whole (checkTogether).
func CheckChanges(a Actor, changes []Change, env Env) []*Refusal {
	var out []*Refusal
	for _, ch := range changes {
		e := env
		if e.Activating == nil && ch.Before != nil && ch.After != nil && ch.After.Kind == record.Plan &&
			ch.Before.Status() == "active" && ch.After.Status() == "superseded" {
			e.Activating = activating(changes, ch.Before.ID)
		}
		out = append(out, CheckChange(a, ch, e)...)
	}
	if len(changes) > 1 && a.Handle != "" && a.Active {
		out = append(out, checkTogether(a, changes, env)...)
	}
	return out
}

// activating finds the plan being activated among changes whose supersedes
// is id.
func activating(changes []Change, id string) *record.Record {
	for _, c := range changes {
		if c.After != nil && c.After.Kind == record.Plan && c.After.Status() == "active" &&
			c.After.Str("supersedes") == id && (c.Before == nil || c.Before.Status() != "active") {
			return c.After
		}
	}
	return nil
}

func first(rs []*Refusal) *Refusal {
	if len(rs) == 0 {
		return nil
	}
	return rs[0]
}

// changedFields lists the top-level fields whose values differ, sorted.
// identityChanged refuses an edit of the kind or id a file states in place.
// The folder and the file name decide which record a file is, so the
// rights never judge these two fields (a renumbering pairs the old and new
// files itself); a file of an approved claim that now says `id:
// EXP-2026-0009` or `kind: task` is read by list, show and the references
// under the new word (and is no longer valid), an edit nobody may make.
func identityChanged(before, after *record.Record) *Refusal {
	kindOf := func(r *record.Record) string {
		if v, ok := r.Data.Get("kind"); ok {
			return record.Text(v)
		}
		return string(r.Kind)
	}
	if k0, k1 := kindOf(before), kindOf(after); k0 != k1 {
		return refuse(after, RuleSealedField, "kind", "%s changed its kind field from %s to %s: a record's kind never changes", before.ID, orNoneWord(k0), orNoneWord(k1))
	}
	if before.ID != after.ID {
		return refuse(after, RuleSealedField, "id", "%s changed its id field to %s in place: a record's id changes only by a renumbering, which moves it to the file of its new id (opsbook renumber)", before.ID, orNoneWord(after.ID))
	}
	return nil
}

func changedFields(before, after *record.Record) []string {
	var out []string
	for _, f := range before.Data {
		if w, ok := after.Data.Get(f.Key); !ok || !record.SameValue(f.Value, w) {
			out = append(out, f.Key)
		}
	}
	for _, f := range after.Data {
		if !before.Data.Has(f.Key) {
			out = append(out, f.Key)
		}
	}
	sort.Strings(out)
	return out
}

func sameField(before, after *record.Record, path string) bool {
	v, ok1 := before.Get(path)
	w, ok2 := after.Get(path)
	return ok1 == ok2 && record.SameValue(v, w)
}
