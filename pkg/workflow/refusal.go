package workflow

import (
	"fmt"

	"github.com/opsbook/opsbook/pkg/record"
)

// Rule codes of refusals. They are stable: the CLI and verify print them,
// and the README's rule table lists them.
const (
	RuleActorUnknown    = "actor-unknown"    // the actor is not in the people registry
	RuleActorInactive   = "actor-inactive"   // the actor is not active
	RuleMoveIllegal     = "move-illegal"     // the table has no such move (or not for this record)
	RuleMoveRole        = "move-role"        // the move is not the actor's to make
	RuleApprovalLimit   = "approval-limit"   // the amount is over the actor's approval limit
	RuleFourEyes        = "four-eyes"        // acting on one's own claim; appraising oneself
	RuleFinalState      = "final-state"      // the record is in a final state
	RuleHoldFrom        = "hold-from"        // hold.from missing, wrong, or not the resume target
	RuleSupersede       = "supersede"        // superseded without activating its revision
	RuleCreateState     = "create-state"     // created in a state other than the initial one
	RuleCreateRole      = "create-role"      // created by someone who may not
	RuleAppraiser       = "appraiser"        // the appraiser is not the employee's reports_to or the director
	RuleSealedField     = "sealed-field"     // a field nobody may change in the record's state
	RuleEditRight       = "edit-right"       // a field the actor may not change (another person or role may)
	RuleStamp           = "stamp"            // a field opsbook stamps, written by hand or with a wrong value
	RuleOrder           = "order"            // a move that waits on another record (a plan on its project, ...)
	RuleAssignRole      = "assign-role"      // a complaint's assignee set by someone other than a manager or the director
	RuleBudgetAmendment = "budget-amendment" // a budget's amendments changed by someone other than leadership
	RulePeoplePolicy    = "people-policy"    // people or policy changed by someone other than the director or leadership
	RuleRecordDeleted   = "record-deleted"   // a record was deleted
)

// Refusal says why a change may not be made. It is the only error type the
// package's checks return.
type Refusal struct {
	Rule    string // one of the Rule* codes
	Message string // a sentence naming the actor, the record and the reason
	ID      string // the record's id ("" for the policy)
	Path    string // the record's file, relative to the repository root
	// Field is the field at fault ("status", "amount", "assignee"), for a
	// position; "" when the record as a whole is.
	Field string
}

func (r *Refusal) Error() string { return r.Message }

func refuse(rec *record.Record, rule, field, format string, args ...any) *Refusal {
	r := &Refusal{Rule: rule, Field: field, Message: fmt.Sprintf(format, args...)}
	if rec != nil {
		r.ID, r.Path = rec.ID, rec.Path
	}
	return r
}

// asError turns a possibly nil refusal into an error without the typed-nil
// trap.
func asError(r *Refusal) error {
	if r == nil {
		return nil
	}
	return r
}

// checkActor refuses the unknown and the inactive, who may change nothing.
func checkActor(a Actor, rec *record.Record, what string) *Refusal {
	switch {
	case a.Handle == "":
		return refuse(rec, RuleActorUnknown, "", "an actor who is not in the people registry may not change %s: an unknown person may change nothing", what)
	case !a.Active:
		return refuse(rec, RuleActorInactive, "", "%s is inactive and may not change %s: an inactive person may change nothing", a.Handle, what)
	}
	return nil
}

// describe names a record in a sentence: "expense EXP-2026-0002".
func describe(rec *record.Record) string {
	return string(rec.Kind) + " " + rec.ID
}

// article writes "an expense", "a plan".
func article(k record.Kind) string {
	switch k {
	case record.Expense, record.Appraisal:
		return "an " + string(k)
	}
	return "a " + string(k)
}
