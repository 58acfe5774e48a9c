package inbox

import (
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
)

// Page lays the inbox out for people: the items waiting on the person,
// then (for a manager) the team's overdue work, each row with when it is
// due, the record, what to do and the command that does it. Overdue rows
// are flagged (red on a colour terminal). On a narrow terminal what to do
// wraps (and the record column, which each command names, is left out) so
// that a command stays whole on one line to copy; only a command wider
// than the terminal allows wraps, at its spaces.
func (box *Inbox) Page(now time.Time) *render.Page { return box.PageFor(now, false) }

// PageFor is Page, said of the person by their handle rather than as
// "you" when another reads it (inbox --for HANDLE): "5 waiting on li.wei".
func (box *Inbox) PageFor(now time.Time, other bool) *render.Page {
	at := now.Format("2006-01-02 15:04")
	asOf := i18n.Sprintf(msgAsOf, at, len(box.Items), box.overdue())
	yours, nothing := i18n.T(msgYours), i18n.T(msgNothing)
	team, teamNothing := i18n.T(msgTeam), i18n.T(msgTeamNothing)
	if other {
		asOf = i18n.Sprintf(msgAsOfFor, at, len(box.Items), box.Person, box.overdue())
		yours, nothing = i18n.Sprintf(msgYoursFor, box.Person), i18n.Sprintf(msgNothingFor, box.Person)
		team, teamNothing = i18n.Sprintf(msgTeamFor, box.Person), i18n.Sprintf(msgTeamNothingFor, box.Person)
	}
	p := &render.Page{
		Title: i18n.Sprintf(msgPageTitle, box.Person, box.Name, i18n.Term("role", box.Role)),
		Lines: []string{asOf},
	}
	t := &render.Table{Headers: []string{i18n.T(hdrWhen), i18n.T(hdrRecord), i18n.T(hdrWhat), i18n.T(hdrCommand)}, Wrap: map[int]bool{2: true}, Whole: map[int]bool{3: true}}
	var warn []bool
	named := true // every command names its record
	for _, it := range box.Items {
		t.Add(when(it, now), printable(recordCell(it)), printable(what(it)), printable(it.Command))
		warn = append(warn, it.Overdue)
		named = named && strings.Contains(it.Command, it.Record)
	}
	if named {
		// on a terminal too narrow for the whole table the record column,
		// which each command repeats, makes room for the commands
		t.Narrow = []int{0, 2, 3}
	}
	p.Sections = append(p.Sections, render.Section{Title: yours, Table: t, Warn: warn, Empty: nothing})
	if box.Manager {
		t := &render.Table{Headers: []string{i18n.T(hdrWhen), i18n.T(hdrWho), i18n.T(hdrRecord), i18n.T(hdrWhat)}, Wrap: map[int]bool{3: true}}
		var warn []bool
		for _, it := range box.Team {
			t.Add(when(it, now), printable(it.Person), printable(recordCell(it)), printable(what(it)))
			warn = append(warn, true)
		}
		p.Sections = append(p.Sections, render.Section{Title: team, Table: t, Warn: warn, Empty: teamNothing})
	}
	return p
}

// overdue counts the items past their time.
func (box *Inbox) overdue() int {
	n := 0
	for _, it := range box.Items {
		if it.Overdue {
			n++
		}
	}
	return n
}

func recordCell(it Item) string {
	if it.Record == "" {
		return "-"
	}
	return it.Record
}

// what is the action, the title, an expense's amount and, when the
// command would be refused now, what it needs.
func what(it Item) string {
	s := i18n.Term("verb", it.Action)
	if it.Item != "" {
		s += " " + it.Item
	}
	title := it.Title
	if it.Source == SourceStatusReport && it.Record == "" {
		title = i18n.Plural(it.days, msgStatusReportTitleOne, msgStatusReportTitle, it.days)
	}
	if title != "" {
		s = i18n.Sprintf(msgActionTitle, s, title)
	}
	if it.Amount != "" {
		s += i18n.Sprintf(msgAmount, amountText(it.Amount))
	}
	switch it.Clock {
	case "respond":
		s += " [" + i18n.T(msgClockRespond) + "]"
	case "resolve":
		s += " [" + i18n.T(msgClockResolve) + "]"
	}
	switch {
	case it.Source == SourceOnHold:
		s += " — " + i18n.Sprintf(msgOnHold, strings.Join(it.Needs, "; "))
	case len(it.needsText) > 0:
		s += " — " + i18n.Sprintf(msgNeeds, strings.Join(it.needsText, i18n.T("; ")))
	case len(it.Needs) > 0:
		s += " — " + i18n.Sprintf(msgNeeds, strings.Join(it.Needs, i18n.T("; ")))
	}
	return s
}

// when says how late an item is, or how soon it is due: hours for an SLA
// clock under two days, days otherwise.
func when(it Item, now time.Time) string {
	if it.deadline.IsZero() {
		if it.Overdue {
			return i18n.T(msgLate)
		}
		return ""
	}
	d := it.deadline.Sub(now)
	if it.Clock != "" && math.Abs(d.Hours()) < 48 {
		h := int(math.Ceil(math.Abs(d.Hours())))
		if d < 0 {
			return i18n.Sprintf(msgLateHours, h)
		}
		return i18n.Sprintf(msgInHours, h)
	}
	if d < 0 {
		days := int(math.Ceil(-d.Hours() / 24))
		return i18n.Sprintf(msgLateDays, days)
	}
	due, _ := time.ParseInLocation(time.DateOnly, it.deadline.Format(time.DateOnly), now.Location())
	today, _ := time.ParseInLocation(time.DateOnly, now.Format(time.DateOnly), now.Location())
	days := int(math.Round(due.Sub(today).Hours()/24)) - 1
	if it.Clock != "" {
		days++
	}
	switch days {
	case 0:
		return i18n.T(msgToday)
	case 1:
		return i18n.T(msgTomorrow)
	}
	return i18n.Sprintf(msgInDays, days)
}

// printable drops control characters (a terminal's escape sequences) that
// a record's text may hold: the validator reports them, the inbox must not
// send them to the terminal meanwhile.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
