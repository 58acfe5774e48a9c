package rules

import (
	"strings"

	"github.com/opsbook/opsbook/pkg/record"
)

// Attachments lists the fields that hold attachment paths.
var Attachments = map[record.Kind][]string{
	record.Expense: {"receipt", "items.*.receipt"},
	record.Project: {"feasibility.report", "closure.report"},
}

// initial is each kind's first state: an attachment missing there is a
// warning, later an error.
var initial = map[record.Kind]string{
	record.Project: "proposed", record.Plan: "draft", record.Complaint: "received",
	record.Appraisal: "draft", record.Budget: "draft", record.Expense: "draft",
}

// looksLikePath tells a path from free text (a feasibility report may be
// written inline).
func looksLikePath(s string) bool {
	return !strings.ContainsAny(s, " \n\t") && strings.Contains(s, "/") && !strings.Contains(s, "://")
}

func (r *run) attachments(rec *record.Record) {
	m := &r.match
	for _, pattern := range Attachments[rec.Kind] {
		m.find(rec.Data, pattern)
		for _, k := range m.order() {
			rel := m.vals[k]
			p := func() string { return m.path(k) }
			// A project's report may be written inline as text; receipts are
			// always paths.
			if rec.Kind == record.Project && !looksLikePath(rel) {
				continue
			}
			if strings.HasPrefix(rel, "/") || strings.Contains("/"+rel+"/", "/../") {
				r.errorf(rec, p(), "attachment-missing", "%s: %s is outside the repository: attachments are paths relative to its root", p(), rel)
				continue
			}
			if r.Exists(rel) {
				continue
			}
			if rec.Status() == initial[rec.Kind] {
				r.warnf(rec, p(), "attachment-missing", "%s: attachment %s does not exist", p(), rel)
			} else {
				r.errorf(rec, p(), "attachment-missing", "%s: attachment %s does not exist (required once the record is %s)", p(), rel, rec.Status())
			}
		}
	}
}
