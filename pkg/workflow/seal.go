package workflow

import "github.com/opsbook/opsbook/pkg/record"

// sealed lists, per kind, the states in which a record's attachments are
// sealed: the files it lists were approved (or the record closed) with
// those contents, so changing or removing one is a violation. Adding a new
// attachment is still possible where the record itself may be edited (a
// closure report while a project is closing). A complaint that is reopened
// is open again.
var sealed = map[record.Kind][]string{
	record.Expense:   {"approved", "paid", "rejected"},
	record.Project:   {"approved", "rejected", "planning", "executing", "closing", "closed", "on_hold", "cancelled"},
	record.Plan:      {"approved", "active", "completed", "superseded"},
	record.Complaint: {"resolved", "closed"},
	record.Appraisal: {"acknowledged", "closed"},
	record.Budget:    {"approved", "closed"},
}

// Sealed reports whether rec's attachments are sealed in its state.
func Sealed(rec *record.Record) bool {
	return contains(sealed[rec.Kind], rec.Status())
}

// Initial reports whether rec is in its kind's first state (or the kind
// has no workflow): there its attachments may still be missing or unlisted.
// Every move out of it (submitting, approving, paying) needs the
// attachments committed and matching their hashes.
func Initial(rec *record.Record) bool {
	t := For(rec.Kind)
	return t == nil || rec.Status() == t.Initial
}
