package rules

import (
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
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
		Rule{"classification-minimum", diag.Error, "a record classified below its kind's minimum (policy classification)"},
		Rule{"reports-to", diag.Error, "a person who reports to themselves, directly or through others (reports_to)"},
		Rule{"reports-to-inactive", diag.Warning, "an active person who reports to someone no longer active"},
		Rule{"nda-required", diag.Error, "under require_nda, an open confidential record names an active person without a valid confidentiality agreement"},
	)
}

// Classification returns a record's classification: public, internal or
// confidential; when the record does not say, its kind's default under the
// policy (nil: the built-in policy).
func Classification(r *record.Record, p *config.Policy) string {
	if c := r.Str("classification"); c != "" {
		return c
	}
	if p == nil {
		p = builtin
	}
	if c := p.Classification[r.Kind].Default; c != "" {
		return c
	}
	return "internal"
}

var builtin = config.Default()

// Confidential reports whether a record as a whole is confidential under
// the policy (nil: the built-in one).
func Confidential(r *record.Record, p *config.Policy) bool {
	return Classification(r, p) == "confidential"
}

// classification: a record may not say less than its kind's minimum.
func (r *run) classification(rec *record.Record) {
	c := rec.Str("classification")
	if c == "" {
		return // the default, which the policy keeps at or above the minimum
	}
	if min := r.Policy.Classification[rec.Kind].Minimum; config.ClassRank(c) < config.ClassRank(min) {
		r.errorf(rec, "classification", "classification-minimum", "%s is %s, below the minimum for %s records, %s (policy classification.%s.minimum)", rec.ID, c, kindWord(rec.Kind), min, rec.Kind)
	}
}

// NDAStatus says why a person's confidentiality agreement does not hold on
// day (YYYY-MM-DD): missing (also for a nil person), not signed until DATE,
// expired on DATE; holds is true when it holds.
func NDAStatus(person *record.Record, day string) (why i18n.Phrase, holds bool) {
	if person == nil {
		return i18n.P("missing"), false
	}
	signed := person.Str("nda.signed")
	switch exp := person.Str("nda.expires"); {
	case signed == "":
		return i18n.P("missing"), false
	case NDAOutOfOrder(person):
		return i18n.P("dated out of order (expires %s, before it was signed on %s)", exp, signed), false
	case signed > day:
		return i18n.P("not signed until %s", signed), false
	case exp != "" && exp < day:
		return i18n.P("expired on %s", exp), false
	}
	return i18n.Phrase{}, true
}

// NDAStatus is NDAStatus as of c.Now: an agreement dated signed today
// holds wherever its date has begun, as every rule takes a date as still
// to come only once it is after today in the zone furthest ahead
// (StillToCome): an agreement the department signed this morning in
// Shanghai holds for CI judging the same files in UTC, where it is still
// yesterday (under require_nda, nda-required would otherwise fail CI
// until UTC's midnight). Its expiry is judged by Now's own date.
func (c *Context) NDAStatus(person *record.Record) (why i18n.Phrase, holds bool) {
	day := c.Now.Format(time.DateOnly)
	if person != nil {
		if s := person.Str("nda.signed"); s > day && isDate(s) && !c.StillToCome(s) {
			// begun somewhere: judged as of its own day, which (the
			// agreement not out of order) expires no earlier than today
			day = s
		}
	}
	return NDAStatus(person, day)
}

// ActiveStaff reports whether a person is active staff of the department:
// active and not of leadership (the company's leaders approve; the
// department does not train, bind or appraise them).
func ActiveStaff(p *record.Record) bool {
	return p.Str("active") != "false" && p.Str("role") != "leadership"
}

// NDAOutOfOrder reports whether a person's confidentiality agreement
// expires before it was signed (both dates well formed): one of the dates
// is wrong, and the agreement holds on no day.
func NDAOutOfOrder(person *record.Record) bool {
	signed, exp := person.Str("nda.signed"), person.Str("nda.expires")
	if signed == "" || exp == "" || !isDate(signed) || !isDate(exp) {
		return false // the schema reports a missing part or a bad date
	}
	return exp < signed
}

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// reportsTo: a person's line (reports_to) ends: it names neither the
// person themselves nor, through others, comes back to them. Placed on
// every person of the loop.
func (r *run) reportsTo(person *record.Record) {
	if boss := r.Set.Get(person.Str("reports_to")); boss != nil && boss.Kind == record.Person && boss.ID != person.ID &&
		person.Str("active") != "false" && boss.Str("active") == "false" {
		r.warnf(person, "reports_to", "reports-to-inactive", "%s reports to %s, who is not active (no longer in the department): the director or leadership names who %s reports to now (reports_to)", person.ID, boss.ID, person.ID)
	}
	line := []string{person.ID}
	for h := person.Str("reports_to"); h != ""; {
		if h == person.ID {
			if len(line) == 1 {
				r.errorf(person, "reports_to", "reports-to", "%s reports to themselves (reports_to): a person reports to someone else, or (the top of the line) to nobody", person.ID)
			} else {
				r.errorf(person, "reports_to", "reports-to", "%s's line (reports_to) comes back to them: %s", person.ID, strings.Join(append(line, h), " → "))
			}
			return
		}
		if slices.Contains(line, h) {
			return // a loop above them: its people are told
		}
		line = append(line, h)
		p := r.Set.Get(h)
		if p == nil || p.Kind != record.Person {
			return // ref-missing says so
		}
		h = p.Str("reports_to")
	}
}

func (r *run) nda(person *record.Record) {
	if NDAOutOfOrder(person) {
		// whoever holds it (staff or not, active or not): the record is
		// wrong, and the warning of a missing agreement would only say
		// "expired"
		r.errorf(person, "nda.expires", "date-order", "%s's confidentiality agreement expires on %s, before it was signed on %s: one of the dates is wrong (nda.signed, nda.expires)",
			person.ID, person.Str("nda.expires"), person.Str("nda.signed"))
		return
	}
	if !ActiveStaff(person) {
		return
	}
	if why, holds := r.NDAStatus(person); !holds {
		field := "nda"
		if !person.Has("nda.signed") {
			field = "id"
		}
		r.warnf(person, field, "nda-missing", "%s has no valid confidentiality agreement (nda %s): §7.2.1 asks one of every member of staff", person.ID, why)
	}
}

// ndaRequired: under require_nda, every active person an open confidential
// record names must hold a valid agreement.
func (r *run) ndaRequired(rec *record.Record) {
	if !r.Policy.RequireNDA || rec.Kind == record.Person || !Confidential(rec, r.Policy) {
		return
	}
	if t := workflow.For(rec.Kind); t != nil && t.IsFinal(rec.Status()) {
		return // nobody acts on it any more
	}
	for _, ref := range Refs {
		if ref.Kind != rec.Kind || ref.Target != record.Person {
			continue
		}
		for path, h := range Expand(rec.Data, ref.Path) {
			p := r.Set.Get(h)
			if p == nil || p.Kind != record.Person || p.Str("active") == "false" {
				continue
			}
			if why, holds := r.NDAStatus(p); !holds {
				r.errorf(rec, path, "nda-required", "%s is confidential and names %s (%s), whose confidentiality agreement is %s: the policy requires one (require_nda)",
					rec.ID, h, i18n.Field(path), why)
			}
		}
	}
}
