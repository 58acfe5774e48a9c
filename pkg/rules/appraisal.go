package rules

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

func init() {
	Catalog = append(Catalog, Rule{"follow-up", diag.Error, "an appraisal's follow_up_of names itself or an appraisal of another employee"},
		Rule{"appraisal-period", diag.Error, "an appraisal past draft of a period that has not begun"},
		Rule{"appraisal-project", diag.Error, "a project appraisal of someone neither on the project's team nor its owner"})
}

// Score is an appraisal's computed result.
type Score struct {
	Weights decimal.Decimal
	Total   decimal.Decimal // Σ weight × score / 100, exact
	Rating  string
}

// AppraisalScore computes weights, total and rating from the indicators.
func AppraisalScore(rec *record.Record, p *config.Policy) Score {
	var s Score
	for i := range rec.List("indicators") {
		pre := "indicators." + strconv.Itoa(i)
		w, _ := decimal.NewFromString(rec.Str(pre + ".weight"))
		sc, _ := decimal.NewFromString(rec.Str(pre + ".score"))
		s.Weights = s.Weights.Add(w)
		s.Total = s.Total.Add(w.Mul(sc))
	}
	s.Total = s.Total.Div(hundred)
	s.Rating = p.Rating(s.Total)
	return s
}

// FollowsUp reports whether a may follow up prev (its follow_up_of):
// another appraisal of the same employee. The reports count a follow-up
// only then.
func FollowsUp(a, prev *record.Record) bool {
	return prev.ID != a.ID && prev.Str("employee") == a.Str("employee")
}

// PeriodStart is the first day (YYYY-MM-DD) of an appraisal period
// ("2026", "2026-H2", "2026-Q3", "2026-03"); "" for another text.
func PeriodStart(p string) string {
	if len(p) < 4 {
		return ""
	}
	y, rest := p[:4], p[4:]
	if _, err := strconv.Atoi(y); err != nil {
		return ""
	}
	month := ""
	switch {
	case rest == "":
		month = "01"
	case rest == "-H1":
		month = "01"
	case rest == "-H2":
		month = "07"
	case len(rest) == 3 && rest[:2] == "-Q" && rest[2] >= '1' && rest[2] <= '4':
		month = fmt.Sprintf("%02d", int(rest[2]-'1')*3+1)
	case len(rest) == 3 && rest[0] == '-':
		if m, err := strconv.Atoi(rest[1:]); err == nil && m >= 1 && m <= 12 {
			month = rest[1:]
		}
	}
	if month == "" {
		return ""
	}
	return y + "-" + month + "-01"
}

// AppraiserJudged reports whether an appraisal's appraiser is judged
// against today's reports_to: until the director has reviewed it (draft,
// submitted). A reviewed appraisal was made by the manager of its day: a
// later change of who reports to whom (a team moved to another manager)
// does not make it wrong, and is not refused for it.
func AppraiserJudged(rec *record.Record) bool {
	st := rec.Status()
	return st == "draft" || st == "submitted"
}

// BelowStandard reports whether a rating needs an improvement plan.
func BelowStandard(rating string) bool { return rating == "below" || rating == "unsatisfactory" }

// totalMatches accepts a written total equal to the exact one, or to the
// exact one rounded to two places when it has more.
func totalMatches(written, exact decimal.Decimal) bool {
	if written.Equal(exact) {
		return true
	}
	return exact.Exponent() < -2 && written.Equal(exact.Round(2))
}

func (r *run) appraisal(rec *record.Record) {
	s := AppraisalScore(rec, r.Policy)
	if len(rec.List("indicators")) > 0 && !s.Weights.Equal(hundred) {
		r.errorf(rec, "indicators", "appraisal-weights", "indicator weights sum to %s, not 100", s.Weights)
	}
	if t := rec.Str("total"); t != "" {
		if w, err := decimal.NewFromString(t); err == nil && !totalMatches(w, s.Total) {
			r.errorf(rec, "total", "appraisal-total", "total %s differs from Σ weight × score / 100 = %s", t, s.Total.String())
		}
	}
	if rt := rec.Str("rating"); rt != "" && rt != s.Rating {
		r.errorf(rec, "rating", "appraisal-rating", "rating %s does not follow from the total %s, which is %s under the policy thresholds", ratingWord(rt), s.Total.String(), ratingWord(s.Rating))
	}
	emp, apr := rec.Str("employee"), rec.Str("appraiser")
	if emp != "" && emp == apr {
		r.errorf(rec, "appraiser", "appraisal-self", "%s appraises themselves: the appraiser must be someone else (four eyes)", apr)
	} else if e, a := r.Set.Get(emp), r.Set.Get(apr); e != nil && a != nil && a.Kind == record.Person && e.Kind == record.Person && AppraiserJudged(rec) {
		if e.Str("reports_to") != apr && a.Str("role") != "director" {
			r.errorf(rec, "appraiser", "appraisal-appraiser", "%s is neither %s's manager (reports_to: %s) nor the director", apr, emp, e.Str("reports_to"))
		}
	}
	// Like its appraiser, a project appraisal's employee is judged against
	// the project's people of today until the director has reviewed it:
	// one reviewed was of a member of its day, and the project's team or
	// owner changed later (a member moved to other work, the project handed
	// to another manager) neither makes it wrong nor is refused for it.
	if prj := r.Set.Get(rec.Str("project")); prj != nil && prj.Kind == record.Project && AppraiserJudged(rec) && emp != "" && emp != prj.Str("owner") && !slices.Contains(prj.Strings("team"), emp) {
		if team := prj.Strings("team"); len(team) > 0 {
			r.errorf(rec, "project", "appraisal-project", "%s is not on the team of %s (team: %s; owner: %s): a project appraisal is of one of its people", emp, prj.ID, i18n.Commas(team), orNone(prj.Str("owner")))
		} else {
			r.errorf(rec, "project", "appraisal-project", "%s is not the owner of %s (%s), which has no team: a project appraisal is of one of its people", emp, prj.ID, orNone(prj.Str("owner")))
		}
	}
	st := rec.Status()
	if start := PeriodStart(rec.Str("period")); start != "" && st != "draft" && r.StillToCome(start) {
		r.errorf(rec, "period", "appraisal-period", "%s appraises %s, which begins on %s: a period is appraised once it is under way (a draft may be prepared ahead)", rec.ID, rec.Str("period"), start)
	}
	if len(rec.List("indicators")) > 0 {
		r.outcome(rec, s.Rating)
		r.catalogue(rec)
	}
	if BelowStandard(s.Rating) && st != "draft" && !rec.Has("improvement") {
		r.errorf(rec, "indicators", "state-needs", "rated %s (total %s): a %s appraisal needs an improvement plan (improvement: goals, coach, review_date)", ratingWord(s.Rating), s.Total.String(), stateWord(st))
	}
	prev := r.Set.Get(rec.Str("follow_up_of"))
	if prev != nil && prev.Kind == record.Appraisal && !FollowsUp(rec, prev) {
		if prev.ID == rec.ID {
			r.errorf(rec, "follow_up_of", "follow-up", "%s follows up itself: follow_up_of names the earlier appraisal of the same employee", rec.ID)
		} else {
			r.errorf(rec, "follow_up_of", "follow-up", "follow_up_of names %s, an appraisal of %s, not of %s: a follow-up is of the same employee", prev.ID, orNone(prev.Str("employee")), orNone(emp))
		}
		prev = nil // no measures are asked of another person's rating
	}
	if prev != nil && prev.Kind == record.Appraisal && BelowStandard(s.Rating) && BelowStandard(AppraisalScore(prev, r.Policy).Rating) && !rec.Has("measures") {
		r.warnf(rec, "follow_up_of", "measures-required", "%s is below standard again after %s: measures required (§6.2.3): the director records them (measures: action, date, by)", emp, prev.ID)
	}
}
