package change

import (
	"fmt"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"go.yaml.in/yaml/v3"
)

// MoveEdits builds the edits of moving rec to state `to`: the status, plus
// what the move stamps (acknowledged_at, resolved_at, reopened_at, a plan's
// activated_on, actual dates, hold, appraisal total and rating, a training
// plan's approved_on, a cancelled training's reason, a violation's
// closed_on). Activating a plan that supersedes another
// also moves that one to superseded, in the same commit.
func MoveEdits(s *Session, rec *record.Record, to, note string) ([]Edit, error) {
	src, err := record.ReadFile(s.Repo.Root, rec.Path)
	if err != nil {
		return nil, err
	}
	ed, err := record.NewEditor(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rec.Path, err)
	}
	from := rec.Status()
	set := func(path, value string) {
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
		if n2, err := record.ScalarNode(value); err == nil {
			n = n2
		}
		_ = ed.Set(path, n, false)
	}
	setIfMissing := func(path, value string) {
		if !rec.Has(path) {
			set(path, value)
		}
	}
	now := s.Now.Format(time.RFC3339)
	today := s.Now.Format("2006-01-02")
	set("status", to)
	var extra []Edit
	switch rec.Kind {
	case record.Complaint:
		switch to {
		case "acknowledged":
			setIfMissing("acknowledged_at", now)
		case "reopened":
			// the reopen starts the resolution clock again (rules.Clocks)
			set("reopened_at", now)
		case "resolved":
			if rec.Has("reopened_at") {
				// resolved again: the earlier resolution time gives way
				set("resolution.resolved_at", now)
			}
			setIfMissing("resolution.resolved_at", now)
			if note != "" {
				setIfMissing("resolution.solution", note)
			}
		}
	case record.Project:
		switch {
		case to == "on_hold":
			set("hold.from", from)
			if note != "" {
				set("hold.reason", note)
			}
		case from == "on_hold":
			_ = ed.Unset("hold")
		}
		switch to {
		case "executing":
			setIfMissing("actual.start", today)
		case "closed", "cancelled":
			if rec.Has("actual.start") {
				setIfMissing("actual.end", today)
			}
		}
	case record.Appraisal:
		if to == "draft" {
			// recalibrating: total and rating are written again on submit
			_ = ed.Unset("total")
			_ = ed.Unset("rating")
		}
		if to == "submitted" {
			sc := rules.AppraisalScore(rec, s.Repo.Policy)
			setIfMissing("total", sc.Total.String())
			setIfMissing("rating", sc.Rating)
		}
	case record.TrainingPlan:
		if to == "approved" {
			setIfMissing("approved_on", today)
		}
	case record.Training:
		if to == "cancelled" && note != "" {
			// text whatever it looks like: a note "2026" stays words
			_ = ed.Set("cancel_reason", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: note}, false)
		}
	case record.Violation:
		if to == "closed" {
			setIfMissing("closed_on", today)
		}
	case record.Plan:
		if to == "active" {
			// the progress-check interval runs from here (rules: check-missing)
			set("activated_on", today)
			if old := s.Repo.Set.Get(rec.Str("supersedes")); old != nil && old.Kind == record.Plan && old.Status() == "active" {
				e, err := simpleMove(s, old, "superseded")
				if err != nil {
					return nil, err
				}
				extra = append(extra, e)
			}
		}
	}
	data, err := ed.Bytes()
	if err != nil {
		return nil, err
	}
	return append([]Edit{{Path: rec.Path, Before: rec, Data: data}}, extra...), nil
}

func simpleMove(s *Session, rec *record.Record, to string) (Edit, error) {
	src, err := record.ReadFile(s.Repo.Root, rec.Path)
	if err != nil {
		return Edit{}, err
	}
	ed, err := record.NewEditor(src)
	if err != nil {
		return Edit{}, err
	}
	n, _ := record.ScalarNode(to)
	if err := ed.Set("status", n, false); err != nil {
		return Edit{}, err
	}
	data, err := ed.Bytes()
	return Edit{Path: rec.Path, Before: rec, Data: data}, err
}
