package query

import (
	"regexp"
	"strings"

	"github.com/opsbook/opsbook/pkg/record"
)

type node interface {
	eval(row *Row) bool
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ x node }

func (n andNode) eval(row *Row) bool { return n.l.eval(row) && n.r.eval(row) }
func (n orNode) eval(row *Row) bool  { return n.l.eval(row) || n.r.eval(row) }
func (n notNode) eval(row *Row) bool { return !n.x.eval(row) }

// testNode is a field alone: present and, for true/false, true.
type testNode struct{ field Field }

func (n testNode) eval(row *Row) bool {
	for _, v := range row.Values(n.field) {
		switch t := v.(type) {
		case bool:
			if t {
				return true
			}
		case string:
			if strings.TrimSpace(t) != "" {
				return true
			}
		case []any:
			if len(t) > 0 {
				return true
			}
		case record.Map:
			if len(t) > 0 {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// cmpNode compares a field with literals. A field that holds several values
// (a list, or a path through a list) matches when any value does. Negated
// forms (!=, !~, not in, not contains) match a present field none of whose
// values match; an absent field matches nothing, negated or not.
type cmpNode struct {
	field  Field
	op     string // = < <= > >= ~ in contains
	negate bool
	lits   []*literal
	re     *regexp.Regexp
}

func (n *cmpNode) eval(row *Row) bool {
	vs := row.Values(n.field)
	if n.op != "contains" {
		vs = elements(vs)
	}
	if len(vs) == 0 {
		return false
	}
	hit := false
	for _, v := range vs {
		if n.one(v) {
			hit = true
			break
		}
	}
	return hit != n.negate
}

func (n *cmpNode) one(v any) bool {
	t := n.field.scalar()
	switch n.op {
	case "~":
		s, ok := textOf(v)
		return ok && n.re.MatchString(s)
	case "in":
		for _, l := range n.lits {
			if c, ok := compare(v, t, l); ok && c == 0 {
				return true
			}
		}
		return false
	case "contains":
		if l, ok := v.([]any); ok {
			for _, x := range l {
				if c, ok := compare(x, t, n.lits[0]); ok && c == 0 {
					return true
				}
			}
			return false
		}
		s, ok := v.(string)
		return ok && strings.Contains(strings.ToLower(s), strings.ToLower(n.lits[0].raw))
	}
	c, ok := compare(v, t, n.lits[0])
	if !ok {
		return false
	}
	switch n.op {
	case "=":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}
