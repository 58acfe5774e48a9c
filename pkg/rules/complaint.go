package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Clock is one SLA measurement of a complaint.
type Clock struct {
	Limit   time.Duration
	Elapsed time.Duration // so far, when Running
	Running bool          // not yet answered or resolved
	Breach  bool
}

// Clocks returns a complaint's first-response and resolution clocks against
// the SLA of its severity, as of now. ok is false when received_at is
// unreadable or the severity has no SLA.
//
// A reopen starts the resolution clock again: the customer is waiting for a
// solution once more, with the severity's whole resolution time to give it.
// The reopen move stamps reopened_at; the clock runs from it until a
// resolution.resolved_at after it (the earlier resolution is kept for the
// record and no longer stops the clock). A complaint reopened by hand,
// without the stamp, cannot say when: its resolution clock runs on from
// received_at, so it reads as late rather than as "within SLA".
func (c *Context) Clocks(rec *record.Record) (respond, resolve Clock, ok bool) {
	recv, err := time.Parse(time.RFC3339, rec.Str("received_at"))
	sla, has := c.Policy.SLA[rec.Str("severity")]
	if err != nil || !has {
		return Clock{}, Clock{}, false
	}
	measure := func(field string, from time.Time, hours int) Clock {
		cl := Clock{Limit: time.Duration(hours) * time.Hour}
		if t, err := time.Parse(time.RFC3339, rec.Str(field)); err == nil && !t.Before(from) {
			cl.Elapsed = t.Sub(from)
		} else {
			cl.Running = true
			cl.Elapsed = c.Now.Sub(from)
			c.Until(from.Add(cl.Limit)) // a breach from then on
		}
		cl.Breach = cl.Elapsed > cl.Limit
		return cl
	}
	respond = measure("acknowledged_at", recv, sla.Respond)
	resolveFrom := recv
	if t, err := time.Parse(time.RFC3339, rec.Str("reopened_at")); err == nil && t.After(recv) {
		resolveFrom = t
	}
	resolve = measure("resolution.resolved_at", resolveFrom, sla.Resolve)
	if rec.Status() == "reopened" && !resolve.Running {
		// reopened by hand (no reopened_at, or one before the old
		// resolution): the old resolution does not stop the clock
		resolve = Clock{Limit: resolve.Limit, Running: true, Elapsed: c.Now.Sub(recv)}
		resolve.Breach = resolve.Elapsed > resolve.Limit
		c.Until(recv.Add(resolve.Limit))
	}
	return respond, resolve, true
}

// Hours renders a duration in hours with one decimal.
func Hours(d time.Duration) string { return fmt.Sprintf("%.1fh", d.Hours()) }

var afterAck = map[string]bool{"acknowledged": true, "investigating": true, "resolved": true, "closed": true, "reopened": true}

func (r *run) complaint(rec *record.Record) {
	st := rec.Status()
	if afterAck[st] {
		for _, f := range []string{"assignee", "acknowledged_at"} {
			if !rec.Has(f) {
				r.complaintNeeds(rec, st, f)
			}
		}
	}
	if st == "resolved" || st == "closed" {
		for _, f := range []string{"resolution.solution", "resolution.resolved_at"} {
			if !rec.Has(f) {
				r.complaintNeeds(rec, st, f)
			}
		}
		if rec.Str("type") == "complaint" && !rec.Has("investigation.root_cause") {
			r.errorf(rec, "investigation.root_cause", "state-needs", "a %s complaint needs investigation.root_cause (inquiries do not)", stateWord(st))
		}
	}
	if st == "closed" {
		if !rec.Has("satisfaction") {
			r.errorf(rec, "satisfaction", "state-needs", "a closed complaint needs satisfaction (1-5, or unreachable)")
		}
		// Every closed complaint says what stops a repeat, or why nothing
		// needs to (§5.3.3); an inquiry is a question answered, with no
		// failure to prevent.
		if rec.Str("type") != "inquiry" && !rec.Has("prevention") {
			r.errorf(rec, "prevention", "state-needs", "a closed %s-severity complaint needs prevention (what stops a repeat, or why none is needed)", i18n.Word{Group: "severity", Key: orDefault(rec.Str("severity"), "unknown")})
		}
	}
	r.complaintTimes(rec)
	respond, resolve, ok := r.Clocks(rec)
	if !ok {
		return
	}
	if respond.Breach {
		field, how := "acknowledged_at", i18n.P("acknowledged after %s", Hours(respond.Elapsed))
		if respond.Running {
			field, how = "received_at", i18n.P("not acknowledged yet, open for %s", Hours(respond.Elapsed))
		}
		r.warnf(rec, field, "sla-breach", "first response SLA breached: %s, limit %s for %s severity", how, Hours(respond.Limit), i18n.Word{Group: "severity", Key: rec.Str("severity")})
	}
	if resolve.Breach && (!resolve.Running || st != "closed") {
		field, how := "resolution.resolved_at", i18n.P("resolved after %s", Hours(resolve.Elapsed))
		if resolve.Running {
			field, how = "received_at", i18n.P("not resolved yet, open for %s", Hours(resolve.Elapsed))
			if rec.Has("reopened_at") {
				field, how = "reopened_at", i18n.P("reopened and not resolved yet, open for %s", Hours(resolve.Elapsed))
			}
		}
		r.warnf(rec, field, "sla-breach", "resolution SLA breached: %s, limit %s for %s severity", how, Hours(resolve.Limit), i18n.Word{Group: "severity", Key: rec.Str("severity")})
	}
}

// complaintTimes refuses clocks that cannot be: an answer or a resolution
// before the complaint was received, or any of them in the future.
func (r *run) complaintTimes(rec *record.Record) {
	recv, err := time.Parse(time.RFC3339, rec.Str("received_at"))
	if err != nil {
		return
	}
	r.UntilPast(recv) // in the future until then
	if recv.After(r.Now) {
		r.errorf(rec, "received_at", "complaint-time", "received_at %s is in the future", rec.Str("received_at"))
	}
	fields := []string{"acknowledged_at", "resolution.resolved_at", "reopened_at"}
	for i := range rec.List("updates") {
		// the customer is told of a complaint once it is received
		fields = append(fields, "updates."+strconv.Itoa(i)+".at")
	}
	for _, f := range fields {
		t, err := time.Parse(time.RFC3339, rec.Str(f))
		if err == nil {
			r.UntilPast(t)
		}
		switch {
		case err != nil:
		case t.Before(recv):
			r.errorf(rec, f, "complaint-time", "%s %s is before received_at %s", f, rec.Str(f), rec.Str("received_at"))
		case t.After(r.Now):
			r.errorf(rec, f, "complaint-time", "%s %s is in the future", f, rec.Str(f))
		}
	}
}

// complaintNeeds reports a field a complaint's state st needs.
func (r *run) complaintNeeds(rec *record.Record, st, field string) {
	if article(st) == "an" {
		r.errorf(rec, field, "state-needs", "an %s complaint needs %s", stateWord(st), field)
		return
	}
	r.errorf(rec, field, "state-needs", "a %s complaint needs %s", stateWord(st), field)
}

// article is "a" or "an" for a word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
