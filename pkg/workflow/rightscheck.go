package workflow

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/shopspring/decimal"
)

// Fields every kind treats apart: the status changes by moves, kind and id
// never (a renumbering pairs the old and new files itself).
var unedited = map[string]bool{"status": true, "kind": true, "id": true}

// checkRights judges the fields a change touches against the kind's
// rights: edits in the state the record was in, stamps against the move
// the change makes, append-only lists item by item.
func checkRights(a Actor, before, after *record.Record, env Env) []*Refusal {
	rs := RightsFor(before.Kind)
	if rs == nil {
		return nil
	}
	c := rightsCheck{a: a, rs: rs, before: before, after: after, env: env, state: before.Status(), to: after.Status(), seen: map[string]bool{}}
	appended := map[string]bool{}
	for _, r := range rs.Rights {
		if r.Mode == Append && !appended[r.Field] {
			appended[r.Field] = true
			c.appendOnly(r.Field)
		}
	}
	var paths []string
	diffPaths("", before.Data, after.Data, &paths)
	judged := map[string]bool{}
	for _, p := range paths {
		top, _, _ := strings.Cut(p, ".")
		if unedited[top] || appended[top] {
			continue
		}
		judged[p] = true
		c.field(p)
	}
	for _, r := range rs.Rights {
		if list, _, _, ok := itemPartyRight(r); ok && judged[list] {
			c.itemsByParty(r)
		}
	}
	// A move's stamps that say what the record holds after it (the state
	// left, nothing, who had left) hold whether or not the change touched
	// them: a stale hold.from or total is as wrong as a forged one, and a
	// project closed without naming who had left would owe them an
	// appraisal on their return.
	if c.state != c.to {
		for _, r := range rs.Rights {
			if r.Mode == Stamp && (r.Value == StampFrom || r.Value == StampCleared || r.Value == StampLeft) && contains(r.States, c.to) && !judged[r.Field] {
				c.add(c.stampValue(r, r.Field))
			}
		}
	}
	return c.out
}

// checkCreateRights judges a new record's fields: no stamp before its
// move, every appended item by its creator, and the rights checked at
// creation.
func checkCreateRights(a Actor, rec *record.Record, env Env) []*Refusal {
	rs := RightsFor(rec.Kind)
	if rs == nil {
		return nil
	}
	c := rightsCheck{a: a, rs: rs, after: rec, env: env, state: rec.Status(), to: rec.Status(), seen: map[string]bool{}, creating: true}
	var paths []string
	diffPaths("", nil, rec.Data, &paths)
	done := map[string]bool{}
	for _, p := range paths {
		top, _, _ := strings.Cut(p, ".")
		if unedited[top] || done[top] {
			continue
		}
		group := rs.governing(p)
		if len(group) == 0 {
			continue
		}
		switch group[0].Mode {
		case Append:
			done[top] = true
			c.appendOnly(top)
		case Stamp:
			if !hasMode(group, Edit) {
				c.add(refuse(rec, RuleStamp, p, "%s of %s is stamped by opsbook %s; a new %s may not carry it",
					p, rec.ID, stampWhen(group), kindWord(rec.Kind)))
			}
		case Edit:
			for _, r := range group {
				if r.AtCreate && !c.holds(r, p) {
					c.add(refuse(rec, ruleOr(r.Rule, RuleEditRight), p, "%s may not create %s with %s set: only %s may set it",
						a.words(), rec.ID, p, c.whoOf(group, p)))
					break
				}
			}
		}
	}
	return c.out
}

type rightsCheck struct {
	a             Actor
	rs            *Rights
	before, after *record.Record
	env           Env
	state, to     string
	creating      bool
	out           []*Refusal
	seen          map[string]bool
}

func (c *rightsCheck) add(r *Refusal) {
	if r != nil && !c.seen[r.Message] {
		c.seen[r.Message] = true
		c.out = append(c.out, r)
	}
}

func (c *rightsCheck) rec() *record.Record { return c.after }

// field judges one changed value.
func (c *rightsCheck) field(p string) {
	group := c.rs.governing(p)
	if len(group) == 0 {
		return
	}
	moved := c.state != c.to
	var stamps []Right
	for _, r := range group {
		if r.Mode == Stamp {
			stamps = append(stamps, r)
		}
	}
	if moved {
		for _, r := range stamps {
			if contains(r.States, c.to) {
				c.add(c.stampValue(r, p))
				return
			}
		}
	}
	var edits []Right
	for _, r := range group {
		if r.Mode == Edit {
			edits = append(edits, r)
		}
	}
	if len(edits) == 0 {
		c.add(refuse(c.rec(), ruleOr(stamps[0].Rule, RuleStamp), p, "%s of %s is stamped by opsbook %s: nobody writes it by hand",
			p, c.after.ID, stampWhen(stamps)))
		return
	}
	// An edit made with a move is judged as if made just before the move
	// or just after it, whichever the actor may.
	var open []Right
	for _, r := range edits {
		if c.holdsIn(r, c.state) || moved && c.holdsIn(r, c.to) {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		c.add(c.sealed(p, edits))
		return
	}
	for _, r := range open {
		if c.holds(r, p) {
			return
		}
	}
	c.add(refuse(c.rec(), ruleOr(open[0].Rule, RuleEditRight), p, "%s may not change %s of %s while it is %s: only %s may%s",
		c.a.words(), p, c.after.ID, stateWord(c.state), c.whoOf(open, p), noteWords(open)))
}

func (c *rightsCheck) sealed(p string, edits []Right) *Refusal {
	var states []string
	for _, r := range edits {
		if r.States == nil {
			continue // every open state, and this one is not
		}
		states = append(states, r.States...)
	}
	parts := []any{i18n.P("%s of %s is sealed once the %s is %s", p, c.after.ID, noun(c.after.Kind), stateWord(c.state))}
	if len(states) == 0 && !anyNil(edits) {
		parts[0] = i18n.P("%s of %s is sealed: it never changes after the %s is created", p, c.after.ID, noun(c.after.Kind))
	} else if len(states) > 0 {
		parts = append(parts, i18n.P(" (it changes in %s, by %s)", stateWords(dedupe(states)), c.whoOf(edits, p)))
	}
	if h := c.rs.Hints[c.state]; h != "" {
		parts = append(parts, i18n.P("; %s", i18n.Word{Group: "note", Key: h}))
	}
	parts = append(parts, noteWords(edits))
	return refuseWith(c.rec(), RuleSealedField, p, i18n.Join("", parts...))
}

// stampValue checks what a move wrote into a field it stamps.
func (c *rightsCheck) stampValue(r Right, p string) *Refusal {
	v, present := c.after.Get(p)
	text := record.Text(v)
	bad := func(want any) *Refusal {
		return refuse(c.rec(), ruleOr(r.Rule, RuleStamp), p, "%s of %s is stamped by the move to %s with %s, not %s",
			p, c.after.ID, stateWord(c.to), want, orNoneWord(text))
	}
	if r.Value == StampCleared {
		if present {
			return bad(i18n.P("nothing (the move clears it)"))
		}
		return nil
	}
	if r.Value == StampLeft {
		// the list as a whole, whichever item of it changed
		people := c.env.People
		if c.env.Records != nil {
			// the registry as the change leaves it, where it is known (verify
			// judging by the base's rules: who had left is the commit's fact)
			people = People{}
			for h, a := range c.env.People {
				people[h] = a
			}
			for _, h := range c.after.Strings("team") {
				if p := c.env.Records.Get(h); p != nil && p.Kind == record.Person {
					people[h] = ActorOf(p)
				}
			}
		}
		if people == nil {
			return nil // no registry to judge it by
		}
		want := LeftTeam(c.after, people)
		got := c.after.Strings(r.Field)
		if len(got) == len(c.after.List(r.Field)) && sameSet(got, want) {
			return nil
		}
		had := strings.Join(got, ", ")
		if _, ok := c.after.Get(r.Field); ok && had == "" {
			had = "[]"
		}
		w := any(i18n.P("nothing (no team member has left)"))
		if len(want) > 0 {
			w = i18n.P("the team members who have left, %s", strings.Join(want, ", "))
		}
		return refuse(c.rec(), RuleStamp, r.Field, "%s of %s is stamped by the move to %s with %s, not %s",
			r.Field, c.after.ID, stateWord(c.to), w, orNoneWord(had))
	}
	if !present || text == "" && r.Value != StampAny {
		return bad(string(r.Value))
	}
	now := c.env.Now
	switch r.Value {
	case StampFrom:
		if text != c.state {
			return bad(i18n.P("the state it leaves, %s", stateWord(c.state)))
		}
	case StampNow:
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			return bad(i18n.P("the instant of the move"))
		}
		if !now.IsZero() && (t.After(now.Add(stampAhead)) || t.Before(now.Add(-stampBehind))) {
			return bad(i18n.P("the instant of the move (%s)", now.Format(time.RFC3339)))
		}
	case StampTotal:
		exact := appraisalTotal(c.after)
		w, err := decimal.NewFromString(text)
		if err != nil || !(w.Equal(exact) || exact.Exponent() < -2 && w.Equal(exact.Round(2))) {
			return bad(i18n.P("Σ weight × score / 100 = %s", exact.String()))
		}
	case StampRating:
		if want := c.env.policy().Rating(appraisalTotal(c.after)); text != want {
			return bad(i18n.P("%s, the rating of its total", want))
		}
	case StampToday:
		d, err := time.Parse("2006-01-02", text)
		if err != nil {
			return bad(i18n.P("the date of the move"))
		}
		if !now.IsZero() {
			day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			if diff := d.Sub(day); diff > 24*time.Hour || diff < -24*time.Hour {
				return bad(i18n.P("the date of the move (%s)", now.Format("2006-01-02")))
			}
		}
	}
	return nil
}

// appraisalTotal is Σ weight × score / 100 over an appraisal's indicators.
func appraisalTotal(rec *record.Record) decimal.Decimal {
	total := decimal.Zero
	for i := range rec.List("indicators") {
		pre := "indicators." + strconv.Itoa(i)
		w, _ := decimal.NewFromString(rec.Str(pre + ".weight"))
		sc, _ := decimal.NewFromString(rec.Str(pre + ".score"))
		total = total.Add(w.Mul(sc))
	}
	return total.Div(decimal.NewFromInt(100))
}

// How far a stamped instant may lie from the time of its move: clocks
// differ a little, and a move is committed soon after it is made.
const (
	stampAhead  = 10 * time.Minute
	stampBehind = time.Hour
)

// appendOnly judges a list whose items are only ever added: the old items
// stay as they were, each new one names its adder in `by`, and the adder
// holds the list's right in the record's state.
func (c *rightsCheck) appendOnly(field string) {
	var old []any
	if c.before != nil {
		old = c.before.List(field)
	}
	now := c.after.List(field)
	group := c.rs.governing(field)
	n := min(len(old), len(now))
	for i := 0; i < n; i++ {
		if !record.SameValue(old[i], now[i]) {
			c.add(refuse(c.rec(), RuleSealedField, field+"."+strconv.Itoa(i), "%s.%d of %s was changed: the items of %s are never changed or removed, only added",
				field, i, c.after.ID, field))
			return
		}
	}
	if len(now) < len(old) {
		c.add(refuse(c.rec(), RuleSealedField, field, "%s of %s lost items: the items of %s are never changed or removed, only added", field, c.after.ID, field))
		return
	}
	if len(now) == len(old) {
		return
	}
	var open []Right
	for _, r := range group {
		if r.Mode == Append && c.holdsIn(r, c.state) {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		c.add(refuse(c.rec(), RuleSealedField, field, "%s of %s takes no new items while it is %s (it does in %s)",
			field, c.after.ID, stateWord(c.state), statesOf(group)))
		return
	}
	allowed := false
	for _, r := range open {
		allowed = allowed || c.holds(r, field)
	}
	if !allowed {
		c.add(refuse(c.rec(), RuleEditRight, field, "%s may not add to %s of %s: only %s may", c.a.words(), field, c.after.ID, c.whoOf(open, field)))
		return
	}
	for i := len(old); i < len(now); i++ {
		by, _ := record.Lookup(now[i], "by")
		if record.Text(by) != c.a.Handle {
			c.add(refuse(c.rec(), RuleEditRight, field+"."+strconv.Itoa(i)+".by", "%s.%d of %s is by %s, but %s added it: each new item's by names the person who adds it",
				field, i, c.after.ID, orNoneWord(record.Text(by)), c.a.Handle))
		}
		c.add(c.itemDate(field, i, now[i]))
	}
}

// itemDate refuses a new item dated after the change that adds it: a
// progress check dated next month would silence the missing-check warning
// until then.
func (c *rightsCheck) itemDate(field string, i int, item any) *Refusal {
	if c.env.Now.IsZero() {
		return nil
	}
	for _, key := range []string{"date", "at"} {
		v, ok := record.Lookup(item, key)
		if !ok {
			continue
		}
		text := record.Text(v)
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			if t, err = time.Parse("2006-01-02", text); err != nil {
				return nil // the schema reports a bad date
			}
			t = t.Add(-24 * time.Hour) // a date: any time of that day, in any zone
		}
		if t.After(c.env.Now.Add(stampAhead)) {
			return refuse(c.rec(), RuleStamp, fmt.Sprintf("%s.%d.%s", field, i, key), "%s.%d of %s is dated %s, after the change that adds it (%s): an item is added when it happens",
				field, i, c.after.ID, text, c.env.Now.Format(time.RFC3339))
		}
	}
	return nil
}

// holdsIn reports whether right r holds in state s: nil States means
// every state that is not final (and, for kinds without a workflow, every
// state).
func (c *rightsCheck) holdsIn(r Right, s string) bool {
	if r.States == nil {
		t := For(c.rs.Kind)
		return t == nil || !t.IsFinal(s)
	}
	return contains(r.States, s)
}

// holds reports whether the actor holds r for the value at path p: by
// role, or as a party named in the record as it was (on creation: as it
// is).
func (c *rightsCheck) holds(r Right, p string) bool {
	src := c.before
	if src == nil {
		src = c.after
	}
	for _, f := range r.Excluded {
		if src.Str(itemPath(f, p)) == c.a.Handle {
			return false
		}
	}
	if hasRole(r.Roles, c.a.Role) {
		return true
	}
	for _, f := range r.Parties {
		if src.Str(itemPath(f, p)) == c.a.Handle {
			return true
		}
	}
	return false
}

// whoOf names the people rights are open to, with the parties' handles.
func (c *rightsCheck) whoOf(rs []Right, p string) any {
	src := c.before
	if src == nil {
		src = c.after
	}
	var out []any
	seen := map[string]bool{}
	for _, r := range rs {
		for _, f := range r.Parties {
			var h any = src.Str(itemPath(f, p))
			if h == "" {
				h = i18n.P("none is set")
			}
			s := i18n.P("the %s (%s)", partyWord(f), h)
			if en := english(s); !seen[en] {
				seen[en] = true
				out = append(out, s)
			}
		}
		for _, role := range r.Roles {
			s := rolePhrase(role)
			if en := english(s); !seen[en] {
				seen[en] = true
				out = append(out, s)
			}
		}
	}
	who := joinOr(out)
	// Say why an actor whose role is named is still not one of them.
	for _, r := range rs {
		if !hasRole(r.Roles, c.a.Role) {
			continue
		}
		for _, f := range r.Excluded {
			if h := src.Str(itemPath(f, p)); h != "" && h == c.a.Handle {
				return i18n.P("%s other than the %s (%s)", who, partyWord(f), h)
			}
		}
	}
	return who
}

// partyName says a party field in words: "tasks.*.assignee" is the task's
// assignee.
func partyName(f string) string {
	if w, ok := partyWords[f]; ok {
		return w
	}
	if list, field, ok := strings.Cut(f, ".*."); ok {
		return strings.TrimSuffix(list, "s") + "'s " + field
	}
	return f
}

// partyWord is partyName as a term: in Chinese the party's field as the
// glossary words it (claimant: 申請人; a list item's party, "task's
// assignee", by its field), in English partyName.
func partyWord(f string) i18n.Word {
	key := f
	if _, field, ok := strings.Cut(f, ".*."); ok {
		key = field
	}
	return i18n.Word{Group: "field", Key: key, Say: partyName(f)}
}

// partyWords names the party fields whose names do not read as a person.
var partyWords = map[string]string{"assigned_by": "assigner", "to": "addressee", "person": "person concerned"}

// itemPath puts the list indexes of path p into the "*" of a party field:
// ("tasks.*.assignee", "tasks.2.status") is "tasks.2.assignee".
func itemPath(party, p string) string {
	if !strings.Contains(party, "*") {
		return party
	}
	ps, fs := strings.Split(p, "."), strings.Split(party, ".")
	for i := range fs {
		if fs[i] == "*" && i < len(ps) {
			fs[i] = ps[i]
		}
	}
	return strings.Join(fs, ".")
}

// governing returns the rights of the longest field that leads to path p
// (Other when none does).
func (rs *Rights) governing(p string) []Right {
	best := -1
	var out []Right
	for _, r := range rs.Rights {
		n := -1
		switch {
		case r.Field == Other:
			n = 0
		case fieldMatches(r.Field, p):
			n = strings.Count(r.Field, ".") + 1
		}
		switch {
		case n > best:
			best, out = n, []Right{r}
		case n == best && n >= 0:
			out = append(out, r)
		}
	}
	return out
}

// fieldMatches reports whether the right's field leads to path p: its
// parts are p's first parts, "*" matching any list index.
func fieldMatches(field, p string) bool {
	fs, ps := strings.Split(field, "."), strings.Split(p, ".")
	if len(fs) > len(ps) {
		return false
	}
	for i, f := range fs {
		if f == "*" {
			if _, err := strconv.Atoi(ps[i]); err != nil {
				return false
			}
			continue
		}
		if f != ps[i] {
			return false
		}
	}
	return true
}

// diffPaths appends the paths where a and b differ: into mappings key by
// key, into lists item by item when both have as many items (else the
// list's path), down to the values.
func diffPaths(prefix string, a, b any, out *[]string) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	am, aIsMap := a.(record.Map)
	bm, bIsMap := b.(record.Map)
	if (aIsMap || a == nil) && (bIsMap || b == nil) && (aIsMap || bIsMap) {
		for _, f := range am {
			w, _ := bm.Get(f.Key)
			diffPaths(join(f.Key), f.Value, w, out)
		}
		for _, f := range bm {
			if !am.Has(f.Key) {
				diffPaths(join(f.Key), nil, f.Value, out)
			}
		}
		return
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	if aIsList && bIsList && len(al) == len(bl) {
		for i := range al {
			diffPaths(join(strconv.Itoa(i)), al[i], bl[i], out)
		}
		return
	}
	if !record.SameValue(a, b) {
		*out = append(*out, prefix)
	}
}

// noun names a kind as the department does: an expense is a claim, a
// training-plan a training plan.
func noun(k record.Kind) any {
	if k == record.Expense {
		return i18n.P("claim")
	}
	return i18n.Word{Group: "kind", Key: string(k), Say: strings.ReplaceAll(string(k), "-", " ")}
}

func hasMode(rs []Right, m Mode) bool {
	for _, r := range rs {
		if r.Mode == m {
			return true
		}
	}
	return false
}

func anyNil(rs []Right) bool {
	for _, r := range rs {
		if r.States == nil {
			return true
		}
	}
	return false
}

func stampWhen(rs []Right) any {
	var parts []any
	for _, r := range rs {
		if r.Mode != Stamp {
			continue
		}
		if r.Value == StampCleared {
			parts = append(parts, i18n.P("cleared by the move to %s", stateWords(r.States)))
		} else {
			parts = append(parts, i18n.P("written by the move to %s", stateWords(r.States)))
		}
	}
	return i18n.P("(%s)", i18n.Join(i18n.P("; "), parts...))
}

func statesOf(rs []Right) any {
	var states []string
	for _, r := range rs {
		if r.States == nil {
			return i18n.P("every open state")
		}
		states = append(states, r.States...)
	}
	if len(states) == 0 {
		return i18n.P("no state")
	}
	return stateWords(dedupe(states))
}

// noteWords is the first note of rs, as " (note)" in the reader's
// language (the catalog's "note" terms), or nothing.
func noteWords(rs []Right) any {
	for _, r := range rs {
		if r.Note != "" {
			return i18n.P(" (%s)", i18n.Word{Group: "note", Key: r.Note})
		}
	}
	return ""
}

func ruleOr(rule, def string) string {
	if rule != "" {
		return rule
	}
	return def
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Editable says, in words, which fields of rec actor a may change in its
// current state: "every field but claimant", "note", or "none" (the move
// listing shows it beside the moves), in the reader's language.
func Editable(a Actor, rec *record.Record, env Env) string {
	if checkActor(a, rec, rec.ID) != nil {
		return i18n.T("none")
	}
	if t := env.table(rec.Kind); t != nil && t.IsFinal(rec.Status()) {
		return i18n.T("none")
	}
	if rec.Kind == record.Person {
		if hasRole(directorOrLeadership, a.Role) {
			return i18n.T("every field")
		}
		return i18n.T("none")
	}
	rs := RightsFor(rec.Kind)
	if rs == nil {
		return i18n.T("none")
	}
	c := rightsCheck{a: a, rs: rs, before: rec, after: rec, env: env, state: rec.Status(), to: rec.Status()}
	mayField := map[string]bool{}
	var fields []string
	for _, r := range rs.Rights {
		if r.Mode == Stamp {
			continue
		}
		if _, seen := mayField[r.Field]; !seen {
			fields = append(fields, r.Field)
			mayField[r.Field] = false
		}
		if c.holdsIn(r, c.state) && c.holdsAnyItem(r) {
			mayField[r.Field] = true
		}
	}
	var may, not []string
	for _, f := range fields {
		switch {
		case f == Other:
		case mayField[f]:
			may = append(may, f)
		default:
			not = append(not, f)
		}
	}
	if mayField[Other] {
		if len(not) == 0 {
			return i18n.T("every field")
		}
		return i18n.Sprintf("every field but %s", strings.Join(not, i18n.T(", ")))
	}
	if len(may) == 0 {
		return i18n.T("none")
	}
	return strings.Join(may, i18n.T(", "))
}

// holdsAnyItem: the actor holds r for some value of the record (a task's
// status when they are some task's assignee).
func (c *rightsCheck) holdsAnyItem(r Right) bool {
	if r.Field == Other || !strings.Contains(r.Field, "*") {
		return c.holds(r, r.Field)
	}
	list, _, _ := strings.Cut(r.Field, ".*")
	for i := range c.before.List(list) {
		if c.holds(r, strings.Replace(r.Field, "*", strconv.Itoa(i), 1)) {
			return true
		}
	}
	return false
}

// itemPartyRight splits a right on a field of a list's items whose party
// is named in the same item (a training's attendees.*.rating, the
// attendee's own: party attendees.*.person) into the list, the field and
// the item's party key.
func itemPartyRight(r Right) (list, field, key string, ok bool) {
	if r.Mode != Edit {
		return "", "", "", false
	}
	list, field, ok = strings.Cut(r.Field, ".*.")
	if !ok || strings.Contains(field, ".") {
		return "", "", "", false
	}
	for _, p := range r.Parties {
		if l, k, ok := strings.Cut(p, ".*."); ok && l == list && !strings.Contains(k, ".") {
			return list, field, k, true
		}
	}
	return "", "", "", false
}

// itemsByParty judges r's field item by item when its list changed as a
// whole (items added or removed, so that diffPaths names only the list,
// which another right may let the actor change): the items are matched by
// their party (attendees by person), and each item's field that is not as
// it was (a rating added with a new attendee, or dropped with a removed
// one) is the party's to change, as when the list keeps its length.
func (c *rightsCheck) itemsByParty(r Right) {
	list, field, key, _ := itemPartyRight(r)
	type item struct {
		at    int
		value any
		has   bool
	}
	index := func(rec *record.Record) map[string]item {
		out := map[string]item{}
		if rec == nil {
			return out
		}
		for i, it := range rec.List(list) {
			h := record.Text(mustItem(it, key))
			v, has := record.Lookup(it, field)
			out[h] = item{i, v, has}
		}
		return out
	}
	before, after := index(c.before), index(c.after)
	handles := map[string]bool{}
	for h := range before {
		handles[h] = true
	}
	for h := range after {
		handles[h] = true
	}
	var sorted []string
	for h := range handles {
		sorted = append(sorted, h)
	}
	sort.Strings(sorted)
	moved := c.state != c.to
	for _, h := range sorted {
		b, a := before[h], after[h]
		if b.has == a.has && (!a.has || record.SameValue(b.value, a.value)) {
			continue
		}
		at := a.at
		if !a.has {
			at = b.at
		}
		p := list + "." + strconv.Itoa(at) + "." + field
		if c.otherRowHolds(r, p) {
			continue // another row of the field lets the actor (a chair's draft minutes)
		}
		if !(c.holdsIn(r, c.state) || moved && c.holdsIn(r, c.to)) {
			c.add(c.sealed(p, c.editRows(r.Field)))
			continue
		}
		if hasRole(r.Roles, c.a.Role) || h != "" && h == c.a.Handle {
			continue
		}
		var who []any
		who = append(who, i18n.P("the %s (%s)", partyWord(list+".*."+key), h))
		for _, role := range r.Roles {
			who = append(who, rolePhrase(role))
		}
		c.add(refuse(c.rec(), ruleOr(r.Rule, RuleEditRight), p, "%s may not change %s of %s while it is %s: only %s may%s",
			c.a.words(), p, c.after.ID, stateWord(c.state), joinOr(who), noteWords([]Right{r})))
	}
}

// editRows are the kind's edit rows of field.
func (c *rightsCheck) editRows(field string) []Right {
	var out []Right
	for _, o := range c.rs.Rights {
		if o.Mode == Edit && o.Field == field {
			out = append(out, o)
		}
	}
	return out
}

// otherRowHolds says whether an edit row of r's field other than r lets
// the actor change the value at p in the record's state (or the one it
// moves to): a meeting's actions.*.status is the chair's in draft and its
// owner's once published.
func (c *rightsCheck) otherRowHolds(r Right, p string) bool {
	moved := c.state != c.to
	for _, o := range c.editRows(r.Field) {
		if o.Field == r.Field && !sameStates(o.States, r.States) && (c.holdsIn(o, c.state) || moved && c.holdsIn(o, c.to)) && c.holds(o, p) {
			return true
		}
	}
	return false
}

// sameStates says whether two rows name the same states.
func sameStates(a, b []string) bool {
	return a == nil && b == nil || a != nil && b != nil && sameSet(a, b)
}

// mustItem is the value of key in a list item (nil when it has none).
func mustItem(item any, key string) any {
	v, _ := record.Lookup(item, key)
	return v
}

// sameSet reports whether a and b hold the same strings, in any order,
// each once.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		if seen[x] {
			return false
		}
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}
