package rules

import (
	"sync"
	"time"
)

// Horizon collects when the judgements made as of a moment may change by
// the passing of time alone, the records staying as they are. The checks
// and reports compare Now in two ways:
//
//   - by its calendar day (due dates, check intervals, cadences, periods,
//     NDAs): these answers hold for the whole of Now's day, in Now's time
//     zone, and change only with the day;
//   - by the instant (SLA clocks, update intervals in hours, "in the
//     future" for instants, and for dates, which are in the future until
//     they begin in the zone furthest ahead: StillToCome): every such
//     comparison registers, through Context.Until, the instant from which
//     its answer may differ.
//
// So every answer made as of a moment N holds for every moment M with the
// same calendar day as N (in M's own zone) and N <= M < At(): what a
// stored answer (the summary's) needs to be reused exactly.
type Horizon struct {
	mu  sync.Mutex
	at  time.Time
	set bool
}

// At is the earliest instant registered (zero when none was).
func (h *Horizon) At() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at
}

func (h *Horizon) add(t time.Time) {
	h.mu.Lock()
	if !h.set || t.Before(h.at) {
		h.at, h.set = t, true
	}
	h.mu.Unlock()
}

// Until registers that an answer made as of c.Now may change at t (a
// comparison of Now with t, or with t less a duration): nothing when t is
// before Now (the comparison no longer changes as Now grows) or when no
// Horizon is being collected.
func (c *Context) Until(t time.Time) {
	if c.Horizon != nil && !t.Before(c.Now) {
		c.Horizon.add(t)
	}
}

// UntilPast registers what an "is t in the future" comparison (t after
// Now) needs: its answer changes when Now reaches t, and never when t is
// not after Now (an instant stamped at Now itself, as a move tried as of
// Now stamps it, is not in the future at Now nor later).
func (c *Context) UntilPast(t time.Time) {
	if t.After(c.Now) {
		c.Until(t)
	}
}

// aheadZone is the time zone whose calendar is the furthest ahead (the
// Line Islands, UTC+14): at any moment, no one on Earth has a later date.
var aheadZone = time.FixedZone("UTC+14", 14*3600)

// StillToCome tells whether the date d (YYYY-MM-DD) is still to come for
// everyone: after today's date in the zone furthest ahead (aheadZone).
// The rules that refuse a date in the future (a task done, minutes
// published, a training held, a breach reported, a claim dated ahead)
// ask it rather than compare with Now's own date: a department works in
// its zone (Asia/Shanghai, UTC+8), and CI judges the same files in UTC,
// where from midnight to eight in the morning it is still yesterday; a
// task stamped done at seven in Shanghai would read as done tomorrow
// there, and turn CI red until UTC's midnight. The price is some
// leniency: a date up to a day ahead of one's own is taken while
// somewhere on Earth it has begun. A date that is no calendar date is the
// schema's to report, not still to come. A date still to come stops
// being so when it begins in aheadZone, an instant registered with Until.
func (c *Context) StillToCome(d string) bool {
	day, err := time.ParseInLocation(time.DateOnly, d, aheadZone)
	if err != nil || d <= c.Now.In(aheadZone).Format(time.DateOnly) {
		return false
	}
	c.Until(day)
	return true
}
