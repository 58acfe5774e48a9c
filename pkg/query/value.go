package query

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/shopspring/decimal"
)

var (
	numberRE   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	dateRE     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	instantRE  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]`)
	durationRE = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(w|d|h|m|s))+$`)
	durPartRE  = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)(w|d|h|m|s)`)
)

// literal is a value written in an expression. It keeps its text, which is
// what a text field is compared with, and every reading its shape allows:
// what it is compared as is decided by the field.
type literal struct {
	tok    token
	raw    string
	num    decimal.Decimal
	isNum  bool
	date   string // canonical YYYY-MM-DD
	isDate bool
	inst   time.Time
	isInst bool
	dur    time.Duration
	isDur  bool
	b      bool
	isBool bool
}

func newLiteral(t token) *literal {
	l := &literal{tok: t, raw: t.text}
	s := t.text
	if numberRE.MatchString(s) {
		if d, err := decimal.NewFromString(s); err == nil {
			l.num, l.isNum = d, true
		}
	}
	if d, ok := dateOf(s); ok {
		l.date, l.isDate = d, true
	}
	if ts, err := time.Parse(time.RFC3339, s); err == nil {
		l.inst, l.isInst = ts, true
	}
	if d, ok := parseDuration(s); ok {
		l.dur, l.isDur = d, true
	}
	switch strings.ToLower(s) {
	case "true":
		l.b, l.isBool = true, true
	case "false":
		l.isBool = true
	}
	return l
}

// shape names what a literal looks like, for error messages.
func (l *literal) shape() string {
	switch {
	case l.isDate:
		return i18n.T("a date")
	case l.isInst:
		return i18n.T("an instant")
	case l.isDur:
		return i18n.T("a duration")
	case l.isNum:
		return i18n.T("a number")
	case l.isBool:
		return i18n.T("true/false")
	}
	return i18n.T("text")
}

// parseDuration reads durations such as 48h, 3d, 90m, 1w2d, 1.5h or Go's
// 26h30m0s. Units: w(eek), d(ay), h(our), m(inute), s(econd). The sum is
// computed in exact decimals, so 1.1h is 66 minutes, not nearly.
func parseDuration(s string) (time.Duration, bool) {
	if !durationRE.MatchString(s) {
		return 0, false
	}
	units := map[string]int64{"w": 7 * 24 * int64(time.Hour), "d": 24 * int64(time.Hour), "h": int64(time.Hour), "m": int64(time.Minute), "s": int64(time.Second)}
	total := decimal.Zero
	for _, m := range durPartRE.FindAllStringSubmatch(s, -1) {
		n, err := decimal.NewFromString(m[1])
		if err != nil {
			return 0, false
		}
		total = total.Add(n.Mul(decimal.NewFromInt(units[m[2]])))
	}
	if total.GreaterThan(decimal.NewFromInt(1 << 62)) {
		return 0, false
	}
	return time.Duration(total.IntPart()), true
}

// dateOf returns s when it is a real calendar date (YYYY-MM-DD).
func dateOf(s string) (string, bool) {
	if !dateRE.MatchString(s) {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", false
	}
	return s, true
}

// dayOf reads a value as a calendar day: a date, or the day of an instant in
// its own offset (2026-03-01T23:30:00+08:00 is on 2026-03-01).
func dayOf(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	if d, ok := dateOf(s); ok {
		return d, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(time.DateOnly), true
	}
	return "", false
}

func instantOf(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// numberOf reads a value as an exact decimal: a YAML number (kept as its
// literal) or a quoted amount.
func numberOf(v any) (decimal.Decimal, bool) {
	var s string
	switch t := v.(type) {
	case json.Number:
		s = string(t)
	case string:
		s = strings.TrimSpace(t)
	default:
		return decimal.Decimal{}, false
	}
	if !numberRE.MatchString(s) {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// textOf renders a scalar as text ("" and false for lists and groups).
func textOf(v any) (string, bool) {
	switch t := v.(type) {
	case string, json.Number, bool:
		return record.Text(t), true
	case time.Duration:
		return t.String(), true
	}
	return "", false
}

// compare orders a stored or derived value against a literal, reading both
// as the field's type. ok is false when the value cannot be read that way
// (a missing or malformed value), which makes every comparison false.
func compare(v any, t Type, l *literal) (c int, ok bool) {
	switch t {
	case Text:
		s, ok := textOf(v)
		if !ok {
			return 0, false
		}
		return strings.Compare(s, l.raw), true
	case Number, Money:
		d, ok := numberOf(v)
		if !ok || !l.isNum {
			return 0, false
		}
		return d.Cmp(l.num), true
	case Date:
		return compareDay(v, l)
	case Instant:
		if l.isInst {
			ts, ok := instantOf(v)
			if !ok {
				return 0, false
			}
			return ts.Compare(l.inst), true
		}
		return compareDay(v, l)
	case Duration:
		d, ok := v.(time.Duration)
		if !ok || !l.isDur {
			return 0, false
		}
		return cmpInt(int64(d), int64(l.dur)), true
	case Bool:
		b, ok := v.(bool)
		if !ok || !l.isBool {
			return 0, false
		}
		if b == l.b {
			return 0, true
		}
		return 1, true
	}
	// Any: the value and the literal's shape decide.
	switch x := v.(type) {
	case time.Duration:
		return compare(x, Duration, l)
	case bool:
		return compare(x, Bool, l)
	}
	if l.isNum {
		if _, ok := numberOf(v); ok {
			return compare(v, Number, l)
		}
		// A number compared with text (satisfaction: unreachable) matches
		// no ordering and no equality.
		return 0, false
	}
	if l.isInst {
		if _, ok := instantOf(v); ok {
			return compare(v, Instant, l)
		}
	}
	if l.isDate {
		if _, ok := dayOf(v); ok {
			return compareDay(v, l)
		}
	}
	return compare(v, Text, l)
}

// compareDay compares at the granularity of a day: a date with a date, or
// an instant's day with a date (and a date with an instant's day).
func compareDay(v any, l *literal) (int, bool) {
	d, ok := dayOf(v)
	if !ok {
		return 0, false
	}
	switch {
	case l.isDate:
		return strings.Compare(d, l.date), true
	case l.isInst:
		return strings.Compare(d, l.inst.Format(time.DateOnly)), true
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// order compares two values of a field for sorting. Values that cannot be
// read as the field's type fall back to their text.
func order(a, b any, t Type) int {
	switch t {
	case Number, Money:
		x, ok1 := numberOf(a)
		y, ok2 := numberOf(b)
		if ok1 && ok2 {
			return x.Cmp(y)
		}
	case Instant:
		x, ok1 := instantOf(a)
		y, ok2 := instantOf(b)
		if ok1 && ok2 {
			return x.Compare(y)
		}
	case Duration:
		x, ok1 := a.(time.Duration)
		y, ok2 := b.(time.Duration)
		if ok1 && ok2 {
			return cmpInt(int64(x), int64(y))
		}
	case Any:
		if _, ok := numberOf(a); ok {
			if _, ok := numberOf(b); ok {
				return order(a, b, Number)
			}
		}
		if _, ok := instantOf(a); ok {
			if _, ok := instantOf(b); ok {
				return order(a, b, Instant)
			}
		}
		if _, ok := a.(time.Duration); ok {
			return order(a, b, Duration)
		}
	}
	x, _ := textOf(a)
	y, _ := textOf(b)
	return strings.Compare(x, y)
}
