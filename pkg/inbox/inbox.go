// Package inbox answers the morning question "what waits on me?": for one
// person, every move only they (or people of their role) can make now,
// the complaints assigned to them with their SLA clocks, their work due
// or overdue (tasks, plan tasks, meeting action items), revisits,
// progress checks and status reports due, and their own records that were
// returned, are on hold or break a rule; each with the command that acts
// on it, most urgent first. A person with people reporting to them also
// gets their team's overdue work.
//
// It decides nothing itself: which moves wait on whom is the workflow's
// table (workflow.Awaiting), whether a move would be accepted now is the
// rules' answer (Input.Try, which the CLI gets from pkg/change the way a
// write checks it), and the clocks are those of the rules and reports
// (SLA, check interval, revisit days, the work report's open items).
package inbox

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/report"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// HorizonDays is how far ahead, in calendar days, dated work is shown: a
// task due next week is on the list, one due next quarter not yet. Days,
// not hours: across a change of summer time, seven times 24 hours may end
// on the eighth day.
const HorizonDays = 7

// Input is what an inbox is computed from.
type Input struct {
	Set    *record.Set
	Policy *config.Policy
	Now    time.Time
	// Person is the handle whose inbox it is.
	Person string
	// Findings are the repository's validation findings as of Now: errors
	// on records the person owns are listed for them to fix (only those
	// are read: see Owned).
	Findings []diag.Diagnostic
	// Try says, for each move (recs[i] to tos[i]) the person could make,
	// why they cannot make it now though the workflow lets them (the
	// rules' verdict on what the move leaves behind: a state's needs, the
	// budget); none means the move would be accepted. It is asked once,
	// for every move of the inbox. nil takes every move as ready.
	// text is the same in the reader's language, for the page (nil: the
	// English).
	Try func(recs []*record.Record, tos []string) (english, text [][]string)
	// Horizon, when set, collects when the inbox made as of Now may change
	// by the passing of time alone, the records staying as they are (an
	// SLA clock's breach; the instants a tried move's stamps are compared
	// with: NextInstant): with Try's and Findings' own horizons, how long
	// a kept inbox (Keep) holds within Now's day.
	Horizon *rules.Horizon
	// Part, when set, makes the items of some records only, from a Set
	// holding those records and what their items read (see Part).
	Part *Part
}

// Part names the items an inbox made again after some records changed
// holds (Merge puts them in the last inbox's place): the items of the
// records IDs, and the status reports due of the people Authors, every
// status report of whom Set holds, with their draft reports (listed only
// when no report due names them). AnyReport tells whether the
// department holds a submitted status report, which Set may not.
type Part struct {
	IDs       map[string]bool
	Authors   map[string]bool
	AnyReport bool
}

// has tells whether the item is one of the part's.
func (p *Part) has(it Item) bool {
	switch {
	case it.Source == SourceStatusReport:
		return p.Authors[it.Person]
	case it.Source == SourceDraft && it.Kind == string(record.StatusReport):
		// a draft report is listed only when no report due names it
		return p.Authors[it.Person] || p.IDs[it.Record]
	}
	return p.IDs[it.Record]
}

// Merge returns the inbox base (made from the whole department, or merged
// so) with the items of part's records replaced by those of box, made
// with Input.Part set to part after the records changed: the inbox made
// from the whole department as it is now.
func Merge(base, box *Inbox, part *Part) *Inbox {
	out := *box
	keep := func(old, made []Item) []Item {
		items := []Item{}
		for _, it := range old {
			if !part.has(it) {
				items = append(items, it)
			}
		}
		items = append(items, made...)
		sortItems(items)
		return items
	}
	out.Items, out.Team = keep(base.Items, box.Items), keep(base.Team, box.Team)
	return &out
}

// Sources of work, the "source" of an item in JSON.
const (
	SourceMove         = "move"          // a move the record waits on the person to make
	SourceComplaint    = "complaint"     // a complaint assigned to them (or, to the director, one not assigned)
	SourceTask         = "task"          // a task assigned to them
	SourcePlanTask     = "plan-task"     // a task of an active plan
	SourceAction       = "action"        // a meeting's action item
	SourceRevisit      = "revisit"       // a customer's revisit
	SourceCheck        = "check"         // an active plan's progress check
	SourceStatusReport = "status-report" // the status report upward
	SourceReturned     = "returned"      // their record returned to them
	SourceDraft        = "draft"         // their draft, not yet submitted
	SourceOnHold       = "on-hold"       // their project on hold
	SourcePrepare      = "prepare"       // what their project needs before others can move it
	SourceInvalid      = "invalid"       // their record breaks a rule
)

// Item is one thing waiting on someone.
type Item struct {
	Source string `json:"source"`
	Record string `json:"record"`
	Kind   string `json:"kind"`
	// Item is the list item's path ("tasks.2", "actions.0"); "" for a
	// whole record.
	Item  string `json:"item,omitempty"`
	Title string `json:"title"`
	// Person is whose work it is (the inbox's person, or in the team
	// section the member).
	Person string `json:"person"`
	// Action is the verb of the move, or what to do: assign, complete,
	// revisit, check, report, revise, fix, resume.
	Action string `json:"action"`
	// Amount is an expense's amount, exact.
	Amount string `json:"amount,omitempty"`
	// Due is the deadline: an RFC 3339 instant for an SLA clock, a date
	// for dated work; "" when there is none (an approval).
	Due string `json:"due,omitempty"`
	// Clock names a complaint's running SLA clock: respond or resolve.
	Clock   string `json:"clock,omitempty"`
	Overdue bool   `json:"overdue"`
	// Ready is false when the command would be refused now; Needs says
	// why (for a move), what is wrong (for a record breaking a rule), or
	// why a project is on hold.
	Ready   bool     `json:"ready"`
	Needs   []string `json:"needs,omitempty"`
	Command string   `json:"command"`

	rank     rank
	deadline time.Time // zero: none
	// the move the command makes, tried against the rules (Input.Try);
	// when refused the command becomes blocked, and the item is dropped
	// when the record waits only for a move that can be made (dropBlocked)
	tryRec      *record.Record
	tryTo       string
	blocked     string
	dropBlocked bool
	needsText   []string // Needs in the reader's language, when tried
	days        int      // a status report's cadence, for its title
}

// Inbox is one person's inbox.
type Inbox struct {
	Person string `json:"person"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	AsOf   string `json:"as_of"`
	Items  []Item `json:"items"`
	// Manager: the person has people reporting to them (or is the
	// director), and Team holds their overdue work.
	Manager bool   `json:"manager"`
	Team    []Item `json:"team"`
}

// rank orders items by urgency; lower comes first.
type rank int

const (
	// A customer waiting past the promise comes first.
	rankPastSLA rank = iota
	// Then work past its deadline, longest past first.
	rankOverdue
	// Then complaints whose SLA clock runs, nearest deadline first.
	rankClock
	// Then moves others wait for, ready ones before those that need
	// something first.
	rankMove
	rankBlocked
	// Then work due within the horizon, nearest first.
	rankDue
	// Last, the person's own records: returned, on hold, breaking a rule.
	rankOwn
)

// Build computes the inbox of in.Person.
func Build(in Input) (*Inbox, error) {
	if in.Policy == nil {
		in.Policy = config.Default()
	}
	p := in.Set.Get(in.Person)
	if p == nil || p.Kind != record.Person {
		return nil, i18n.Errorf(msgNoPerson, in.Person, in.Policy.Records)
	}
	b := newBuilder(in)
	if in.Horizon != nil {
		if t := NextInstant(in.Set, in.Now); !t.IsZero() {
			b.rc.Until(t)
		}
	}
	box := &Inbox{Person: p.ID, Name: p.Title(), Role: p.Str("role"), AsOf: in.Now.Format(time.RFC3339), Items: []Item{}, Team: []Item{}}
	box.Items = b.tried(b.partOf(b.itemsOf(p.ID, true)))
	scope := report.Scope(in.Set, p.ID)
	box.Manager = len(scope) > 1
	var members []string
	for h := range scope {
		if h != p.ID {
			members = append(members, h)
		}
	}
	sort.Strings(members)
	// the team's items are not tried against the rules: the moves would
	// be tried as the viewer, and overdue work is listed whatever it needs
	for _, m := range members {
		for _, it := range b.partOf(b.itemsOf(m, false)) {
			if it.Overdue {
				box.Team = append(box.Team, it)
			}
		}
	}
	sortItems(box.Items)
	sortItems(box.Team)
	return box, nil
}

// MayView refuses viewer looking at subject's inbox unless it is their
// own, subject reports to them (through the reports_to chain), or the
// viewer is the director or leadership: a manager follows their people,
// the department's head and leadership everyone; colleagues do not read
// each other's work lists.
func MayView(set *record.Set, viewer, subject string) error {
	if viewer == subject {
		return nil
	}
	if s := set.Get(subject); s == nil || s.Kind != record.Person {
		return i18n.Errorf(msgNoPersonFor, subject)
	}
	v := set.Get(viewer)
	if v != nil && v.Kind == record.Person {
		switch workflow.Role(v.Str("role")) {
		case workflow.Director, workflow.Leadership:
			return nil
		}
	}
	if rules.ReportsTo(set, subject, viewer) {
		return nil
	}
	return i18n.Errorf(msgMayNotView, viewer, subject, subject, subject)
}

func sortItems(items []Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if !a.deadline.Equal(b.deadline) {
			switch {
			case a.deadline.IsZero():
				return false
			case b.deadline.IsZero():
				return true
			}
			return a.deadline.Before(b.deadline)
		}
		if a.Record != b.Record {
			return a.Record < b.Record
		}
		return itemLess(a.Item, b.Item)
	})
}

// itemLess orders list paths by their index: tasks.2 before tasks.10.
func itemLess(a, b string) bool {
	ai, aok := strings.CutPrefix(a, "tasks.")
	bi, bok := strings.CutPrefix(b, "tasks.")
	if !aok {
		ai, aok = strings.CutPrefix(a, "actions.")
		bi, bok = strings.CutPrefix(b, "actions.")
	}
	if aok && bok {
		x, e1 := strconv.Atoi(ai)
		y, e2 := strconv.Atoi(bi)
		if e1 == nil && e2 == nil {
			return x < y
		}
	}
	return a < b
}

type builder struct {
	in      Input
	rc      *rules.Context
	env     workflow.Env
	today   string
	horizon string
	work    []report.WorkItem
	people  workflow.People
	// looked up once, not per record asked about: the records of each
	// owner (owners' field), in the set's order, and the projects with a
	// live plan
	owned     map[string][]*record.Record
	livePlans map[string]bool
}

func newBuilder(in Input) *builder {
	people := workflow.NewPeople(in.Set.OfKind(record.Person))
	return &builder{
		in:      in,
		rc:      &rules.Context{Set: in.Set, Policy: in.Policy, Now: in.Now, Horizon: in.Horizon},
		env:     workflow.Env{Policy: in.Policy, People: people, Now: in.Now, Records: workflow.NewProjectPlans(in.Set)},
		today:   in.Now.Format(time.DateOnly),
		horizon: in.Now.AddDate(0, 0, HorizonDays).Format(time.DateOnly),
		work:    report.OpenWork(in.Set),
		people:  people,
	}
}

// itemsOf lists what waits on handle; withMoves adds the moves others
// wait for (not for the team section, which shows overdue work only).
func (b *builder) itemsOf(handle string, withMoves bool) []Item {
	out := []Item{}
	actor := b.people[handle]
	if withMoves {
		out = append(out, b.moves(actor)...)
	}
	out = append(out, b.complaints(actor)...)
	out = append(out, b.dueWork(actor)...)
	out = append(out, b.revisits(actor)...)
	out = append(out, b.checks(actor)...)
	out = append(out, b.statusReport(actor)...)
	// A draft is listed only when nothing else already names the record
	// (a status report due, a rule it breaks).
	named := map[string]bool{}
	for _, it := range out {
		named[it.Record] = true
	}
	for _, it := range b.own(actor) {
		if it.Source == SourceDraft && named[it.Record] {
			continue
		}
		out = append(out, it)
	}
	return out
}

// partOf keeps the items of Input.Part's records (all without one).
func (b *builder) partOf(items []Item) []Item {
	if b.in.Part == nil {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if b.in.Part.has(it) {
			out = append(out, it)
		}
	}
	return out
}

// try marks the item's command as the move of rec to state to, to be
// tried against the rules; blocked is the command when they refuse it.
func (it *Item) try(rec *record.Record, to, blocked string) {
	it.tryRec, it.tryTo, it.blocked = rec, to, blocked
}

// tried asks the rules about every move of items at once and marks the
// refused ones: not ready, what they need, the blocked command; a move
// waited for only when it can be made drops its item.
func (b *builder) tried(items []Item) []Item {
	if b.in.Try == nil {
		return items
	}
	var recs []*record.Record
	var tos []string
	var at []int
	for i, it := range items {
		if it.tryRec != nil {
			recs, tos, at = append(recs, it.tryRec), append(tos, it.tryTo), append(at, i)
		}
	}
	if len(recs) == 0 {
		return items
	}
	res, texts := b.in.Try(recs, tos)
	// A refusal may quote the instant the move was tried at, stamped into
	// the record ("acknowledged_at 15:00:00 is before received_at 16:00:00",
	// a complaint received later today): a second later it reads
	// otherwise, so such an inbox holds only within its second.
	stamp := b.in.Now.Format(time.RFC3339)
	quotes := func(needs []string) bool {
		return slices.ContainsFunc(needs, func(n string) bool { return strings.Contains(n, stamp) })
	}
	drop := map[int]bool{}
	for j, i := range at {
		needs := res[j]
		if len(needs) == 0 {
			continue
		}
		if quotes(needs) || j < len(texts) && quotes(texts[j]) {
			b.rc.Until(b.in.Now.Truncate(time.Second).Add(time.Second))
		}
		it := &items[i]
		if it.dropBlocked {
			drop[i] = true
			continue
		}
		it.Ready, it.Needs, it.Command = false, needs, it.blocked
		if j < len(texts) && len(texts[j]) == len(needs) {
			it.needsText = texts[j]
		}
		if it.rank == rankMove {
			it.rank = rankBlocked
		}
	}
	out := items[:0]
	for i, it := range items {
		if !drop[i] {
			out = append(out, it)
		}
	}
	return out
}

func base(source string, rec *record.Record, person string) Item {
	return Item{Source: source, Record: rec.ID, Kind: string(rec.Kind), Title: rec.Title(), Person: person, Ready: true}
}

// moves lists the records waiting on a for a move (workflow.Awaiting),
// each tried against the rules: one that would be refused is still listed
// (someone waits on it), with what it needs, unless the record waits only
// for a move that can be made (Wait.WhenReady).
func (b *builder) moves(a workflow.Actor) []Item {
	var out []Item
	for _, rec := range b.in.Set.Records {
		opt, w, ok := workflow.Awaiting(a, rec, b.env)
		if !ok {
			continue
		}
		it := base(SourceMove, rec, a.Handle)
		it.Action = opt.Verb
		if rec.Kind == record.Expense {
			if amt, ok := rec.Money("amount"); ok {
				it.Amount = amt.String()
			}
		}
		it.rank, it.Command = rankMove, command(opt.Verb, rec.ID)
		it.try(rec, opt.To, command("move", rec.ID))
		it.dropBlocked = w.WhenReady
		out = append(out, it)
	}
	return out
}

// complaintVerb is the move an open complaint waits for, by state.
var complaintVerb = map[string]string{
	"received":      "ack",
	"acknowledged":  "investigate",
	"investigating": "resolve",
	"reopened":      "investigate",
	"resolved":      "close",
}

// complaints lists the open complaints assigned to a, each with its
// running SLA clock, and, to the director (who dispatches them), those
// assigned to nobody or to someone no longer active.
func (b *builder) complaints(a workflow.Actor) []Item {
	var out []Item
	for _, rec := range b.in.Set.OfKind(record.Complaint) {
		verb, open := complaintVerb[rec.Status()]
		if !open {
			continue
		}
		if rec.Str("type") == "inquiry" && rec.Status() == "acknowledged" {
			verb = "resolve" // an inquiry is answered, not investigated
		}
		it := base(SourceComplaint, rec, a.Handle)
		switch assignee := rec.Str("assignee"); {
		case assignee == a.Handle && assignee != "":
			var to string
			for _, o := range workflow.Options(a, rec, b.env) {
				if o.Verb == verb && o.Allowed {
					to = o.To
				}
			}
			if to == "" {
				// resolved, waiting for a manager to close it; or a
				// move the assignee may not make
				continue
			}
			it.Action, it.Command = verb, command(verb, rec.ID)
			it.try(rec, to, command("move", rec.ID))
		case rec.Status() == "resolved" && b.closesFor(a, assignee):
			// resolved by someone who may not close it: their manager
			// records the customer's satisfaction and closes it
			it.Action, it.Command = verb, command(verb, rec.ID)
			it.try(rec, "closed", command("move", rec.ID))
		case a.Role == workflow.Director && a.Active && !b.people[assignee].Active:
			// nobody, or someone who has left: the director hands it on
			it.Action, it.Command = "assign", command("assign", rec.ID, "HANDLE")
		default:
			continue
		}
		it.rank = rankMove
		if respond, resolve, ok := b.rc.Clocks(rec); ok {
			for _, c := range []struct {
				name string
				cl   rules.Clock
			}{{"respond", respond}, {"resolve", resolve}} {
				if !c.cl.Running {
					continue
				}
				it.Clock = c.name
				it.deadline = b.in.Now.Add(c.cl.Limit - c.cl.Elapsed)
				it.Due = it.deadline.Format(time.RFC3339)
				it.Overdue = c.cl.Breach
				it.rank = rankClock
				if c.cl.Breach {
					it.rank = rankPastSLA
				}
				break
			}
		}
		out = append(out, it)
	}
	return out
}

// closesFor reports whether a resolved complaint of assignee's waits on a
// to close it: the assignee may not close (a specialist), and a is the
// person they report to, or the director when that is nobody active.
func (b *builder) closesFor(a workflow.Actor, assignee string) bool {
	who, ok := b.people[assignee]
	if !ok || assignee == a.Handle || !a.Active {
		return false
	}
	if who.Role == workflow.Manager || who.Role == workflow.Director {
		return false // the assignee closes it (listed above)
	}
	if boss, ok := b.people[who.ReportsTo]; ok && boss.Active && (boss.Role == workflow.Manager || boss.Role == workflow.Director) {
		return who.ReportsTo == a.Handle
	}
	return a.Role == workflow.Director
}

// dueWork lists a's open work due within the horizon or overdue: tasks,
// plan tasks and meeting action items, as the work report counts them.
// A task whose assignee has left waits on its assigner (the director
// when the assigner has left too) to hand it on, as a complaint does.
func (b *builder) dueWork(a workflow.Actor) []Item {
	var out []Item
	for _, w := range b.work {
		if w.Due == "" || w.Due > b.horizon {
			continue
		}
		rec := b.in.Set.Get(w.Record)
		if rec == nil {
			continue
		}
		if w.Person != a.Handle {
			if w.Source != "task" || !b.handsOn(a, rec) {
				continue
			}
			it := base(SourceTask, rec, a.Handle)
			it.Action, it.Command = "assign", command("set", rec.ID, "assignee=HANDLE")
			b.dated(&it, w.Due)
			out = append(out, it)
			continue
		}
		it := base(SourceTask, rec, a.Handle)
		it.Item, it.Action = w.Item, "complete"
		switch w.Source {
		case "task":
			it.Command = command("complete", rec.ID)
			it.try(rec, "done", command("edit", rec.ID))
		case "plan":
			it.Source, it.Title = SourcePlanTask, w.Title
			it.Command = command("set", rec.ID, w.Item+".status=done", w.Item+".done="+b.today)
		case "meeting":
			it.Source, it.Title = SourceAction, w.Title
			it.Command = command("set", rec.ID, w.Item+".status=done", w.Item+".done="+b.today)
		}
		b.dated(&it, w.Due)
		out = append(out, it)
	}
	return out
}

// handsOn reports whether a task, assigned to someone who is no longer
// active (or to nobody the registry knows), waits on a to give it to
// someone else: its assigner, or the director when the assigner has left.
func (b *builder) handsOn(a workflow.Actor, task *record.Record) bool {
	if p, ok := b.people[task.Str("assignee")]; ok && p.Active || !a.Active {
		return false
	}
	who := task.Str("assigned_by")
	if p, ok := b.people[who]; !ok || !p.Active {
		who = b.director()
	}
	return who == a.Handle
}

// dayEnd is the end of the day due (a date) in loc: the next midnight there.
func dayEnd(due string, loc *time.Location) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, due, loc)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, 1), true
}

// dated sets a date deadline: the end of the due day. Past it the item
// is overdue.
func (b *builder) dated(it *Item, due string) {
	it.Due = due
	if d, ok := dayEnd(due, b.in.Now.Location()); ok {
		it.deadline = d
	}
	it.Overdue = due < b.today
	it.rank = rankDue
	if it.Overdue {
		it.rank = rankOverdue
	}
}

// revisits lists the customers whose revisit (policy revisit_days) is
// due within the horizon, to whoever visited last, the one who knows the
// customer; a customer never visited, or whose last visitor has left, to
// the director, who hands it on.
func (b *builder) revisits(a workflow.Actor) []Item {
	var out []Item
	for _, c := range b.in.Set.OfKind(record.Customer) {
		due, ok := b.rc.RevisitDue(c)
		if !ok || due > b.horizon {
			continue
		}
		who := ""
		if n := len(c.List("visits")); n > 0 {
			who = c.Str("visits." + strconv.Itoa(n-1) + ".by")
		}
		if p, ok := b.people[who]; !ok || !p.Active {
			who = b.director()
		}
		if who != a.Handle {
			continue
		}
		it := base(SourceRevisit, c, a.Handle)
		it.Action = "revisit"
		it.Command = command("set", c.ID, fmt.Sprintf("visits+={date: %s, by: %s}", b.today, a.Handle))
		b.dated(&it, due)
		out = append(out, it)
	}
	return out
}

// director is the active director's handle.
func (b *builder) director() string {
	hs := b.ofRole(workflow.Director)
	if len(hs) == 0 {
		return ""
	}
	return hs[0]
}

// onlyOf is the one active person of a role, "" when there are none or
// several.
func (b *builder) onlyOf(r workflow.Role) string {
	if hs := b.ofRole(r); len(hs) == 1 {
		return hs[0]
	}
	return ""
}

func (b *builder) ofRole(r workflow.Role) []string {
	var hs []string
	for h, p := range b.people {
		if p.Role == r && p.Active {
			hs = append(hs, h)
		}
	}
	sort.Strings(hs)
	return hs
}

// checks lists the active plans a wrote whose progress check (policy
// check_interval_days, from the last check or the activation) is due
// within the horizon.
func (b *builder) checks(a workflow.Actor) []Item {
	days := b.in.Policy.CheckIntervalDays
	if days <= 0 {
		return nil
	}
	var out []Item
	for _, p := range b.in.Set.OfKind(record.Plan) {
		if p.Status() != "active" || p.Str("author") != a.Handle {
			continue
		}
		last, activated, _ := rules.CheckClock(p, b.in.Now, days)
		it := base(SourceCheck, p, a.Handle)
		it.Action, it.Command = "check", command("edit", p.ID)
		from := max(last, activated)
		t, err := time.ParseInLocation(time.DateOnly, from, b.in.Now.Location())
		if err != nil {
			// never checked nor activated by the move: overdue now
			it.Overdue, it.rank = true, rankOverdue
			out = append(out, it)
			continue
		}
		due := t.AddDate(0, 0, days).Format(time.DateOnly)
		if due > b.horizon {
			continue
		}
		b.dated(&it, due)
		out = append(out, it)
	}
	return out
}

// statusReport says when a's next status report upward is due (policy
// status_reports for their role, from their latest submitted one), once
// the department keeps its reports in opsbook (any submitted): the same
// clock as the status-report-missing rule. A draft of theirs is to be
// submitted; without one, written.
func (b *builder) statusReport(a workflow.Actor) []Item {
	days := b.in.Policy.StatusReports[string(a.Role)]
	if days <= 0 || !a.Active {
		return nil
	}
	var latest, draft *record.Record
	any := false
	for _, r := range b.in.Set.OfKind(record.StatusReport) {
		if rules.ReportSubmitted(r) {
			any = true
			if r.Str("author") == a.Handle && (latest == nil || r.Str("submitted_at") > latest.Str("submitted_at")) {
				latest = r
			}
		} else if r.Status() == "draft" && r.Str("author") == a.Handle && (draft == nil || r.ID > draft.ID) {
			draft = r
		}
	}
	if b.in.Part != nil {
		any = b.in.Part.AnyReport
	}
	if !any {
		return nil
	}
	var it Item
	newReport := func(at time.Time) {} // the command that writes the report, for the period of at
	if draft != nil {
		it = base(SourceStatusReport, draft, a.Handle)
		it.Action, it.Command = "submit", command("submit", draft.ID)
		it.try(draft, "submitted", command("edit", draft.ID))
	} else {
		it = Item{Source: SourceStatusReport, Kind: string(record.StatusReport), Person: a.Handle, Action: "report", Ready: true,
			Title: fmt.Sprintf(msgStatusReportTitle, days), days: days} // English in JSON; the page translates it
		to := a.ReportsTo
		if a.Role == workflow.Director {
			to = b.onlyOf(workflow.Leadership) // the director reports to leadership
		}
		// no title: on a terminal `new` opens the report with what it
		// still needs listed, rather than take a placeholder for a title
		newReport = func(at time.Time) {
			it.Command = command("new", "status-report", "--set", "to="+orWord(to, "HANDLE"), "--set", "period="+b.period(days, at))
		}
		newReport(b.in.Now)
	}
	if latest == nil {
		it.Overdue, it.rank = true, rankOverdue
		return []Item{it}
	}
	at := latest.Str("submitted_at")
	if len(at) < 10 {
		return nil
	}
	t, err := time.ParseInLocation(time.DateOnly, at[:10], b.in.Now.Location())
	if err != nil {
		return nil
	}
	dueDay := t.AddDate(0, 0, days)
	due := dueDay.Format(time.DateOnly)
	if due > b.horizon {
		return nil
	}
	if dueDay.After(b.in.Now) {
		// a report not yet due covers the period it falls due in: the
		// week after the one just reported, not that week again
		newReport(dueDay)
	}
	b.dated(&it, due)
	return []Item{it}
}

// period names the period a new report covers: the ISO week for a weekly
// cadence, else the month.
func (b *builder) period(days int, at time.Time) string {
	if days <= 7 {
		y, w := at.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return at.Format("2006-01")
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}

// owners names, per kind, the field of the person a record belongs to:
// the one who revises it when it comes back, and fixes it when it breaks
// a rule (the same table decides who may renumber a record).
var owners = workflow.OwnerField

// Owned returns the paths of the record files whose errors the inbox of
// handle lists: every file holding the id of a record handle owns (by
// the kind's owner field). Findings need hold only their errors
// (repo.ErrorsOf).
func Owned(set *record.Set, handle string) map[string]bool {
	out := map[string]bool{}
	if handle == "" {
		return out
	}
	for _, rec := range set.Records {
		if o := set.Get(rec.ID); o != nil {
			if f, ok := owners[o.Kind]; ok && o.Str(f) == handle {
				out[rec.Path] = true
			}
		}
	}
	return out
}

// own lists a's records that came back to them (a claim returned, a plan
// with changes requested), their projects on hold, and their records
// that break a rule (validate's errors).
func (b *builder) own(a workflow.Actor) []Item {
	var out []Item
	if a.Handle == "" {
		return nil
	}
	for _, rec := range b.ownedBy(a.Handle) {
		switch {
		case rec.Kind == record.Expense && rec.Status() == "returned",
			rec.Kind == record.Plan && rec.Status() == "changes_requested":
			it := base(SourceReturned, rec, a.Handle)
			it.Action, it.Command, it.rank = "revise", command("revise", rec.ID), rankOwn
			out = append(out, it)
		case rec.Status() == "draft" && submittable(rec) != "":
			it := base(SourceDraft, rec, a.Handle)
			it.Action, it.Command, it.rank = "submit", command("submit", rec.ID), rankOwn
			it.try(rec, submittable(rec), command("move", rec.ID))
			out = append(out, it)
		case rec.Kind == record.Project && rec.Status() == "feasibility":
			// leadership approves the project once the owner's study says
			// it is feasible and the report is there: until then it waits
			// on the owner
			needs, text := rules.FeasibilityNeeds(rec, "approved")
			if len(needs) == 0 {
				continue // ready: it waits on leadership's approval
			}
			it := base(SourcePrepare, rec, a.Handle)
			it.Action, it.Command, it.rank = "prepare", command("edit", rec.ID), rankOwn
			it.Ready, it.Needs, it.needsText = false, needs, text
			out = append(out, it)
		case rec.Kind == record.Project && rec.Status() == "planning" && !b.hasLivePlan(rec.ID):
			// the project starts on an active plan; with none under way
			// its owner writes one
			it := base(SourcePrepare, rec, a.Handle)
			it.Action, it.rank = "write-plan", rankOwn
			it.Command = command("new", "plan", "--set", "project="+rec.ID, "--set", "title="+rec.Title())
			out = append(out, it)
		case rec.Kind == record.Project && rec.Status() == "on_hold":
			it := base(SourceOnHold, rec, a.Handle)
			it.Action, it.Command, it.rank = "resume", command("show", rec.ID), rankOwn
			it.Ready = false
			if r := rec.Str("hold.reason"); r != "" {
				it.Needs = []string{r}
			}
			out = append(out, it)
		}
	}
	errs, texts := map[string][]string{}, map[string][]string{}
	var ids []string
	for _, d := range b.in.Findings {
		if d.Severity != diag.Error || d.Record == "" {
			continue
		}
		rec := b.in.Set.Get(d.Record)
		if rec == nil {
			continue
		}
		if f, ok := owners[rec.Kind]; !ok || rec.Str(f) != a.Handle || a.Handle == "" {
			continue
		}
		if errs[d.Record] == nil {
			ids = append(ids, d.Record)
		}
		msg := d.Message + " [" + d.Rule + "]"
		if !contains(errs[d.Record], msg) {
			errs[d.Record] = append(errs[d.Record], msg)
			text := d.Text
			if text == "" {
				text = d.Message
			}
			texts[d.Record] = append(texts[d.Record], text+" ["+d.Rule+"]")
		}
	}
	for _, id := range ids {
		rec := b.in.Set.Get(id)
		it := base(SourceInvalid, rec, a.Handle)
		it.Action, it.Command, it.rank = "fix", command("edit", id), rankOwn
		it.Ready, it.Needs, it.needsText = false, errs[id], texts[id]
		out = append(out, it)
	}
	return out
}

// ownedBy lists the records handle owns (by the kind's owner field), in
// the set's order.
func (b *builder) ownedBy(handle string) []*record.Record {
	if b.owned == nil {
		b.owned = map[string][]*record.Record{}
		for _, rec := range b.in.Set.Records {
			if f, ok := owners[rec.Kind]; ok {
				o := rec.Str(f)
				b.owned[o] = append(b.owned[o], rec)
			}
		}
	}
	return b.owned[handle]
}

// livePlan: the states of a plan still on its way to, or in, force.
var livePlan = map[string]bool{"draft": true, "in_review": true, "changes_requested": true, "reviewed": true, "approved": true, "active": true}

// hasLivePlan tells whether the project has a plan on its way or active.
func (b *builder) hasLivePlan(project string) bool {
	if b.livePlans == nil {
		b.livePlans = map[string]bool{}
		for _, p := range b.in.Set.OfKind(record.Plan) {
			if livePlan[p.Status()] {
				b.livePlans[p.Str("project")] = true
			}
		}
	}
	return b.livePlans[project]
}

// submittable is the state rec's kind reaches from its draft by a submit
// move ("" when there is none): a draft of such a kind waits on its owner
// to finish it.
func submittable(rec *record.Record) string {
	t := workflow.For(rec.Kind)
	if t == nil {
		return ""
	}
	for _, m := range t.From("draft") {
		if m.Verb == "submit" {
			return m.To
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// command writes an opsbook command line, quoting what a shell would
// split or expand.
func command(args ...string) string {
	parts := []string{"opsbook"}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.=/:+@,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// amountText writes an amount grouped, for the text view.
func amountText(s string) string {
	a, err := money.Parse(s)
	if err != nil {
		return s
	}
	return a.Grouped()
}
