package inbox

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/render"
)

// Page lays the inbox out for people: the items waiting on the person,
// then (for a manager) the team's overdue work, each row with when it is
// due, the record, what to do and the command that does it. Overdue rows
// are flagged (red on a colour terminal). The command column is wrapped,
// never cut, when the terminal is narrow.
func (box *Inbox) Page(now time.Time) *render.Page {
	overdue := 0
	for _, it := range box.Items {
		if it.Overdue {
			overdue++
		}
	}
	p := &render.Page{
		Title: fmt.Sprintf(msgPageTitle, box.Person, box.Name, box.Role),
		Lines: []string{fmt.Sprintf(msgAsOf, now.Format("2006-01-02 15:04"), len(box.Items), overdue)},
	}
	t := &render.Table{Headers: []string{hdrWhen, hdrRecord, hdrWhat, hdrCommand}, Wrap: map[int]bool{3: true}}
	var warn []bool
	for _, it := range box.Items {
		t.Add(when(it, now), recordCell(it), what(it), it.Command)
		warn = append(warn, it.Overdue)
	}
	p.Sections = append(p.Sections, render.Section{Title: msgYours, Table: t, Warn: warn, Empty: msgNothing})
	if box.Manager {
		t := &render.Table{Headers: []string{hdrWhen, hdrWho, hdrRecord, hdrWhat}}
		var warn []bool
		for _, it := range box.Team {
			t.Add(when(it, now), it.Person, recordCell(it), what(it))
			warn = append(warn, true)
		}
		p.Sections = append(p.Sections, render.Section{Title: msgTeam, Table: t, Warn: warn, Empty: msgTeamNothing})
	}
	return p
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
	s := it.Action
	if it.Item != "" {
		s += " " + it.Item
	}
	if it.Title != "" {
		s += ": " + it.Title
	}
	if it.Amount != "" {
		s += " (" + amountText(it.Amount) + ")"
	}
	if it.Clock != "" {
		s += " [" + it.Clock + " SLA]"
	}
	switch {
	case it.Source == SourceOnHold:
		s += " — " + fmt.Sprintf(msgOnHold, strings.Join(it.Needs, "; "))
	case len(it.Needs) > 0:
		s += " — " + fmt.Sprintf(msgNeeds, strings.Join(it.Needs, "; "))
	}
	return s
}

// when says how late an item is, or how soon it is due: hours for an SLA
// clock under two days, days otherwise.
func when(it Item, now time.Time) string {
	if it.deadline.IsZero() {
		if it.Overdue {
			return msgLate
		}
		return ""
	}
	d := it.deadline.Sub(now)
	if it.Clock != "" && math.Abs(d.Hours()) < 48 {
		h := int(math.Ceil(math.Abs(d.Hours())))
		if d < 0 {
			return fmt.Sprintf(msgLateHours, h)
		}
		return fmt.Sprintf(msgInHours, h)
	}
	if d < 0 {
		days := int(math.Ceil(-d.Hours() / 24))
		return fmt.Sprintf(msgLateDays, days)
	}
	due, _ := time.ParseInLocation(time.DateOnly, it.deadline.Format(time.DateOnly), now.Location())
	today, _ := time.ParseInLocation(time.DateOnly, now.Format(time.DateOnly), now.Location())
	days := int(math.Round(due.Sub(today).Hours()/24)) - 1
	if it.Clock != "" {
		days++
	}
	switch days {
	case 0:
		return msgToday
	case 1:
		return msgTomorrow
	}
	return fmt.Sprintf(msgInDays, days)
}
