package workflow

import (
	"slices"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Role is a person's role in the department (the rules, §2).
type Role string

const (
	Director   Role = "director"
	Manager    Role = "manager"
	Specialist Role = "specialist"
	Leadership Role = "leadership"
	Finance    Role = "finance"
)

// Roles lists every role, in the order the rules give them (§2).
var Roles = []Role{Director, Manager, Specialist, Leadership, Finance}

// Actor is the person making a change, as the people registry describes
// them. The zero Actor (no Handle) is the unknown actor, who may change
// nothing; so is an Actor that is not Active.
type Actor struct {
	Handle    string
	Role      Role
	Active    bool
	ReportsTo string // the handle of the person's manager
}

// String names the actor with their role, "li.wei (manager)", as refusals
// do.
func (a Actor) String() string {
	if a.Handle == "" {
		return "an unknown actor"
	}
	if a.Role == "" {
		return a.Handle
	}
	return a.Handle + " (" + string(a.Role) + ")"
}

// ActorOf reads a person record: the handle is its id, `active` defaults to
// true as the person schema says.
func ActorOf(person *record.Record) Actor {
	active := true
	if v, ok := person.Get("active"); ok {
		if b, ok := v.(bool); ok {
			active = b
		}
	}
	return Actor{
		Handle:    person.ID,
		Role:      Role(strings.TrimSpace(person.Str("role"))),
		Active:    active,
		ReportsTo: person.Str("reports_to"),
	}
}

// People is the people registry by handle: what the appraisal rules need to
// know whom an employee reports to.
type People map[string]Actor

// NewPeople indexes the person records among recs (other kinds are
// skipped).
func NewPeople(recs []*record.Record) People {
	p := People{}
	for _, r := range recs {
		if r != nil && r.Kind == record.Person && r.ID != "" {
			p[r.ID] = ActorOf(r)
		}
	}
	return p
}

// rolePhrase names a role as a person would in a sentence.
func rolePhrase(r Role) any {
	switch r {
	case Leadership:
		return i18n.P("leadership")
	case Finance:
		return i18n.P("finance")
	}
	return i18n.P("a %s", roleWord(r))
}

// joinOr writes "a, b or c".
func joinOr[T any](items []T) any {
	switch len(items) {
	case 0:
		return i18n.P("nobody")
	case 1:
		return items[0]
	}
	head := make([]any, len(items)-1)
	for i, it := range items[:len(items)-1] {
		head[i] = it
	}
	return i18n.P("%s or %s", i18n.Join(i18n.P(", "), head...), items[len(items)-1])
}

func hasRole(roles []Role, r Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// LeftTeam lists the members of a project's team who have left (a person
// of the registry who is not active), in the team's order: what the move
// to closed stamps into closure.left. A handle the registry does not hold
// is not counted: ref-missing names it.
func LeftTeam(prj *record.Record, people People) []string {
	var out []string
	for _, h := range prj.Strings("team") {
		if p, ok := people[h]; ok && !p.Active && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}
