package report

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// RatingNames lists the ratings best first, unsatisfactory last.
var RatingNames = append(append([]string(nil), config.Ratings...), "unsatisfactory")

// RatingCount is how many appraisals earned a rating.
type RatingCount struct {
	Rating  string `json:"rating"`
	Count   int    `json:"count"`
	Percent string `json:"percent"`
}

// IndicatorAverage is the average score of one indicator (by name) in a
// period.
type IndicatorAverage struct {
	Name    string      `json:"name"`
	Count   int         `json:"count"`
	Average json.Number `json:"average_score"` // one decimal, exact
}

// AppraisalGroup is the appraisals of one period, or of one project for
// project appraisals without a period.
type AppraisalGroup struct {
	Period  string `json:"period"`  // "" for a project group
	Project string `json:"project"` // set for a project group
	// Appraisals counts those past draft; the statistics are over them.
	Appraisals   int                `json:"appraisals"`
	Drafts       int                `json:"drafts"`
	Ratings      []RatingCount      `json:"ratings"`
	AverageTotal *json.Number       `json:"average_total"` // two decimals
	Indicators   []IndicatorAverage `json:"indicators"`
}

// Label names the group in tables.
func (g AppraisalGroup) Label() string {
	if g.Period != "" {
		return g.Period
	}
	return g.Project
}

// Improvement statuses of a below-standard appraisal.
const (
	ImprovementMissing  = "missing"           // no improvement plan written
	ImprovementPending  = "pending"           // plan written, review date not reached
	ImprovementOverdue  = "overdue"           // review date passed, no follow-up appraisal
	ImprovementFollowed = "followed_up"       // a follow-up appraisal exists and is not below standard
	ImprovementMeasures = "measures_required" // below standard twice in a row (§6.2.3)
	ImprovementMeasured = "measures_taken"    // ... and the measures are recorded
)

// BelowStandardItem is an appraisal rated below or unsatisfactory and where
// its improvement stands.
type BelowStandardItem struct {
	ID          string      `json:"id"`
	Employee    string      `json:"employee"`
	Period      string      `json:"period"`
	Project     string      `json:"project"`
	Status      string      `json:"status"`
	Total       json.Number `json:"total"`
	Rating      string      `json:"rating"`
	Improvement bool        `json:"improvement"`
	Coach       string      `json:"coach"`
	ReviewDate  string      `json:"review_date"`
	ReviewDue   bool        `json:"review_date_passed"`
	// FollowUp is the appraisal whose follow_up_of names this one.
	FollowUp       string `json:"follow_up"`
	FollowUpStatus string `json:"follow_up_status"`
	FollowUpRating string `json:"follow_up_rating"`
	// MeasuresRequired: this appraisal follows up an earlier below-standard
	// one, or its own follow-up is below standard again.
	MeasuresRequired bool `json:"measures_required"`
	// Measures counts the measures recorded on the second below-standard
	// appraisal (§6.2.3).
	Measures          int    `json:"measures"`
	ImprovementStatus string `json:"improvement_status"`
}

// NeedsAction tells whether someone has to act on the improvement: none is
// written, the review date passed without a follow-up, or measures are due.
func (b BelowStandardItem) NeedsAction() bool {
	switch b.ImprovementStatus {
	case ImprovementMissing, ImprovementOverdue, ImprovementMeasures:
		return true
	}
	return false
}

// Appraisals is the appraisals report.
type Appraisals struct {
	Period        string              `json:"period"` // "" for every period
	AsOf          string              `json:"as_of"`
	Groups        []AppraisalGroup    `json:"periods"`
	BelowStandard []BelowStandardItem `json:"below_standard"`
	// LastPeriod is the last finished period of the policy's appraisal
	// cycle as of now; Unappraised the active staff without an appraisal
	// of it (leadership and the director aside).
	LastPeriod  string   `json:"last_period"`
	Unappraised []string `json:"unappraised"`
	// Duplicates are the employees appraised more than once for one
	// period (and project): each is counted once, by the appraisal
	// rules.CountedAppraisal chooses; the others are left out of every
	// figure and of the below-standard list (validate warns of them,
	// appraisal-duplicate).
	Duplicates []AppraisalDuplicate `json:"duplicates"`
}

// AppraisalDuplicate is one employee's appraisals of one period (and
// project): the one counted and those left out.
type AppraisalDuplicate struct {
	Employee string   `json:"employee"`
	Period   string   `json:"period"`
	Project  string   `json:"project"`
	Counted  string   `json:"counted"`
	LeftOut  []string `json:"left_out"`
}

// AppraisalInPeriod tells whether an appraisal belongs to a selected period:
// its own period lies within it, or (a project appraisal without a period)
// the year of its id is the selection's year.
func AppraisalInPeriod(rec *record.Record, sel *Period) bool {
	if sel == nil {
		return true
	}
	if p, err := ParsePeriod(rec.Str("period")); err == nil {
		return p.Within(*sel)
	}
	return record.IDYear(rec.ID) == sel.From[:4]
}

// AppraisalsReport computes the appraisals report for the appraisals in sel
// (nil: all). Ratings are computed from the indicators with the policy's
// thresholds (a written rating that disagrees is validate's business).
// Drafts are counted but left out of the statistics: their scores are not
// settled.
func AppraisalsReport(c *rules.Context, sel *Period) *Appraisals {
	rep := &Appraisals{AsOf: c.Now.Format(dateLayout), Groups: []AppraisalGroup{}, BelowStandard: []BelowStandardItem{}}
	rep.LastPeriod = rules.LastPeriod(c.Policy.AppraisalCycle, c.Now)
	rep.Unappraised = append([]string{}, rules.Unappraised(c.Set, rep.LastPeriod)...)
	if sel != nil {
		rep.Period = sel.Label
	}
	type acc struct {
		g       AppraisalGroup
		sort    string
		totals  decimal.Decimal
		ratings map[string]int
		ind     map[string]*[2]decimal.Decimal // sum, count
		indName []string
	}
	groups := map[string]*acc{}
	rep.Duplicates = []AppraisalDuplicate{}
	leftOut := map[string]bool{}
	for _, same := range rules.AppraisalDuplicates(c.Set) {
		counted := rules.CountedAppraisal(same)
		k, _ := rules.KeyOf(counted)
		d := AppraisalDuplicate{Employee: k.Employee, Period: k.Period, Project: k.Project, Counted: counted.ID, LeftOut: []string{}}
		shown := false
		for _, a := range same {
			shown = shown || AppraisalInPeriod(a, sel)
			if a != counted {
				d.LeftOut = append(d.LeftOut, a.ID)
				leftOut[a.ID] = true
			}
		}
		if shown {
			rep.Duplicates = append(rep.Duplicates, d)
		}
	}
	followUps := map[string]*record.Record{}
	for _, a := range c.Set.OfKind(record.Appraisal) {
		if prev := c.Set.Get(a.Str("follow_up_of")); prev != nil && prev.Kind == record.Appraisal && rules.FollowsUp(a, prev) {
			if f := followUps[prev.ID]; f == nil || a.ID > f.ID {
				followUps[prev.ID] = a
			}
		}
	}
	today := c.Now.Format(dateLayout)
	for _, a := range c.Set.OfKind(record.Appraisal) {
		if !AppraisalInPeriod(a, sel) || leftOut[a.ID] {
			continue
		}
		key, sortKey := "p:"+a.Str("period"), ""
		if p, err := ParsePeriod(a.Str("period")); err == nil {
			sortKey = "0" + p.From + p.To
		} else {
			key, sortKey = "j:"+a.Str("project"), "1"+a.Str("project")
		}
		g := groups[key]
		if g == nil {
			g = &acc{sort: sortKey, ratings: map[string]int{}, ind: map[string]*[2]decimal.Decimal{}}
			if key[0] == 'p' {
				g.g.Period = a.Str("period")
			} else {
				g.g.Project = a.Str("project")
			}
			groups[key] = g
		}
		if a.Status() == "draft" {
			g.g.Drafts++
			continue
		}
		s := rules.AppraisalScore(a, c.Policy)
		g.g.Appraisals++
		g.totals = g.totals.Add(s.Total)
		g.ratings[s.Rating]++
		for i := range a.List("indicators") {
			pre := "indicators." + strconv.Itoa(i)
			sc, err := decimal.NewFromString(a.Str(pre + ".score"))
			if err != nil {
				continue
			}
			name := a.Str(pre + ".name")
			if g.ind[name] == nil {
				g.ind[name] = &[2]decimal.Decimal{}
				g.indName = append(g.indName, name)
			}
			g.ind[name][0] = g.ind[name][0].Add(sc)
			g.ind[name][1] = g.ind[name][1].Add(decimal.NewFromInt(1))
		}

		if !rules.BelowStandard(s.Rating) {
			continue
		}
		item := BelowStandardItem{ID: a.ID, Employee: a.Str("employee"), Period: a.Str("period"), Project: a.Str("project"),
			Status: a.Status(), Total: json.Number(s.Total.String()), Rating: s.Rating, Improvement: a.Has("improvement"),
			Coach: a.Str("improvement.coach"), ReviewDate: a.Str("improvement.review_date")}
		item.ReviewDue = item.ReviewDate != "" && item.ReviewDate < today
		if prev := c.Set.Get(a.Str("follow_up_of")); prev != nil && prev.Kind == record.Appraisal && rules.FollowsUp(a, prev) && rules.BelowStandard(rules.AppraisalScore(prev, c.Policy).Rating) {
			item.MeasuresRequired = true
		}
		if f := followUps[a.ID]; f != nil {
			item.FollowUp, item.FollowUpStatus = f.ID, f.Status()
			item.FollowUpRating = rules.AppraisalScore(f, c.Policy).Rating
			if rules.BelowStandard(item.FollowUpRating) {
				item.MeasuresRequired = true
			}
		}
		// the measures are recorded on the second below-standard appraisal
		second := a
		if f := followUps[a.ID]; f != nil && rules.BelowStandard(item.FollowUpRating) {
			second = f
		}
		item.Measures = len(second.List("measures"))
		switch {
		case item.MeasuresRequired && item.Measures > 0:
			item.ImprovementStatus = ImprovementMeasured
		case item.MeasuresRequired:
			item.ImprovementStatus = ImprovementMeasures
		case item.FollowUp != "":
			item.ImprovementStatus = ImprovementFollowed
		case !item.Improvement:
			item.ImprovementStatus = ImprovementMissing
		case item.ReviewDue:
			item.ImprovementStatus = ImprovementOverdue
		default:
			item.ImprovementStatus = ImprovementPending
		}
		rep.BelowStandard = append(rep.BelowStandard, item)
	}
	var list []*acc
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].sort < list[j].sort })
	for _, g := range list {
		out := g.g
		out.AverageTotal = average(g.totals, out.Appraisals, 2)
		for _, r := range RatingNames {
			out.Ratings = append(out.Ratings, RatingCount{Rating: r, Count: g.ratings[r], Percent: percentOf(g.ratings[r], out.Appraisals)})
		}
		out.Indicators = []IndicatorAverage{}
		for _, name := range g.indName {
			sc := g.ind[name]
			n := int(sc[1].IntPart())
			out.Indicators = append(out.Indicators, IndicatorAverage{Name: name, Count: n, Average: *average(sc[0], n, 1)})
		}
		sort.SliceStable(out.Indicators, func(i, j int) bool { return out.Indicators[i].Name < out.Indicators[j].Name })
		rep.Groups = append(rep.Groups, out)
	}
	return rep
}
