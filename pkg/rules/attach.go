package rules

import (
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Attachments lists the fields that hold attachment paths. Every path they
// name must also be in the record's `attachments` list with its SHA-256.
var Attachments = map[record.Kind][]string{
	record.Expense: {"receipt", "items.*.receipt"},
	record.Project: {"feasibility.report", "closure.report"},
}

// initial is each kind's first state: an attachment missing or unlisted
// there is a warning, later an error.
var initial = map[record.Kind]string{
	record.Project: "proposed", record.Plan: "draft", record.Complaint: "received",
	record.Appraisal: "draft", record.Budget: "draft", record.Expense: "draft",
	record.Meeting: "draft", record.Task: "open", record.StatusReport: "draft", record.OpsPlan: "draft", record.Analysis: "draft",
}

// looksLikePath tells a path from free text (a feasibility report may be
// written inline).
func looksLikePath(s string) bool {
	return !strings.ContainsAny(s, " \n\t") && strings.Contains(s, "/") && !strings.Contains(s, "://")
}

// Listed returns the record's `attachments` list, skipping entries without
// a path.
func Listed(rec *record.Record) []attach.Entry {
	var out []attach.Entry
	for i, v := range rec.List(attach.Field) {
		m, ok := v.(record.Map)
		if !ok {
			continue
		}
		p, _ := m.Get("path")
		s, _ := m.Get("sha256")
		if record.Text(p) == "" {
			continue
		}
		out = append(out, attach.Entry{Path: record.Text(p), SHA256: record.Text(s), Index: i})
	}
	return out
}

// Named is a path an attachment field holds.
type Named struct {
	Field string // the dotted path of the field (items.0.receipt)
	Path  string
}

// NamedAttachments returns the paths the record's attachment fields name
// (a project's report written inline as text is not a path).
func NamedAttachments(rec *record.Record) []Named {
	var m matcher
	var out []Named
	for _, pattern := range Attachments[rec.Kind] {
		m.find(rec.Data, pattern)
		for _, k := range m.order() {
			if rec.Kind == record.Project && !looksLikePath(m.vals[k]) {
				continue
			}
			out = append(out, Named{Field: m.path(k), Path: m.vals[k]})
		}
	}
	return out
}

func (r *run) attachments(rec *record.Record) {
	first := rec.Status() == initial[rec.Kind]
	listed := r.listed(rec)
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
			_, isListed := listed[rel]
			switch {
			case isListed:
				// the list's entry is judged below
			case first:
				r.warnf(rec, p(), "attachment-unlisted", "%s: %s is not in the record's attachments list with its sha256 (`opsbook attach %s %s` adds it)", p(), rel, rec.ID, rel)
			default:
				r.errorf(rec, p(), "attachment-unlisted", "%s: %s is not in the record's attachments list with its sha256 (required once the record is %s; `opsbook attach %s %s` adds it)", p(), rel, i18n.Word{Group: "state", Key: rec.Status()}, rec.ID, rel)
			}
			if isListed || r.Exists(rel) {
				continue
			}
			st := r.Stat(rel)
			what := i18n.P("attachment %s does not exist", rel)
			if st != attach.Missing {
				what = i18n.P("attachment %s is %s, which does not count as present (links are never followed)", rel, st.Phrase())
			}
			switch {
			case first && st == attach.Missing:
				r.warnf(rec, p(), "attachment-missing", "%s: attachment %s does not exist", p(), rel)
			case first:
				r.warnf(rec, p(), "attachment-missing", "%s: attachment %s is %s, which does not count as present (links are never followed)", p(), rel, st.Phrase())
			default:
				r.errorf(rec, p(), "attachment-missing", "%s: %s (required once the record is %s)", p(), what, i18n.Word{Group: "state", Key: rec.Status()})
			}
		}
	}
	for _, e := range Listed(rec) {
		r.listedEntry(rec, e, listed[e.Path])
	}
	r.encryptedAttachments(rec, listed)
}

// listed maps each listed path to the index of its first entry.
func (r *run) listed(rec *record.Record) map[string]int {
	out := map[string]int{}
	for _, e := range Listed(rec) {
		if _, ok := out[e.Path]; !ok {
			out[e.Path] = e.Index
		}
	}
	return out
}

// listedEntry judges one entry of the attachments list: a path below
// attachments/, a regular file (no symbolic link on the way), its hash.
func (r *run) listedEntry(rec *record.Record, e attach.Entry, firstIndex int) {
	at := attach.Field + "." + strconv.Itoa(e.Index)
	if firstIndex != e.Index {
		r.errorf(rec, at+".path", "attachment-path", "%s is listed twice in attachments (entries %d and %d)", e.Path, firstIndex+1, e.Index+1)
		return
	}
	if err := attach.CheckPath(e.Path); err != nil {
		r.errorf(rec, at+".path", "attachment-path", "attachments: %v", err)
		return
	}
	switch st := r.Stat(e.Path); st {
	case attach.Regular:
	case attach.Missing:
		r.errorf(rec, at+".path", "attachment-missing", "attachment %s does not exist (it is listed with its sha256; restore it from git or remove the entry)", e.Path)
		return
	default:
		r.errorf(rec, at+".path", "attachment-type", "attachment %s is %s: an attachment is a regular file inside the repository, never a link", e.Path, st.Phrase())
		return
	}
	if e.SHA256 == "" {
		return // the schema requires it
	}
	sum, err := r.Sum(e.Path)
	switch {
	case err != nil:
		r.errorf(rec, at+".path", "attachment-type", "attachment %s cannot be read: %v", e.Path, err)
	case sum != strings.ToLower(e.SHA256):
		r.errorf(rec, at+".sha256", "attachment-hash", "attachment %s has SHA-256 %s, not the %s the record lists: the file was changed after it was attached", e.Path, sum, e.SHA256)
	}
}
