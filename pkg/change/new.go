package change

import (
	"bytes"
	"fmt"
	"strconv"
	"text/template"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
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
				return "", nil, fmt.Errorf("year=%s is not a year", a.Value)
			}
			year = y
		}
	}
	switch {
	case k == record.Person:
		if id == "" {
			return "", nil, fmt.Errorf("a person's id is their handle: give it with --id (e.g. --id li.wei)")
		}
	case id != "":
		return "", nil, fmt.Errorf("--id is only for people: %s ids are allocated", k)
	case record.Info(k).YearOnly:
		id = record.FormatID(k, year, 0)
	default:
		id = NextID(s.Repo.Root, s.Repo.Policy.Records, s.Repo.Set, k, year)
	}
	if !record.ValidID(k, id) {
		return "", nil, fmt.Errorf("%q is not a valid %s id", id, k)
	}
	if other := s.Repo.Set.Get(id); other != nil {
		return "", nil, &Refused{Rule: "id-duplicate", Reason: fmt.Sprintf("refused: %s already exists (%s)", id, other.Path)}
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
