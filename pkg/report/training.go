package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/shopspring/decimal"
)

// Course delivery states in the training report.
const (
	CourseHeld    = "held"     // a session delivering it was held
	CoursePlanned = "planned"  // its month is still to come (or the plan is not approved)
	CourseNotHeld = "not_held" // its month has passed and nothing was held
)

// TrainingCourse is one course of the year's plan (as amended) against what
// was delivered.
type TrainingCourse struct {
	Code          string       `json:"code"`
	Title         string       `json:"title"`
	Topic         string       `json:"topic"`
	Delivery      string       `json:"delivery"`
	Month         string       `json:"month"`
	PlannedHours  json.Number  `json:"planned_hours"`
	PlannedBudget money.Amount `json:"planned_budget"`
	// Sessions are the held or evaluated trainings delivering the course.
	Sessions       []string     `json:"sessions"`
	DeliveredHours json.Number  `json:"delivered_hours"` // Σ the sessions' hours
	Attended       int          `json:"attended"`
	Spent          money.Amount `json:"spent"` // approved and paid claims of its trainings
	Status         string       `json:"status"`
}

// TrainingSession is one training of the year.
type TrainingSession struct {
	ID       string       `json:"id"`
	Title    string       `json:"title"`
	Date     string       `json:"date"`
	Status   string       `json:"status"`
	Topic    string       `json:"topic"`
	Delivery string       `json:"delivery"`
	Course   string       `json:"course"` // "" for a session outside the plan
	Hours    json.Number  `json:"hours"`
	Invited  int          `json:"invited"`
	Attended int          `json:"attended"`
	Ratings  int          `json:"ratings"`
	Average  *json.Number `json:"average_rating"`
	Expense  string       `json:"expense"`
	Amount   money.Amount `json:"amount"` // the claim's amount, when approved or paid
}

// PersonHours is one person's training in the year.
type PersonHours struct {
	Person          string      `json:"person"`
	Active          bool        `json:"active"`
	Sessions        int         `json:"sessions"`
	Hours           json.Number `json:"hours"`
	Confidentiality bool        `json:"confidentiality_course"`
}

// TopicHours is the training of one topic in the year.
type TopicHours struct {
	Topic       string      `json:"topic"`
	Sessions    int         `json:"sessions"`
	Attendances int         `json:"attendances"`
	PersonHours json.Number `json:"person_hours"` // Σ attendees' hours
}

// TrainingBudget is what training cost in the year.
type TrainingBudget struct {
	Planned money.Amount `json:"planned"` // Σ the plan's course budgets
	// Spent and Pending sum the claims the year's trainings name:
	// approved and paid, and submitted (or reviewed).
	Spent   money.Amount `json:"spent"`
	Pending money.Amount `json:"pending"`
	// Line is the budget's training category (null without an approved
	// budget); Claims every approved and paid training claim of the year,
	// named by a training or not.
	Line   *money.Amount `json:"budget_line"`
	Claims money.Amount  `json:"claims"`
}

// Training warnings: -o json gives them in English, the page in the
// reader's language.
const (
	// msgCourseNotHeld: course code, title, month.
	msgCourseNotHeld = "course %s (%s) was planned for %s and no session delivering it was held"
	// msgNoConfidentiality: handle, year.
	msgNoConfidentiality = "%s has not attended a confidentiality course in %s (§7.2.3)"
)

// TrainingWarning is something the report asks someone to act on.
type TrainingWarning struct {
	Rule    string `json:"rule"` // course-not-held, confidentiality-course
	Subject string `json:"subject"`
	Message string `json:"message"`
	// text is Message in the reader's language, for the page; -o json
	// keeps the English.
	text string
}

// Training is the training report of one year.
type Training struct {
	Year       int               `json:"year"`
	AsOf       string            `json:"as_of"`
	Currency   string            `json:"currency"`
	Plan       string            `json:"plan"`        // "" when the year has no plan
	PlanStatus string            `json:"plan_status"` // "" when the year has no plan
	Courses    []TrainingCourse  `json:"courses"`
	Sessions   []TrainingSession `json:"sessions"`
	People     []PersonHours     `json:"people"`
	Topics     []TopicHours      `json:"topics"`
	Attendance struct {
		Invited  int    `json:"invited"`
		Attended int    `json:"attended"`
		Percent  string `json:"percent"`
	} `json:"attendance"`
	Rating struct {
		Count   int          `json:"count"`
		Average *json.Number `json:"average"` // two decimals
	} `json:"rating"`
	Budget   TrainingBudget    `json:"budget"`
	Warnings []TrainingWarning `json:"warnings"`
}

func decNum(d decimal.Decimal) json.Number { return json.Number(d.String()) }

// TrainingReport computes the training report of a year: the year's plan
// (TRP-YYYY, as amended) against the trainings dated in the year. Only
// held and evaluated trainings count as delivered; hours are each
// attendee's (their own, or the session's when they attended). A course
// is overdue once its month has passed as of now without a held session.
func TrainingReport(c *rules.Context, year int) *Training {
	y := strconv.Itoa(year)
	rep := &Training{Year: year, AsOf: c.Now.Format(dateLayout), Currency: c.Policy.Currency,
		Courses: []TrainingCourse{}, Sessions: []TrainingSession{}, People: []PersonHours{}, Topics: []TopicHours{}, Warnings: []TrainingWarning{}}

	var plan *record.Record
	if p := c.Set.Get(record.FormatID(record.TrainingPlan, year, 0)); p != nil && p.Kind == record.TrainingPlan {
		plan = p
		rep.Plan, rep.PlanStatus = p.ID, p.Status()
	}

	type personAcc struct {
		sessions int
		hours    decimal.Decimal
		conf     bool
	}
	people := map[string]*personAcc{}
	acc := func(h string) *personAcc {
		if people[h] == nil {
			people[h] = &personAcc{}
		}
		return people[h]
	}
	type topicAcc struct {
		sessions, attendances int
		hours                 decimal.Decimal
	}
	topics := map[string]*topicAcc{}
	byCourse := map[string][]*record.Record{}
	spent := map[string]money.Amount{}
	// a claim named by two sessions (two days of one external course, or
	// a claim named twice by mistake) is spent once: in the year's total
	// and in a course's
	counted := map[string]bool{}
	ratingSum := decimal.Zero

	var trainings []*record.Record
	for _, t := range c.Set.OfKind(record.Training) {
		if len(t.Str("date")) >= 4 && t.Str("date")[:4] == y {
			trainings = append(trainings, t)
		}
	}
	sort.SliceStable(trainings, func(i, j int) bool {
		if a, b := trainings[i].Str("date"), trainings[j].Str("date"); a != b {
			return a < b
		}
		return trainings[i].ID < trainings[j].ID
	})
	for _, t := range trainings {
		course := ""
		if plan != nil && t.Str("plan") == plan.ID {
			course = t.Str("course")
		}
		s := TrainingSession{ID: t.ID, Title: t.Title(), Date: t.Str("date"), Status: t.Status(), Topic: t.Str("topic"),
			Delivery: t.Str("delivery"), Course: course, Hours: json.Number(orDefault(t.Str("hours"), "0")),
			Invited: len(t.List("attendees")), Expense: t.Str("expense")}
		if e := c.Set.Get(s.Expense); e != nil && e.Kind == record.Expense && t.Status() != "cancelled" {
			a, _ := e.Money("amount")
			first := !counted[e.ID]
			counted[e.ID] = true
			inCourse := course != "" && !counted[course+"\x00"+e.ID]
			if course != "" {
				counted[course+"\x00"+e.ID] = true
			}
			switch e.Status() {
			case "approved", "paid":
				s.Amount = a
				if first {
					rep.Budget.Spent = rep.Budget.Spent.Add(a)
				}
				if inCourse {
					spent[course] = spent[course].Add(a)
				}
			case "submitted", "reviewed":
				if first {
					rep.Budget.Pending = rep.Budget.Pending.Add(a)
				}
			}
		}
		if rules.Held(t) {
			if course != "" {
				byCourse[course] = append(byCourse[course], t)
			}
			ta := topics[s.Topic]
			if ta == nil {
				ta = &topicAcc{}
				topics[s.Topic] = ta
			}
			ta.sessions++
			for i := range t.List("attendees") {
				h := rules.AttendeeHours(t, i)
				if t.Str("attendees."+strconv.Itoa(i)+".attended") != "true" {
					continue
				}
				s.Attended++
				pa := acc(t.Str("attendees." + strconv.Itoa(i) + ".person"))
				pa.sessions++
				pa.hours = pa.hours.Add(h)
				if s.Topic == "confidentiality" {
					pa.conf = true
				}
				ta.attendances++
				ta.hours = ta.hours.Add(h)
			}
			sum, n := rules.Ratings(t)
			s.Ratings, s.Average = n, average(sum, n, 2)
			ratingSum = ratingSum.Add(sum)
			rep.Rating.Count += n
			rep.Attendance.Invited += s.Invited
			rep.Attendance.Attended += s.Attended
		}
		rep.Sessions = append(rep.Sessions, s)
	}
	rep.Attendance.Percent = percentOf(rep.Attendance.Attended, rep.Attendance.Invited)
	rep.Rating.Average = average(ratingSum, rep.Rating.Count, 2)

	month := c.Now.Format("2006-01")
	if plan != nil {
		for _, pc := range rules.PlanCourses(plan) {
			tc := TrainingCourse{Code: pc.Code, Title: pc.Title, Topic: pc.Topic, Delivery: pc.Delivery, Month: pc.Month,
				PlannedHours: decNum(pc.Hours), PlannedBudget: pc.Budget, Sessions: []string{}, Spent: spent[pc.Code]}
			delivered := decimal.Zero
			for _, t := range byCourse[pc.Code] {
				tc.Sessions = append(tc.Sessions, t.ID)
				h, _ := decimal.NewFromString(t.Str("hours"))
				delivered = delivered.Add(h)
				for i := range t.List("attendees") {
					if t.Str("attendees."+strconv.Itoa(i)+".attended") == "true" {
						tc.Attended++
					}
				}
			}
			tc.DeliveredHours = decNum(delivered)
			switch {
			case len(tc.Sessions) > 0:
				tc.Status = CourseHeld
			case pc.Month < month && (plan.Status() == "approved" || plan.Status() == "closed"):
				tc.Status = CourseNotHeld
				rep.Warnings = append(rep.Warnings, TrainingWarning{Rule: "course-not-held", Subject: plan.ID + " " + pc.Code,
					Message: fmt.Sprintf(msgCourseNotHeld, pc.Code, pc.Title, pc.Month),
					text:    i18n.Sprintf(msgCourseNotHeld, pc.Code, pc.Title, pc.Month)})
			default:
				tc.Status = CoursePlanned
			}
			rep.Budget.Planned = rep.Budget.Planned.Add(pc.Budget)
			rep.Courses = append(rep.Courses, tc)
		}
	}

	// Every active member of staff has a row, trained or not; others who
	// attended (since left, or of leadership) too.
	for _, p := range c.Set.OfKind(record.Person) {
		if rules.ActiveStaff(p) {
			acc(p.ID)
		}
	}
	handles := make([]string, 0, len(people))
	for h := range people {
		handles = append(handles, h)
	}
	sort.Strings(handles)
	for _, h := range handles {
		pa := people[h]
		p := c.Set.Get(h)
		staff := p != nil && p.Kind == record.Person && rules.ActiveStaff(p)
		rep.People = append(rep.People, PersonHours{Person: h, Active: staff, Sessions: pa.sessions, Hours: decNum(pa.hours), Confidentiality: pa.conf})
		if staff && !pa.conf {
			rep.Warnings = append(rep.Warnings, TrainingWarning{Rule: "confidentiality-course", Subject: h,
				Message: fmt.Sprintf(msgNoConfidentiality, h, y), text: i18n.Sprintf(msgNoConfidentiality, h, y)})
		}
	}
	names := make([]string, 0, len(topics))
	for t := range topics {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		ta := topics[t]
		rep.Topics = append(rep.Topics, TopicHours{Topic: t, Sessions: ta.sessions, Attendances: ta.attendances, PersonHours: decNum(ta.hours)})
	}

	b := BudgetReport(c.Set, c.Policy, year)
	for _, l := range b.Categories {
		if l.Category != "training" {
			continue
		}
		rep.Budget.Claims = l.Approved.Add(l.Paid)
		if b.BudgetStatus == "approved" || b.BudgetStatus == "closed" {
			line := l.Budget
			rep.Budget.Line = &line
		}
	}
	return rep
}

func init() {
	GroupBys["training"] = []string{"course", "person", "topic", "session"}
}

// Table returns the training report's table for CSV: per course (default),
// person, topic or session.
func (t *Training) Table(v View) *render.Table {
	v.Plain = true
	switch v.GroupBy {
	case "person":
		return t.personTable()
	case "topic":
		return t.topicTable()
	case "session":
		return t.sessionTable(v)
	}
	return t.courseTable(v)
}

func (t *Training) courseTable(v View) *render.Table {
	// the course's title is the widest text: it gives way first, and a
	// narrow terminal shows it last
	tab := &render.Table{Headers: render.Headers("CODE", "COURSE", "TOPIC", "DELIVERY", "MONTH", "PLANNED HOURS", "DELIVERED HOURS", "SESSIONS", "ATTENDED", "BUDGET", "SPENT", "STATUS"),
		Right: right(5, 6, 8, 9, 10), Give: map[int]bool{1: true}, Narrow: []int{0, 4, 5, 6, 11, 1}}
	for _, c := range t.Courses {
		sessions := "—"
		if len(c.Sessions) > 0 {
			sessions = strings.Join(c.Sessions, " ")
		}
		tab.Add(c.Code, c.Title, i18n.Term("topic", c.Topic), i18n.Term("delivery", c.Delivery), c.Month, string(c.PlannedHours), string(c.DeliveredHours), sessions,
			itoa(c.Attended), v.money(c.PlannedBudget), v.money(c.Spent), i18n.Term("course", c.Status))
	}
	return tab
}

func (t *Training) personTable() *render.Table {
	tab := &render.Table{Headers: render.Headers("PERSON", "ACTIVE STAFF", "SESSIONS", "HOURS", "CONFIDENTIALITY COURSE"), Right: right(2, 3)}
	for _, p := range t.People {
		tab.Add(p.Person, yesNo(p.Active), itoa(p.Sessions), string(p.Hours), yesNo(p.Confidentiality))
	}
	return tab
}

func (t *Training) topicTable() *render.Table {
	tab := &render.Table{Headers: render.Headers("TOPIC", "SESSIONS", "ATTENDANCES", "PERSON-HOURS"), Right: right(1, 2, 3)}
	for _, tp := range t.Topics {
		tab.Add(i18n.Term("topic", tp.Topic), itoa(tp.Sessions), itoa(tp.Attendances), string(tp.PersonHours))
	}
	return tab
}

func (t *Training) sessionTable(v View) *render.Table {
	tab := &render.Table{Headers: render.Headers("ID", "DATE", "STATUS", "TOPIC", "DELIVERY", "COURSE", "HOURS", "INVITED", "ATTENDED", "AVERAGE RATING", "CLAIM", "AMOUNT", "TITLE"),
		Right: right(6, 7, 8, 9, 11), Give: lastGives(13), Narrow: []int{0, 1, 2, 9, 12}}
	for _, s := range t.Sessions {
		tab.Add(s.ID, s.Date, state(s.Status), i18n.Term("topic", s.Topic), i18n.Term("delivery", s.Delivery), orDash(s.Course), string(s.Hours), itoa(s.Invited), itoa(s.Attended),
			numText(s.Average, ""), orDash(s.Expense), v.money(s.Amount), s.Title)
	}
	return tab
}

// Page lays the training report out.
func (t *Training) Page(v View) *render.Page {
	p := &render.Page{Title: i18n.Sprintf("Training %d (%s, as of %s)", t.Year, t.Currency, t.AsOf)}
	plan := i18n.T("No training plan for the year.")
	if t.Plan != "" {
		plan = i18n.Plural(len(t.Courses), "Plan %s (%s): %d course as amended.", "Plan %s (%s): %d courses as amended.", t.Plan, state(t.PlanStatus), len(t.Courses))
	}
	line := i18n.T("no approved budget")
	if t.Budget.Line != nil {
		line = i18n.Sprintf("budget line %s", v.money(*t.Budget.Line))
	}
	p.Lines = append(p.Lines, plan,
		i18n.Plural(t.Rating.Count, "Attendance %d of %d invited (%s%%); average rating %s from %d rating.", "Attendance %d of %d invited (%s%%); average rating %s from %d ratings.",
			t.Attendance.Attended, t.Attendance.Invited, t.Attendance.Percent, numText(t.Rating.Average, ""), t.Rating.Count),
		i18n.Sprintf("Planned %s; spent %s on the year's trainings (claims approved or paid), %s pending; all training claims %s, %s.",
			v.money(t.Budget.Planned), v.money(t.Budget.Spent), v.money(t.Budget.Pending), v.money(t.Budget.Claims), line))
	if v.show("course") {
		s := render.Section{Title: i18n.T("Plan against delivery, per course"), Table: t.courseTable(v), Empty: i18n.T("No plan, no courses.")}
		for _, c := range t.Courses {
			s.Warn = append(s.Warn, c.Status == CourseNotHeld)
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("person") {
		s := render.Section{Title: i18n.T("Hours per person"), Table: t.personTable(), Empty: i18n.T("Nobody.")}
		chart := &render.Chart{Kind: render.BarChart, Title: i18n.T("Hours per person"), Unit: "h"}
		for _, pr := range t.People {
			f, _ := strconv.ParseFloat(string(pr.Hours), 64)
			chart.Items = append(chart.Items, render.ChartItem{Label: pr.Person, Value: f, Text: string(pr.Hours)})
			s.Warn = append(s.Warn, pr.Active && !pr.Confidentiality)
		}
		if len(chart.Items) > 0 {
			s.Chart = chart
		}
		p.Sections = append(p.Sections, s)
	}
	if v.show("topic") {
		p.Sections = append(p.Sections, render.Section{Title: i18n.T("Hours per topic"), Table: t.topicTable(), Empty: i18n.T("No training held.")})
	}
	if v.show("session") {
		p.Sections = append(p.Sections, render.Section{Title: i18n.T("Sessions"), Table: t.sessionTable(v), Empty: i18n.T("No trainings in the year.")})
	}
	if v.GroupBy == "" {
		s := render.Section{Title: i18n.Sprintf("Warnings: %d", len(t.Warnings)), Empty: i18n.T("None."),
			Table: &render.Table{Headers: render.Headers("RULE", "SUBJECT", "MESSAGE"), Wrap: map[int]bool{2: true}}}
		for _, w := range t.Warnings {
			s.Table.Add(w.Rule, w.Subject, orDefault(w.text, w.Message))
			s.Warn = append(s.Warn, true)
		}
		p.Sections = append(p.Sections, s)
	}
	return p
}

func init() {
	StateOrder[record.TrainingPlan] = []string{"draft", "approved", "closed"}
	StateOrder[record.Training] = []string{"planned", "held", "evaluated", "cancelled"}
	StateOrder[record.Violation] = []string{"reported", "investigating", "decided", "closed", "dismissed"}
}

// SummaryTraining is the summary's line on the year's training.
type SummaryTraining struct {
	Year                   int          `json:"year"`
	Plan                   string       `json:"plan"` // "" without a plan
	Courses                int          `json:"courses"`
	Held                   int          `json:"courses_held"`
	NotHeld                int          `json:"courses_not_held"`
	AttendancePercent      string       `json:"attendance_percent"`
	AverageRating          *json.Number `json:"average_rating"`
	WithoutConfidentiality []string     `json:"without_confidentiality"`
}

func summaryTraining(c *rules.Context, year int) SummaryTraining {
	r := TrainingReport(c, year)
	s := SummaryTraining{Year: year, Plan: r.Plan, Courses: len(r.Courses), AttendancePercent: r.Attendance.Percent,
		AverageRating: r.Rating.Average, WithoutConfidentiality: []string{}}
	for _, cs := range r.Courses {
		switch cs.Status {
		case CourseHeld:
			s.Held++
		case CourseNotHeld:
			s.NotHeld++
		}
	}
	for _, w := range r.Warnings {
		if w.Rule == "confidentiality-course" {
			s.WithoutConfidentiality = append(s.WithoutConfidentiality, w.Subject)
		}
	}
	return s
}

// line is the summary's phrase on the year's training (the report has the
// rest: attendance, ratings, hours).
func (s SummaryTraining) line() string {
	line := i18n.Sprintf("training %d: no plan", s.Year)
	if s.Plan != "" {
		line = i18n.Sprintf("training %d: %s, %s", s.Year,
			i18n.Plural(s.Courses, "%d of %d course held", "%d of %d courses held", s.Held, s.Courses),
			i18n.Plural(s.NotHeld, "%d past its month", "%d past their month", s.NotHeld))
	}
	if n := len(s.WithoutConfidentiality); n > 0 {
		line += i18n.Sprintf(", %d without the confidentiality course", n)
	}
	return line
}
