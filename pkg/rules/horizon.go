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
//     NDAs, "in the future" for dates): these answers hold for the whole
//     of Now's day, in Now's time zone, and change only with the day;
//   - by the instant (SLA clocks, update intervals in hours, "in the
//     future" for instants): every such comparison registers, through
//     Context.Until, the instant from which its answer may differ.
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
