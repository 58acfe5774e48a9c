package rules

import (
	"strings"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// Confidentiality agreements (§7.2.1): a person carries nda {signed,
// document, expires}. A member of staff without a valid one is a warning;
// under the policy's require_nda, anyone a confidential record still open
// names (who is to act on it) must hold one, and a write on a confidential
// record by an actor without one is refused (pkg/change).
func init() {
	Attachments[record.Person] = append(Attachments[record.Person], "nda.document")
	Catalog = append(Catalog,
		Rule{"nda-missing", diag.Warning, "an active member of staff without a valid confidentiality agreement (nda missing, not yet signed or expired)"},
		Rule{"nda-required", diag.Error, "under require_nda, an open confidential record names an active person without a valid confidentiality agreement"},
	)
}

// DefaultClassification is, per kind, the classification of a record that
// does not say: a violation concerns one person's conduct and sanction, so
// it is confidential unless it says otherwise; every other kind is
// internal.
var DefaultClassification = map[record.Kind]string{
	record.Violation: "confidential",
}

// Classification returns a record's classification: public, internal or
// confidential; when the record does not say, its kind's default.
func Classification(r *record.Record) string {
	if c := r.Str("classification"); c != "" {
		return c
	}
	if c := DefaultClassification[r.Kind]; c != "" {
		return c
	}
	return "internal"
}

// Confidential reports whether a record as a whole is confidential.
func Confidential(r *record.Record) bool { return Classification(r) == "confidential" }

// NDAStatus says why a person's confidentiality agreement does not hold on
// day (YYYY-MM-DD): "missing", "not yet signed", "expired on DATE"; "" when
// it holds.
func NDAStatus(person *record.Record, day string) string {
	signed := person.Str("nda.signed")
	switch exp := person.Str("nda.expires"); {
	case signed == "":
		return "missing"
	case signed > day:
		return "not signed until " + signed
	case exp != "" && exp < day:
		return "expired on " + exp
	}
	return ""
}

func activeStaff(p *record.Record) bool {
	return p.Str("active") != "false" && p.Str("role") != "leadership"
}

func (r *run) nda(person *record.Record) {
	if !activeStaff(person) {
		return
	}
	if why := NDAStatus(person, r.Now.Format("2006-01-02")); why != "" {
		field := "nda"
		if why == "missing" {
			field = "id"
		}
		r.warnf(person, field, "nda-missing", "%s has no valid confidentiality agreement (nda %s): §7.2.1 asks one of every member of staff", person.ID, why)
	}
}

// ndaRequired: under require_nda, every active person an open confidential
// record names must hold a valid agreement.
func (r *run) ndaRequired(rec *record.Record) {
	if !r.Policy.RequireNDA || rec.Kind == record.Person || !Confidential(rec) {
		return
	}
	if t := workflow.For(rec.Kind); t != nil && t.IsFinal(rec.Status()) {
		return // nobody acts on it any more
	}
	day := r.Now.Format("2006-01-02")
	for _, ref := range Refs {
		if ref.Kind != rec.Kind || ref.Target != record.Person {
			continue
		}
		for path, h := range Expand(rec.Data, ref.Path) {
			p := r.Set.Get(h)
			if p == nil || p.Kind != record.Person || p.Str("active") == "false" {
				continue
			}
			if why := NDAStatus(p, day); why != "" {
				r.errorf(rec, path, "nda-required", "%s is confidential and names %s (%s), whose confidentiality agreement is %s: the policy requires one (require_nda)",
					rec.ID, h, strings.ReplaceAll(path, ".", " "), why)
			}
		}
	}
}
