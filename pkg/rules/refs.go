package rules

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Ref is a field of a kind that names another record. Path may hold "*" for
// every element of a list.
type Ref struct {
	Kind record.Kind
	Path string
	// Target is the kind the field names; "" (Any) for a field that may
	// name a record of any kind with an id prefix ("concerns"), the kind
	// read from the id's shape.
	Target record.Kind
	// Roles, when set, are the roles the referenced person must have.
	Roles []string
}

// Refs lists every reference field. `opsbook renumber` rewrites these.
var Refs = []Ref{
	{record.Person, "reports_to", record.Person, nil},
	{record.Customer, "visits.*.by", record.Person, nil},
	{record.Project, "sponsor", record.Person, []string{"director"}},
	{record.Project, "owner", record.Person, []string{"manager", "director"}},
	{record.Project, "team.*", record.Person, nil},
	{record.Plan, "project", record.Project, nil},
	{record.Plan, "author", record.Person, []string{"manager", "director"}},
	{record.Plan, "supersedes", record.Plan, nil},
	{record.Plan, "resources.people.*.handle", record.Person, nil},
	{record.Plan, "tasks.*.assignee", record.Person, nil},
	{record.Plan, "checks.*.by", record.Person, nil},
	{record.Complaint, "customer", record.Customer, nil},
	// a complaint is handled by the department's own staff: leadership
	// and finance are outside it and hold no right to act on one
	{record.Complaint, "assignee", record.Person, StaffRoles},
	{record.Complaint, "updates.*.by", record.Person, nil},
	{record.Complaint, "related.*", record.Complaint, nil},
	// the department appraises its own staff: leadership and finance are
	// outside it (their appraisals are not the department's to write)
	{record.Appraisal, "employee", record.Person, StaffRoles},
	{record.Appraisal, "appraiser", record.Person, nil},
	{record.Appraisal, "project", record.Project, nil},
	{record.Appraisal, "follow_up_of", record.Appraisal, nil},
	{record.Appraisal, "improvement.coach", record.Person, nil},
	{record.Budget, "lines.*.project", record.Project, nil},
	{record.Expense, "claimant", record.Person, nil},
	{record.Expense, "project", record.Project, nil},
}

// StaffRoles are the roles of the department's own staff; leadership and
// finance are outside it.
var StaffRoles = []string{"specialist", "manager", "director"}

// Staff reports whether a person is of the department's own staff (by
// role, active or not).
func Staff(p *record.Record) bool { return contains(StaffRoles, p.Str("role")) }

// Any is the Target of a reference that may name a record of any kind.
const Any record.Kind = ""

// Names reports whether the field may name a record of kind k.
func (f Ref) Names(k record.Kind) bool { return f.Target == Any || f.Target == k }

// TargetOf is the kind the field expects id to name: its Target, or for
// Any the kind of the id's shape ("" when the id has none).
func (f Ref) TargetOf(id string) record.Kind {
	if f.Target != Any {
		return f.Target
	}
	k, _ := record.KindOfID(id)
	return k
}

// Expand returns the concrete dotted paths a pattern matches in data, with
// their values; nil when it matches nothing. It runs for every reference
// and attachment field of every record, so it allocates only for matches.
func Expand(data record.Map, pattern string) map[string]string {
	var out map[string]string
	expand(data, patternParts(pattern), "", &out)
	return out
}

var patterns sync.Map // pattern → []string

func patternParts(p string) []string {
	if parts, ok := patterns.Load(p); ok {
		return parts.([]string)
	}
	parts := strings.Split(p, ".")
	patterns.Store(p, parts)
	return parts
}

// expand walks parts from v; prefix is the concrete path so far.
func expand(v any, parts []string, prefix string, out *map[string]string) {
	if len(parts) == 0 {
		if s := record.Text(v); s != "" {
			if *out == nil {
				*out = map[string]string{}
			}
			(*out)[prefix] = s
		}
		return
	}
	join := func(p string) string {
		if prefix == "" {
			return p
		}
		return prefix + "." + p
	}
	if parts[0] == "*" {
		l, _ := v.([]any)
		for i, x := range l {
			expand(x, parts[1:], join(strconv.Itoa(i)), out)
		}
		return
	}
	m, _ := v.(record.Map)
	if x, ok := m.Get(parts[0]); ok {
		expand(x, parts[1:], join(parts[0]), out)
	}
}

func (r *run) refs(rec *record.Record) {
	for _, ref := range Refs {
		if ref.Kind != rec.Kind {
			continue
		}
		if !strings.Contains(ref.Path, "*") {
			// One field: look it up rather than expand a pattern.
			v, _ := record.Lookup(rec.Data, ref.Path)
			if id := record.Text(v); id != "" {
				r.ref(rec, ref, func() string { return ref.Path }, id)
			}
			continue
		}
		m := &r.match
		m.find(rec.Data, ref.Path)
		for _, k := range m.order() {
			r.ref(rec, ref, func() string { return m.path(k) }, m.vals[k])
		}
	}
}

// matcher finds the places a pattern reaches in a record, as Expand does,
// without a map or a path string for each: the rules run it for every
// reference and attachment field of every record, and need a path only
// for a diagnostic. One matcher is reused record after record.
type matcher struct {
	pattern string
	parts   []string
	stars   int      // how many "*" parts
	cur     []int    // the list indices of the walk so far
	idx     []int    // the indices of every match, stars each
	vals    []string // the text of every match
	keys    []int    // order's result
	big     bool     // an index past 9: document order may not be path order
}

// find collects the matches of pattern in data.
func (m *matcher) find(data record.Map, pattern string) {
	if m.pattern != pattern || m.parts == nil {
		m.pattern, m.parts = pattern, patternParts(pattern)
		m.stars = strings.Count(pattern, "*")
	}
	m.cur, m.idx, m.vals, m.big = m.cur[:0], m.idx[:0], m.vals[:0], false
	m.walk(data, 0)
}

func (m *matcher) walk(v any, i int) {
	if i == len(m.parts) {
		if s := record.Text(v); s != "" {
			m.idx = append(m.idx, m.cur...)
			m.vals = append(m.vals, s)
		}
		return
	}
	if m.parts[i] == "*" {
		l, _ := v.([]any)
		for j, x := range l {
			if j > 9 {
				m.big = true
			}
			m.cur = append(m.cur, j)
			m.walk(x, i+1)
			m.cur = m.cur[:len(m.cur)-1]
		}
		return
	}
	if t, ok := v.(record.Map); ok {
		if x, ok := t.Get(m.parts[i]); ok {
			m.walk(x, i+1)
		}
	}
}

// path is the concrete dotted path of match k (as Expand names it).
func (m *matcher) path(k int) string {
	if m.stars == 0 {
		return m.pattern
	}
	stars := m.idx[k*m.stars : (k+1)*m.stars]
	b := make([]byte, 0, len(m.pattern)+4*m.stars)
	for i, p := range m.parts {
		if i > 0 {
			b = append(b, '.')
		}
		if p == "*" {
			b = strconv.AppendInt(b, int64(stars[0]), 10)
			stars = stars[1:]
			continue
		}
		b = append(b, p...)
	}
	return string(b)
}

// order lists the matches in the order of their paths (as sorting Expand's
// keys would): document order, unless an index past 9 makes them differ
// ("items.10" sorts before "items.2").
func (m *matcher) order() []int {
	m.keys = m.keys[:0]
	for k := range m.vals {
		m.keys = append(m.keys, k)
	}
	if m.big {
		paths := make([]string, len(m.vals))
		for k := range paths {
			paths[k] = m.path(k)
		}
		sort.SliceStable(m.keys, func(a, b int) bool { return paths[m.keys[a]] < paths[m.keys[b]] })
	}
	return m.keys
}

// ref checks that the id at path p of rec names a record of the right kind
// (and role).
func (r *run) ref(rec *record.Record, ref Ref, path func() string, id string) {
	ref.Target = ref.TargetOf(id)
	if ref.Target == Any || !record.ValidID(ref.Target, id) {
		return // not even an id of that kind: the schema reports it
	}
	target := r.Set.Get(id)
	if target == nil || target.Kind != ref.Target || len(ref.Roles) > 0 && !contains(ref.Roles, target.Str("role")) {
		r.refProblem(rec, ref, path(), id, target)
	}
}

// refProblem reports what ref found wrong with the id at path p.
func (r *run) refProblem(rec *record.Record, ref Ref, p, id string, target *record.Record) {
	if target == nil || target.Kind != ref.Target {
		if target != nil && target.Kind == "" {
			r.errorf(rec, p, "ref-missing", "%s: %s is a record whose kind cannot be read (see its file's errors), not a %s", p, id, kindWord(ref.Target))
		} else if target != nil {
			r.errorf(rec, p, "ref-missing", "%s: %s is a %s, not a %s", p, id, kindWord(target.Kind), kindWord(ref.Target))
		} else if sug := r.similarID(ref.Target, id); sug != "" {
			r.errorf(rec, p, "ref-missing", "%s: no %s %q (did you mean %q?)", p, kindWord(ref.Target), id, sug)
		} else {
			r.errorf(rec, p, "ref-missing", "%s: no %s %q", p, kindWord(ref.Target), id)
		}
		return
	}
	if len(ref.Roles) > 0 && !contains(ref.Roles, target.Str("role")) {
		if ref.Kind == record.Appraisal && p == "employee" {
			r.errorf(rec, p, "ref-role", "%s: %s has the role %s, outside the department: the department appraises its own staff (a %s); leadership and finance are appraised outside it",
				p, id, roleWord(target.Str("role")), roleWords(ref.Roles))
			return
		}
		r.errorf(rec, p, "ref-role", "%s: %s has the role %s; the field needs a %s", p, id, roleWord(target.Str("role")), roleWords(ref.Roles))
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// keyIdentity is what makes a registered key the same key whatever its
// comment: an SSH key's type and base64 body; an OpenPGP key or
// fingerprint as written, without spaces.
func keyIdentity(k string) string {
	f := strings.Fields(k)
	if len(f) >= 2 && (strings.HasPrefix(f[0], "ssh-") || strings.HasPrefix(f[0], "ecdsa-") || strings.HasPrefix(f[0], "sk-")) {
		return f[0] + " " + f[1]
	}
	return strings.Join(f, "")
}

// people checks the registry as a whole: one active director, and no email
// registered to two people (the actor of a commit must be unambiguous), nor
// any key.
func (r *run) people() {
	var directors []*record.Record
	owner := map[string]*record.Record{}
	keyOwner := map[string]*record.Record{}
	people := r.Set.OfKind(record.Person)
	for _, p := range people {
		if p.Str("role") == "director" && active(p) {
			directors = append(directors, p)
		}
		for i, k := range p.Strings("keys") {
			id := keyIdentity(k)
			if id == "" {
				continue
			}
			if prev, ok := keyOwner[id]; ok && prev != p {
				r.errorf(p, "keys."+strconv.Itoa(i), "people-key", "this key is also registered to %s: a key names one person (who signed a commit, who reads an encrypted field)", prev.ID)
				continue
			}
			keyOwner[id] = p
		}
		for i, e := range p.Strings("emails") {
			key := strings.ToLower(e)
			if prev, ok := owner[key]; ok && prev != p {
				r.errorf(p, "emails."+strconv.Itoa(i), "people-email", "email %s is also registered to %s: each git identity names one person", e, prev.ID)
				continue
			}
			owner[key] = p
		}
	}
	if len(people) == 0 {
		return
	}
	switch {
	case len(directors) == 0:
		at, field := people[0], "role"
		for _, p := range people {
			if p.Str("role") == "director" {
				at, field = p, "active"
				break
			}
		}
		r.errorf(at, field, "people-director", "no active director among %s: exactly one person has role director and active: true", i18n.PluralP(len(people), "%d person", "%d people", len(people)))
	case len(directors) > 1:
		for _, d := range directors[1:] {
			r.errorf(d, "role", "people-director", "%s is a second active director (%s is one): exactly one is allowed", d.ID, directors[0].ID)
		}
	}
}

// active reports a person's active flag (default true).
func active(p *record.Record) bool {
	v, ok := p.Get("active")
	if !ok {
		return true
	}
	b, _ := v.(bool)
	return b
}

// orNone is s, or "(none)" in the reader's language when s is empty.
func orNone(s string) any {
	if s == "" {
		return i18n.P("(none)")
	}
	return s
}

// kindWord, stateWord and roleWord hand a kind, state or role to a message
// as a term: its key in English, its name in the reader's language.
func kindWord(k record.Kind) i18n.Word { return i18n.Word{Group: "kind", Key: string(k)} }

func stateWord(s string) i18n.Word { return i18n.Word{Group: "state", Key: s} }

// ratingWord is an appraisal's rating as a term (below: 待改進).
func ratingWord(s string) i18n.Word { return i18n.Word{Group: "rating", Key: s} }

// roleWord is a role as a term, or "(none)".
func roleWord(role string) any {
	if role == "" {
		return i18n.P("(none)")
	}
	return i18n.Word{Group: "role", Key: role}
}

// roleWords lists roles as terms, as the workflow's refusals list who
// may: "manager or director", "specialist, manager or director" (專員、經理
// 或總監).
func roleWords(roles []string) any {
	items := make([]any, len(roles))
	for i, r := range roles {
		items[i] = roleWord(r)
	}
	if len(items) < 3 {
		return i18n.Join(i18n.P(" or "), items...)
	}
	return i18n.P("%s or %s", i18n.Join(i18n.P(", "), items[:len(items)-1]...), items[len(items)-1])
}
