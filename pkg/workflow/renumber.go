package workflow

import (
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// RuleRenumber: a record renumbered by someone who is neither the person
// it belongs to nor the director or leadership.
const RuleRenumber = "renumber-right"

// OwnerField names, per kind, the field holding the person a record
// belongs to: the claimant of a claim, the author of a plan, the owner of
// a project, ... Kinds not listed (people, customers, budgets, the
// operations plan) belong to the department.
var OwnerField = map[record.Kind]string{
	record.Expense:      "claimant",
	record.Plan:         "author",
	record.Project:      "owner",
	record.Appraisal:    "appraiser",
	record.Complaint:    "assignee",
	record.Meeting:      "chair",
	record.Task:         "assigned_by",
	record.StatusReport: "author",
	record.Analysis:     "author",
	record.TrainingPlan: "author",
	record.Training:     "organiser",
	record.Violation:    "reporter",
}

// CheckRenumber decides whether a may give rec a new id. A renumbering
// changes no field, but it changes the id every reference, report and
// history names: so it is for the person the record belongs to (who
// renumbers their own record when two branches took the same id) and for
// the director and leadership; a person is renamed only by the director
// or leadership. The renumber command and verify both ask it.
func CheckRenumber(a Actor, rec *record.Record) *Refusal {
	if a.Role == Director || a.Role == Leadership {
		return nil
	}
	if rec.Kind == record.Person {
		return refuse(rec, RulePeoplePolicy, "id", "%s may not rename person %s: people are changed only by a director or leadership", a.words(), rec.ID)
	}
	f, ok := OwnerField[rec.Kind]
	if ok && a.Handle != "" && rec.Str(f) == a.Handle {
		return nil
	}
	if !ok || rec.Str(f) == "" {
		return refuse(rec, RuleRenumber, "id", "%s may not renumber %s: only a director or leadership may", a.words(), rec.ID)
	}
	return refuse(rec, RuleRenumber, "id", "%s may not renumber %s: only its %s (%s), a director or leadership may", a.words(), rec.ID, i18n.Word{Group: "field", Key: f}, rec.Str(f))
}
