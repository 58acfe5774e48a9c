package change

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"text/template"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/opsbook/opsbook/templates"
)

// NewRecord renders the kind's template for a new record. id is required
// for people (their handle); budgets and training plans take the year from the assignments
// (year=YYYY) or the current year; other kinds allocate the next id.
func NewRecord(s *Session, k record.Kind, id string, sets []Assignment) (string, []byte, error) {
	year := s.Now.Year()
	for _, a := range sets {
		if a.Path == "year" && record.Info(k).YearOnly {
			y, err := strconv.Atoi(a.Value)
			if err != nil || y < 2000 || y > 2999 {
				return "", nil, i18n.Errorf("year=%s is not a year", a.Value)
			}
			year = y
		}
	}
	switch {
	case k == record.Person:
		if id == "" {
			return "", nil, i18n.Errorf("a person's id is their handle: give it with --id (e.g. --id li.wei)")
		}
	case id != "":
		return "", nil, i18n.Errorf("--id is only for people: %s ids are allocated", k)
	case record.Info(k).YearOnly:
		id = record.FormatID(k, year, 0)
	default:
		id = s.nextID(k, year)
	}
	if !record.ValidID(k, id) {
		return "", nil, i18n.Errorf("%q is not a valid %s id: %s", id, i18n.Word{Group: "kind", Key: string(k)}, record.IDShape(k))
	}
	if other := s.holder(id); other != "" {
		return "", nil, refused("id-duplicate", "refused: %s already exists (%s)", id, other)
	}
	if err := s.noFileAt(RecordPath(s.Repo.Policy.Records, k, id), id); err != nil {
		return "", nil, err
	}
	tmpl, err := template.ParseFS(templates.FS, string(k)+".yaml")
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, map[string]any{
		"ID": id, "Actor": s.Actor.Handle, "Today": s.Now.Format("2006-01-02"),
		"Now": s.Now.Format(time.RFC3339), "Year": year,
	})
	if err != nil {
		return "", nil, err
	}
	data, err := ApplyAssignments(b.Bytes(), sets, nil, false)
	if err != nil {
		return "", nil, err
	}
	return id, data, nil
}

// Field is a field a new record must be given, with its schema description.
// Or names the fields that may stand in for it: the schema asks for one of
// them (a complaint's customer or contact, an appraisal's period or
// project), and any one given is enough.
type Field struct {
	Name        string
	Description string
	Or          []string
}

// Names is the field and those that may stand in for it.
func (f Field) Names() []string { return append([]string{f.Name}, f.Or...) }

// MustGive lists the fields of kind k that its schema requires and its
// template leaves empty: what `opsbook new KIND` needs to be told (the
// template fills the rest: id, status, you, today).
func MustGive(k record.Kind) ([]Field, error) {
	out, _, err := mustGive(k)
	return out, err
}

// mustGive is MustGive with the kind's template as rendered, whose
// skeletons (an operations plan's objectives with empty texts) are not
// values given.
func mustGive(k record.Kind) ([]Field, *record.Record, error) {
	raw, err := schema.Raw(string(k))
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
		// branches that each require one field: one of them must be given
		AnyOf []struct {
			Required []string `json:"required"`
		} `json:"anyOf"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, fmt.Errorf("schema of %s: %w", k, err)
	}
	tmpl, err := template.ParseFS(templates.FS, string(k)+".yaml")
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]any{"ID": record.FormatID(k, 2000, 1), "Actor": "x", "Today": "2000-01-01", "Now": "2000-01-01T00:00:00Z", "Year": 2000}); err != nil {
		return nil, nil, err
	}
	filled, _ := record.Parse("", b.Bytes())
	describe := func(name string) string {
		var prop struct {
			Description string `json:"description"`
		}
		_ = json.Unmarshal(doc.Properties[name], &prop)
		return prop.Description
	}
	var out []Field
	for _, name := range doc.Required {
		if name == "kind" || name == "id" || name == "status" {
			continue // opsbook's (a person's id is --id)
		}
		if filled != nil && filled.Has(name) && filled.Str(name) != "" {
			continue
		}
		out = append(out, Field{Name: name, Description: describe(name)})
	}
	var either []string
	for _, b := range doc.AnyOf {
		if len(b.Required) != 1 {
			either = nil // a branch that asks for more is not "one of these"
			break
		}
		either = append(either, b.Required[0])
	}
	if len(either) > 0 && !given(filled, nil, either) {
		out = append(out, Field{Name: either[0], Description: describe(either[0]), Or: either[1:]})
	}
	return out, filled, nil
}

// given reports whether rec holds one of names: a text that is not empty,
// or a list or mapping other than the template's skeleton of it.
func given(rec, tmpl *record.Record, names []string) bool {
	for _, name := range names {
		if rec == nil || !rec.Has(name) {
			continue
		}
		v, _ := rec.Get(name)
		switch v.(type) {
		case []any, record.Map:
			if tmpl == nil {
				return true
			}
			if t, _ := tmpl.Get(name); !reflect.DeepEqual(v, t) {
				return true
			}
		default:
			if rec.Str(name) != "" {
				return true
			}
		}
	}
	return false
}

// Missing returns the fields of MustGive that data (a new record) still
// leaves absent or empty: a list or mapping counts as given once it is no
// longer the template's skeleton (`--set 'lines+={...}'` gives a budget its
// lines), and a field that another may stand in for once one of them is.
func Missing(k record.Kind, data []byte) []Field {
	must, tmpl, err := mustGive(k)
	if err != nil {
		return nil
	}
	rec, _ := record.Parse("", data)
	var out []Field
	for _, f := range must {
		if !given(rec, tmpl, f.Names()) {
			out = append(out, f)
		}
	}
	return out
}
