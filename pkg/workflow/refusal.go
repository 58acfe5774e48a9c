package workflow

import (
	"github.com/opsbook/opsbook/pkg/i18n"
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
	// RuleAssigneeInactive: a complaint or task handed to a person who is
	// no longer active (by assign, set, edit or new alike).
	RuleAssigneeInactive = "assignee-inactive"
	// RuleEmployeeInactive: an appraisal of a person who is not active
	// (by new, set or edit): they could never acknowledge it.
	RuleEmployeeInactive = "employee-inactive"
	// RuleAttendeeInactive: a person who is not active invited to a
	// training (by new, set or edit).
	RuleAttendeeInactive = "attendee-inactive"
	// RuleYearOpen: a year's record closed before its year is over.
	RuleYearOpen = "year-open"
	// RuleEmployeeActive: a reviewed appraisal closed while its employee,
	// who acknowledges it, is still in the department.
	RuleEmployeeActive = "employee-active"
)

// Refusal says why a change may not be made. It is the only error type the
// package's checks return.
type Refusal struct {
	Rule    string // one of the Rule* codes
	Message string // a sentence naming the actor, the record and the reason, in English (for -o json)
	Text    string // the same sentence in the reader's language
	ID      string // the record's id ("" for the policy)
	Path    string // the record's file, relative to the repository root
	// Field is the field at fault ("status", "amount", "assignee"), for a
	// position; "" when the record as a whole is.
	Field string
	// rec is the record refused, for Pos.
	rec *record.Record
}

// Pos is the line and column of the field at fault in the record refused
// (its first line when the refusal names no field or knows no record).
func (r *Refusal) Pos() (line, col int) {
	if r.rec == nil || r.Field == "" {
		return 1, 1
	}
	return r.rec.Pos(r.Field)
}

// Error is the refusal in the reader's language.
func (r *Refusal) Error() string {
	if r.Text != "" {
		return r.Text
	}
	return r.Message
}

// refuse makes a refusal of rec (nil for the policy) from a catalog format.
//
// i18n:format 3
func refuse(rec *record.Record, rule, field, format string, args ...any) *Refusal {
	msg, text := i18n.Both(format, args...)
	r := &Refusal{Rule: rule, Field: field, Message: msg, Text: text, rec: rec}
	if rec != nil {
		r.ID, r.Path = rec.ID, rec.Path
	}
	return r
}

// refuseWith makes a refusal whose sentence is put together from parts
// (i18n.Join) rather than one format.
func refuseWith(rec *record.Record, rule, field string, sentence any) *Refusal {
	msg, text := i18n.Texts(sentence)
	r := &Refusal{Rule: rule, Field: field, Message: msg, Text: text, rec: rec}
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
func checkActor(a Actor, rec *record.Record, what any) *Refusal {
	switch {
	case a.Handle == "":
		return refuse(rec, RuleActorUnknown, "", "an actor who is not in the people registry may not change %s: an unknown person may change nothing", what)
	case !a.Active:
		return refuse(rec, RuleActorInactive, "", "%s is inactive and may not change %s: an inactive person may change nothing", a.Handle, what)
	}
	return nil
}

// describe names a record in a sentence: "expense EXP-2026-0002".
func describe(rec *record.Record) i18n.Joined {
	return i18n.Join(" ", kindWord(rec.Kind), rec.ID)
}

// article writes "an expense", "a plan".
func article(k record.Kind) i18n.Phrase {
	switch k {
	case record.Expense, record.Appraisal:
		return i18n.P("an %s", kindWord(k))
	}
	return i18n.P("a %s", kindWord(k))
}
