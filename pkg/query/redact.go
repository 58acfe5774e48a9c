package query

import (
	"slices"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Redacted replaces every confidential value in output that leaves the
// department (--redact).
const Redacted = "[redacted]"

// ConfidentialFields lists, per kind, the fields that are confidential
// whatever the record's classification (the rules, §7): the contact details
// of customers and of complainants.
var ConfidentialFields = map[record.Kind][]string{
	record.Customer:  {"contact"},
	record.Complaint: {"contact"},
	// how well a session worked and what attendees thought of it
	record.Training: {"evaluation"},
	// rewards and pay, and the measures after a second low rating
	record.Appraisal: {"outcome", "measures"},
}

// Classification returns a record's classification: public, internal or
// confidential; when the record does not say, its kind's default under the
// policy p (nil: the built-in policy).
func Classification(r *record.Record, p *config.Policy) string { return rules.Classification(r, p) }

// Confidential reports whether a record as a whole is confidential.
func Confidential(r *record.Record, p *config.Policy) bool { return rules.Confidential(r, p) }

// Redact returns a record's data as it may leave the department: a copy in
// which every value under a confidential field is replaced by Redacted (the
// shape is kept, so a reader sees that contact.phone exists but not what it
// is). visible is false, and data nil, when the record as a whole is
// confidential and must be left out. The record itself is not changed.
func Redact(r *record.Record, p *config.Policy) (data record.Map, visible bool) {
	if Confidential(r, p) {
		return nil, false
	}
	fields := ConfidentialFields[r.Kind]
	if len(fields) == 0 {
		return r.Data, true
	}
	data = slices.Clone(r.Data)
	for _, f := range fields {
		if v, ok := data.Get(f); ok {
			data.Set(f, RedactValue(v))
		}
	}
	return data, true
}

// RedactValue is v in its shape (maps and lists kept) with every scalar
// replaced by Redacted.
func RedactValue(v any) any {
	switch t := v.(type) {
	case record.Map:
		m := make(record.Map, len(t))
		for i, f := range t {
			m[i] = record.Field{Key: f.Key, Value: RedactValue(f.Value)}
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = RedactValue(x)
		}
		return l
	}
	return Redacted
}

// RedactSet returns the set as it may leave the department, for reports and
// exports: confidential records left out, the others' confidential fields
// redacted. The records returned carry no YAML nodes (which hold the
// original text), only their redacted data.
func RedactSet(s *record.Set, p *config.Policy) *record.Set {
	var recs []*record.Record
	for _, r := range s.Records {
		data, visible := Redact(r, p)
		if !visible {
			continue
		}
		recs = append(recs, &record.Record{Kind: r.Kind, ID: r.ID, Path: r.Path, Data: data})
	}
	return record.NewSet(recs)
}
