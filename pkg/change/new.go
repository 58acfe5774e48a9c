package change

import (
	"bytes"
	"encoding/json"
	"fmt"
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
type Field struct {
	Name        string
	Description string
}

// MustGive lists the fields of kind k that its schema requires and its
// template leaves empty: what `opsbook new KIND` needs to be told (the
// template fills the rest: id, status, you, today).
func MustGive(k record.Kind) ([]Field, error) {
	raw, err := schema.Raw(string(k))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("schema of %s: %w", k, err)
	}
	tmpl, err := template.ParseFS(templates.FS, string(k)+".yaml")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]any{"ID": record.FormatID(k, 2000, 1), "Actor": "x", "Today": "2000-01-01", "Now": "2000-01-01T00:00:00Z", "Year": 2000}); err != nil {
		return nil, err
	}
	filled, _ := record.Parse("", b.Bytes())
	var out []Field
	for _, name := range doc.Required {
		if name == "kind" || name == "id" || name == "status" {
			continue // opsbook's (a person's id is --id)
		}
		if filled != nil && filled.Has(name) && filled.Str(name) != "" {
			continue
		}
		var prop struct {
			Description string `json:"description"`
		}
		_ = json.Unmarshal(doc.Properties[name], &prop)
		out = append(out, Field{Name: name, Description: prop.Description})
	}
	return out, nil
}

// Missing returns the fields of MustGive that data (a new record) still
// leaves absent or empty.
func Missing(k record.Kind, data []byte) []Field {
	must, err := MustGive(k)
	if err != nil {
		return nil
	}
	rec, _ := record.Parse("", data)
	var out []Field
	for _, f := range must {
		if rec == nil || !rec.Has(f.Name) || rec.Str(f.Name) == "" {
			out = append(out, f)
		}
	}
	return out
}
