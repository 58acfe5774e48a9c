package rules

import (
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/shopspring/decimal"
)

// The team's kinds (§6.1, §7.3): training plans, training sessions and
// violations. Their references, attachments and rule codes join the
// others' when the package loads.
func init() {
	Refs = append(Refs,
		Ref{record.TrainingPlan, "author", record.Person, []string{"director"}},
		Ref{record.TrainingPlan, "courses.*.audience.people.*", record.Person, nil},
		Ref{record.TrainingPlan, "amendments.*.by", record.Person, []string{"leadership"}},
		Ref{record.TrainingPlan, "amendments.*.course.audience.people.*", record.Person, nil},
		Ref{record.Training, "organiser", record.Person, nil},
		Ref{record.Training, "plan", record.TrainingPlan, nil},
		Ref{record.Training, "attendees.*.person", record.Person, nil},
		Ref{record.Training, "evaluation.by", record.Person, nil},
		Ref{record.Training, "expense", record.Expense, nil},
		Ref{record.Violation, "person", record.Person, nil},
		Ref{record.Violation, "reporter", record.Person, nil},
		Ref{record.Violation, "investigator", record.Person, []string{"director", "leadership"}},
		Ref{record.Violation, "decision.by", record.Person, []string{"director", "leadership"}},
		Ref{record.Violation, "dismissal.by", record.Person, []string{"director", "leadership"}},
	)
	Attachments[record.Training] = []string{"materials.*"}
	Attachments[record.Violation] = []string{"evidence.*"}
	initial[record.TrainingPlan] = "draft"
	initial[record.Training] = "planned"
	initial[record.Violation] = "reported"
	Catalog = append(Catalog,
		Rule{"training-plan", diag.Error, "a training plan's year differs from its id, a course's month lies outside it, a course code is used twice, or an amendment drops an unknown course"},
		Rule{"course-not-held", diag.Warning, "an approved training plan's course past its month and not held"},
		Rule{"training-course", diag.Error, "a training names a course its plan does not have, or differs from the course in topic, delivery or year, or delivers a draft plan"},
		Rule{"training-attendance", diag.Error, "an attendee listed twice, rating a session not attended or not yet held, or attending longer than the session"},
		Rule{"training-expense", diag.Error, "a training's claim is not of category training or was rejected (a warning: an external course held without its claim)"},
		Rule{"violation-four-eyes", diag.Error, "a violation decided or dismissed by the person concerned or by the reporter"},
		Rule{"violation-sanction", diag.Error, "a fine without its amount, or an amount without a fine"},
		Rule{"violation-date", diag.Error, "a breach dated after its report, or a report in the future"},
	)
}

// Audience is who a course is for.
type Audience struct {
	All    bool
	Roles  []string
	Groups []string
	People []string
}

// Includes reports whether a person record is in the audience.
func (a Audience) Includes(person *record.Record) bool {
	if a.All {
		return true
	}
	for _, r := range a.Roles {
		if person.Str("role") == r {
			return true
		}
	}
	for _, g := range a.Groups {
		if person.Str("group") == g {
			return true
		}
	}
	for _, p := range a.People {
		if person.ID == p {
			return true
		}
	}
	return false
}

// Course is one course of a training plan as amended.
type Course struct {
	Code, Title, Topic, Delivery string
	Month                        string // YYYY-MM
	Hours                        decimal.Decimal
	Budget                       money.Amount // zero when the course costs nothing
	Audience                     Audience
	// Path is the course's place in the plan ("courses.2",
	// "amendments.0.course"), for diagnostics.
	Path string
}

func courseAt(rec *record.Record, p string) Course {
	c := Course{Code: rec.Str(p + ".code"), Title: rec.Str(p + ".title"), Topic: rec.Str(p + ".topic"),
		Delivery: rec.Str(p + ".delivery"), Month: rec.Str(p + ".month"), Path: p}
	c.Hours, _ = decimal.NewFromString(rec.Str(p + ".hours"))
	c.Budget, _ = rec.Money(p + ".budget")
	c.Audience = Audience{All: rec.Str(p+".audience.all") == "true", Roles: rec.Strings(p + ".audience.roles"),
		Groups: rec.Strings(p + ".audience.groups"), People: rec.Strings(p + ".audience.people")}
	return c
}

// PlanCourses returns a training plan's courses as its amendments leave
// them, in order: an amendment's course replaces the course with its code
// (in place) or is added at the end; a drop removes the course.
func PlanCourses(plan *record.Record) []Course {
	var out []Course
	for i := range plan.List("courses") {
		// a course without a code (not a mapping, the code missing) is
		// the schema's error, no course to plan or hold
		if c := courseAt(plan, "courses."+strconv.Itoa(i)); c.Code != "" {
			out = append(out, c)
		}
	}
	for i := range plan.List("amendments") {
		p := "amendments." + strconv.Itoa(i)
		if code := plan.Str(p + ".drop"); code != "" {
			for j, c := range out {
				if c.Code == code {
					out = append(out[:j], out[j+1:]...)
					break
				}
			}
		}
		if !plan.Has(p + ".course") {
			continue
		}
		c := courseAt(plan, p+".course")
		if c.Code == "" {
			continue
		}
		replaced := false
		for j := range out {
			if out[j].Code == c.Code {
				out[j], replaced = c, true
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}

// FindCourse returns the course with a code in a plan as amended.
func FindCourse(plan *record.Record, code string) (Course, bool) {
	for _, c := range PlanCourses(plan) {
		if c.Code == code {
			return c, true
		}
	}
	return Course{}, false
}

// findCourse is FindCourse with the plan's courses made once a check.
func (r *run) findCourse(plan *record.Record, code string) (Course, bool) {
	v, ok := r.facts.courses.Load(plan)
	if !ok {
		v, _ = r.facts.courses.LoadOrStore(plan, PlanCourses(plan))
	}
	for _, c := range v.([]Course) {
		if c.Code == code {
			return c, true
		}
	}
	return Course{}, false
}

// Held reports whether a training took place: held or evaluated.
func Held(t *record.Record) bool { return t.Status() == "held" || t.Status() == "evaluated" }

// AttendeeHours returns the hours an attendee of a held training is
// credited with: their own hours, or the session's; zero when absent.
func AttendeeHours(t *record.Record, i int) decimal.Decimal {
	p := "attendees." + strconv.Itoa(i)
	if t.Str(p+".attended") != "true" {
		return decimal.Zero
	}
	if h, err := decimal.NewFromString(t.Str(p + ".hours")); err == nil {
		return h
	}
	h, _ := decimal.NewFromString(t.Str("hours"))
	return h
}

func (r *run) trainingPlan(rec *record.Record) {
	year := record.IDYear(rec.ID)
	if y := rec.Str("year"); y != "" && year != "" && y != year {
		r.errorf(rec, "year", "training-plan", "year %s differs from the id %s: a training plan's year is the year of its id", y, rec.ID)
	}
	seen := map[string]string{}
	for i := range rec.List("courses") {
		p := "courses." + strconv.Itoa(i)
		code := rec.Str(p + ".code")
		if prev, dup := seen[code]; dup {
			r.errorf(rec, p+".code", "training-plan", "course code %s is used twice (also %s): a code names one course of the plan", code, prev)
		}
		seen[code] = p
		r.courseMonth(rec, p, year)
	}
	codes := map[string]bool{}
	for code := range seen {
		codes[code] = true
	}
	for i := range rec.List("amendments") {
		p := "amendments." + strconv.Itoa(i)
		if code := rec.Str(p + ".drop"); code != "" {
			if !codes[code] {
				r.errorf(rec, p+".drop", "training-plan", "amendment drops course %s, which the plan does not have at that point", code)
			}
			delete(codes, code)
		}
		if rec.Has(p + ".course") {
			codes[rec.Str(p+".course.code")] = true
			r.courseMonth(rec, p+".course", year)
		}
	}
}

func (r *run) courseMonth(rec *record.Record, p, year string) {
	if m := rec.Str(p + ".month"); m != "" && year != "" && !strings.HasPrefix(m, year+"-") {
		r.errorf(rec, p+".month", "training-plan", "course %s is planned for %s, outside the plan's year %s", rec.Str(p+".code"), m, year)
	}
}

func (r *run) training(rec *record.Record) {
	st := rec.Status()
	held := Held(rec)
	code, planID := rec.Str("course"), rec.Str("plan")
	switch {
	case code != "" && planID == "":
		r.errorf(rec, "course", "training-course", "course %s needs the plan it belongs to (plan: TRP-YYYY)", code)
	case planID != "":
		plan := r.Set.Get(planID)
		if plan == nil || plan.Kind != record.TrainingPlan {
			break // ref-missing says so
		}
		if y := record.IDYear(rec.ID); y != record.IDYear(planID) {
			r.errorf(rec, "plan", "training-course", "%s is a training of %s but delivers a course of %s: a session delivers its own year's plan", rec.ID, y, planID)
		}
		if held && plan.Status() == "draft" {
			r.errorf(rec, "plan", "training-course", "%s delivers a course of %s, which is still a draft: leadership approves the plan first", rec.ID, planID)
		}
		if code == "" || st == "cancelled" {
			break // a cancelled session may name a course since dropped
		}
		c, ok := r.findCourse(plan, code)
		if !ok {
			r.errorf(rec, "course", "training-course", "%s has no course %s (as amended)", planID, code)
			break
		}
		if t := rec.Str("topic"); t != "" && t != c.Topic {
			r.errorf(rec, "topic", "training-course", "topic %s differs from course %s's topic %s in %s", i18n.Word{Group: "topic", Key: t}, code, i18n.Word{Group: "topic", Key: c.Topic}, planID)
		}
		if d := rec.Str("delivery"); d != "" && d != c.Delivery {
			r.errorf(rec, "delivery", "training-course", "delivery %s differs from course %s's delivery %s in %s", i18n.Word{Group: "delivery", Key: d}, code, i18n.Word{Group: "delivery", Key: c.Delivery}, planID)
		}
	}

	session, _ := decimal.NewFromString(rec.Str("hours"))
	who := map[string]bool{}
	for i := range rec.List("attendees") {
		p := "attendees." + strconv.Itoa(i)
		person := rec.Str(p + ".person")
		if person == "" {
			continue // not an attendee the schema accepts: its error alone
		}
		if who[person] {
			r.errorf(rec, p+".person", "training-attendance", "%s is listed twice among the attendees", person)
		}
		who[person] = true
		attended := rec.Str(p + ".attended")
		if held && attended == "" {
			r.errorf(rec, p+".attended", "state-needs", "a %s training says for every attendee whether they attended: %s has no attended", stateWord(st), person)
		}
		if rec.Has(p + ".rating") {
			switch {
			case !held:
				r.errorf(rec, p+".rating", "training-attendance", "%s rates a session that is %s: ratings come once it is held", person, stateWord(st))
			case attended == "false":
				r.errorf(rec, p+".rating", "training-attendance", "%s rates a session they did not attend", person)
			}
		}
		if h, err := decimal.NewFromString(rec.Str(p + ".hours")); err == nil && !session.IsZero() && h.GreaterThan(session) {
			r.errorf(rec, p+".hours", "training-attendance", "%s attended %s hours of a %s-hour session", person, h, session)
		}
	}
	if held && r.StillToCome(rec.Str("date")) {
		r.errorf(rec, "date", "state-needs", "a %s training took place: its date %s is in the future", stateWord(st), rec.Str("date"))
	}
	if st == "evaluated" && !rec.Has("evaluation") {
		r.errorf(rec, "status", "state-needs", "an evaluated training needs the organiser's assessment of its effect (evaluation: date, by, assessment)")
	}

	claim := rec.Str("expense")
	if e := r.Set.Get(claim); e != nil && e.Kind == record.Expense {
		if cat := e.Str("category"); cat != "training" {
			r.errorf(rec, "expense", "training-expense", "%s is a claim of category %s: a training is paid by a claim of category training", claim, i18n.Word{Group: "category", Key: cat})
		}
		if e.Status() == "rejected" {
			r.errorf(rec, "expense", "training-expense", "%s was rejected: it paid for nothing", claim)
		}
	}
	if claim == "" && held && rec.Str("delivery") == "external" {
		r.warnf(rec, "delivery", "training-expense", "an external course that was %s names no claim (expense: EXP-...) that paid for it", stateWord(st))
	}
}

// coursesNotHeld warns, for every approved or closed training plan, about
// the courses whose month has passed without a held session delivering
// them.
func (r *run) coursesNotHeld() {
	delivered := map[[2]string]bool{}
	for _, t := range r.Set.OfKind(record.Training) {
		if Held(t) {
			delivered[[2]string{t.Str("plan"), t.Str("course")}] = true
		}
	}
	month := r.Now.Format("2006-01")
	for _, plan := range r.Set.OfKind(record.TrainingPlan) {
		if st := plan.Status(); st != "approved" && st != "closed" {
			continue
		}
		for _, c := range PlanCourses(plan) {
			if c.Month != "" && c.Month < month && !delivered[[2]string{plan.ID, c.Code}] {
				r.warnf(plan, c.Path+".month", "course-not-held", "course %s (%s) was planned for %s and no session delivering it was held", c.Code, c.Title, c.Month)
			}
		}
	}
}

func (r *run) violation(rec *record.Record) {
	person, reporter := rec.Str("person"), rec.Str("reporter")
	for _, f := range []string{"decision.by", "dismissal.by"} {
		switch by := rec.Str(f); {
		case by == "":
		case by == person:
			r.errorf(rec, f, "violation-four-eyes", "%s is the person concerned and may not decide their own case (four eyes)", by)
		case by == reporter:
			r.errorf(rec, f, "violation-four-eyes", "%s reported the case and may not decide it (four eyes)", by)
		}
	}
	sanction := rec.Str("decision.sanction")
	switch {
	case sanction == "fine" && !rec.Has("decision.amount"):
		r.errorf(rec, "decision.sanction", "violation-sanction", "a fine needs its exact amount (decision.amount)")
	case sanction != "fine" && rec.Has("decision.amount"):
		r.errorf(rec, "decision.amount", "violation-sanction", "decision.amount is only for a fine, and the sanction is %s", i18n.Word{Group: "sanction", Key: sanction})
	}
	if d, rep := rec.Str("date"), rec.Str("reported_on"); d != "" && rep != "" && d > rep {
		r.errorf(rec, "date", "violation-date", "the breach (%s) is dated after its report (%s)", d, rep)
	}
	if rep := rec.Str("reported_on"); r.StillToCome(rep) {
		r.errorf(rec, "reported_on", "violation-date", "reported_on %s is in the future", rep)
	}
	switch st := rec.Status(); st {
	case "decided", "closed":
		if !rec.Has("decision") {
			r.errorf(rec, "status", "state-needs", "a %s violation needs its decision (decision: date, by, sanction, reason)", stateWord(st))
		}
	case "dismissed":
		if !rec.Has("dismissal") {
			r.errorf(rec, "status", "state-needs", "a dismissed violation needs the reason it was dismissed (dismissal: date, by, reason)")
		}
	}
}

// Ratings returns the sum and the number of the attendees' ratings of a
// training.
func Ratings(t *record.Record) (decimal.Decimal, int) {
	sum, n := decimal.Zero, 0
	for i := range t.List("attendees") {
		if v, err := decimal.NewFromString(t.Str("attendees." + strconv.Itoa(i) + ".rating")); err == nil {
			sum, n = sum.Add(v), n+1
		}
	}
	return sum, n
}
