package report

import (
	"fmt"
	"strings"
	"testing"
)

// appraisal writes an appraisal with two indicators, "sales" (weight 60)
// and "teamwork" (weight 40), so total = 0.6 × sales + 0.4 × teamwork.
func appraisal(id, status, employee, period string, sales, teamwork int, extra string) string {
	s := fmt.Sprintf(`kind: appraisal
id: %s
title: t
status: %s
employee: %s
appraiser: zhang.min
`, id, status, employee)
	if strings.HasPrefix(period, "PRJ-") {
		s += "project: " + period + "\n"
	} else {
		s += "period: " + period + "\n"
	}
	s += fmt.Sprintf(`indicators:
  - name: sales
    weight: 60
    score: %d
  - name: teamwork
    weight: 40
    score: %d
`, sales, teamwork)
	return s + extra
}

func appraisalSet(t *testing.T) []string {
	return []string{
		// 2025-H2: 0.6×90+0.4×95 = 92 outstanding; 0.6×50+0.4×45 = 48 below
		// (improvement, review 2026-03-31, followed up by 0006 which is
		// below again: measures required); 0.6×30+0.4×40 = 34 unsatisfactory
		// without improvement (missing).
		appraisal("APR-2025-0001", "closed", "a", "2025-H2", 90, 95, ""),
		appraisal("APR-2025-0002", "closed", "b", "2025-H2", 50, 45, "improvement: {goals: g, coach: zhang.min, review_date: 2026-03-31}\n"),
		appraisal("APR-2025-0003", "submitted", "c", "2025-H2", 30, 40, ""),
		// 2026-H1: 0.6×70+0.4×60 = 66 meets; b again 0.6×40+0.4×50 = 44
		// below, follow-up of 0002; d 0.6×50+0.4×30 = 42 below with a review
		// date already passed and no follow-up (overdue); e below with a
		// review date still ahead (pending); a draft is counted apart.
		appraisal("APR-2026-0001", "reviewed", "a", "2026-H1", 70, 60, ""),
		appraisal("APR-2026-0006", "acknowledged", "b", "2026-H1", 40, 50, "follow_up_of: APR-2025-0002\nimprovement: {goals: g, coach: zhang.min, review_date: 2026-12-31}\n"),
		appraisal("APR-2026-0002", "closed", "d", "2026-03", 50, 30, "improvement: {goals: g, coach: zhang.min, review_date: 2026-06-30}\n"),
		appraisal("APR-2026-0003", "submitted", "e", "2026-Q2", 50, 30, "improvement: {goals: g, coach: zhang.min, review_date: 2026-12-31}\n"),
		appraisal("APR-2026-0004", "draft", "f", "2026-H1", 10, 10, ""),
		// A project appraisal without a period: 0.6×80+0.4×80 = 80 exceeds.
		appraisal("APR-2026-0005", "acknowledged", "a", "PRJ-2025-0001", 80, 80, ""),
	}
}

func TestAppraisalsReportByHand(t *testing.T) {
	c := ctxAt(t, set(t, appraisalSet(t)...), "2026-11-26T15:00:00+08:00")
	r := AppraisalsReport(c, nil)

	var labels []string
	for _, g := range r.Groups {
		labels = append(labels, g.Label())
	}
	// Periods in calendar order (2026-H1 before 2026-03 and 2026-Q2, which
	// start later or end sooner), then project groups.
	eq(t, "groups", strings.Join(labels, " "), "2025-H2 2026-H1 2026-03 2026-Q2 PRJ-2025-0001")

	h2 := r.Groups[0]
	eq(t, "2025-H2 appraisals", h2.Appraisals, 3)
	ratings := func(g AppraisalGroup) string {
		var s []string
		for _, rc := range g.Ratings {
			s = append(s, fmt.Sprintf("%s=%d", rc.Rating, rc.Count))
		}
		return strings.Join(s, " ")
	}
	eq(t, "2025-H2 ratings", ratings(h2), "outstanding=1 exceeds=0 meets=0 below=1 unsatisfactory=1")
	// (92 + 48 + 34) / 3 = 58.00
	eq(t, "2025-H2 average", num(h2.AverageTotal), "58.00")
	// sales (90+50+30)/3 = 56.7; teamwork (95+45+40)/3 = 60.0
	eq(t, "2025-H2 indicators", fmt.Sprintf("%s=%s %s=%s", h2.Indicators[0].Name, h2.Indicators[0].Average, h2.Indicators[1].Name, h2.Indicators[1].Average), "sales=56.7 teamwork=60.0")

	h1 := r.Groups[1]
	eq(t, "2026-H1 appraisals (draft apart)", h1.Appraisals, 2)
	eq(t, "2026-H1 drafts", h1.Drafts, 1)
	// (66 + 44) / 2 = 55.00
	eq(t, "2026-H1 average", num(h1.AverageTotal), "55.00")
	eq(t, "2026-H1 meets %", h1.Ratings[2].Percent, "50.0")

	status := map[string]string{}
	for _, b := range r.BelowStandard {
		status[b.ID] = b.ImprovementStatus
	}
	eq(t, "below-standard count", len(r.BelowStandard), 5)
	eq(t, "b 2025: followed up, below again", status["APR-2025-0002"], ImprovementMeasures)
	eq(t, "c: no improvement", status["APR-2025-0003"], ImprovementMissing)
	eq(t, "b 2026: second in a row", status["APR-2026-0006"], ImprovementMeasures)
	eq(t, "d: review date passed", status["APR-2026-0002"], ImprovementOverdue)
	eq(t, "e: review ahead", status["APR-2026-0003"], ImprovementPending)
	for _, b := range r.BelowStandard {
		if b.ID == "APR-2025-0002" {
			eq(t, "follow-up", b.FollowUp+" "+b.FollowUpRating, "APR-2026-0006 below")
			eq(t, "review passed", b.ReviewDue, true)
			eq(t, "total", string(b.Total), "48")
		}
	}
}

func TestAppraisalsFollowedUp(t *testing.T) {
	docs := appraisalSet(t)
	// b's follow-up scores 0.6×70+0.4×70 = 70, meets: followed up.
	docs[4] = appraisal("APR-2026-0006", "acknowledged", "b", "2026-H1", 70, 70, "follow_up_of: APR-2025-0002\n")
	c := ctxAt(t, set(t, docs...), "2026-11-26T15:00:00+08:00")
	for _, b := range AppraisalsReport(c, nil).BelowStandard {
		if b.ID == "APR-2025-0002" {
			eq(t, "status", b.ImprovementStatus, ImprovementFollowed)
			eq(t, "needs action", b.NeedsAction(), false)
		}
	}
}

func TestAppraisalsPeriodSelection(t *testing.T) {
	c := ctxAt(t, set(t, appraisalSet(t)...), "2026-11-26T15:00:00+08:00")
	h1, _ := ParsePeriod("2026-H1")
	var labels []string
	for _, g := range AppraisalsReport(c, &h1).Groups {
		labels = append(labels, g.Label())
	}
	// Within 2026-H1: 2026-H1, 2026-03 and 2026-Q2; the project appraisal
	// (id year 2026) belongs to the year.
	eq(t, "2026-H1 groups", strings.Join(labels, " "), "2026-H1 2026-03 2026-Q2 PRJ-2025-0001")
	q3, _ := ParsePeriod("2026-Q3")
	eq(t, "2026-Q3 groups", len(AppraisalsReport(c, &q3).Groups), 1)
	y25 := YearPeriod(2025)
	eq(t, "2025 groups", len(AppraisalsReport(c, &y25).Groups), 1)
}

// An employee appraised twice for one period is counted once: by the
// appraisal furthest along (of those, the later id); the other is left out
// of the figures and the below-standard list, and the report names both.
func TestAppraisalsDuplicateCountedOnce(t *testing.T) {
	docs := append(appraisalSet(t),
		// a again for 2026-H1, closed (further than APR-2026-0001,
		// reviewed): 0.6×90+0.4×90 = 90 outstanding
		appraisal("APR-2026-0007", "closed", "a", "2026-H1", 90, 90, "outcome: {none: true}\n"),
		// d again for 2026-03, submitted (less far than the closed one),
		// below standard: left out of the below-standard list too
		appraisal("APR-2026-0008", "submitted", "d", "2026-03", 40, 40, "improvement: {goals: g, coach: zhang.min, review_date: 2026-12-31}\n"))
	c := ctxAt(t, set(t, docs...), "2026-11-26T15:00:00+08:00")
	r := AppraisalsReport(c, nil)
	h1 := r.Groups[1]
	eq(t, "2026-H1 group", h1.Label(), "2026-H1")
	eq(t, "2026-H1 appraisals", h1.Appraisals, 2)
	// (90 + 44) / 2 = 67.00: the closed one stands for a
	eq(t, "2026-H1 average", num(h1.AverageTotal), "67.00")
	eq(t, "2026-03 appraisals", r.Groups[2].Appraisals, 1)
	for _, b := range r.BelowStandard {
		if b.ID == "APR-2026-0008" {
			t.Errorf("left-out appraisal listed below standard: %+v", b)
		}
	}
	var got []string
	for _, d := range r.Duplicates {
		got = append(got, fmt.Sprintf("%s %s %s: %s, %s", d.Employee, d.Period, d.Project, d.Counted, strings.Join(d.LeftOut, " ")))
	}
	eq(t, "duplicates", strings.Join(got, "; "), "a 2026-H1 : APR-2026-0007, APR-2026-0001; d 2026-03 : APR-2026-0002, APR-2026-0008")
	// the selection of one period names its own alone
	sel, err := ParsePeriod("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	r = AppraisalsReport(c, &sel)
	eq(t, "selected", len(r.Duplicates), 1)
	page := r.Page(View{})
	eq(t, "said", strings.Contains(strings.Join(page.Lines, "\n"), "d is appraised more than once for 2026-03: counted once, by APR-2026-0002; left out: APR-2026-0008 (appraisal-duplicate)."), true)
}

// A follow_up_of naming another employee's appraisal follows nobody up:
// the earlier appraisal's improvement is not "followed up" by it, and no
// measures are asked of it.
func TestAppraisalsFollowUpOfAnotherEmployee(t *testing.T) {
	docs := appraisalSet(t)
	// APR-2026-0006 is b's and follows up b's APR-2025-0002; here it is a's
	// (0.6×70+0.4×70 = 70, meets)
	docs[4] = appraisal("APR-2026-0006", "acknowledged", "a", "2026-H1", 70, 70, "follow_up_of: APR-2025-0002\n")
	docs[3] = appraisal("APR-2026-0001", "reviewed", "e", "2026-H1", 70, 60, "")
	c := ctxAt(t, set(t, docs...), "2026-11-26T15:00:00+08:00")
	for _, b := range AppraisalsReport(c, nil).BelowStandard {
		if b.ID == "APR-2025-0002" {
			eq(t, "follow-up", b.FollowUp, "")
			eq(t, "status", b.ImprovementStatus, ImprovementOverdue)
		}
	}
}
