package change

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// RenumberEdits moves the record old to the id new and rewrites every
// reference to it (the fields rules.Refs lists) in every record.
func RenumberEdits(s *Session, oldID, newID string) ([]Edit, error) {
	holders, candidates := s.renumbered(oldID)
	if len(holders) == 0 {
		// a file of that name that cannot be read as a record is named,
		// as set and move name it
		if _, err := s.Find(oldID); err != nil {
			return nil, err
		}
		return nil, i18n.Errorf("%w: no record with id %q", ErrUsage, oldID)
	}
	rec := holders[0]
	if len(holders) > 1 {
		// A collision: renumber the copy that is not in its right place, or
		// else the one not yet committed.
		for _, h := range holders {
			if h.Path != RecordPath(s.Repo.Policy.Records, h.Kind, oldID) {
				rec = h
			}
		}
	}
	if rf := workflow.CheckRenumber(s.Actor, rec); rf != nil {
		line, col := rf.Pos()
		return nil, &Refused{Reason: "refused: " + rf.Message, Text: i18n.Sprintf("refused: %s", rf.Error()), Rule: rf.Rule,
			Places: []Place{{Path: rf.Path, Line: line, Column: col, Field: rf.Field, Rule: rf.Rule, Record: rf.ID, Message: rf.Message}}}
	}
	if !record.ValidID(rec.Kind, newID) {
		return nil, i18n.Errorf("%w: %q is not a valid %s id: %s", ErrUsage, newID, i18n.Word{Group: "kind", Key: string(rec.Kind)}, record.IDShape(rec.Kind))
	}
	if rec.Kind != record.Person && record.IDYear(newID) != record.IDYear(oldID) {
		return nil, refused("renumber", "%s and %s are of different years: a renumbered record keeps its year", oldID, newID).atID(rec)
	}
	if other := s.holder(newID); other != "" {
		return nil, refused("renumber", "%s is already taken by %s", newID, other).atID(rec)
	}
	newPath := RecordPath(s.Repo.Policy.Records, rec.Kind, newID)
	if err := s.noFileAt(newPath, newID); err != nil {
		return nil, err
	}
	var edits []Edit
	rewrite := func(r *record.Record, paths []string) ([]byte, error) {
		src, err := record.ReadFile(s.Repo.Root, r.Path)
		if err != nil {
			return nil, err
		}
		ed, err := record.NewEditor(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Path, err)
		}
		for _, p := range paths {
			n, _ := record.ScalarNode(newID)
			if err := ed.Set(p, n, false); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", r.Path, p, err)
			}
		}
		return ed.Bytes()
	}
	for _, r := range candidates {
		var paths []string
		if r == rec {
			paths = append(paths, "id")
		}
		for _, ref := range rules.Refs {
			if ref.Kind != r.Kind || !ref.Names(rec.Kind) {
				continue
			}
			for p, v := range rules.Expand(r.Data, ref.Path) {
				if v == oldID {
					paths = append(paths, p)
				}
			}
		}
		if len(paths) == 0 {
			continue
		}
		sort.Strings(paths)
		data, err := rewrite(r, paths)
		if err != nil {
			return nil, err
		}
		if r == rec {
			edits = append(edits, Edit{Path: newPath, Before: r, Data: data}, Edit{Path: r.Path, Before: r})
			continue
		}
		edits = append(edits, Edit{Path: r.Path, Before: r, Data: data})
	}
	return edits, nil
}

// Summary lists the files a renumber touches, for its commit note.
func Summary(edits []Edit) string {
	var parts []string
	for _, e := range edits {
		parts = append(parts, e.Path)
	}
	return strings.Join(parts, "\n")
}

// renumbered returns the records holding id and those that may name it
// (every record, or in a near session the holders and the records the
// index says name id), by path.
func (s *Session) renumbered(id string) (holders, candidates []*record.Record) {
	if s.near == nil {
		return s.Repo.Set.All(id), s.Repo.Set.Records
	}
	es := s.near.x.Get(id)
	for _, in := range s.near.x.RefsIn(id) {
		es = append(es, in.From)
	}
	seen := map[string]bool{}
	for _, rec := range s.getEntries(es) {
		if rec == nil || seen[rec.Path] {
			continue
		}
		seen[rec.Path] = true
		if rec.ID == id {
			holders = append(holders, rec)
		}
		candidates = append(candidates, rec)
	}
	sort.Slice(holders, func(i, j int) bool { return holders[i].Path < holders[j].Path })
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].Path < candidates[j].Path })
	return holders, candidates
}

// atID places a refusal of renumbering rec at its id.
func (r *Refused) atID(rec *record.Record) *Refused {
	r.Places = []Place{{Field: "id", Rule: r.Rule, Message: r.Reason}}
	return r.At(rec)
}
