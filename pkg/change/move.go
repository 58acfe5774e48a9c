package change

import (
	"fmt"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/report"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
	"go.yaml.in/yaml/v3"
)

// MoveEdits builds the edits of moving rec to state `to`: the status, plus
// what the move stamps (acknowledged_at, resolved_at, reopened_at, a plan's
// activated_on, actual dates, hold, appraisal total and rating, a training
// plan's approved_on, a closed project's closure.left, a cancelled training's reason, a violation's
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
		if to == "closed" {
			// who had left by now is owed no closing appraisal, then or
			// after a return (rules.OwesClosingAppraisal)
			_ = ed.Unset("closure.left")
			if left := workflow.LeftTeam(rec, s.env.People); len(left) > 0 {
				list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
				for _, h := range left {
					list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: h})
				}
				_ = ed.Set("closure.left", list, false)
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
	case record.Meeting:
		if to == "published" {
			set("published_at", now)
		}
	case record.Task:
		if to == "done" {
			set("done", today)
		}
	case record.StatusReport:
		switch to {
		case "submitted":
			set("submitted_at", now)
			_ = ed.Unset("snapshot")
			snap, err := snapshotFields(s, rec.Str("author"))
			if err != nil {
				return nil, err
			}
			for _, kv := range snap {
				if kv[0] == "on_time_percent" { // a percentage is text ("72.7"), as in the reports
					_ = ed.Set("snapshot."+kv[0], &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv[1], Style: yaml.DoubleQuotedStyle}, false)
					continue
				}
				set("snapshot."+kv[0], kv[1])
			}
		case "acknowledged":
			set("acknowledged_at", now)
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
			if old := s.Get(rec.Str("supersedes")); old != nil && old.Kind == record.Plan && old.Status() == "active" {
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

// snapshotFields are a status report's figures as of the move, as field
// and value pairs in the schema's order.
func snapshotFields(s *Session, author string) ([][2]string, error) {
	// the figures count the whole department
	if err := s.Whole(); err != nil {
		return nil, err
	}
	c := s.rulesOn(&rules.Context{Set: s.Repo.Set, Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now})
	sn := report.ComputeSnapshot(c, author)
	out := [][2]string{
		{"people", strconv.Itoa(sn.People)},
		{"open_work", strconv.Itoa(sn.OpenWork)},
		{"overdue_work", strconv.Itoa(sn.OverdueWork)},
	}
	if sn.OnTimePercent != nil {
		out = append(out, [2]string{"on_time_percent", *sn.OnTimePercent})
	}
	return append(out,
		[2]string{"active_plans", strconv.Itoa(sn.ActivePlans)},
		[2]string{"open_complaints", strconv.Itoa(sn.OpenComplaints)},
		[2]string{"complaints_past_sla", strconv.Itoa(sn.ComplaintsPastSLA)}), nil
}
