package report

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// Period is a span of calendar days, written as appraisals write theirs:
// "2026", "2026-H1", "2026-Q3" or "2026-03". From is the first day and To
// the day after the last, both YYYY-MM-DD, so a date d is inside when
// From <= d < To, compared as text.
type Period struct {
	Label string
	From  string
	To    string
}

var periodRE = regexp.MustCompile(`^([0-9]{4})(?:-(H[12]|Q[1-4]|[0-9]{2}))?$`)

// ParsePeriod reads a period label.
func ParsePeriod(s string) (Period, error) {
	m := periodRE.FindStringSubmatch(s)
	if m == nil {
		return Period{}, i18n.Errorf("period %q is not YYYY, YYYY-H1|H2, YYYY-Q1..Q4 or YYYY-MM", s)
	}
	year, _ := strconv.Atoi(m[1])
	if year < 1900 {
		return Period{}, i18n.Errorf("period %q: year %d is before 1900", s, year)
	}
	first, months := 1, 12
	switch part := m[2]; {
	case part == "":
	case part[0] == 'H':
		first, months = 1+6*int(part[1]-'1'), 6
	case part[0] == 'Q':
		first, months = 1+3*int(part[1]-'1'), 3
	default:
		mon, _ := strconv.Atoi(part)
		if mon < 1 || mon > 12 {
			return Period{}, i18n.Errorf("period %q: month %s is not 01 to 12", s, part)
		}
		first, months = mon, 1
	}
	from := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	return Period{Label: s, From: from.Format(dateLayout), To: from.AddDate(0, months, 0).Format(dateLayout)}, nil
}

// YearPeriod is the whole of a year.
func YearPeriod(year int) Period {
	p, _ := ParsePeriod(fmt.Sprintf("%04d", year))
	return p
}

const dateLayout = "2006-01-02"

// Contains reports whether a date or instant lies inside the period. An
// instant counts on the calendar day written in it (its own offset), which
// is the day the department recorded.
func (p Period) Contains(dateOrInstant string) bool {
	if len(dateOrInstant) < 10 {
		return false
	}
	d := dateOrInstant[:10]
	return p.From <= d && d < p.To
}

// Within reports whether all of q lies inside p.
func (p Period) Within(q Period) bool { return q.From <= p.From && p.To <= q.To }

// Last is the period's last day.
func (p Period) Last() string {
	t, err := time.Parse(dateLayout, p.To)
	if err != nil {
		return p.To
	}
	return t.AddDate(0, 0, -1).Format(dateLayout)
}

// Year is the period's calendar year.
func (p Period) Year() int {
	y, _ := strconv.Atoi(p.From[:4])
	return y
}
