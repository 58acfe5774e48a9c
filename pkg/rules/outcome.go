package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/shopspring/decimal"
)

// Appraisal outcomes and the appraisal cycle (§6.2): an appraisal closes
// with an outcome its rating allows (policy rating_outcomes), and every
// member of staff is appraised each period of the policy's cycle.
func init() {
	Refs = append(Refs, Ref{record.Appraisal, "measures.*.by", record.Person, []string{"director", "leadership"}},
		Ref{record.Appraisal, "deviation.by", record.Person, []string{"director"}})
	Catalog = append(Catalog,
		Rule{"outcome-required", diag.Error, "a closed appraisal without an outcome (reward, salary_change, promotion, recognition, or none: true)"},
		Rule{"outcome-rating", diag.Error, "an appraisal's outcome is not one the policy's rating_outcomes allows for its rating, or none beside another outcome"},
		Rule{"appraisal-catalogue", diag.Error, "a periodic appraisal's indicators (names and weights) differ from the policy's catalogue for the employee's role without the director's approved deviation"},
		Rule{"appraisal-missing", diag.Warning, "an active member of staff without an appraisal of the last finished period of the appraisal cycle"},
		Rule{"appraisal-cycle", diag.Warning, "an appraisal of a year, half or quarter that is no period of the policy's appraisal_cycle: it stands for no periodic appraisal"},
	)
}

// outcomeFields maps an outcome's fields to the outcomes the policy names.
var outcomeFields = [][2]string{{"reward", "reward"}, {"salary_change", "pay_change"}, {"promotion", "promotion"}, {"recognition", "recognition"}, {"none", "none"}}

// Outcomes returns the outcomes an appraisal records, in policy terms.
func Outcomes(rec *record.Record) []string {
	var out []string
	for _, f := range outcomeFields {
		if rec.Has("outcome." + f[0]) {
			out = append(out, f[1])
		}
	}
	return out
}

func (r *run) outcome(rec *record.Record, rating string) {
	got := Outcomes(rec)
	if rec.Status() == "closed" && len(got) == 0 {
		r.errorf(rec, "status", "outcome-required", "a closed appraisal records its outcome (outcome: reward, salary_change, promotion, recognition, or none: true), §6.2.2")
		return
	}
	if slices.Contains(got, "none") && len(got) > 1 {
		r.errorf(rec, "outcome.none", "outcome-rating", "outcome none stands alone, and this one also has %s", strings.Join(got[:len(got)-1], ", "))
	}
	allowed := r.Policy.RatingOutcomes[rating]
	for _, o := range got {
		if !slices.Contains(allowed, o) {
			r.errorf(rec, "outcome", "outcome-rating", "outcome %s does not go with the rating %s: the policy's rating_outcomes allow %s", o, ratingWord(rating), i18n.Commas(allowed))
		}
	}
}

// LastPeriod returns the last period of the cycle (year, half, quarter)
// that ended before now: "2026-H1" on 2026-11-26 for half.
func LastPeriod(cycle string, now time.Time) string {
	y, m := now.Year(), int(now.Month())
	switch cycle {
	case "year":
		return fmt.Sprintf("%04d", y-1)
	case "quarter":
		if q := (m-1)/3 + 1; q > 1 {
			return fmt.Sprintf("%04d-Q%d", y, q-1)
		}
		return fmt.Sprintf("%04d-Q4", y-1)
	}
	if m <= 6 {
		return fmt.Sprintf("%04d-H2", y-1)
	}
	return fmt.Sprintf("%04d-H1", y)
}

// cyclePeriod matches the periods of each appraisal cycle.
var cyclePeriod = map[string]*regexp.Regexp{
	"year":    regexp.MustCompile(`^[0-9]{4}$`),
	"half":    regexp.MustCompile(`^[0-9]{4}-H[12]$`),
	"quarter": regexp.MustCompile(`^[0-9]{4}-Q[1-4]$`),
}

// appraisalPeriod warns of an appraisal of a year, half or quarter that is
// no period of the policy's cycle (2026-Q4 under half-yearly appraisals):
// appraisal-missing and the appraisals report look for the cycle's periods
// alone, so it would stand for none without a word. A month (2026-03) is a
// review of its own (probation), and a period of no form at all is the
// schema's to refuse.
func (r *run) appraisalPeriod(rec *record.Record) {
	p, cycle := rec.Str("period"), r.Policy.AppraisalCycle
	own := cyclePeriod[cycle]
	if p == "" || own == nil || own.MatchString(p) {
		return
	}
	for _, re := range cyclePeriod {
		if re.MatchString(p) {
			example := map[string]string{"year": p[:4], "half": p[:4] + "-H1", "quarter": p[:4] + "-Q1"}[cycle]
			r.warnf(rec, "period", "appraisal-cycle", "period %s is no period of the appraisal cycle (appraisal_cycle: %s, such as %s): no periodic check counts it",
				p, cycle, example)
			return
		}
	}
}

// Unappraised returns the active staff without an appraisal (in any state)
// of the given period, sorted. Staff are the active specialists and
// managers: the director appraises, nobody in the department appraises
// the director, and leadership and finance are outside the department
// (an appraisal of them is refused, ref-role).
func Unappraised(set *record.Set, period string) []string {
	has := map[string]bool{}
	for _, a := range set.OfKind(record.Appraisal) {
		if a.Str("period") == period {
			has[a.Str("employee")] = true
		}
	}
	var out []string
	for _, p := range set.OfKind(record.Person) {
		if ActiveStaff(p) && Staff(p) && p.Str("role") != "director" && !has[p.ID] {
			out = append(out, p.ID)
		}
	}
	slices.Sort(out)
	return out
}

// appraisalsMissing names the staff without an appraisal of the last
// finished period, once the department records periodic appraisals at all
// (a department new to opsbook is not told that everyone is missing one).
func (r *run) appraisalsMissing() {
	periodic := false
	for _, a := range r.Set.OfKind(record.Appraisal) {
		periodic = periodic || a.Str("period") != ""
	}
	if !periodic {
		return
	}
	period := LastPeriod(r.Policy.AppraisalCycle, r.Now)
	for _, h := range Unappraised(r.Set, period) {
		r.warnf(r.Set.Get(h), "id", "appraisal-missing", "%s has no appraisal for %s, the last finished period of the appraisal cycle (%s)", h, period, r.Policy.AppraisalCycle)
	}
}

// catalogue: a periodic appraisal uses the indicator catalogue of its
// employee's role (policy indicators): the same names with the same
// weights, unless the director approved a deviation.
func (r *run) catalogue(rec *record.Record) {
	if rec.Str("period") == "" || rec.Has("deviation") {
		return
	}
	emp := r.Set.Get(rec.Str("employee"))
	if emp == nil || emp.Kind != record.Person {
		return
	}
	want := r.Policy.Indicators[emp.Str("role")]
	if len(want) == 0 {
		return
	}
	got := map[string]string{}
	for i := range rec.List("indicators") {
		p := "indicators." + strconv.Itoa(i)
		got[rec.Str(p+".name")] = rec.Str(p + ".weight")
	}
	var diffs []any
	for _, in := range want {
		w, ok := got[in.Name]
		switch {
		case !ok:
			diffs = append(diffs, i18n.P("lacks %s", in.Name))
		case !sameNumber(w, in.Weight.String()):
			diffs = append(diffs, i18n.P("weighs %s %s, not %s", in.Name, w, in.Weight))
		}
		delete(got, in.Name)
	}
	var extra []string
	for name := range got {
		extra = append(extra, name)
	}
	slices.Sort(extra)
	for _, name := range extra {
		diffs = append(diffs, i18n.P("adds %s", name))
	}
	if len(diffs) > 0 {
		r.errorf(rec, "indicators", "appraisal-catalogue", "the indicators differ from the %s catalogue of the policy (%s): a deviation needs the director's approval (deviation: by, date, reason)",
			i18n.Word{Group: "role", Key: emp.Str("role")}, i18n.Join("; ", diffs...))
	}
}

func sameNumber(a, b string) bool {
	x, err1 := decimal.NewFromString(a)
	y, err2 := decimal.NewFromString(b)
	return err1 == nil && err2 == nil && x.Equal(y)
}
