package change

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"go.yaml.in/yaml/v3"
)

// Assignment is FIELD=VALUE or FIELD+=VALUE from the command line.
type Assignment struct {
	Path   string
	Value  string
	Append bool
}

// ParseAssignment reads "a.b=v" or "list+=v".
func ParseAssignment(s string) (Assignment, error) {
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return Assignment{}, i18n.Errorf("%q is not FIELD=VALUE (or FIELD+=VALUE to append to a list)", s)
	}
	a := Assignment{Path: s[:i], Value: s[i+1:]}
	if strings.HasSuffix(a.Path, "+") {
		a.Append = true
		a.Path = strings.TrimSuffix(a.Path, "+")
	}
	for _, part := range strings.Split(a.Path, ".") {
		if part == "" {
			return Assignment{}, i18n.Errorf("%q: empty part in field path %q", s, a.Path)
		}
	}
	return a, nil
}

// protected fields are changed only by their own commands.
func protected(path string) (why i18n.Phrase, ok bool) {
	switch strings.SplitN(path, ".", 2)[0] {
	case "status":
		return i18n.P("status changes only by a workflow move: use `opsbook move ID STATE` or a verb such as `opsbook approve ID`"), true
	case "kind":
		return i18n.P("a record's kind cannot change"), true
	case "id":
		return i18n.P("ids change only with `opsbook renumber OLD NEW`, which also rewrites the references"), true
	}
	return i18n.Phrase{}, false
}

// protectedRefusal refuses a change of a field only a move or a
// renumbering changes, at the field (the record's file is the caller's to
// say: Refused.At).
func protectedRefusal(field string, why i18n.Phrase) *Refused {
	r := refused("protected-field", "refused: %s: %s", field, why)
	r.Places = []Place{{Field: field, Rule: r.Rule, Message: strings.TrimPrefix(r.Reason, "refused: ")}}
	return r
}

// At names rec's file, and the line and column of the field at fault, in
// each place of the refusal that names no file yet (a refusal made from
// a record's text alone, as ApplyAssignments'); r for chaining.
func (r *Refused) At(rec *record.Record) *Refused {
	for i, p := range r.Places {
		if p.Path != "" {
			continue
		}
		p.Path, p.Record, p.Line, p.Column = rec.Path, rec.ID, 1, 1
		if p.Field != "" {
			p.Line, p.Column = rec.Pos(p.Field)
		}
		r.Places[i] = p
	}
	return r
}

// ApplyAssignments applies assignments and removals to a record's text.
// allowProtected is for `new`, whose template sets status, kind and id.
// A literal takes its type from the kind's schema, as --where's do: a
// field the schema says is text is written as text (a phone number stays
// "13800138000"), numbers and money as numbers, dates as dates; a field the
// schema does not know is typed by how the literal looks.
func ApplyAssignments(src []byte, sets []Assignment, unsets []string, allowProtected bool) ([]byte, error) {
	ed, err := record.NewEditor(src)
	if err != nil {
		return nil, err
	}
	var fields *query.Fields
	if rec, _ := record.Parse("", src); rec != nil {
		fields, _ = query.FieldsOf(rec.Kind)
	}
	for _, a := range sets {
		if msg, ok := protected(a.Path); ok && !allowProtected {
			return nil, protectedRefusal(a.Path, msg)
		}
		n, err := valueNode(fields, a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Path, err)
		}
		if err := ed.Set(a.Path, n, a.Append); err != nil {
			return nil, err
		}
	}
	for _, u := range unsets {
		if msg, ok := protected(u); ok {
			return nil, protectedRefusal(u, msg)
		}
		if err := ed.Unset(u); err != nil {
			return nil, err
		}
	}
	return ed.Bytes()
}

// valueNode is the YAML node an assignment writes. Only text needs the
// schema: an unquoted literal that looks like a number, a boolean or a date
// is written quoted when the field holds text. A literal in YAML's own
// brackets or quotes is taken as written.
func valueNode(fields *query.Fields, a Assignment) (*yaml.Node, error) {
	n, err := record.ScalarNode(a.Value)
	if err != nil || fields == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!str" || n.Style != 0 {
		return n, err
	}
	f, ferr := fields.Resolve(a.Path)
	if ferr != nil {
		return n, nil
	}
	t := f.Type
	if t == query.List && a.Append {
		t = f.Elem
	}
	if t == query.Text {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.TrimSpace(a.Value)}, nil
	}
	return n, nil
}
